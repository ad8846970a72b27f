/* SPDX-License-Identifier: MIT */
#include "basic/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t text_utf8_decode(const char *str, size_t n, unsigned *cp) {
        const unsigned char *s = (const unsigned char *) str;
        size_t len;
        unsigned c, min;

        if (n == 0)
                return 0;
        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, c = s[0] & 0x1f, min = 0x80;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, c = s[0] & 0x0f, min = 0x800;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, c = s[0] & 0x07, min = 0x10000;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past Unicode are not UTF-8. */
        if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
                return 0;
        *cp = c;
        return len;
}

bool text_utf8_valid(const char *s, size_t n) {
        for (size_t i = 0; i < n;) {
                unsigned cp;
                /* ASCII without the call: most of a table's bytes. */
                size_t k = (unsigned char) s[i] < 0x80 ? 1 : text_utf8_decode(s + i, n - i, &cp);

                if (k == 0)
                        return false;
                i += k;
        }
        return true;
}

size_t text_utf8_prefix(const char *s, size_t n, size_t max) {
        size_t i = 0;

        while (i < n) {
                unsigned cp;
                size_t len = text_utf8_decode(s + i, n - i, &cp);

                if (len == 0)
                        len = 1;
                if (len > max - i)
                        break;
                i += len;
        }
        return i;
}

char *text_vformat(const char *fmt, va_list ap) {
        char *s = NULL;

        return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

size_t text_utf8_chars(const char *s, size_t n, size_t chars) {
        size_t i = 0;

        for (; i < n && chars > 0; chars--) {
                unsigned cp;
                size_t len = text_utf8_decode(s + i, n - i, &cp);

                i += len ? len : 1;
        }
        return i;
}

char *text_ellipsize(const char *s, size_t chars) {
        size_t n = strlen(s), k = text_utf8_chars(s, n, chars);
        char *t;

        if (k >= n)
                return strdup(s);
        if (chars > 0)
                k = text_utf8_chars(s, n, chars - 1);
        t = malloc(k + sizeof "…");
        if (t) {
                memcpy(t, s, k);
                memcpy(t + k, "…", sizeof "…");
        }
        return t;
}

/* The East Asian Wide and Fullwidth blocks that office text uses. */
int text_cp_width(unsigned cp) {
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp <= 0x36f) ||
            cp == 0x200b)
                return 0;
        if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
            (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
            (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
            (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
            (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
            (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
            (cp >= 0x20000 && cp <= 0x3fffd))
                return 2;
        return 1;
}

size_t text_width(const char *s) {
        size_t n = strlen(s), width = 0;

        while (n > 0) {
                unsigned cp;
                size_t len = text_utf8_decode(s, n, &cp);

                if (len == 0) {
                        width++;
                        len = 1;
                } else
                        width += (size_t) text_cp_width(cp);
                s += len;
                n -= len;
        }
        return width;
}

void text_pad(FILE *out, const char *s, size_t width) {
        size_t w = text_width(s);

        fputs(s, out);
        for (; w < width; w++)
                fputc(' ', out);
}

void text_clean_copy(char *buf, size_t size, const char *s, size_t n) {
        size_t o = 0;

        if (size == 0)
                return;
        while (n > 0) {
                unsigned cp;
                size_t len = text_utf8_decode(s, n, &cp), put_len = len;
                const char *put = s;

                if (len == 0)
                        len = put_len = 1, put = "?";
                else if (cp < 0x20 || cp == 0x7f)
                        put_len = 1, put = " ";
                if (o + put_len >= size)
                        break;
                memcpy(buf + o, put, put_len);
                o += put_len;
                s += len, n -= len;
        }
        buf[o] = '\0';
}

bool text_ascii_word(const char *s, const char *extra) {
        for (; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
                        return false;
        return true;
}
