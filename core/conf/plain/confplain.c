/* SPDX-License-Identifier: MIT */
/* The plain part of libconfig's syntax, read by hand (confplain.h). The
 * reader is strict where libconfig is lenient or intricate: whatever it does
 * not recognise makes it give up, and libconfig reads the text instead. */
#include "conf/plain/confplain.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting is left to libconfig, whose parser keeps its own stack. */
#define PLAIN_MAX_DEPTH 64
/* Longer names are left to libconfig too: ledgers use short ones. */
#define PLAIN_MAX_NAME 63

struct reader {
        const char *p, *end; /* the text not read yet */
        unsigned line;       /* of p */
        unsigned depth;
        char *buf;           /* a NUL-terminated copy of the string read last */
        size_t cap;
        bool out_of_memory;
};

/* ---- between tokens ------------------------------------------------------ */

/* The newlines in [from, to). */
static unsigned newlines(const char *from, const char *to) {
        unsigned n = 0;

        while ((from = memchr(from, '\n', (size_t) (to - from)))) {
                n++;
                from++;
        }
        return n;
}

const char *confplain_comment_end(const char *p, const char *end) {
        const char *q;

        if (*p == '#' || (p + 1 < end && p[0] == '/' && p[1] == '/'))
                return memchr(p, '\n', (size_t) (end - p));
        if (p + 1 >= end || p[0] != '/' || p[1] != '*')
                return NULL;
        q = memmem(p + 2, (size_t) (end - p - 2), "*/", 2);
        return q ? q + 2 : NULL;
}

const char *confplain_blanks_end(const char *p, const char *end, unsigned *lines) {
        const char *comment_end;

        while (p < end) {
                switch (*p) {
                case '\n':
                        ++*lines;
                        /* fall through */
                case ' ':
                case '\t':
                case '\r':
                case '\f':
                        p++;
                        break;
                case '#':
                case '/':
                        comment_end = confplain_comment_end(p, end);
                        if (!comment_end)
                                return NULL;
                        *lines += newlines(p, comment_end);
                        p = comment_end;
                        break;
                default:
                        return p;
                }
        }
        return p;
}

/* Past blanks and comments, counting lines. False on a bad comment (the
 * text is then left to libconfig: where the reading stopped matters no
 * more). */
static bool skip_blanks(struct reader *rd) {
        const char *next = confplain_blanks_end(rd->p, rd->end, &rd->line);

        if (!next)
                return false;
        rd->p = next;
        return true;
}

/* Skips blanks; true if c is next, and then past it. */
static bool take(struct reader *rd, char c) {
        if (!skip_blanks(rd) || rd->p == rd->end || *rd->p != c)
                return false;
        rd->p++;
        return true;
}

static bool peek(struct reader *rd, char c) {
        return skip_blanks(rd) && rd->p < rd->end && *rd->p == c;
}

/* ---- tokens ------------------------------------------------------------------ */

