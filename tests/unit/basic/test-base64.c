/* SPDX-License-Identifier: MIT */
/* Base64: the RFC 4648 test vectors both ways, strict decoding (every
 * malformed form rejected), and round trips over every byte value. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"

static const char *const vectors[][2] = {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
};

static void test_rfc4648_encode(void **state) {
        char out[16];

        (void) state;
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
                size_t n = base64_encode(vectors[i][0], strlen(vectors[i][0]), out);

                assert_string_equal(out, vectors[i][1]);
                assert_int_equal(n, strlen(vectors[i][1]));
                assert_int_equal(n, BASE64_ENCODED_SIZE(strlen(vectors[i][0])));
        }
}

static void test_rfc4648_decode(void **state) {
        uint8_t out[16];

        (void) state;
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
                const char *b = vectors[i][1];
                ssize_t n = base64_decode(b, strlen(b), out, sizeof out);

                assert_int_equal(n, strlen(vectors[i][0]));
                assert_memory_equal(out, vectors[i][0], (size_t) n);
        }
}

/* The whole alphabet, and bytes with the high bit set. */
static void test_alphabet(void **state) {
        static const uint8_t bytes[] = { 0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30,
                                         0xd3, 0x8f, 0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96,
                                         0x9b, 0x71, 0xd7, 0x9f, 0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7,
                                         0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf, 0xc3, 0x1c, 0xb3, 0xd3,
                                         0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf };
        char out[80];

        (void) state;
        base64_encode(bytes, sizeof bytes, out);
        assert_string_equal(out,
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

static void expect_invalid(const char *s) {
        uint8_t out[16];

        assert_int_equal(base64_decode(s, strlen(s), out, sizeof out), -EINVAL);
}

static void test_strict(void **state) {
        (void) state;
        expect_invalid("Zg="); /* not a multiple of four */
        expect_invalid("Zg"); /* padding left out */
        expect_invalid("Zh=="); /* unused bits set */
        expect_invalid("Zm9="); /* the same with one '=' */
        expect_invalid("Zg==Zg=="); /* padding inside */
        expect_invalid("====");
        expect_invalid("Z===");
        expect_invalid("Zm8=Zm9v");
        expect_invalid("Zm=v");
        expect_invalid("Zm9v Zm9v"); /* whitespace */
        expect_invalid("Zm9v\n");
        expect_invalid("Zm-_"); /* the URL-safe alphabet */
        expect_invalid("Zm9\xc3");
}

/* A NUL inside the given length is a bad character, not the end. */
static void test_embedded_nul(void **state) {
        uint8_t out[8];

        (void) state;
        assert_int_equal(base64_decode("Zm9v\0m9v", 8, out, sizeof out), -EINVAL);
        assert_int_equal(base64_decode("Zm9v\0m9v", 4, out, sizeof out), 3);
}

static void test_too_small(void **state) {
        uint8_t out[6];

        (void) state;
        assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 5), -ENOBUFS);
        assert_int_equal(base64_decode("Zm9vYg==", 8, out, 3), -ENOBUFS);
        assert_int_equal(base64_decode("Zm9vYg==", 8, out, 4), 4);
        assert_int_equal(base64_decode("", 0, NULL, 0), 0);
}

/* Every length up to three blocks, every byte value, there and back. */
static void test_round_trip(void **state) {
        uint8_t data[256], back[256];

        (void) state;
        for (size_t i = 0; i < sizeof data; i++)
                data[i] = (uint8_t) (255 - i);
        for (size_t n = 0; n <= sizeof data; n++) {
                char *s = base64_encode_alloc(data, n);

                assert_non_null(s);
                assert_int_equal(strlen(s), BASE64_ENCODED_SIZE(n));
                assert_int_equal(base64_decode(s, strlen(s), back, sizeof back), n);
                assert_memory_equal(back, data, n);
                assert_true(BASE64_DECODED_MAX(strlen(s)) >= n);
                free(s);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc4648_encode), cmocka_unit_test(test_rfc4648_decode),
                cmocka_unit_test(test_alphabet),       cmocka_unit_test(test_strict),
                cmocka_unit_test(test_embedded_nul),   cmocka_unit_test(test_too_small),
                cmocka_unit_test(test_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
