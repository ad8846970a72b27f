/* SPDX-License-Identifier: MIT */
#pragma once

/* HMAC-SHA256 (RFC 2104, FIPS 198-1) through OpenSSL's libcrypto (EVP_MAC):
 * the signature of webhook requests (Standard Webhooks, DingTalk, Feishu).
 * Incremental, so a signed message made of several parts
 * ("id.timestamp.body") need not be copied into one buffer first.
 *
 * Only allocation can fail; the key material libcrypto holds is wiped when
 * its context is freed. */

#include <openssl/types.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/sha256.h"

#define HMAC_SHA256_SIZE SHA256_DIGEST_SIZE

struct hmac_sha256 {
        EVP_MAC_CTX *ctx; /* NULL once anything failed */
};

/* Any key length, the empty key too: 0, or -ENOMEM (then
 * hmac_sha256_update() does nothing and hmac_sha256_final() fails). */
int hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t key_size);
void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t size);
/* Writes the MAC and frees h's state with its key material: 0, or -ENOMEM
 * when anything since hmac_sha256_init() failed (mac is then zeroed). */
int hmac_sha256_final(struct hmac_sha256 *h, uint8_t mac[HMAC_SHA256_SIZE]);
/* The whole computation at once: 0 or -ENOMEM. */
int hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                uint8_t mac[HMAC_SHA256_SIZE]);

/* A key made ready once for many MACs of short texts (the links' tokens, a
 * dozen thousand in a 09:30 burst): setting up a context from the key
 * (fetching SHA-256 among libcrypto's providers, hashing the pads) costs
 * several times the MAC itself. Only read once made, so threads may share
 * it: each thread signs with a working copy of its own (see hmac.c). */
struct hmac_sha256_key {
        EVP_MAC_CTX *ctx; /* NULL when not made (or out of memory) */
        uint64_t serial;  /* which making of a key this is: never the same twice */
};

/* 0, or -ENOMEM (then hmac_sha256_keyed() fails). */
int hmac_sha256_key_init(struct hmac_sha256_key *k, const void *key, size_t key_size);
/* Frees k with its key material. */
void hmac_sha256_key_done(struct hmac_sha256_key *k);
/* As hmac_sha256() with k's key: 0 or -ENOMEM (mac zeroed). */
int hmac_sha256_keyed(const struct hmac_sha256_key *k, const void *data, size_t size,
                      uint8_t mac[HMAC_SHA256_SIZE]);
