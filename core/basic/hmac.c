/* SPDX-License-Identifier: MIT */
#include "basic/hmac.h"

#include <string.h>

#define BLOCK 64

void hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t key_size) {
        uint8_t k[BLOCK] = { 0 }, inner_key[BLOCK];

        if (key_size > BLOCK)
                sha256(key, key_size, k);
        else if (key_size > 0)
                memcpy(k, key, key_size);
        for (size_t i = 0; i < BLOCK; i++) {
                inner_key[i] = k[i] ^ 0x36;
                h->outer_key[i] = k[i] ^ 0x5c;
        }
        sha256_init(&h->inner);
        sha256_update(&h->inner, inner_key, BLOCK);
        explicit_bzero(k, sizeof k);
        explicit_bzero(inner_key, sizeof inner_key);
}

void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t size) {
        sha256_update(&h->inner, data, size);
}

void hmac_sha256_final(struct hmac_sha256 *h, uint8_t mac[HMAC_SHA256_SIZE]) {
        uint8_t inner[SHA256_DIGEST_SIZE];
        struct sha256 outer;

        sha256_final(&h->inner, inner);
        sha256_init(&outer);
        sha256_update(&outer, h->outer_key, BLOCK);
        sha256_update(&outer, inner, sizeof inner);
        sha256_final(&outer, mac);
        explicit_bzero(h, sizeof *h);
        explicit_bzero(&outer, sizeof outer);
}

void hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                 uint8_t mac[HMAC_SHA256_SIZE]) {
        struct hmac_sha256 h;

        hmac_sha256_init(&h, key, key_size);
        hmac_sha256_update(&h, data, size);
        hmac_sha256_final(&h, mac);
}
