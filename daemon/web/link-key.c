/* SPDX-License-Identifier: MIT */
#include "web/link-key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/atomicfile.h"
#include "common/log.h"

#define LINK_KEY_FILE "link.key"

static char *key_path(const char *dir) {
        char *path = NULL;

        return asprintf(&path, "%s/" LINK_KEY_FILE, dir) < 0 ? NULL : path;
}

static int random_key(uint8_t key[LINK_KEY_SIZE]) {
        ssize_t n = getrandom(key, LINK_KEY_SIZE, 0);

        return n == LINK_KEY_SIZE ? 0 : n < 0 ? -errno : -EIO;
}

/* Atomically, 0600 from the first byte: the key must never be readable by
 * anyone else, not even for a moment. */
static int write_key(const char *path, const uint8_t key[LINK_KEY_SIZE]) {
        struct atomic_file af;
        int r = atomic_file_open(&af, path);

        if (r < 0)
                return r;
        if (fchmod(atomic_file_fd(&af), 0600) < 0 || fwrite(key, 1, LINK_KEY_SIZE, af.f) != LINK_KEY_SIZE) {
                r = errno > 0 ? -errno : -EIO;
                atomic_file_abort(&af);
                return r;
        }
        return atomic_file_commit(&af);
}

static int read_key(const char *path, uint8_t key[LINK_KEY_SIZE]) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        uint8_t extra;
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, key, LINK_KEY_SIZE);
        if (n == LINK_KEY_SIZE && read(fd, &extra, 1) != 0)
                n = -1; /* longer: not ours */
        close(fd);
        return n == LINK_KEY_SIZE ? 0 : -EBADMSG;
}

int link_key_load(const char *dir, uint8_t key[LINK_KEY_SIZE]) {
        char *path = key_path(dir);
        int r;

        if (!path)
                return log_oom();
        r = read_key(path, key);
        if (r == -ENOENT) {
                r = random_key(key);
                if (r >= 0)
                        r = write_key(path, key);
                if (r >= 0)
                        log_info("%s: a new key for the links of reminders", path);
        }
        if (r == -EBADMSG)
                log_error("%s: not a key of %d bytes: restore it, or remove it to make a new one "
                          "(every link sent so far then stops working)", path, LINK_KEY_SIZE);
        else if (r < 0)
                log_error_errno(r, "%s: cannot read or make the key of links: %m", path);
        free(path);
        return r;
}

int link_key_rotate(const char *dir, uint8_t key[LINK_KEY_SIZE]) {
        uint8_t fresh[LINK_KEY_SIZE];
        char *path = key_path(dir);
        int r = path ? random_key(fresh) : -ENOMEM;

        if (r >= 0)
                r = write_key(path, fresh);
        if (r < 0)
                log_error_errno(r, "%s: cannot write a new key: %m (the old one stays)",
                                path ? path : LINK_KEY_FILE);
        else {
                memcpy(key, fresh, LINK_KEY_SIZE);
                log_notice("%s: a new key: every link sent so far stops working", path);
        }
        explicit_bzero(fresh, sizeof fresh);
        free(path);
        return r;
}
