/* SPDX-License-Identifier: MIT */
#include "basic/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "basic/greedy.h"

/* What is asked of read() at least each round once the buffer is full. */
#define READFILE_CHUNK 4096

/* From offset, or from fd's own position when offset is negative. */
static ssize_t read_full(int fd, char *buf, size_t size, off_t offset) {
        size_t n = 0;

        while (n < size) {
                ssize_t k = offset < 0 ? read(fd, buf + n, size - n)
                                       : pread(fd, buf + n, size - n, offset + (off_t) n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        return (ssize_t) n;
}

ssize_t readfile_fd(int fd, void *buf, size_t size) {
        return read_full(fd, buf, size, -1);
}

ssize_t readfile_at(int fd, void *buf, size_t size, off_t offset) {
        return offset < 0 ? -EINVAL : read_full(fd, buf, size, offset);
}

int readfile_fd_all(int fd, size_t max, char **buf, size_t *allocated, size_t *n) {
        for (;;) {
                size_t room;
                ssize_t k;

                /* One byte more than max may be read: that tells a longer file. */
                if (GREEDY_REALLOC(*buf, *allocated, *n + READFILE_CHUNK + 1) < 0)
                        return -ENOMEM;
                room = *allocated - 1 - *n;
                k = readfile_fd(fd, *buf + *n, room);
                if (k < 0)
                        return (int) k;
                *n += (size_t) k;
                if (*n > max)
                        return -EFBIG;
                if ((size_t) k < room)
                        return 0;
        }
}

int readfile(const char *path, size_t max, char **data, size_t *size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char *buf = NULL;
        size_t allocated = 0, n = 0;
        int r;

        if (fd < 0)
                return -errno;
        r = readfile_fd_all(fd, max, &buf, &allocated, &n);
        close(fd);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[n] = '\0';
        *data = buf;
        *size = n;
        return 0;
}
