/* SPDX-License-Identifier: MIT */
/* ctl/columns.c: ledgerctl's tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/columns.h"

/* The table as printed, in a string to compare; free it. */
static char *render(const struct columns *t, bool colour, size_t max_width) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        columns_print(t, f, colour, max_width);
        fclose(f);
        return buf;
}

static void add(struct columns *t, const char *a, const char *b, const char *c) {
        assert_int_equal(columns_add(t, (const char *const[]) { a, b, c }), 0);
}

static void test_chinese_aligned(void **state) {
        static const char *const headers[] = { "ID", "OWNERS", "ITEM" };
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 3, headers);
        add(&t, "15.2", "县财政局", "项目支出绩效评价");
        add(&t, "1", "各相关部门单位", "x");
        add(&t, "36b", NULL, "");
        out = render(&t, false, 0);
        /* OWNERS is 14 columns wide (各相关部门单位), then two spaces; no trailing blanks. */
        assert_string_equal(out,
                            "ID    OWNERS          ITEM\n"
                            "15.2  县财政局        项目支出绩效评价\n"
                            "1     各相关部门单位  x\n"
                            "36b                   \n");
        free(out);
        columns_free(&t);
        assert_null(t.cells);
}

static void test_colour_only_around_text(void **state) {
        static const char *const headers[] = { "A", "STATUS" };
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 2, headers);
        assert_int_equal(columns_add(&t, (const char *const[]) { "x", "overdue" }), 0);
        columns_colour(&t, 1, COLUMNS_RED);
        out = render(&t, true, 0);
        assert_string_equal(out, "\033[1mA\033[0m  \033[1mSTATUS\033[0m\n"
                                 "x  \033[31moverdue\033[0m\n");
        free(out);
        out = render(&t, false, 0);
        assert_string_equal(out, "A  STATUS\nx  overdue\n");
        free(out);
        columns_free(&t);
}

static void test_no_headers(void **state) {
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 2, NULL);
        assert_int_equal(columns_add(&t, (const char *const[]) { "a", "b" }), 0);
        out = render(&t, false, 0);
        assert_string_equal(out, "a  b\n");
        free(out);
        columns_free(&t);
}

static void test_many_rows(void **state) {
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 1, NULL);
        for (int i = 0; i < 100; i++)
                assert_int_equal(columns_add(&t, (const char *const[]) { "行" }), 0);
        assert_int_equal(t.n_rows, 100);
        out = render(&t, false, 0);
        assert_int_equal(strlen(out), 100 * (3 + 1));
        free(out);
        columns_free(&t);
}

static void test_truncate(void **state) {
        char *s;

        (void) state;
        s = columns_truncate("项目支出绩效评价", 7); /* 3 characters (6 columns) and "…" */
        assert_string_equal(s, "项目支…");
        free(s);
        s = columns_truncate("项目支出绩效评价", 16);
        assert_string_equal(s, "项目支出绩效评价");
        free(s);
        s = columns_truncate("abcdef", 4);
        assert_string_equal(s, "abc…");
        free(s);
        s = columns_truncate("a项", 2); /* the wide character does not fit beside "…" */
        assert_string_equal(s, "a…");
        free(s);
}

static void test_cut_to_width(void **state) {
        static const char *const headers[] = { "ID", "ITEM" };
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 2, headers);
        assert_int_equal(columns_add(&t, (const char *const[]) { "15.2", "项目支出绩效评价" }), 0);
        /* ID takes 4+2 columns, leaving 10 for ITEM: 4 characters and "…" (9), as
         * a fifth wide character would need 11. */
        out = render(&t, false, 6 + 10);
        assert_string_equal(out, "ID    ITEM\n15.2  项目支出…\n");
        free(out);
        out = render(&t, false, 6 + 11);
        assert_string_equal(out, "ID    ITEM\n15.2  项目支出绩…\n");
        free(out);
        out = render(&t, false, 80); /* fits: not cut */
        assert_string_equal(out, "ID    ITEM\n15.2  项目支出绩效评价\n");
        free(out);
        columns_free(&t);
}

static void test_cut_widest_text_column(void **state) {
        static const char *const headers[] = { "ID", "OWNERS", "ITEM", "DUE" };
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 4, headers);
        columns_cuttable(&t, 1);
        columns_cuttable(&t, 2);
        assert_int_equal(columns_add(&t, (const char *const[]) { "15.2", "县财政局、各相关部门单位",
                                                                 "项目支出绩效评价", "2025-04-30" }), 0);
        /* 4+24+16+10 and three gaps of 2: 60. At 54, OWNERS (the widest)
         * loses 6 columns; ITEM, ID and DUE stay whole. */
        out = render(&t, false, 54);
        assert_string_equal(out, "ID    OWNERS              ITEM              DUE\n"
                                 "15.2  县财政局、各相关…   项目支出绩效评价  2025-04-30\n");
        free(out);
        /* At 40, both text columns are cut, to the same width; never ID or DUE. */
        out = render(&t, false, 40);
        assert_string_equal(out, "ID    OWNERS      ITEM        DUE\n"
                                 "15.2  县财政局…   项目支出…   2025-04-30\n");
        free(out);
        /* Too narrow even then: the others are cut too, and no line is wider. */
        out = render(&t, false, 30);
        assert_string_equal(out, "ID    OWNERS  ITEM    DUE\n"
                                 "15.2  县财…   项目…   2025-04…\n");
        free(out);
        columns_free(&t);
}

static void test_cells_escaped(void **state) {
        struct columns t;
        char *out;

        (void) state;
        columns_init(&t, 2, NULL);
        assert_int_equal(columns_add(&t, (const char *const[]) { "a\033[31m", "b\nc" }), 0);
        out = render(&t, false, 0);
        assert_string_equal(out, "a\\x1b[31m  b\\nc\n");
        free(out);
        columns_free(&t);
}

static void test_use_colour(void **state) {
        FILE *f = tmpfile();

        (void) state;
        assert_non_null(f);
        unsetenv("NO_COLOR");
        assert_false(columns_use_colour(f)); /* a file is no terminal */
        assert_int_equal(columns_terminal_width(f), 0);
        fclose(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_chinese_aligned),
                cmocka_unit_test(test_colour_only_around_text),
                cmocka_unit_test(test_no_headers),
                cmocka_unit_test(test_many_rows),
                cmocka_unit_test(test_truncate),
                cmocka_unit_test(test_cut_to_width),
                cmocka_unit_test(test_cut_widest_text_column),
                cmocka_unit_test(test_cells_escaped),
                cmocka_unit_test(test_use_colour),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
