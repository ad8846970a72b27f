/* SPDX-License-Identifier: MIT */
#include "http/html.h"

#include <stdbool.h>

static bool shown(unsigned char c) {
        return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

void html_escape(FILE *out, const char *s) {
        for (; s && *s; s++)
                switch (*s) {
                case '&': fputs("&amp;", out); break;
                case '<': fputs("&lt;", out); break;
                case '>': fputs("&gt;", out); break;
                case '"': fputs("&quot;", out); break;
                case '\'': fputs("&#39;", out); break;
                default:
                        if (shown((unsigned char) *s))
                                fputc(*s, out);
                }
}
