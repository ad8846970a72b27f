/* SPDX-License-Identifier: MIT */
/* secret_read: files and systemd credentials, what is stripped, and every
 * refusal with a reason that names the file and never the secret. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify/secret.h"
#include "tests/unit/test-files.h"

static char dir[] = "/tmp/ledgerd-test-secret-XXXXXX";

static char *path_of(const char *name) {
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void write_bytes(const char *name, const char *data, size_t n) {
        char *p = path_of(name);

        test_write_bytes(p, data, n);
        free(p);
}

/* Reads spec, expecting r; on success returns the secret, else checks that
 * the error holds want (and not the secret-like marker "s3cret"). */
static char *read_expect(const char *spec, int r, const char *want) {
        char error[512], *out = (char *) 1;
        int k = secret_read(spec, &out, error, sizeof error);

        if (k != r)
                fail_msg("secret_read(%s) = %d, not %d (%s)", spec, k, r, error);
        if (r == 0) {
                assert_non_null(out);
                assert_string_equal(error, "");
                return out;
        }
        assert_null(out);
        if (!strstr(error, want))
                fail_msg("error \"%s\" lacks \"%s\"", error, want);
        assert_null(strstr(error, "s3cret"));
        return NULL;
}

static void test_file(void **state) {
        char *p, *s;

        (void) state;
        test_write_in(dir, "plain", "s3cret");
        p = path_of("plain");
        s = read_expect(p, 0, NULL);
        assert_string_equal(s, "s3cret");
        secret_free(s);
        free(p);

        /* the newline of `echo`, a CRLF, blanks at the end: gone; inside and in front: kept */
        test_write_in(dir, "trailing", "  a b\tc s3cret \t\r\n\n");
        p = path_of("trailing");
        s = read_expect(p, 0, NULL);
        assert_string_equal(s, "  a b\tc s3cret");
        secret_free(s);
        free(p);
}

static void test_credential(void **state) {
        char *s;

        (void) state;
        test_write_in(dir, "smtp", "s3cret-from-systemd\n");
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
        s = read_expect("credential:smtp", 0, NULL);
        assert_string_equal(s, "s3cret-from-systemd");
        secret_free(s);

        /* the name is a file name in that directory, nothing else */
        read_expect("credential:../smtp", -EINVAL, "credential:NAME");
        read_expect("credential:a/b", -EINVAL, "NAME without '/'");
        read_expect("credential:", -EINVAL, "names no secret");
        read_expect("credential:..", -EINVAL, "names no secret");
        read_expect("credential:nope", -ENOENT, "/nope: No such file or directory");

        assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
        read_expect("credential:smtp", -ENXIO, "credential:smtp: $CREDENTIALS_DIRECTORY is not set");
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "", 1), 0);
        read_expect("credential:smtp", -ENXIO, "$CREDENTIALS_DIRECTORY is not set");
        assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
}

static void test_refused(void **state) {
        char *p, want[512], big[SECRET_MAX + 1];

        (void) state;
        read_expect("", -EINVAL, "names no secret");
        read_expect(NULL, -EINVAL, "names no secret");

        p = path_of("missing");
        snprintf(want, sizeof want, "cannot read %s: No such file or directory", p);
        read_expect(p, -ENOENT, want);
        free(p);

        test_write_in(dir, "empty", "");
        p = path_of("empty");
        snprintf(want, sizeof want, "%s is empty", p);
        read_expect(p, -ENODATA, want);
        free(p);

        test_write_in(dir, "blank", " \n\t\r\n");
        p = path_of("blank");
        snprintf(want, sizeof want, "%s is empty", p);
        read_expect(p, -ENODATA, want);
        free(p);

        write_bytes("nul", "s3cret\0tail", 11);
        p = path_of("nul");
        snprintf(want, sizeof want, "%s holds a NUL byte", p);
        read_expect(p, -EINVAL, want);
        free(p);

        memset(big, 'x', sizeof big);
        write_bytes("big", big, sizeof big); /* one byte too many */
        p = path_of("big");
        read_expect(p, -EFBIG, "is longer than 65536 bytes");
        free(p);
        write_bytes("big", big, SECRET_MAX); /* just fits */
        p = path_of("big");
        secret_free(read_expect(p, 0, NULL));
        free(p);

        /* a directory, and a FIFO that would block a reader forever */
        read_expect(dir, -EINVAL, "is not a regular file");
        p = path_of("fifo");
        assert_int_equal(mkfifo(p, 0600), 0);
        snprintf(want, sizeof want, "%s is not a regular file", p);
        read_expect(p, -EINVAL, want);
        unlink(p);
        free(p);
}

