/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/readfile.h"
#include "notify/maildir.h"

static char base[] = "/tmp/ledgerd-test-maildir-XXXXXX";

static char *path_of(const char *a, const char *b, const char *c) {
        static char buf[3][1024];
        static int i;
        char *p = buf[i++ % 3];

        snprintf(p, sizeof buf[0], "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
        return p;
}

/* The names in a directory, not "." and "..". */
static size_t list(const char *dir, char names[][256], size_t max) {
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = 0;

        assert_non_null(d);
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                        assert_true(n < max);
                        snprintf(names[n++], 256, "%s", e->d_name);
                }
        closedir(d);
        return n;
}

static char *slurp(const char *path, size_t *size) {
        char *data = NULL;

        assert_int_equal(readfile(path, 1 << 16, &data, size), 0);
        return data;
}

static void assert_private_dir(const char *path) {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0700);
}

static void remove_tree(const char *dir) {
        static const char *const subs[] = { "tmp", "new", "cur" };
        char names[16][256], sub[512];

        for (size_t i = 0; i < 3; i++) {
                size_t n;

                snprintf(sub, sizeof sub, "%s", path_of(dir, subs[i], NULL));

                if (access(sub, F_OK) < 0)
                        continue;
                n = list(sub, names, 16);
                for (size_t j = 0; j < n; j++)
                        unlink(path_of(dir, subs[i], names[j]));
                rmdir(sub);
        }
        rmdir(dir);
}

/* A nested outbox that does not exist yet: made, with the message in new/
 * byte for byte (CRLF, a NUL, bytes that are not UTF-8), tmp/ left empty. */
static void test_creates_tree_and_delivers(void **state) {
        static const char msg[] = "Subject: =?UTF-8?B?5Y+w6LSm?=\r\n\r\nline\r\n.dot\r\n\0\xff\xfe end";
        char outer[128], dir[256], names[16][256];
        char *name = NULL, *got;
        size_t size;

        (void) state;
        snprintf(outer, sizeof outer, "%s/state", base);
        snprintf(dir, sizeof dir, "%s/outbox", outer);
        assert_int_equal(maildir_deliver(dir, msg, sizeof msg - 1, &name), 0);
        assert_non_null(name);

        assert_private_dir(outer);
        assert_private_dir(dir);
        assert_private_dir(path_of(dir, "tmp", NULL));
        assert_private_dir(path_of(dir, "new", NULL));
        assert_private_dir(path_of(dir, "cur", NULL));
        assert_int_equal(list(path_of(dir, "tmp", NULL), names, 16), 0);
        assert_int_equal(list(path_of(dir, "cur", NULL), names, 16), 0);
        assert_int_equal(list(path_of(dir, "new", NULL), names, 16), 1);
        assert_string_equal(names[0], name);

        got = slurp(path_of(dir, "new", name), &size);
        assert_int_equal(size, sizeof msg - 1);
        assert_memory_equal(got, msg, size);
        free(got);
        free(name);
        remove_tree(dir);
        rmdir(outer);
}

/* Names follow the spec's form, carry this host and pid, and never repeat,
 * even many in the same microsecond. */
static void test_unique_names(void **state) {
        enum { N = 12 };
        char dir[256], names[16][256], host[256], pid[32];
        char *got[N];

        (void) state;
        snprintf(dir, sizeof dir, "%s/many", base);
        for (int i = 0; i < N; i++) {
                char body[16];

                snprintf(body, sizeof body, "message %d", i);
                assert_int_equal(maildir_deliver(dir, body, strlen(body), &got[i]), 0);
        }
        assert_int_equal(list(path_of(dir, "new", NULL), names, 16), N);
        gethostname(host, sizeof host);
        host[sizeof host - 1] = '\0';
        snprintf(pid, sizeof pid, "P%ld", (long) getpid());
        for (int i = 0; i < N; i++) {
                char *dot = strchr(got[i], '.'), *body, want[16];
                size_t size;

                for (int j = 0; j < i; j++)
                        assert_string_not_equal(got[i], got[j]);
                /* "<seconds>.M…P<pid>Q…R….<host>", nothing a file name or the
                 * flags separator would mind. */
                assert_non_null(dot);
                assert_true(dot > got[i]);
                assert_true(strspn(got[i], "0123456789") == (size_t) (dot - got[i]));
                assert_int_equal(dot[1], 'M');
                assert_non_null(strstr(got[i], pid));
                assert_null(strchr(got[i], '/'));
                assert_null(strchr(got[i], ':'));
                if (!strchr(host, '/') && !strchr(host, ':')) {
                        size_t n = strlen(got[i]), h = strlen(host);

                        assert_true(n > h + 1);
                        assert_string_equal(got[i] + n - h, host);
                        assert_int_equal(got[i][n - h - 1], '.');
                }
                /* Each file holds its own message. */
                body = slurp(path_of(dir, "new", got[i]), &size);
                snprintf(want, sizeof want, "message %d", i);
                assert_int_equal(size, strlen(want));
                assert_memory_equal(body, want, size);
                free(body);
        }
        for (int i = 0; i < N; i++)
                free(got[i]);
        remove_tree(dir);
}

/* An existing tree is used as it is, messages already there kept; an empty
 * message is fine; name_out may be NULL. */
static void test_existing_tree_and_empty(void **state) {
        char dir[256], names[16][256];
        size_t size;
        char *name, *got;

        (void) state;
        snprintf(dir, sizeof dir, "%s/again", base);
        assert_int_equal(maildir_deliver(dir, "first", 5, NULL), 0);
        assert_int_equal(maildir_deliver(dir, "", 0, &name), 0);
        assert_int_equal(list(path_of(dir, "new", NULL), names, 16), 2);
        got = slurp(path_of(dir, "new", name), &size);
        assert_int_equal(size, 0);
        free(got);
        free(name);
        remove_tree(dir);
}

/* Where the outbox cannot be: an error, and no name. */
static void test_errors(void **state) {
        char file[128], dir[256];
        char *name = (char *) "unchanged";
        FILE *f;

        (void) state;
        snprintf(file, sizeof file, "%s/a-file", base);
        f = fopen(file, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(maildir_deliver(file, "x", 1, &name), -ENOTDIR);
        assert_null(name);
        snprintf(dir, sizeof dir, "%s/sub", file);
        assert_int_equal(maildir_deliver(dir, "x", 1, &name), -ENOTDIR);
        assert_null(name);
        unlink(file);
}

static int setup(void **state) {
        (void) state;
        return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        return rmdir(base);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_creates_tree_and_delivers),
                cmocka_unit_test(test_unique_names),
                cmocka_unit_test(test_existing_tree_and_empty),
                cmocka_unit_test(test_errors),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
