/* SPDX-License-Identifier: MIT */
#pragma once

/* SHA-256 (FIPS 180-4) through OpenSSL's libcrypto, for strong HTTP entity
 * tags (a feed's ETag is a hash of its bytes, and a 64-bit hash is too short
 * to rule out two different feeds sharing a tag) and for the delivery log's
 * message keys. Incremental, so a body can be hashed as it is made.
 *
 * Only allocation can fail: libcrypto keeps its digest state on the heap. */

#include <openssl/types.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
        EVP_MD_CTX *ctx; /* NULL once anything failed */
};

/* 0, or -ENOMEM: then sha256_update() does nothing and sha256_final() fails. */
int sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t size);
/* Writes the digest and frees h's state: 0, or -ENOMEM when anything since
 * sha256_init() failed (digest is then zeroed). */
int sha256_final(struct sha256 *h, uint8_t digest[SHA256_DIGEST_SIZE]);
/* The whole computation at once: 0 or -ENOMEM (digest zeroed). */
int sha256(const void *data, size_t size, uint8_t digest[SHA256_DIGEST_SIZE]);
