/* SPDX-License-Identifier: MIT */
#include "basic/hmac.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

static void hmac_sha256_drop(struct hmac_sha256 *h) {
        EVP_MAC_CTX_free(h->ctx);
        h->ctx = NULL;
}

/* The algorithm, fetched once: fetching looks it up among libcrypto's
 * providers, which cost more than the MAC of a link's token. Shared by
 * every thread, as libcrypto allows, and kept for the process's life. */
static EVP_MAC *hmac_algorithm;
static pthread_once_t hmac_fetched = PTHREAD_ONCE_INIT;

static void hmac_fetch(void) {
        hmac_algorithm = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

int hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t key_size) {
        /* libcrypto reads a NULL key as "keep the previous one": the empty
         * key needs a pointer all the same. */
        static const uint8_t empty[1];
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *) "SHA256", 0),
                OSSL_PARAM_construct_end(),
        };

        pthread_once(&hmac_fetched, hmac_fetch);
        h->ctx = hmac_algorithm ? EVP_MAC_CTX_new(hmac_algorithm) : NULL;
        if (h->ctx && EVP_MAC_init(h->ctx, key_size ? key : empty, key_size, params) == 1)
                return 0;
        hmac_sha256_drop(h);
        return -ENOMEM;
}

void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t size) {
        /* A failure is kept for hmac_sha256_final() to report. */
        if (h->ctx && EVP_MAC_update(h->ctx, data, size) != 1)
                hmac_sha256_drop(h);
}

int hmac_sha256_final(struct hmac_sha256 *h, uint8_t mac[HMAC_SHA256_SIZE]) {
        size_t n = 0;
        int r = h->ctx && EVP_MAC_final(h->ctx, mac, &n, HMAC_SHA256_SIZE) == 1 &&
                                n == HMAC_SHA256_SIZE
                        ? 0
                        : -ENOMEM;

        if (r < 0)
                memset(mac, 0, HMAC_SHA256_SIZE);
        hmac_sha256_drop(h);
        return r;
}

int hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                uint8_t mac[HMAC_SHA256_SIZE]) {
        struct hmac_sha256 h;

        if (hmac_sha256_init(&h, key, key_size) < 0) {
                memset(mac, 0, HMAC_SHA256_SIZE);
                return -ENOMEM;
        }
        hmac_sha256_update(&h, data, size);
        return hmac_sha256_final(&h, mac);
}

int hmac_sha256_key_init(struct hmac_sha256_key *k, const void *key, size_t key_size) {
        struct hmac_sha256 h;
        int r = hmac_sha256_init(&h, key, key_size);

        k->ctx = h.ctx;
        return r;
}

void hmac_sha256_key_done(struct hmac_sha256_key *k) {
        EVP_MAC_CTX_free(k->ctx); /* which wipes the key */
        k->ctx = NULL;
}

int hmac_sha256_keyed(const struct hmac_sha256_key *k, const void *data, size_t size,
                      uint8_t mac[HMAC_SHA256_SIZE]) {
        struct hmac_sha256 h = { .ctx = k->ctx ? EVP_MAC_CTX_dup(k->ctx) : NULL };

        hmac_sha256_update(&h, data, size);
        return hmac_sha256_final(&h, mac);
}
