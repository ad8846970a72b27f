/* SPDX-License-Identifier: MIT */
/* GREEDY_REALLOC: room made ahead, contents kept, nothing moved while there
 * is room, and a failure leaves the array as it was. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "basic/greedy.h"

struct item {
        int a, b;
};

static void test_append(void **state) {
        struct item *v = NULL;
        size_t n = 0, allocated = 0, reallocs = 0;

        (void) state;
        for (int i = 0; i < 10000; i++) {
                struct item *before = v;

                assert_int_equal(GREEDY_REALLOC(v, allocated, n + 1), 0);
                reallocs += v != before;
                assert_true(allocated >= n + 1);
                v[n++] = (struct item) { i, -i };
        }
        for (int i = 0; i < 10000; i++)
                assert_int_equal(v[i].a + v[i].b, 0);
        /* Doubling: a few dozen moves at most, not one per append. */
        assert_true(reallocs < 40);
        free(v);
}

static void test_room_already(void **state) {
        char *s = NULL;
        size_t allocated = 0;
        char *p;

        (void) state;
        assert_int_equal(GREEDY_REALLOC(s, allocated, 10), 0);
        assert_true(allocated >= 64); /* small arrays start at 64 bytes */
        p = s;
        assert_int_equal(GREEDY_REALLOC(s, allocated, allocated), 0);
        assert_ptr_equal(s, p);
        free(s);
}

/* A size that cannot be allocated fails without touching the array. */
static void test_failure(void **state) {
        struct item *v = NULL;
        size_t allocated = 0, before;

        (void) state;
        assert_int_equal(GREEDY_REALLOC(v, allocated, 4), 0);
        v[3] = (struct item) { 7, 8 };
        before = allocated;
        assert_int_equal(GREEDY_REALLOC(v, allocated, SIZE_MAX / 4), -ENOMEM);
        assert_int_equal(allocated, before);
        assert_non_null(v);
        assert_int_equal(v[3].b, 8);
        free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_append),
                cmocka_unit_test(test_room_already),
                cmocka_unit_test(test_failure),
        };

        return cmocka_run_group_tests_name("greedy", tests, NULL, NULL);
}
