/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "import/table.h"

/* Reads text (len bytes) and checks the rows are exactly want: each row a
 * NULL-terminated list of cells, want itself NULL-terminated. */
static void check_rows(const struct table *t, const char *const *const *want, const int *lines) {
        size_t n = 0;

        for (; want[n]; n++) {
                size_t k = 0;

                assert_true(n < t->n_rows);
                for (; want[n][k]; k++) {
                        assert_true(k < t->rows[n].n_cells);
                        assert_string_equal(t->rows[n].cells[k], want[n][k]);
                }
                assert_int_equal(t->rows[n].n_cells, k);
                if (lines)
                        assert_int_equal(t->rows[n].line, lines[n]);
        }
        assert_int_equal(t->n_rows, n);
}

static void read_ok(const char *data, size_t size, struct table *t, struct diagnostics *d) {
        assert_int_equal(table_read(data, size, "t.csv", t, d), 0);
}

#define ROW(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void test_tsv(void **state) {
        static const char text[] = "标题\n\n序号\t工作事项\t完成时间\n1\t预算\t7月底前\t\n";
        const char *const *want[] = { ROW("标题"), ROW(""), ROW("序号", "工作事项", "完成时间"),
                                      ROW("1", "预算", "7月底前", ""), NULL };
        const int lines[] = { 1, 2, 3, 4 };
        struct diagnostics d = { 0 };
        struct table t;

        (void) state;
        read_ok(text, strlen(text), &t, &d);
        assert_int_equal(t.delimiter, '\t');
        assert_string_equal(t.encoding, "UTF-8");
        check_rows(&t, want, lines);
        assert_int_equal(d.n_items, 0);
        table_free(&t);
}

/* Excel's CSV: quoted fields with commas, doubled quotes and line breaks;
 * a row's line is where it starts. */
static void test_csv_quoted(void **state) {
        static const char text[] = "序号,事项,内容\r\n"
                                   "1,\"预算,决算\",\"第一行\r\n第二行\"\r\n"
                                   "2,\"\"\"一卡通\"\"清理\",\r\n"
                                   "3,\"\",x";
        const char *const *want[] = { ROW("序号", "事项", "内容"),
                                      ROW("1", "预算,决算", "第一行\r\n第二行"),
                                      ROW("2", "\"一卡通\"清理", ""), ROW("3", "", "x"), NULL };
        const int lines[] = { 1, 2, 4, 5 };
        struct diagnostics d = { 0 };
        struct table t;

        (void) state;
        read_ok(text, strlen(text), &t, &d);
        assert_int_equal(t.delimiter, ',');
        check_rows(&t, want, lines);
        assert_int_equal(d.n_items, 0);
        table_free(&t);
}

/* A quote that only starts the text of a cell is text; one never closed is
 * text too, with a warning at its line. */
static void test_literal_quotes(void **state) {
        static const char text[] = "a\tb\n\"全覆盖\"建设\t\"x\"\n\"未闭合\tc\nd\te\n";
        const char *const *want[] = { ROW("a", "b"), ROW("\"全覆盖\"建设", "x"),
                                      ROW("\"未闭合", "c"), ROW("d", "e"), NULL };
        const int lines[] = { 1, 2, 3, 4 };
        struct diagnostics d = { 0 };
        struct table t;

        (void) state;
        read_ok(text, strlen(text), &t, &d);
        check_rows(&t, want, lines);
        assert_int_equal(d.n_warnings, 1);
        assert_string_equal(d.items[0].file, "t.csv");
        assert_int_equal(d.items[0].line, 3);
        assert_string_equal(d.items[0].message,
                            "a quote opens a field here and never closes: read as text");
        table_free(&t);
        diag_clear(&d);
}

