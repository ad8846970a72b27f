/* SPDX-License-Identifier: MIT */
#pragma once

/* SHA-256 (FIPS 180-4), for strong HTTP entity tags: a feed's ETag is a hash
 * of its bytes, and a 64-bit hash is too short to rule out two different
 * feeds sharing a tag. Incremental, so a body can be hashed as it is made. */

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
        uint32_t state[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t block[64];
        size_t used; /* bytes waiting in block */
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t size);
void sha256_final(struct sha256 *h, uint8_t digest[SHA256_DIGEST_SIZE]);
/* The whole computation at once. */
void sha256(const void *data, size_t size, uint8_t digest[SHA256_DIGEST_SIZE]);