/* Open to others: refused, with the mode and the fix; the group may read. */
static void test_open_to_others(void **state) {
        char *p = path_of("plain"), want[512], error[512];

        (void) state;
        test_write_in(dir, "plain", "s3cret");
        assert_int_equal(chmod(p, 0644), 0);
        snprintf(want, sizeof want, "%s is mode 0644, open to others: chmod 600 %s (or 640, its "
                 "group the service's)", p, p);
        read_expect(p, -EPERM, want);
        assert_int_equal(secret_check(p, error, sizeof error), -EPERM);
        assert_string_equal(error, want);
        assert_int_equal(chmod(p, 0602), 0);
        read_expect(p, -EPERM, "is mode 0602, open to others");
        assert_int_equal(chmod(p, 0640), 0);
        secret_free(read_expect(p, 0, NULL));
        assert_int_equal(secret_check(p, error, sizeof error), 0);
        assert_string_equal(error, "");
        assert_int_equal(chmod(p, 0600), 0);
        free(p);
}

/* secret_check: what stat() tells, the file never opened. */
static void test_check(void **state) {
        char *p, want[512], error[512], big[SECRET_MAX + 1];

        (void) state;
        p = path_of("missing");
        snprintf(want, sizeof want, "%s does not exist: write the secret there (chmod 600), or "
                 "name the file that holds it", p);
        assert_int_equal(secret_check(p, error, sizeof error), -ENOENT);
        assert_string_equal(error, want);
        free(p);

        test_write_in(dir, "empty", "");
        p = path_of("empty");
        assert_int_equal(secret_check(p, error, sizeof error), -ENODATA);
        free(p);
        memset(big, 'x', sizeof big);
        write_bytes("big", big, sizeof big);
        p = path_of("big");
        assert_int_equal(secret_check(p, error, sizeof error), -EFBIG);
        free(p);

        /* a FIFO: looked at, never opened, so nothing waits for a writer */
        p = path_of("fifo");
        assert_int_equal(mkfifo(p, 0600), 0);
        snprintf(want, sizeof want, "%s is not a regular file", p);
        assert_int_equal(secret_check(p, error, sizeof error), -EINVAL);
        assert_string_equal(error, want);
        unlink(p);
        free(p);

        assert_int_equal(secret_check("credential:a/b", error, sizeof error), -EINVAL);
        assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
        assert_int_equal(secret_check("credential:smtp", error, sizeof error), -ENXIO);
        test_write_in(dir, "smtp", "s3cret");
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
        assert_int_equal(secret_check("credential:smtp", error, sizeof error), 0);
        assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
}

static void test_unreadable(void **state) {
        char *p;

        (void) state;
        if (geteuid() == 0)
                skip(); /* root reads anything */
        test_write_in(dir, "locked", "s3cret");
        p = path_of("locked");
        assert_int_equal(chmod(p, 0), 0);
        read_expect(p, -EACCES, "Permission denied");
        free(p);
}

static void test_spec_valid(void **state) {
        (void) state;
        assert_true(secret_spec_valid("/etc/ledgerd/secrets/smtp"));
        assert_true(secret_spec_valid("secrets/smtp"));
        assert_true(secret_spec_valid("credential:smtp"));
        assert_true(secret_spec_valid("credential:czj-dingtalk.key"));
        assert_false(secret_spec_valid(NULL));
        assert_false(secret_spec_valid(""));
        assert_false(secret_spec_valid("credential:"));
        assert_false(secret_spec_valid("credential:a/b"));
        assert_false(secret_spec_valid("credential:."));
        assert_false(secret_spec_valid("credential:.."));
        secret_free(NULL);
}

/* Secret files as they should be: the owner's only (umask 077). */
static int setup(void **state) {
        (void) state;
        umask(077);
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        const char *names[] = { "plain", "trailing", "smtp", "empty", "blank", "nul", "big",
                                "locked" };

        (void) state;
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
                char *p = path_of(names[i]);

                unlink(p);
                free(p);
        }
        return rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_file),
                cmocka_unit_test(test_credential),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_open_to_others),
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_unreadable),
                cmocka_unit_test(test_spec_valid),
        };

        return cmocka_run_group_tests_name("secret", tests, setup, teardown);
}
