/* SPDX-License-Identifier: MIT */
/* Diagnostics: appending one list to another keeps every item, in order,
 * and every count. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "basic/diag.h"

static void test_append_in_order(void **state) {
        struct diagnostics d = { 0 }, from = { 0 };

        (void) state;
        diag_add(&d, DIAG_WARNING, "a.conf", 1, "first");
        diag_add(&from, DIAG_ERROR, "b.conf", 2, "second %d", 2);
        diag_add(&from, DIAG_WARNING, NULL, 0, "third");
        diag_append(&d, &from);
        assert_int_equal(d.n_items, 3);
        assert_string_equal(d.items[1].message, "second 2");
        assert_string_equal(d.items[1].file, "b.conf");
        assert_int_equal(d.items[1].line, 2);
        assert_string_equal(d.items[2].message, "third");
        assert_null(d.items[2].file);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.n_warnings, 2);
        diag_clear(&from);
        diag_clear(&d);
}

/* An item whose text could not be stored was still counted: so it stays. */
static void test_append_counts_lost_text(void **state) {
        struct diagnostics d = { 0 }, from = { 0 };

        (void) state;
        diag_add(&from, DIAG_ERROR, "b.conf", 2, "kept");
        from.n_errors += 2;   /* two errors whose text was lost */
        from.n_warnings += 1; /* and a warning */
        diag_append(&d, &from);
        assert_int_equal(d.n_items, 1);
        assert_int_equal(d.n_errors, 3);
        assert_int_equal(d.n_warnings, 1);
        diag_clear(&from);
        diag_clear(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_append_in_order),
                cmocka_unit_test(test_append_counts_lost_text),
        };

        return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
