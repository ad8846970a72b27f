/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/atomicfile.h"
#include "basic/readfile.h"

static char dir[] = "/tmp/ledgerd-test-atomic-XXXXXX";

/* The file's text, valid until the next call. */
static const char *slurp(const char *path) {
        static char *last;
        size_t size;

        free(last);
        last = NULL;
        assert_int_equal(readfile(path, 255, &last, &size), 0);
        return last;
}

static size_t count_entries(void) {
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = 0;

        assert_non_null(d);
        while ((e = readdir(d)))
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

static void test_replace_and_abort(void **state) {
        struct atomic_file af;
        char path[128];

        (void) state;
        snprintf(path, sizeof path, "%s/feed.ics", dir);
        assert_int_equal(atomic_file_open(&af, path), 0);
        fputs("old", af.f);
        assert_int_equal(atomic_file_commit(&af), 0);
        assert_string_equal(slurp(path), "old");

        /* While the new content is written, readers still see the old. */
        assert_int_equal(atomic_file_open(&af, path), 0);
        fputs("new content", af.f);
        assert_string_equal(slurp(path), "old");
        atomic_file_abort(&af);
        assert_string_equal(slurp(path), "old");
        assert_int_equal(count_entries(), 1); /* no temporary file left */

        assert_int_equal(atomic_file_open(&af, path), 0);
        fputs("new", af.f);
        assert_int_equal(atomic_file_commit(&af), 0);
        assert_string_equal(slurp(path), "new");
        assert_int_equal(count_entries(), 1);
        unlink(path);
}

static void test_missing_directory(void **state) {
        struct atomic_file af;

        (void) state;
        assert_true(atomic_file_open(&af, "/nonexistent/dir/feed.ics") < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_replace_and_abort),
                cmocka_unit_test(test_missing_directory),
        };

        assert_non_null(mkdtemp(dir));
        int r = cmocka_run_group_tests_name("atomicfile", tests, NULL, NULL);
        rmdir(dir);
        return r;
}
