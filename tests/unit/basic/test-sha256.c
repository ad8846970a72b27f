/* SPDX-License-Identifier: MIT */
/* SHA-256 against the FIPS 180-4 / NIST CAVP test vectors, whole and fed in
 * pieces of every size across block boundaries. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/sha256.h"

static void hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[2 * SHA256_DIGEST_SIZE + 1]) {
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
                sprintf(out + 2 * i, "%02x", d[i]);
}

static void expect(const char *data, size_t size, const char *want) {
        uint8_t d[SHA256_DIGEST_SIZE];
        char got[2 * SHA256_DIGEST_SIZE + 1];

        sha256(data, size, d);
        hex(d, got);
        assert_string_equal(got, want);
}

static void test_empty(void **state) {
        (void) state;
        expect("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void **state) {
        (void) state;
        expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 448 bits: the padding needs a second block. */
static void test_two_blocks(void **state) {
        static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

        (void) state;
        expect(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state) {
        static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

        (void) state;
        expect(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state) {
        char *m = malloc(1000000);

        (void) state;
        assert_non_null(m);
        memset(m, 'a', 1000000);
        expect(m, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(m);
}

/* Lengths 55, 56 and 64 are where the padding changes shape. */
static void test_padding_edges(void **state) {
        char m[64];

        (void) state;
        memset(m, 'a', sizeof m);
        expect(m, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
        expect(m, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
        expect(m, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

/* Any way of cutting the input gives the same digest as hashing it whole. */
static void test_pieces(void **state) {
        static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        uint8_t whole[SHA256_DIGEST_SIZE], cut[SHA256_DIGEST_SIZE];
        size_t n = strlen(m);

        (void) state;
        sha256(m, n, whole);
        for (size_t step = 1; step <= n; step++) {
                struct sha256 h;

                sha256_init(&h);
                for (size_t at = 0; at < n; at += step)
                        sha256_update(&h, m + at, n - at < step ? n - at : step);
                sha256_final(&h, cut);
                assert_memory_equal(whole, cut, SHA256_DIGEST_SIZE);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_abc),
                cmocka_unit_test(test_two_blocks),
                cmocka_unit_test(test_896_bits),
                cmocka_unit_test(test_million_a),
                cmocka_unit_test(test_padding_edges),
                cmocka_unit_test(test_pieces),
        };

        return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