static void test_delimiters(void **state) {
        struct diagnostics d = { 0 };
        struct table t;

        (void) state;
        read_ok("a;b;c\n1;2,5;3\n", 14, &t, &d);
        assert_int_equal(t.delimiter, ';');
        assert_int_equal(t.rows[1].n_cells, 3);
        assert_string_equal(t.rows[1].cells[1], "2,5");
        table_free(&t);
        /* a comma inside quotes does not make a CSV of a TSV */
        read_ok("\"a,b\"\tc\n", 8, &t, &d);
        assert_int_equal(t.delimiter, '\t');
        assert_string_equal(t.rows[0].cells[0], "a,b");
        table_free(&t);
        read_ok("lone\rcr\n", 8, &t, &d);
        assert_int_equal(t.n_rows, 2);
        assert_int_equal(t.rows[1].line, 2);
        table_free(&t);
        read_ok("", 0, &t, &d);
        assert_int_equal(t.n_rows, 0);
        table_free(&t);
        assert_int_equal(d.n_items, 0);
}

static void check_encoding(const char *data, size_t size, const char *encoding,
                           const char *first_cell) {
        struct diagnostics d = { 0 };
        struct table t;

        read_ok(data, size, &t, &d);
        assert_string_equal(t.encoding, encoding);
        assert_true(t.n_rows >= 1);
        assert_string_equal(t.rows[0].cells[0], first_cell);
        table_free(&t);
}

static void test_encodings(void **state) {
        (void) state;
        check_encoding("\xEF\xBB\xBF台账\t1\n", 12, "UTF-8 with BOM", "台账");
        check_encoding("\xCC\xA8\xD5\xCB\t1\n", 7, "GB18030", "台账");
        /* GB18030's four-byte form: U+20AC € is 0xA2E3, 𠀀 U+20000 is 0x95328236 */
        check_encoding("\x95\x32\x82\x36\n", 5, "GB18030", "\xF0\xA0\x80\x80");
        check_encoding("\xFF\xFE\xF0\x53\x26\x8D\x09\x00\x31\x00", 10, "UTF-16", "台账");
        check_encoding("\xFE\xFF\x53\xF0\x8D\x26", 6, "UTF-16", "台账");
        check_encoding("a\tb\n\x1A", 5, "UTF-8", "a"); /* DOS end of file */
}

static void check_refused(const char *data, size_t size, int error) {
        struct diagnostics d = { 0 };
        struct table t = { .n_rows = 99 };

        assert_int_equal(table_read(data, size, "t.csv", &t, &d), error);
        assert_int_equal(t.n_rows, 0);
        assert_null(t.rows);
        assert_int_equal(d.n_items, 0);
}

static void test_binary(void **state) {
        static const char elf[] = "\x7F" "ELF\x02\x01\x01\x00\x00";

        (void) state;
        check_refused(elf, sizeof elf - 1, -EILSEQ);
        check_refused("a\tb\x00\n", 5, -EILSEQ);
        check_refused("a\x01\x02\x03\n", 5, -EILSEQ);             /* controls */
        check_refused("\xFF\xFF\xFF\xFF", 4, -EILSEQ);             /* no GB18030 */
        check_refused("\xCC\xA8\xD5", 3, -EILSEQ);                 /* cut in half */
        check_refused("\xFF\xFE\x00\xD8", 4, -EILSEQ);             /* lone surrogate */
        check_refused("x", TABLE_SIZE_MAX + 1, -EFBIG);            /* never read */
}

static void test_decode(void **state) {
        const char *encoding = NULL;
        char *text = NULL;
        size_t len = 0;

        (void) state;
        assert_int_equal(table_decode("\xEF\xBB\xBF" "a", 4, &text, &len, &encoding), 0);
        assert_string_equal(text, "a");
        assert_int_equal(len, 1);
        assert_string_equal(encoding, "UTF-8 with BOM");
        free(text);
        assert_int_equal(table_decode("\x80", 1, &text, &len, &encoding), -EILSEQ);
        assert_null(text);
        assert_int_equal(len, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tsv),           cmocka_unit_test(test_csv_quoted),
                cmocka_unit_test(test_literal_quotes), cmocka_unit_test(test_delimiters),
                cmocka_unit_test(test_encodings),     cmocka_unit_test(test_binary),
                cmocka_unit_test(test_decode),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
