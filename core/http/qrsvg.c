/* SPDX-License-Identifier: MIT */
#include "http/qrsvg.h"

#include <errno.h>
#include <qrencode.h>
#include <stdbool.h>

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
