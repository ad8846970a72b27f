/* SPDX-License-Identifier: MIT */
#include "basic/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

int sha256_init(struct sha256 *h) {
        h->ctx = EVP_MD_CTX_new();
        if (h->ctx && EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) == 1)
                return 0;
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
        return -ENOMEM;
}

void sha256_update(struct sha256 *h, const void *data, size_t size) {
        /* A failure is kept for sha256_final() to report, so that a caller
         * hashing many parts checks once. */
        if (h->ctx && EVP_DigestUpdate(h->ctx, data, size) != 1) {
                EVP_MD_CTX_free(h->ctx);
                h->ctx = NULL;
        }
}

int sha256_final(struct sha256 *h, uint8_t digest[SHA256_DIGEST_SIZE]) {
        int r = h->ctx && EVP_DigestFinal_ex(h->ctx, digest, NULL) == 1 ? 0 : -ENOMEM;

        if (r < 0)
                memset(digest, 0, SHA256_DIGEST_SIZE);
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
        return r;
}

int sha256(const void *data, size_t size, uint8_t digest[SHA256_DIGEST_SIZE]) {
        if (EVP_Digest(data, size, digest, NULL, EVP_sha256(), NULL) == 1)
                return 0;
        memset(digest, 0, SHA256_DIGEST_SIZE);
        return -ENOMEM;
}
