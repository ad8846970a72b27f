/* SPDX-License-Identifier: MIT */
#pragma once

/* Writing the files a unit test reads; any failure fails the test. Static
 * inline, as the tests link no shared test library (as tests/confdump.h).
 * Include it after cmocka.h. */

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* size bytes of data into path, made or emptied. */
static inline void test_write_bytes(const char *path, const void *data, size_t size) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
}

/* text into dir/name. */
static inline void test_write_in(const char *dir, const char *name, const char *text) {
        char path[PATH_MAX];

        assert_true((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path);
        test_write_bytes(path, text, strlen(text));
}
