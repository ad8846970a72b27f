/* SPDX-License-Identifier: MIT */
#pragma once

/* Base64 with the standard alphabet and '=' padding (RFC 4648, section 4):
 * webhook signatures, Standard Webhooks secrets ("whsec_…"), and the bodies
 * and encoded-words of e-mail. Decoding is strict, because its input comes
 * from outside (a secret file): no whitespace, padding only at the end and
 * only as much as needed, and the unused bits of the last character zero, so
 * that every byte string has exactly one accepted encoding. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Characters that encoding n bytes produces, without the NUL. */
#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4)
/* The most bytes that decoding len characters can give. */
#define BASE64_DECODED_MAX(len) ((len) / 4 * 3)

/* Writes BASE64_ENCODED_SIZE(size) characters and a NUL to out; returns
 * the number of characters. */
size_t base64_encode(const void *data, size_t size, char *out);
/* The same into a new string; NULL when out of memory. Free with free(). */
char *base64_encode_alloc(const void *data, size_t size);
/* Decodes len characters of s into out (room for out_size bytes). Returns
 * the number of bytes, -EINVAL when s is not strict base64, or -ENOBUFS
 * when out is too small. */
ssize_t base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size);
