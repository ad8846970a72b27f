/* SPDX-License-Identifier: MIT */
#include "state-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/atomicfile.h"
#include "common/log.h"

#define LOCK_FILE "lock"
#define ID_FILE "state.id"
#define DATABASE_FILE "state.db"

static char *path_in(const char *dir, const char *name) {
        char *path = NULL;

        return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}

/* The PID the holder wrote, for the message; 0 when unreadable. */
static long holder_pid(int fd) {
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

        return n > 0 ? strtol(buf, NULL, 10) : 0;
}

static int write_pid(int fd) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%ld\n", (long) getpid());

        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t) n, 0) != n)
                return -errno;
        return 0;
}

int state_dir_lock(const char *dir, int *out) {
        char *path = path_in(dir, LOCK_FILE);
        int fd, r = 0;

        if (!path)
                return log_oom();
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
        if (fd < 0)
                r = log_error_errno(errno, "%s: cannot open the lock: %m", path);
        else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                r = errno == EWOULDBLOCK ? -EBUSY : -errno;
                if (r == -EBUSY)
                        log_error("another ledgerd (PID %ld) is running on the state directory %s: "
                                  "stop it first (systemctl stop ledgerd), or give this one another "
                                  "directory (--state-dir)", holder_pid(fd), dir);
                else
                        log_error_errno(r, "%s: cannot lock: %m", path);
        } else if ((r = write_pid(fd)) < 0)
                log_error_errno(r, "%s: cannot write our PID: %m", path);
        free(path);
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                return r;
        }
        *out = fd;
        return 0;
}

static bool exists(const char *dir, const char *name, off_t *size) {
        char *path = path_in(dir, name);
        struct stat st;
        bool found = path && stat(path, &st) == 0;

        if (size)
                *size = found ? st.st_size : 0;
        free(path);
        return found;
}

enum state_history state_dir_examine(const char *dir) {
        off_t size = 0;
        bool database = exists(dir, DATABASE_FILE, &size);

        if (!exists(dir, ID_FILE, NULL))
                return database ? STATE_HISTORY_KNOWN : STATE_HISTORY_FIRST;
        return database && size > 0 ? STATE_HISTORY_KNOWN : STATE_HISTORY_VANISHED;
}

enum state_history state_dir_examine_database(const char *dir, time_t handled_until) {
        if (handled_until > 0)
                return STATE_HISTORY_KNOWN;
        return exists(dir, ID_FILE, NULL) ? STATE_HISTORY_VANISHED : STATE_HISTORY_FIRST;
}

int state_dir_mark_used(const char *dir, time_t when) {
        char *path = path_in(dir, ID_FILE);
        struct atomic_file af;
        struct tm tm;
        char text[64];
        int r;

        if (!path)
                return -ENOMEM;
        if (exists(dir, ID_FILE, NULL)) {
                free(path);
                return 0;
        }
        localtime_r(&when, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &tm);
        r = atomic_file_open(&af, path);
        if (r >= 0) {
                fprintf(af.f, "ledgerd state, first used %s\n", text);
                r = atomic_file_commit(&af);
        }
        free(path);
        return r;
}
