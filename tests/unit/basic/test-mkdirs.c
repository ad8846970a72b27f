/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/mkdirs.h"

static void test_nested(void **state) {
        char base[] = "/tmp/ledgerd-test-mkdirs-XXXXXX", path[128], file[128];
        struct stat st;
        FILE *f;

        (void) state;
        assert_non_null(mkdtemp(base));
        snprintf(path, sizeof path, "%s/a/b/c", base);
        assert_int_equal(mkdirs(path, 0750), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(mkdirs(path, 0750), 0); /* existing: fine */
        snprintf(file, sizeof file, "%s/a/file", base);
        f = fopen(file, "w");
        assert_non_null(f);
        fclose(f);
        snprintf(path, sizeof path, "%s/a/file/x", base);
        assert_int_equal(mkdirs(path, 0750), -ENOTDIR); /* a file in the way */
        unlink(file);
        snprintf(path, sizeof path, "%s/a/b/c", base);
        rmdir(path);
        snprintf(path, sizeof path, "%s/a/b", base);
        rmdir(path);
        snprintf(path, sizeof path, "%s/a", base);
        rmdir(path);
        assert_int_equal(rmdir(base), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_nested) };

        return cmocka_run_group_tests_name("mkdirs", tests, NULL, NULL);
}
