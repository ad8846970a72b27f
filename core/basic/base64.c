/* SPDX-License-Identifier: MIT */
#include "basic/base64.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* libcrypto counts in int: longer input goes in pieces of whole groups. */
#define PIECE ((size_t) INT_MAX / 4 * 3)

size_t base64_encode(const void *data, size_t size, char *out) {
        const unsigned char *p = data;
        size_t o = 0;

        out[0] = '\0';
        for (size_t i = 0; i < size; i += PIECE) {
                size_t n = size - i < PIECE ? size - i : PIECE;

                o += (size_t) EVP_EncodeBlock((unsigned char *) out + o, p + i, (int) n);
        }
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

/* The value of one character, or -1 for anything outside the alphabet
 * (a NUL too: memchr, not strchr). */
static int value(char c) {
        const char *p = memchr(alphabet, c, sizeof alphabet);

        return p ? (int) (p - alphabet) : -1;
}

/* How many '=' end s (len a multiple of four, not 0): 0, 1 or 2, or -1 when
 * s is not strict base64. EVP_DecodeBlock() is looser on purpose (it skips
 * blanks at either end, reads padding as zero bytes without saying how
 * many, and ignores the bits no byte uses), but the input here comes from
 * outside (a secret file): every byte string must have exactly one
 * accepted encoding. */
static int strict_padding(const char *s, size_t len) {
        int pad = s[len - 1] == '=' ? (s[len - 2] == '=' ? 2 : 1) : 0;
        int last;

        for (size_t i = 0; i < len - (size_t) pad; i++)
                if (value(s[i]) < 0)
                        return -1;
        last = value(s[len - 1 - (size_t) pad]);
        /* The unused low bits of the last character must be zero. */
        if ((pad == 1 && (last & 0x3)) || (pad == 2 && (last & 0xf)))
                return -1;
        return pad;
}

/* Whole groups of four characters into bytes; n a multiple of four. */
static void decode_groups(const char *s, size_t n, uint8_t *out) {
        for (size_t i = 0; i < n; i += PIECE / 3 * 4) {
                size_t k = n - i < PIECE / 3 * 4 ? n - i : PIECE / 3 * 4;

                EVP_DecodeBlock(out + i / 4 * 3, (const unsigned char *) s + i, (int) k);
        }
}

ssize_t base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size) {
        uint8_t last[3];
        size_t bytes;
        int pad;

        if (len % 4 != 0)
                return -EINVAL;
        if (len == 0)
                return 0;
        pad = strict_padding(s, len);
        if (pad < 0)
                return -EINVAL;
        bytes = len / 4 * 3 - (size_t) pad;
        if (bytes > out_size)
                return -ENOBUFS;
        /* The last group apart: with padding it holds fewer than three bytes,
         * and out may have room for just those. */
        decode_groups(s, len - 4, out);
        decode_groups(s + len - 4, 4, last);
        memcpy(out + (len - 4) / 4 * 3, last, 3 - (size_t) pad);
        return (ssize_t) bytes;
}
