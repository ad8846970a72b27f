/* SPDX-License-Identifier: MIT */
#include "http/qrsvg.h"

#include <errno.h>
#include <qrencode.h>

#include "http/html.h"

/* Four modules of white all round (ISO/IEC 18004). */
#define QUIET 4

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
        for (int y = 0; y < q->width; y++)
                for (int x = 0; x < q->width; x++)
                        if (q->data[y * q->width + x] & 1) /* bit 0: a dark module */
                                fprintf(out, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
        fputs("\"/></svg>", out);
        QRcode_free(q);
        return ferror(out) ? -EIO : 0;
}
