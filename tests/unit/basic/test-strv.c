/* SPDX-License-Identifier: MIT */
/* String vectors: pushing keeps the NULL at the end, the counted and the
 * ended forms are freed alike, and joining. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"

static void test_push(void **state) {
        char **v = NULL, word[] = "县财政局";
        size_t n = 0;

        (void) state;
        assert_int_equal(strv_length(v), 0);
        assert_int_equal(strv_push(&v, &n, word), 0);
        word[0] = 'x'; /* a copy was pushed */
        assert_int_equal(strv_push(&v, &n, "审计局"), 0);
        assert_int_equal(strv_push(&v, &n, ""), 0);
        assert_int_equal(n, 3);
        assert_int_equal(strv_length(v), 3);
        assert_null(v[3]);
        assert_string_equal(v[0], "县财政局");
        assert_string_equal(v[2], "");
        assert_true(strv_contains(v, n, "审计局"));
        assert_false(strv_contains(v, n, "审计"));
        assert_false(strv_contains(v, 1, "审计局")); /* only the first n count */
        strv_free(v);
}

static void test_free_counted(void **state) {
        char **v = calloc(2, sizeof *v);

        (void) state;
        assert_non_null(v);
        v[0] = strdup("a");
        v[1] = strdup("b"); /* no NULL after it: counted, not ended */
        strv_free_n(v, 2);
        strv_free_n(NULL, 0);
        strv_free(NULL);
}

static void test_join(void **state) {
        char *v[] = { "县财政局", "县审计局", "各乡镇", NULL }, *empty[] = { NULL }, *s;

        (void) state;
        s = strv_join(v, "、");
        assert_string_equal(s, "县财政局、县审计局、各乡镇");
        free(s);
        s = strv_join(v + 2, ", ");
        assert_string_equal(s, "各乡镇");
        free(s);
        s = strv_join(empty, ", ");
        assert_string_equal(s, "");
        free(s);
        s = strv_join(NULL, ", ");
        assert_string_equal(s, "");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_push),
                cmocka_unit_test(test_free_counted),
                cmocka_unit_test(test_join),
        };

        return cmocka_run_group_tests_name("strv", tests, NULL, NULL);
}
