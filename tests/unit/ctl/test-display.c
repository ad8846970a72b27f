/* SPDX-License-Identifier: MIT */
/* ctl/display.c: other people's text made safe for a terminal, and wrapped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/display.h"

static void check_escape(const char *in, bool keep_newlines, const char *expected) {
        char *out = display_escape(in, keep_newlines);

        assert_non_null(out);
        assert_string_equal(out, expected);
        free(out);
}

static void test_escape_controls(void **state) {
        (void) state;
        /* A note that would turn the terminal red and set its title. */
        check_escape("已报送\033[31m红\033[0m", false, "已报送\\x1b[31m红\\x1b[0m");
        check_escape("\033]0;pwned\007", false, "\\x1b]0;pwned\\a");
        check_escape("a\tb\nc\rd\be\vf\fg", false, "a\\tb\\nc\\rd\\be\\vf\\fg");
        check_escape("x\001y\037z\177", false, "x\\x01y\\x1fz\\x7f");
        check_escape("one\ntwo", true, "one\ntwo");
        check_escape("one\ttwo", true, "one\\ttwo");
        /* U+009B, the one-byte CSI, in UTF-8; and bytes that are no UTF-8. */
        check_escape("a\xc2\x9b" "31mb", false, "a\\xc2\\x9b31mb");
        check_escape("\xff\xfe", false, "\\xff\\xfe");
        /* What is printable stays as it is, backslashes too. */
        check_escape("县财政局 C:\\报表 «ok» é", false, "县财政局 C:\\报表 «ok» é");
        check_escape("", false, "");
}

static char *wrapped(const char *s, size_t start, size_t indent, size_t width, bool coloured) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        if (coloured)
                display_wrap_coloured(f, s, start, indent, width);
        else
                display_wrap(f, s, start, indent, width);
        fclose(f);
        return buf;
}

static void check_wrap(const char *in, size_t start, size_t indent, size_t width, const char *expected) {
        char *out = wrapped(in, start, indent, width, false);

        assert_string_equal(out, expected);
        free(out);
}

static void test_wrap_words_and_chinese(void **state) {
        (void) state;
        check_wrap("the quick brown fox", 0, 2, 10, "the quick\n  brown\n  fox\n");
        /* Chinese breaks between any two characters: 8 columns are 4 of them. */
        check_wrap("形成自评表报县财政部门审核", 0, 0, 8, "形成自评\n表报县财\n政部门审\n核\n");
        /* …but a line does not begin with a comma or a full stop. */
        check_wrap("形成自评，报县财政", 0, 0, 8, "形成自\n评，报县\n财政\n");
        /* A word longer than a line is cut where it must be. */
        check_wrap("abcdefghijklmnopqrst", 0, 0, 8, "abcdefgh\nijklmnop\nqrst\n");
        /* Too narrow to wrap sensibly: one line. */
        check_wrap("abcdefghijkl", 0, 0, 5, "abcdefghijkl\n");
        /* Newlines are kept, and the next line is indented. */
        check_wrap("一\n二", 16, 16, 80, "一\n                二\n");
        /* No width: one line. */
        check_wrap("the quick brown fox", 0, 2, 0, "the quick brown fox\n");
        /* Controls escaped before wrapping. */
        check_wrap("a\033[31mb", 0, 0, 80, "a\\x1b[31mb\n");
}

static void test_wrap_coloured(void **state) {
        char *out;

        (void) state;
        /* Our own colour takes no room. */
        out = wrapped("\033[31mred text\033[0m here", 0, 0, 8, true);
        assert_string_equal(out, "\033[31mred text\033[0m\nhere\n");
        free(out);
}

static void test_field(void **state) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);

        (void) state;
        assert_non_null(f);
        display_field(f, "Detail", "一二三四五六七八九十", 26);
        display_field(f, "Note", "", 26);
        display_field(f, "Note", NULL, 26);
        fclose(f);
        assert_string_equal(buf, "        Detail: 一二三四五\n"
                                 "                六七八九十\n");
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape_controls),
                cmocka_unit_test(test_wrap_words_and_chinese),
                cmocka_unit_test(test_wrap_coloured),
                cmocka_unit_test(test_field),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
