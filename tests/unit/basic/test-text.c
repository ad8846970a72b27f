/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "basic/text.h"

static void test_width(void **state) {
        (void) state;
        assert_int_equal(text_width(""), 0);
        assert_int_equal(text_width("15.2"), 4);
        assert_int_equal(text_width("县财政局"), 8);
        assert_int_equal(text_width("县财政局，各相关部门单位"), 24); /* full-width comma too */
        assert_int_equal(text_width("（5月）"), 2 + 1 + 2 + 2);
        assert_int_equal(text_width("\xff"), 1);    /* invalid byte: one column */
        assert_int_equal(text_width("\xe5\x8e"), 2); /* cut character: a column a byte */
}

static void test_decode(void **state) {
        unsigned cp;

        (void) state;
        assert_int_equal(text_utf8_decode("县", 3, &cp), 3);
        assert_int_equal(cp, 0x53bf);
        assert_int_equal(text_utf8_decode("县", 2, &cp), 0);
        assert_int_equal(text_utf8_decode("\xc0\xaf", 2, &cp), 0);         /* overlong */
        assert_int_equal(text_utf8_decode("\xed\xa0\x80", 3, &cp), 0);     /* surrogate */
        assert_int_equal(text_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0); /* past U+10FFFF */
        assert_int_equal(text_utf8_decode("\xf0\x9f\x93\x85", 4, &cp), 4);
        assert_int_equal(cp, 0x1f4c5);
}

static void test_valid(void **state) {
        (void) state;
        assert_true(text_utf8_valid("", 0));
        assert_true(text_utf8_valid("7月底之前 ok", strlen("7月底之前 ok")));
        assert_true(text_utf8_valid("a\0b", 3));
        assert_true(text_utf8_valid("\xf0\x9f\x98\x80", 4)); /* U+1F600 */
        assert_false(text_utf8_valid("\xe6\x9c", 2));           /* cut short */
        assert_false(text_utf8_valid("\xc0\xaf", 2));           /* overlong */
        assert_false(text_utf8_valid("\xed\xa0\x80", 3));       /* a surrogate */
        assert_false(text_utf8_valid("ab\xff", 3));
}

static void test_continuation(void **state) {
        static const char s[] = "7月";

        (void) state;
        assert_false(text_utf8_continuation(s[0]));
        assert_false(text_utf8_continuation(s[1])); /* the lead byte of 月 */
        assert_true(text_utf8_continuation(s[2]));
        assert_true(text_utf8_continuation(s[3]));
        assert_false(text_utf8_continuation('\0'));
}

/* "月" is three bytes: a cut never splits it; a stray byte is a character. */
static void test_prefix(void **state) {
        static const char s[] = "7月底";

        (void) state;
        assert_int_equal(text_utf8_prefix(s, 7, 7), 7);
        assert_int_equal(text_utf8_prefix(s, 7, 6), 4);
        assert_int_equal(text_utf8_prefix(s, 7, 3), 1);
        assert_int_equal(text_utf8_prefix(s, 7, 0), 0);
        /* n cuts "月" short: its two bytes are then a character each. */
        assert_int_equal(text_utf8_prefix(s, 3, 100), 3);
        assert_int_equal(text_utf8_prefix("\xff" "ab", 3, 2), 2);
}

static void test_pad(void **state) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);

        (void) state;
        text_pad(f, "县财政局", 10);
        fputc('|', f);
        text_pad(f, "toolong", 3);
        fclose(f);
        assert_string_equal(buf, "县财政局  |toolong");
        free(buf);
}

static void test_clean_copy(void **state) {
        char buf[8];

        (void) state;
        text_clean_copy(buf, sizeof buf, "a\tb\x7f\xff", 5);
        assert_string_equal(buf, "a b ?");
        /* "限流中" is 9 bytes: only whole characters that fit in 7. */
        text_clean_copy(buf, sizeof buf, "限流中", strlen("限流中"));
        assert_string_equal(buf, "限流");
        text_clean_copy(buf, sizeof buf, "ok\0hidden", 2);
        assert_string_equal(buf, "ok");
}

static void test_ascii_word(void **state) {
        (void) state;
        assert_true(text_ascii_word("Abc-09_z", "_-"));
        assert_true(text_ascii_word("", ""));
        assert_false(text_ascii_word("a.b", "_-"));
        assert_false(text_ascii_word("县", "_-"));
        assert_false(text_ascii_word("a b", ""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_width),
                cmocka_unit_test(test_decode),
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_prefix),
                cmocka_unit_test(test_continuation),
                cmocka_unit_test(test_pad),
                cmocka_unit_test(test_clean_copy),
                cmocka_unit_test(test_ascii_word),
        };

        return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
