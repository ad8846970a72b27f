/* SPDX-License-Identifier: MIT */
/* QR codes kept from one page for the next (http/qrsvg.h): what is written
 * is always the code qrsvg_write() makes of the same text and label,
 * whether it was kept, made now, or dropped from the memo for not being on
 * the page before. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/qrsvg.h"

#define FEED_A "webcal://127.0.0.1:8080/ledger.ics"
#define FEED_B "webcal://127.0.0.1:8080/czj.ics"

/* What qrsvg_write() makes of text and label. */
static char *made(const char *text, const char *label) {
        char *data = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&data, &n);

        assert_non_null(f);
        assert_int_equal(qrsvg_write(f, text, label), 0);
        assert_int_equal(fclose(f), 0);
        return data;
}

/* A page of these codes, made with old's: the page, and its memo in *kept. */
static char *page(const char *const *texts, size_t n, const struct qrsvg_memo *old,
                  struct qrsvg_memo **kept) {
        char *data = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&data, &size);

        assert_non_null(f);
        *kept = NULL;
        for (size_t i = 0; i < n; i++)
                assert_int_equal(qrsvg_write_kept(f, texts[i], "全部事项", old, kept), 0);
        assert_int_equal(fclose(f), 0);
        return data;
}

static void assert_page(const char *got, const char *const *texts, size_t n) {
        char *want = calloc(1, 1);

        for (size_t i = 0; i < n; i++) {
                char *one = made(texts[i], "全部事项");

                want = realloc(want, strlen(want) + strlen(one) + 1);
                assert_non_null(want);
                strcat(want, one);
                free(one);
        }
        assert_string_equal(got, want);
        free(want);
}

static void test_kept_codes_read_as_made(void **state) {
        static const char *const both[] = { FEED_A, FEED_B };
        struct qrsvg_memo *first, *second;
        char *p1 = page(both, 2, NULL, &first), *p2 = page(both, 2, first, &second);

        (void) state;
        assert_non_null(first);
        assert_page(p1, both, 2);
        assert_page(p2, both, 2);
        qrsvg_memo_free(first);
        qrsvg_memo_free(second);
        free(p1);
        free(p2);
}

/* A memo holds the codes of its own page only, so it never grows past one
 * page; a code dropped is made again when it is back. */
static void test_memo_holds_its_page(void **state) {
        static const char *const both[] = { FEED_A, FEED_B }, *const b_only[] = { FEED_B },
                                 *const a_only[] = { FEED_A };
        struct qrsvg_memo *first, *second, *third;
        char *p1 = page(both, 2, NULL, &first), *p2 = page(b_only, 1, first, &second),
             *p3 = page(a_only, 1, second, &third);

        (void) state;
        assert_page(p2, b_only, 1);
        assert_page(p3, a_only, 1);
        qrsvg_memo_free(first);
        qrsvg_memo_free(second);
        qrsvg_memo_free(third);
        free(p1);
        free(p2);
        free(p3);
}

/* The label is part of the code's SVG: a feed renamed gets its new name. */
static void test_new_label_made_again(void **state) {
        static const char *const a[] = { FEED_A };
        struct qrsvg_memo *first = NULL, *second = NULL;
        char *p1 = page(a, 1, NULL, &first), *p2 = NULL, *want = made(FEED_A, "县财政局");
        size_t n = 0;
        FILE *f = open_memstream(&p2, &n);

        (void) state;
        assert_non_null(f);
        assert_int_equal(qrsvg_write_kept(f, FEED_A, "县财政局", first, &second), 0);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(p2, want);
        assert_non_null(strstr(p2, "aria-label=\"县财政局\""));
        qrsvg_memo_free(first);
        qrsvg_memo_free(second);
        free(p1);
        free(p2);
        free(want);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kept_codes_read_as_made),
                cmocka_unit_test(test_memo_holds_its_page),
                cmocka_unit_test(test_new_label_made_again),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
