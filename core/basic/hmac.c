/* SPDX-License-Identifier: MIT */
#include "basic/hmac.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
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

/* Every key made gets a serial of its own, so that a thread's working copy
 * of an earlier key is never taken for a copy of a later one, even when the
 * later one is made in the same struct, at the same address. */
static _Atomic uint64_t key_serials;

int hmac_sha256_key_init(struct hmac_sha256_key *k, const void *key, size_t key_size) {
        struct hmac_sha256 h;
        int r = hmac_sha256_init(&h, key, key_size);

        k->ctx = h.ctx;
        k->serial = ++key_serials;
        return r;
}

void hmac_sha256_key_done(struct hmac_sha256_key *k) {
        EVP_MAC_CTX_free(k->ctx); /* which wipes the key */
        k->ctx = NULL;
        k->serial = 0;
}

/* ---- each thread's working copy ------------------------------------------------- */

/* libcrypto starts a MAC over again with the key it holds (EVP_MAC_init()
 * given no key) for a third of what a copy of the ready context costs, the
 * copy being four allocations of digest state. So each thread that signs
 * keeps one copy of the last key it signed with, made again when the key
 * changes (a rotation) and freed when the thread ends. */
struct working_copy {
        uint64_t serial;
        EVP_MAC_CTX *ctx;
};

static pthread_key_t working_key;
static bool working_keyed; /* else copies are never freed: the process's threads are few */
static pthread_once_t working_once = PTHREAD_ONCE_INIT;
static _Thread_local struct working_copy *working;

static void working_free(void *p) {
        struct working_copy *w = p;

        EVP_MAC_CTX_free(w->ctx);
        free(w);
}

static void working_make_key(void) {
        working_keyed = pthread_key_create(&working_key, working_free) == 0;
}

/* The calling thread's working copy of k, ready for a new MAC; NULL. */
static EVP_MAC_CTX *working_copy_of(const struct hmac_sha256_key *k) {
        pthread_once(&working_once, working_make_key);
        if (!working) {
                working = calloc(1, sizeof *working);
                if (!working)
                        return NULL;
                if (working_keyed)
                        (void) pthread_setspecific(working_key, working);
        }
        if (working->serial != k->serial || !working->ctx) {
                EVP_MAC_CTX_free(working->ctx);
                working->ctx = EVP_MAC_CTX_dup(k->ctx);
                working->serial = k->serial;
        }
        if (working->ctx && EVP_MAC_init(working->ctx, NULL, 0, NULL) == 1)
                return working->ctx;
        EVP_MAC_CTX_free(working->ctx);
        working->ctx = NULL;
        return NULL;
}

int hmac_sha256_keyed(const struct hmac_sha256_key *k, const void *data, size_t size,
                      uint8_t mac[HMAC_SHA256_SIZE]) {
        EVP_MAC_CTX *ctx = k->ctx ? working_copy_of(k) : NULL;
        size_t n = 0;

        if (ctx && EVP_MAC_update(ctx, data, size) == 1 &&
            EVP_MAC_final(ctx, mac, &n, HMAC_SHA256_SIZE) == 1 && n == HMAC_SHA256_SIZE)
                return 0;
        memset(mac, 0, HMAC_SHA256_SIZE);
        return -ENOMEM;
}
