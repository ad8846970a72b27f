/* SPDX-License-Identifier: MIT */
#include "basic/base64.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode(const void *data, size_t size, char *out) {
        const uint8_t *p = data;
        size_t o = 0;

        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16;
                size_t left = size - i;

                if (left > 1)
                        v |= (uint32_t) p[i + 1] << 8;
                if (left > 2)
                        v |= p[i + 2];
                out[o++] = alphabet[v >> 18 & 63];
                out[o++] = alphabet[v >> 12 & 63];
                out[o++] = left > 1 ? alphabet[v >> 6 & 63] : '=';
                out[o++] = left > 2 ? alphabet[v & 63] : '=';
        }
        out[o] = '\0';
        return o;
}

char *base64_encode_alloc(const void *data, size_t size) {
        char *s;

        if (size > (SIZE_MAX - 1) / 4 * 3 - 2)
                return NULL;
        s = malloc(BASE64_ENCODED_SIZE(size) + 1);
        if (s)
                base64_encode(data, size, s);
        return s;
}

/* The value of one character, or -1 for anything outside the alphabet. */
static int value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/* One group of four characters, the last of which may carry padding: the
 * number of bytes it holds (1…3), or -EINVAL. */
static int decode_quad(const char q[4], bool last, uint8_t bytes[3]) {
        int v[4], n = 3;
        uint32_t bits;

        if (last && q[3] == '=')
                n = q[2] == '=' ? 1 : 2;
        for (int i = 0; i < 4; i++) {
                v[i] = i <= n ? value(q[i]) : 0;
                if (v[i] < 0)
                        return -EINVAL;
        }
        bits = (uint32_t) v[0] << 18 | (uint32_t) v[1] << 12 | (uint32_t) v[2] << 6 |
               (uint32_t) v[3];
        /* Bits that no byte uses must be zero: one encoding per value. */
        if ((n == 1 && (bits & 0xffff)) || (n == 2 && (bits & 0xff)))
                return -EINVAL;
        bytes[0] = (uint8_t) (bits >> 16);
        bytes[1] = (uint8_t) (bits >> 8);
        bytes[2] = (uint8_t) bits;
        return n;
}

ssize_t base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size) {
        size_t o = 0;

        if (len % 4 != 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i += 4) {
                uint8_t bytes[3];
                int n = decode_quad(s + i, i + 4 == len, bytes);

                if (n < 0)
                        return n;
                if ((size_t) n > out_size - o)
                        return -ENOBUFS;
                for (int k = 0; k < n; k++)
                        out[o++] = bytes[k];
        }
        return (ssize_t) o;
}
