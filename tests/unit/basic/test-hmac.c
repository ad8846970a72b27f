/* SPDX-License-Identifier: MIT */
/* HMAC-SHA256 against the RFC 4231 test cases, the webhook signatures of the
 * reference (Feishu, DingTalk, Standard Webhooks), and fed in pieces. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/hmac.h"

static void hex(const uint8_t *d, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", d[i]);
}

static void expect(const void *key, size_t key_size, const void *data, size_t size,
                   const char *want) {
        uint8_t mac[HMAC_SHA256_SIZE];
        char got[2 * HMAC_SHA256_SIZE + 1];

        hmac_sha256(key, key_size, data, size, mac);
        hex(mac, strlen(want) / 2, got);
        assert_string_equal(got, want);
}

static void test_rfc4231_1(void **state) {
        uint8_t key[20];

        (void) state;
        memset(key, 0x0b, sizeof key);
        expect(key, sizeof key, "Hi There", 8,
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

/* A key shorter than the output. */
static void test_rfc4231_2(void **state) {
        static const char m[] = "what do ya want for nothing?";

        (void) state;
        expect("Jefe", 4, m, strlen(m),
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_rfc4231_3(void **state) {
        uint8_t key[20], data[50];

        (void) state;
        memset(key, 0xaa, sizeof key);
        memset(data, 0xdd, sizeof data);
        expect(key, sizeof key, data, sizeof data,
               "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

static void test_rfc4231_4(void **state) {
        uint8_t key[25], data[50];

        (void) state;
        for (size_t i = 0; i < sizeof key; i++)
                key[i] = (uint8_t) (i + 1);
        memset(data, 0xcd, sizeof data);
        expect(key, sizeof key, data, sizeof data,
               "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

/* Truncated to 128 bits, as the RFC gives it. */
static void test_rfc4231_5(void **state) {
        uint8_t key[20];

        (void) state;
        memset(key, 0x0c, sizeof key);
        expect(key, sizeof key, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b");
}

/* Keys longer than a block are hashed first. */
static void test_rfc4231_6_7(void **state) {
        static const char m6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
        static const char m7[] = "This is a test using a larger than block-size key and a larger "
                                 "than block-size data. The key needs to be hashed before being "
                                 "used by the HMAC algorithm.";
        uint8_t key[131];

        (void) state;
        memset(key, 0xaa, sizeof key);
        expect(key, sizeof key, m6, strlen(m6),
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        expect(key, sizeof key, m7, strlen(m7),
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void expect_b64(const char *key, const char *data, const char *want) {
        uint8_t mac[HMAC_SHA256_SIZE];
        char got[BASE64_ENCODED_SIZE(HMAC_SHA256_SIZE) + 1];

        hmac_sha256(key, strlen(key), data, strlen(data), mac);
        base64_encode(mac, sizeof mac, got);
        assert_string_equal(got, want);
}

/* The reference's vectors, secret "demo": Feishu keys with timestamp and
 * secret and signs nothing, DingTalk the other way round. */
static void test_bot_vectors(void **state) {
        (void) state;
        expect_b64("1599360473\ndemo", "", "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
        expect_b64("demo", "1599360473000\ndemo", "eblRZvilBzXa6Ce18IeBM4pMy1rYNWKicaCg6VMwQe0=");
}

/* Any cut of the message gives the same MAC as the whole. */
static void test_pieces(void **state) {
        static const char m[] = "msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}"
                                "and some more bytes past the first block of sixty-four";
        uint8_t whole[HMAC_SHA256_SIZE], part[HMAC_SHA256_SIZE];
        struct hmac_sha256 h;

        (void) state;
        hmac_sha256("key", 3, m, strlen(m), whole);
        for (size_t cut = 0; cut <= strlen(m); cut++) {
                hmac_sha256_init(&h, "key", 3);
                hmac_sha256_update(&h, m, cut);
                hmac_sha256_update(&h, m + cut, strlen(m) - cut);
                hmac_sha256_final(&h, part);
                assert_memory_equal(whole, part, sizeof whole);
        }
}

/* A 64-byte key is used as it is; 65 bytes are hashed: both edges differ. */
static void test_key_edges(void **state) {
        uint8_t key[65], a[HMAC_SHA256_SIZE], b[HMAC_SHA256_SIZE];

        (void) state;
        memset(key, 'k', sizeof key);
        hmac_sha256(key, 64, "x", 1, a);
        hmac_sha256(key, 65, "x", 1, b);
        assert_memory_not_equal(a, b, sizeof a);
        expect(key, 64, "x", 1, "f91c4c403625fb06910ef93999265bbd2d62baeaec6ff36455498cc124fe3e66");
        expect("", 0, "", 0, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

/* A key made ready once gives every MAC the key itself gives, many times,
 * and fails cleanly when it was never made. */
static void test_ready_key(void **state) {
        static const char *const texts[] = { "", "x", "1\nsnooze3\nyuli-2026\n15.2\nbumen\n0\n0" };
        uint8_t key[65], want[HMAC_SHA256_SIZE], got[HMAC_SHA256_SIZE];
        struct hmac_sha256_key ready = {};

        (void) state;
        memset(key, 'k', sizeof key);
        assert_int_equal(hmac_sha256_keyed(&ready, "x", 1, got), -ENOMEM);
        for (size_t size = 0; size <= sizeof key; size += 32) {
                assert_int_equal(hmac_sha256_key_init(&ready, key, size), 0);
                for (size_t round = 0; round < 2; round++)
                        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
                                hmac_sha256(key, size, texts[i], strlen(texts[i]), want);
                                assert_int_equal(hmac_sha256_keyed(&ready, texts[i],
                                                                   strlen(texts[i]), got), 0);
                                assert_memory_equal(want, got, sizeof want);
                        }
                hmac_sha256_key_done(&ready);
                assert_null(ready.ctx);
        }
}

/* Threads signing with one ready key at once each get the key's MACs, and
 * a key made again in the same struct (a rotation) is the one they use. */
struct signer {
        const struct hmac_sha256_key *ready;
        const char *text;
        uint8_t mac[HMAC_SHA256_SIZE];
        int failures;
};

static void *sign_many(void *p) {
        struct signer *s = p;
        uint8_t mac[HMAC_SHA256_SIZE];

        for (int i = 0; i < 1000; i++) {
                if (hmac_sha256_keyed(s->ready, s->text, strlen(s->text), mac) < 0 ||
                    memcmp(mac, s->mac, sizeof mac) != 0)
                        s->failures++;
        }
        return NULL;
}

static void test_ready_key_threads(void **state) {
        static const char *const texts[] = { "1\ndone\na\nb\nc\n0\n0", "1\npage\n\n\nc\n9\n0" };
        struct hmac_sha256_key ready = {};
        struct signer s[4];
        pthread_t t[4];

        (void) state;
        for (int key = 0; key < 2; key++) {
                const char *k = key ? "second key" : "first key";

                assert_int_equal(hmac_sha256_key_init(&ready, k, strlen(k)), 0);
                for (size_t i = 0; i < 4; i++) {
                        s[i] = (struct signer) { .ready = &ready, .text = texts[i % 2] };
                        hmac_sha256(k, strlen(k), s[i].text, strlen(s[i].text), s[i].mac);
                        assert_int_equal(pthread_create(&t[i], NULL, sign_many, &s[i]), 0);
                }
                sign_many(&s[0]); /* this thread too, whose copy outlives the key */
                for (size_t i = 0; i < 4; i++) {
                        assert_int_equal(pthread_join(t[i], NULL), 0);
                        assert_int_equal(s[i].failures, 0);
                }
                hmac_sha256_key_done(&ready);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc4231_1),   cmocka_unit_test(test_rfc4231_2),
                cmocka_unit_test(test_rfc4231_3),   cmocka_unit_test(test_rfc4231_4),
                cmocka_unit_test(test_rfc4231_5),   cmocka_unit_test(test_rfc4231_6_7),
                cmocka_unit_test(test_bot_vectors), cmocka_unit_test(test_pieces),
                cmocka_unit_test(test_key_edges),   cmocka_unit_test(test_ready_key),
                cmocka_unit_test(test_ready_key_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
