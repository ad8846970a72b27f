/* SPDX-License-Identifier: MIT */
#pragma once

/* HMAC-SHA256 (RFC 2104, FIPS 198-1) on top of sha256.h: the signature of
 * webhook requests (Standard Webhooks, DingTalk, Feishu). Incremental, so a
 * signed message made of several parts ("id.timestamp.body") need not be
 * copied into one buffer first. */

#include <stddef.h>
#include <stdint.h>

#include "basic/sha256.h"

#define HMAC_SHA256_SIZE SHA256_DIGEST_SIZE

struct hmac_sha256 {
        struct sha256 inner;
        uint8_t outer_key[64]; /* the key XOR opad, kept for the final step */
};

/* Any key length: a key longer than a block is hashed first. */
void hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t key_size);
void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t size);
/* Also wipes the key material in h. */
void hmac_sha256_final(struct hmac_sha256 *h, uint8_t mac[HMAC_SHA256_SIZE]);
/* The whole computation at once. */
void hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                 uint8_t mac[HMAC_SHA256_SIZE]);
