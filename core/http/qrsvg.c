/* SPDX-License-Identifier: MIT */
#include "http/qrsvg.h"

#include <errno.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/greedy.h"
#include "http/html.h"

/* Four modules of white all round (ISO/IEC 18004). */
#define QUIET 4

/* Bit 0 of a module: dark. */
static bool dark(const QRcode *q, int x, int y) {
        return q->data[y * q->width + x] & 1;
}

int qrsvg_write(FILE *out, const char *text, const char *label) {
        QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        int size;

        if (!q)
                return errno == ENOMEM ? -ENOMEM : -EINVAL;
        size = q->width + 2 * QUIET;
        fprintf(out, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                     "role=\"img\" aria-label=\"", size, size);
        html_escape(out, label);
        fprintf(out, "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                     "<path fill=\"#000\" d=\"", size, size);
        /* A run of dark modules in a row is one rectangle: half the
         * commands of a square each, and a page of a hundred codes renders
         * in half the time. */
        for (int y = 0; y < q->width; y++)
                for (int x = 0; x < q->width;) {
                        int run = 0;

                        while (x + run < q->width && dark(q, x + run, y))
                                run++;
                        if (run > 0)
                                fprintf(out, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
                        x += run > 0 ? run : 1;
                }
        fputs("\"/></svg>", out);
        QRcode_free(q);
        return ferror(out) ? -EIO : 0;
}

struct qrsvg_kept {
        char *text, *label, *svg;
        size_t size;
};

struct qrsvg_memo {
        struct qrsvg_kept *codes;
        size_t n, allocated;
};

void qrsvg_memo_free(struct qrsvg_memo *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->codes[i].text);
                free(m->codes[i].label);
                free(m->codes[i].svg);
        }
        free(m->codes);
        free(m);
}

static const struct qrsvg_kept *memo_find(const struct qrsvg_memo *m, const char *text,
                                          const char *label) {
        for (size_t i = 0; m && i < m->n; i++)
                if (strcmp(m->codes[i].text, text) == 0 && strcmp(m->codes[i].label, label) == 0)
                        return &m->codes[i];
        return NULL;
}

/* The SVG of text, made now. */
static int make_svg(const char *text, const char *label, char **svg, size_t *size) {
        FILE *f = open_memstream(svg, size);
        int r;

        if (!f)
                return -ENOMEM;
        r = qrsvg_write(f, text, label);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(*svg);
                *svg = NULL;
        }
        return r;
}

/* Keeps a copy of svg (taken over) in *kept. */
static int memo_add(struct qrsvg_memo **kept, const char *text, const char *label, char *svg,
                    size_t size) {
        struct qrsvg_memo *m = *kept ? *kept : calloc(1, sizeof *m);
        struct qrsvg_kept *k;

        if (!m || GREEDY_REALLOC(m->codes, m->allocated, m->n + 1) < 0) {
                if (m != *kept)
                        free(m);
                free(svg);
                return -ENOMEM;
        }
        *kept = m;
        k = &m->codes[m->n];
        *k = (struct qrsvg_kept) { strdup(text), strdup(label), svg, size };
        if (!k->text || !k->label) {
                free(k->text);
                free(k->label);
                free(svg);
                return -ENOMEM;
        }
        m->n++;
        return 0;
}

int qrsvg_write_kept(FILE *out, const char *text, const char *label,
                     const struct qrsvg_memo *old, struct qrsvg_memo **kept) {
        const struct qrsvg_kept *k = memo_find(old, text, label);
        char *svg = NULL;
        size_t size = 0;
        int r = 0;

        if (k) {
                svg = malloc(k->size);
                if (!svg)
                        return -ENOMEM;
                memcpy(svg, k->svg, k->size);
                size = k->size;
        } else
                r = make_svg(text, label, &svg, &size);
        if (r < 0)
                return r;
        if (fwrite(svg, 1, size, out) != size) {
                free(svg);
                return -EIO;
        }
        return memo_add(kept, text, label, svg, size);
}
