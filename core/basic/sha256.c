/* SPDX-License-Identifier: MIT */
#include "basic/sha256.h"

#include <string.h>

static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static void schedule(const uint8_t block[64], uint32_t w[64]) {
        for (unsigned i = 0; i < 16; i++)
                w[i] = load_be32(block + 4 * i);
        for (unsigned i = 16; i < 64; i++) {
                uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);

                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
}

static void compress(uint32_t state[8], const uint8_t block[64]) {
        uint32_t w[64], a = state[0], b = state[1], c = state[2], d = state[3], e = state[4],
                        f = state[5], g = state[6], h = state[7];

        schedule(block, w);
        for (unsigned i = 0; i < 64; i++) {
                uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                              k[i] + w[i];
                uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

                h = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
}

void sha256_init(struct sha256 *h) {
        static const uint32_t initial[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };

        memcpy(h->state, initial, sizeof initial);
        h->length = 0;
        h->used = 0;
}

void sha256_update(struct sha256 *h, const void *data, size_t size) {
        const uint8_t *p = data;

        h->length += size;
        if (h->used > 0) {
                size_t n = 64 - h->used < size ? 64 - h->used : size;

                memcpy(h->block + h->used, p, n);
                h->used += n;
                p += n;
                size -= n;
                if (h->used < 64)
                        return;
                compress(h->state, h->block);
                h->used = 0;
        }
        for (; size >= 64; p += 64, size -= 64)
                compress(h->state, p);
        memcpy(h->block, p, size);
        h->used = size;
}

void sha256_final(struct sha256 *h, uint8_t digest[SHA256_DIGEST_SIZE]) {
        uint64_t bits = h->length * 8;

        h->block[h->used++] = 0x80;
        if (h->used > 56) {
                memset(h->block + h->used, 0, 64 - h->used);
                compress(h->state, h->block);
                h->used = 0;
        }
        memset(h->block + h->used, 0, 56 - h->used);
        for (unsigned i = 0; i < 8; i++)
                h->block[56 + i] = (uint8_t) (bits >> (56 - 8 * i));
        compress(h->state, h->block);
        for (unsigned i = 0; i < 8; i++)
                store_be32(digest + 4 * i, h->state[i]);
}

void sha256(const void *data, size_t size, uint8_t digest[SHA256_DIGEST_SIZE]) {
        struct sha256 h;

        sha256_init(&h);
        sha256_update(&h, data, size);
        sha256_final(&h, digest);
}