static bool is_alpha(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_name_char(char c) {
        return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

/* Bytes that may end an int or a boolean: what follows one in valid text. */
static bool ends_atom(const struct reader *rd, const char *p) {
        return p == rd->end || (*p != '\0' && strchr(" \t\r\n\f#/,;)]}", *p));
}

/* A name into name[PLAIN_MAX_NAME + 1]. libconfig reads true and false as
 * booleans wherever they stand, and takes '*' into names. */
static bool read_name(struct reader *rd, char *name) {
        const char *start = rd->p, *p = start;
        size_t n;

        if (p == rd->end || !is_alpha(*p))
                return false;
        while (p < rd->end && is_name_char(*p))
                p++;
        n = (size_t) (p - start);
        if (n > PLAIN_MAX_NAME || (p < rd->end && *p == '*') ||
            (n == 4 && strncasecmp(start, "true", 4) == 0) ||
            (n == 5 && strncasecmp(start, "false", 5) == 0))
                return false;
        memcpy(name, start, n);
        name[n] = '\0';
        rd->p = p;
        return true;
}

/* A "string" without escapes into rd->buf. A string followed by another is
 * their concatenation to libconfig: not plain. */
static bool read_string(struct reader *rd) {
        const char *start = rd->p + 1, *quote;
        size_t n;

        quote = memchr(start, '"', (size_t) (rd->end - start));
        if (!quote || memchr(start, '\\', (size_t) (quote - start)))
                return false;
        n = (size_t) (quote - start);
        if (n + 1 > rd->cap) {
                char *b = realloc(rd->buf, n + 1);

                if (!b) {
                        rd->out_of_memory = true;
                        return false;
                }
                rd->buf = b;
                rd->cap = n + 1;
        }
        memcpy(rd->buf, start, n);
        rd->buf[n] = '\0';
        rd->line += newlines(start, quote);
        rd->p = quote + 1;
        return !peek(rd, '"');
}

/* A decimal int of up to 9 digits, so that it is an int to libconfig too,
 * without a leading zero, which strtol() would take for octal. */
static bool read_int(struct reader *rd, int *out) {
        const char *p = rd->p;
        bool negative = *p == '-';
        const char *digits;
        int v = 0;

        if (negative)
                p++;
        if (p < rd->end && *p == '0' && p + 1 < rd->end && is_digit(p[1]))
                return false;
        for (digits = p; p < rd->end && is_digit(*p); p++)
                if (p - digits == 9)
                        return false;
        if (p == digits || !ends_atom(rd, p))
                return false;
        for (; digits < p; digits++)
                v = v * 10 + (*digits - '0');
        *out = negative ? -v : v;
        rd->p = p;
        return true;
}

static bool read_bool(struct reader *rd, int *out) {
        size_t left = (size_t) (rd->end - rd->p);

        if (left >= 4 && memcmp(rd->p, "true", 4) == 0 && ends_atom(rd, rd->p + 4)) {
                *out = CONFIG_TRUE;
                rd->p += 4;
                return true;
        }
        if (left >= 5 && memcmp(rd->p, "false", 5) == 0 && ends_atom(rd, rd->p + 5)) {
                *out = CONFIG_FALSE;
                rd->p += 5;
                return true;
        }
        return false;
}

/* ---- values ------------------------------------------------------------------ */

static bool read_value(struct reader *rd, config_setting_t *parent, const char *name,
                       unsigned line);

/* A new setting in parent, on line: NULL for a duplicate name (an error to
 * libconfig) or when out of memory. libconfig has no setter for the line a
 * setting comes from; the field is in its public struct. */
static config_setting_t *add(config_setting_t *parent, const char *name, int type,
                             unsigned line) {
        config_setting_t *s = config_setting_add(parent, name, type);

        if (s)
                s->line = line;
        return s;
}

/* A scalar: a string, an int or a boolean. line is the setting's, or 0 for
 * an element, whose line libconfig takes where its parser is then. */
static bool read_scalar(struct reader *rd, config_setting_t *parent, const char *name,
                        unsigned line) {
        config_setting_t *s;
        int v;

        if (*rd->p == '"') {
                if (!read_string(rd))
                        return false;
                /* A string element is made once the parser has seen the
                 * token after it, which read_string() has just peeked at. */
                s = add(parent, name, CONFIG_TYPE_STRING, line ? line : rd->line);
                return s && config_setting_set_string(s, rd->buf) == CONFIG_TRUE;
        }
        if (!line)
                line = rd->line;
        if (read_bool(rd, &v)) {
                s = add(parent, name, CONFIG_TYPE_BOOL, line);
                return s && config_setting_set_bool(s, v) == CONFIG_TRUE;
        }
        if (read_int(rd, &v)) {
                s = add(parent, name, CONFIG_TYPE_INT, line);
                return s && config_setting_set_int(s, v) == CONFIG_TRUE;
        }
        return false;
}

/* Settings up to the closing bracket, or to the end of the text for the
 * root (close '\0'), which is left unread. */
static bool read_settings(struct reader *rd, config_setting_t *group, char close) {
        char name[PLAIN_MAX_NAME + 1];

        for (;;) {
                unsigned line;

                if (!skip_blanks(rd))
                        return false;
                if (rd->p == rd->end || *rd->p == close)
                        return rd->p < rd->end || close == '\0';
                line = rd->line;
                if (!read_name(rd, name) || !skip_blanks(rd) || rd->p == rd->end ||
                    (*rd->p != '=' && *rd->p != ':'))
                        return false;
                rd->p++;
                if (!skip_blanks(rd) || rd->p == rd->end || !read_value(rd, group, name, line) ||
                    !skip_blanks(rd))
                        return false;
                if (rd->p < rd->end && (*rd->p == ';' || *rd->p == ','))
                        rd->p++;
        }
}

/* Whether the last element of array has another type than the first: an
 * error to libconfig. */
static bool array_mixed(const config_setting_t *array) {
        int n = config_setting_length(array);

        return n > 1 && config_setting_type(config_setting_get_elem(array, 0)) !=
                                config_setting_type(config_setting_get_elem(array, (unsigned) n - 1));
}

/* The elements of an array or a list, whose opening bracket was just read,
 * and its closing one; no trailing comma. Array elements are scalars of
 * one type. */
static bool read_elements(struct reader *rd, config_setting_t *aggregate, char close) {
        bool array = close == ']';

        if (take(rd, close))
                return true;
        for (;;) {
                if (!skip_blanks(rd) || rd->p == rd->end)
                        return false;
                if (array ? !read_scalar(rd, aggregate, NULL, 0)
                          : !read_value(rd, aggregate, NULL, 0))
                        return false;
                if (array && array_mixed(aggregate))
                        return false;
                if (take(rd, close))
                        return true;
                if (!take(rd, ','))
                        return false;
        }
}

/* A value at p, the setting called name in parent (NULL: an element), the
 * setting's line given (0: an element, on the line libconfig gives it). */
static bool read_value(struct reader *rd, config_setting_t *parent, const char *name,
                       unsigned line) {
        static const struct {
                char open, close;
                int type;
        } aggregates[] = {
                { '{', '}', CONFIG_TYPE_GROUP },
                { '[', ']', CONFIG_TYPE_ARRAY },
                { '(', ')', CONFIG_TYPE_LIST },
        };
        config_setting_t *s;
        bool ok;

        for (size_t i = 0; i < sizeof aggregates / sizeof *aggregates; i++) {
                if (*rd->p != aggregates[i].open)
                        continue;
                if (rd->depth == PLAIN_MAX_DEPTH)
                        return false;
                s = add(parent, name, aggregates[i].type, line ? line : rd->line);
                if (!s)
                        return false;
                rd->p++;
                rd->depth++;
                ok = aggregates[i].type == CONFIG_TYPE_GROUP
                             ? read_settings(rd, s, '}') && take(rd, '}')
                             : read_elements(rd, s, aggregates[i].close);
                rd->depth--;
                return ok;
        }
        return read_scalar(rd, parent, name, line);
}

/* ---- the text ------------------------------------------------------------------ */

/* Empties cfg for libconfig to read into, keeping what the caller set on
 * it (an include directory, options), which config_destroy() would not. */
static void empty(config_t *cfg) {
        config_setting_t *root = config_root_setting(cfg);
        int n;

        while ((n = config_setting_length(root)) > 0)
                config_setting_remove_elem(root, (unsigned) n - 1);
}

int confplain_read(config_t *cfg, const char *text, size_t len) {
        struct reader rd = { .p = text, .end = text + len, .line = 1 };
        short format = config_get_default_format(cfg);
        bool ok;

        /* Reading resets the config's default format for ints, in libconfig,
         * and settings made under another would take it. */
        config_set_default_format(cfg, CONFIG_FORMAT_DEFAULT);
        /* A NUL ends the text for libconfig; the reader would read on. */
        ok = !memchr(text, '\0', len) && read_settings(&rd, config_root_setting(cfg), '\0');
        free(rd.buf);
        if (ok)
                return 1;
        config_set_default_format(cfg, format);
        empty(cfg);
        return rd.out_of_memory ? -ENOMEM : 0;
}
