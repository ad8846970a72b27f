/* SPDX-License-Identifier: MIT */
#include "notify/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/readfile.h"

static void set_error(char *error, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void set_error(char *error, size_t size, const char *fmt, ...) {
        va_list ap;

        if (!error || size == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(error, size, fmt, ap);
        va_end(ap);
}

static bool credential_name_valid(const char *name) {
        return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

bool secret_spec_valid(const char *spec) {
        size_t n = strlen(SECRET_CREDENTIAL_PREFIX);

        if (!spec || !spec[0])
                return false;
        if (strncmp(spec, SECRET_CREDENTIAL_PREFIX, n) == 0)
                return credential_name_valid(spec + n);
        return true;
}

void secret_free(char *secret) {
        if (!secret)
                return;
        explicit_bzero(secret, strlen(secret));
        free(secret);
}

/* The file spec names, into a new string. */
static int secret_path(const char *spec, char **path, char *error, size_t error_size) {
        size_t n = strlen(SECRET_CREDENTIAL_PREFIX);
        const char *dir;

        if (!secret_spec_valid(spec)) {
                set_error(error, error_size, "\"%s\" names no secret: give a file or "
                          "\"credential:NAME\" (NAME without '/')", spec ? spec : "");
                return -EINVAL;
        }
        if (strncmp(spec, SECRET_CREDENTIAL_PREFIX, n) != 0)
                return (*path = strdup(spec)) ? 0 : -ENOMEM;
        dir = getenv("CREDENTIALS_DIRECTORY");
        if (!dir || !dir[0]) {
                set_error(error, error_size, "%s: $CREDENTIALS_DIRECTORY is not set (the service "
                          "unit needs LoadCredential=%s:/path/of/the/file)", spec, spec + n);
                return -ENXIO;
        }
        if (asprintf(path, "%s/%s", dir, spec + n) < 0) {
                *path = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* What st says of the file at path: a regular file (a FIFO or a device
 * would block the service or never end) that others cannot read or write
 * (the group may: the service's group must read it). */
static int check_stat(const char *path, const struct stat *st, char *error, size_t error_size) {
        if (!S_ISREG(st->st_mode)) {
                set_error(error, error_size, "%s is not a regular file", path);
                return -EINVAL;
        }
        if (st->st_mode & 0007) {
                set_error(error, error_size, "%s is mode %04o, open to others: chmod 600 %s (or "
                          "640, its group the service's)", path, (unsigned) (st->st_mode & 07777),
                          path);
                return -EPERM;
        }
        return 0;
}

/* The contents of path, checked, into *out; buf is scratch of SECRET_MAX + 1. */
static int read_file(const char *path, char *buf, char **out, char *error, size_t error_size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        ssize_t n;
        int r;

        if (fd < 0) {
                int err = errno;

                set_error(error, error_size, "cannot read %s: %s", path, strerror(err));
                return -err;
        }
        if (fstat(fd, &st) < 0)
                st.st_mode = 0; /* not a regular file, as far as anyone can tell */
        r = check_stat(path, &st, error, error_size);
        if (r < 0) {
                close(fd);
                return r;
        }
        /* One byte past SECRET_MAX, so that a longer file shows; into the
         * caller's buffer, which is wiped, never into a growing one. */
        n = readfile_fd(fd, buf, SECRET_MAX + 1);
        close(fd);
        if (n < 0) {
                set_error(error, error_size, "cannot read %s: %s", path, strerror((int) -n));
                return (int) n;
        }
        if (n > SECRET_MAX) {
                set_error(error, error_size, "%s is longer than %d bytes: not a secret", path,
                          SECRET_MAX);
                return -EFBIG;
        }
        if (memchr(buf, '\0', (size_t) n)) {
                set_error(error, error_size, "%s holds a NUL byte", path);
                return -EINVAL;
        }
        while (n > 0 && strchr(" \t\r\n\v\f", buf[n - 1]))
                n--;
        if (n == 0) {
                set_error(error, error_size, "%s is empty", path);
                return -ENODATA;
        }
        *out = strndup(buf, (size_t) n);
        return *out ? 0 : -ENOMEM;
}

int secret_read(const char *spec, char **out, char *error, size_t error_size) {
        char *path = NULL, *buf;
        int r;

        *out = NULL;
        set_error(error, error_size, "%s", "");
        r = secret_path(spec, &path, error, error_size);
        if (r < 0)
                return r;
        buf = malloc(SECRET_MAX + 1);
        if (!buf)
                r = -ENOMEM;
        else
                r = read_file(path, buf, out, error, error_size);
        if (buf) {
                explicit_bzero(buf, SECRET_MAX + 1);
                free(buf);
        }
        if (r == -ENOMEM)
                set_error(error, error_size, "%s: out of memory", path);
        free(path);
        return r;
}

/* stat() needs no permission to read the file, only to look into its
 * directory: `ledgerd --check` can check what it may not read. */
static int check_path(const char *path, char *error, size_t error_size) {
        struct stat st;
        int r;

        if (stat(path, &st) < 0) {
                r = -errno;
                if (r == -ENOENT || r == -ENOTDIR)
                        set_error(error, error_size, "%s does not exist: write the secret there "
                                  "(chmod 600), or name the file that holds it", path);
                else if (r == -EACCES)
                        set_error(error, error_size, "%s cannot be looked at: %s (run ledgerd "
                                  "--check as root or as the service's user)", path, strerror(-r));
                else
                        set_error(error, error_size, "%s: %s", path, strerror(-r));
                return r;
        }
        r = check_stat(path, &st, error, error_size);
        if (r < 0)
                return r;
        if (st.st_size == 0) {
                set_error(error, error_size, "%s is empty: write the secret there", path);
                return -ENODATA;
        }
        if (st.st_size > SECRET_MAX) {
                set_error(error, error_size, "%s is longer than %d bytes: not a secret (a wrong "
                          "path?)", path, SECRET_MAX);
                return -EFBIG;
        }
        return 0;
}

int secret_check(const char *spec, char *error, size_t error_size) {
        char *path = NULL;
        int r;

        set_error(error, error_size, "%s", "");
        r = secret_path(spec, &path, error, error_size);
        if (r == 0)
                r = check_path(path, error, error_size);
        free(path);
        return r;
}
