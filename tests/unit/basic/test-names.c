/* SPDX-License-Identifier: MIT */
/* Enum names both ways: values in and out of the table, gaps, and names
 * that are not there. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "basic/names.h"

enum colour { RED, GREEN, UNNAMED, BLUE };

static const char *const colours[] = {
        [RED] = "red",
        [GREEN] = "green",
        [BLUE] = "blue",
};

static void test_get(void **state) {
        (void) state;
        assert_int_equal(NAMES_COUNT(colours), 4);
        assert_string_equal(names_get(colours, NAMES_COUNT(colours), RED, "?"), "red");
        assert_string_equal(names_get(colours, NAMES_COUNT(colours), BLUE, "?"), "blue");
        assert_string_equal(names_get(colours, NAMES_COUNT(colours), UNNAMED, "?"), "?");
        assert_string_equal(names_get(colours, NAMES_COUNT(colours), 4, "?"), "?");
        assert_string_equal(names_get(colours, NAMES_COUNT(colours), -1, "?"), "?");
}

static void test_find(void **state) {
        (void) state;
        assert_int_equal(names_find(colours, NAMES_COUNT(colours), "green"), GREEN);
        assert_int_equal(names_find(colours, NAMES_COUNT(colours), "blue"), BLUE);
        assert_int_equal(names_find(colours, NAMES_COUNT(colours), "Blue"), -EINVAL);
        assert_int_equal(names_find(colours, NAMES_COUNT(colours), ""), -EINVAL);
        assert_int_equal(names_find(colours, NAMES_COUNT(colours), NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_get),
                cmocka_unit_test(test_find),
        };

        return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
