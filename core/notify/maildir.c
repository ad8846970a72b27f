/* SPDX-License-Identifier: MIT */
#include "notify/maildir.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/mkdirs.h"

/* Names taken in tmp/ by someone else in the same microsecond: try anew. */
#define NAME_TRIES 8

/* Deliveries by this process: with the pid and the time, what makes names
 * unique, even two in one microsecond. */
static unsigned deliveries;

static int sync_path(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                r = -errno;
        close(fd);
        return r;
}

/* dir and its three subdirectories; when one had to be made, dir is
 * synced, so that the tree outlives a crash as well as the message. */
static int make_tree(const char *dir) {
        static const char *const subdirs[] = { "tmp", "new", "cur" };
        bool made = false;
        int r = mkdirs(dir, 0700);

        for (size_t i = 0; r == 0 && i < 3; i++) {
                char *path;

                if (asprintf(&path, "%s/%s", dir, subdirs[i]) < 0)
                        return -ENOMEM;
                if (mkdir(path, 0700) == 0)
                        made = true;
                else if (errno != EEXIST)
                        r = -errno;
                free(path);
        }
        if (r == 0 && made)
                r = sync_path(dir);
        return r;
}

/* The host name, with "/" and ":" written as the Maildir spec says (they
 * cannot be in a file name, and ":" starts the flags). */
static void host_part(char *buf, size_t size) {
        char host[256];
        size_t o = 0;

        if (gethostname(host, sizeof host) < 0)
                snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        for (const char *p = host; *p && o + 5 < size; p++) {
                if (*p == '/' || *p == ':')
                        o += (size_t) snprintf(buf + o, size - o, "\\%03o", (unsigned char) *p);
                else
                        buf[o++] = *p;
        }
        buf[o] = '\0';
}

static uint64_t random_part(const struct timespec *ts) {
        uint64_t v;

        if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t) sizeof v)
                return v;
        /* No entropy yet, early at boot: time and pid are still unique. */
        return (uint64_t) ts->tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t) getpid();
}

static int unique_name(char **out) {
        struct timespec ts;
        char host[256];

        clock_gettime(CLOCK_REALTIME, &ts);
        host_part(host, sizeof host);
        return asprintf(out, "%lld.M%06ldP%ldQ%uR%016" PRIx64 ".%s", (long long) ts.tv_sec,
                        ts.tv_nsec / 1000, (long) getpid(), ++deliveries, random_part(&ts),
                        host) < 0
                       ? -ENOMEM
                       : 0;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w, n -= (size_t) w;
        }
        return 0;
}

/* Writes the whole file at path, new, and syncs it. -EEXIST when the name
 * is taken; on any other error nothing is left. */
static int write_file(const char *path, const char *message, size_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), r;

        if (fd < 0)
                return -errno;
        r = write_all(fd, message, size);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r < 0)
                unlink(path);
        return r;
}

/* link() fails when the name is taken, where rename() would replace the
 * file; rename() only for file systems without hard links. */
static int publish(const char *from, const char *to) {
        if (link(from, to) == 0)
                return unlink(from), 0;
        if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
                return -errno;
        if (access(to, F_OK) == 0)
                return -EEXIST;
        return rename(from, to) < 0 ? -errno : 0;
}

/* One try with a fresh name: -EEXIST when it is taken. */
static int deliver_as(const char *dir, const char *name, const char *message, size_t size) {
        char *tmp = NULL, *new = NULL, *new_dir = NULL;
        int r = -ENOMEM;

        if (asprintf(&tmp, "%s/tmp/%s", dir, name) < 0)
                tmp = NULL;
        else if (asprintf(&new, "%s/new/%s", dir, name) < 0)
                new = NULL;
        else if (asprintf(&new_dir, "%s/new", dir) < 0)
                new_dir = NULL;
        else
                r = write_file(tmp, message, size);
        if (r == 0) {
                r = publish(tmp, new);
                if (r < 0)
                        unlink(tmp);
        }
        /* The message is there once its name in new/ is on disk too. */
        if (r == 0)
                r = sync_path(new_dir);
        free(tmp);
        free(new);
        free(new_dir);
        return r;
}

int maildir_deliver(const char *dir, const char *message, size_t size, char **name_out) {
        int r = make_tree(dir);

        if (name_out)
                *name_out = NULL;
        for (int i = 0; r == 0 && i < NAME_TRIES; i++) {
                char *name = NULL;

                r = unique_name(&name);
                if (r == 0)
                        r = deliver_as(dir, name, message, size);
                if (r == 0 && name_out)
                        *name_out = name;
                else
                        free(name);
                if (r != -EEXIST)
                        return r;
                r = 0;
        }
        return r == 0 ? -EEXIST : r;
}
