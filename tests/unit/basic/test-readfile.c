/* SPDX-License-Identifier: MIT */
/* Whole files: contents and length, the limit to the byte, and the real
 * reason when a file cannot be read. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/readfile.h"
#include "tests/unit/test-files.h"

static char dir[] = "/tmp/ledgerd-test-readfile-XXXXXX";
static char path[sizeof dir + 16];

static int setup(void **state) {
        (void) state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(path, sizeof path, "%s/file", dir);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        unlink(path);
        return rmdir(dir);
}

static void test_contents(void **state) {
        char *data = NULL;
        size_t size = 0;

        (void) state;
        test_write_bytes(path, "台账\0x", 8);
        assert_int_equal(readfile(path, 100, &data, &size), 0);
        assert_int_equal(size, 8);
        assert_memory_equal(data, "台账\0x", 8);
        assert_int_equal(data[8], '\0');
        free(data);
        test_write_bytes(path, "", 0);
        assert_int_equal(readfile(path, 0, &data, &size), 0);
        assert_int_equal(size, 0);
        assert_string_equal(data, "");
        free(data);
}

/* Larger than any one read, and right at the limit and one past it. */
static void test_limit(void **state) {
        size_t n = 300000, size = 0;
        char *big = malloc(n), *data = NULL;

        (void) state;
        assert_non_null(big);
        for (size_t i = 0; i < n; i++)
                big[i] = (char) ('a' + i % 26);
        test_write_bytes(path, big, n);
        assert_int_equal(readfile(path, n, &data, &size), 0);
        assert_int_equal(size, n);
        assert_memory_equal(data, big, n);
        free(data);
        data = NULL;
        assert_int_equal(readfile(path, n - 1, &data, &size), -EFBIG);
        assert_null(data);
        free(big);
}

static void test_errors(void **state) {
        char *data = NULL, missing[sizeof dir + 16];
        size_t size = 0;

        (void) state;
        snprintf(missing, sizeof missing, "%s/missing", dir);
        assert_int_equal(readfile(missing, 100, &data, &size), -ENOENT);
        assert_int_equal(readfile(dir, 100, &data, &size), -EISDIR);
        assert_null(data);
}

/* readfile_fd stops at the end, or once the buffer is full. */
static void test_fd(void **state) {
        int p[2];
        char buf[8];

        (void) state;
        assert_int_equal(pipe(p), 0);
        assert_int_equal(write(p[1], "abcdef", 6), 6);
        assert_int_equal(readfile_fd(p[0], buf, 4), 4);
        assert_memory_equal(buf, "abcd", 4);
        close(p[1]);
        assert_int_equal(readfile_fd(p[0], buf, sizeof buf), 2);
        assert_memory_equal(buf, "ef", 2);
        close(p[0]);
        assert_int_equal(readfile_fd(p[0], buf, sizeof buf), -EBADF);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_contents),
                cmocka_unit_test(test_limit),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_fd),
        };

        return cmocka_run_group_tests_name("readfile", tests, setup, teardown);
}
