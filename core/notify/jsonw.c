/* SPDX-License-Identifier: MIT */
#include "notify/jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/greedy.h"

/* The first body is about this big: a digest's few dozen items. */
#define JSONW_START 4096

static void put(struct jsonw *w, const void *data, size_t n) {
        size_t need = w->size + n + 1;

        if (w->failed)
                return;
        if (need > w->allocated &&
            GREEDY_REALLOC(w->buf, w->allocated, need < JSONW_START ? JSONW_START : need) < 0) {
                w->failed = true;
                return;
        }
        memcpy(w->buf + w->size, data, n);
        w->size += n;
}

/* The comma before a value or key that follows another. */
static void next(struct jsonw *w) {
        if (w->comma)
                put(w, ",", 1);
        w->comma = true;
}

/* How json-c writes byte c inside a string: NULL when as it is. */
static const char *escape_of(unsigned char c, char hex[7]) {
        static const char names[0x20][3] = { ['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n",
                                         ['\f'] = "\\f", ['\r'] = "\\r" };
        static const char digits[] = "0123456789abcdef";

        if (c == '"')
                return "\\\"";
        if (c == '\\')
                return "\\\\";
        if (c >= 0x20)
                return NULL;
        if (names[c][0])
                return names[c];
        snprintf(hex, 7, "\\u00%c%c", digits[c >> 4], digits[c & 0xf]);
        return hex;
}

/* Whether byte c is written escaped: '"', '\\' and the controls. */
static bool escaped(unsigned char c) {
        return c < 0x20 || c == '"' || c == '\\';
}

/* s between quotes, its runs of plain bytes copied at once. */
static void quoted(struct jsonw *w, const char *s) {
        const char *run = s;
        char hex[7];

        put(w, "\"", 1);
        for (;; s++) {
                const char *e;

                while (*s && !escaped((unsigned char) *s))
                        s++;
                if (!*s)
                        break;
                e = escape_of((unsigned char) *s, hex);
                put(w, run, (size_t) (s - run));
                put(w, e, strlen(e));
                run = s + 1;
        }
        put(w, run, (size_t) (s - run));
        put(w, "\"", 1);
}

void jsonw_open(struct jsonw *w, char bracket) {
        next(w);
        put(w, &bracket, 1);
        w->comma = false;
}

void jsonw_close(struct jsonw *w, char bracket) {
        put(w, &bracket, 1);
        w->comma = true;
}

void jsonw_key(struct jsonw *w, const char *key) {
        next(w);
        quoted(w, key);
        put(w, ":", 1);
        w->comma = false; /* its value follows without one */
}

void jsonw_string(struct jsonw *w, const char *s) {
        next(w);
        quoted(w, s ? s : "");
}

void jsonw_nullable(struct jsonw *w, const char *s) {
        if (s)
                jsonw_string(w, s);
        else {
                next(w);
                put(w, "null", 4);
        }
}

void jsonw_int(struct jsonw *w, int64_t v) {
        char text[24];
        int n = snprintf(text, sizeof text, "%" PRId64, v);

        next(w);
        put(w, text, (size_t) n);
}

void jsonw_bool(struct jsonw *w, bool v) {
        next(w);
        put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_strings(struct jsonw *w, const char *const *v, size_t n) {
        jsonw_open(w, '[');
        for (size_t i = 0; i < n; i++)
                jsonw_string(w, v[i]);
        jsonw_close(w, ']');
}

int jsonw_finish(struct jsonw *w, char **out, size_t *size) {
        int r = w->failed || !w->buf ? -ENOMEM : 0;

        if (r == 0) {
                w->buf[w->size] = '\0';
                *out = w->buf;
                *size = w->size;
        } else
                free(w->buf);
        *w = (struct jsonw) {};
        return r;
}
