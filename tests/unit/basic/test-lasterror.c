/* SPDX-License-Identifier: MIT */
/* The last error of a handle: set, replaced, returned with its code, and
 * made from the message it replaces. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "basic/lasterror.h"

static void test_set(void **state) {
        char *last = NULL;

        (void) state;
        assert_int_equal(last_error_set(&last, -ENOENT, "%s: %d", "state.db", 7), -ENOENT);
        assert_string_equal(last, "state.db: 7");
        assert_int_equal(last_error_set(&last, -EIO, "again"), -EIO);
        assert_string_equal(last, "again");
        free(last);
}

/* "the private socket …; the system bus …": the old message in the new. */
static void test_from_itself(void **state) {
        char *last = NULL;

        (void) state;
        last_error_set(&last, 0, "first");
        assert_int_equal(last_error_set(&last, -EACCES, "%s; %s", last, "second"), -EACCES);
        assert_string_equal(last, "first; second");
        free(last);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set),
                cmocka_unit_test(test_from_itself),
        };

        return cmocka_run_group_tests_name("lasterror", tests, NULL, NULL);
}
