/* SPDX-License-Identifier: MIT */
#pragma once

/* Whole files into memory, with the real reason when one cannot be read (a
 * directory, a missing file, no permission, one too large to be what the
 * caller expects). */

#include <stddef.h>
#include <sys/types.h>

/* Reads fd until its end or until size bytes are in buf, again after
 * EINTR: the number of bytes, or -errno. Fewer than size means the end was
 * reached; ask for one byte more than wanted to see that a file is longer. */
ssize_t readfile_fd(int fd, void *buf, size_t size);
/* The same from offset, with pread(): fd's position does not move, so that
 * two threads may read one file at once. */
ssize_t readfile_at(int fd, void *buf, size_t size, off_t offset);
/* The rest of fd appended to *buf (of *allocated bytes, *n of them used),
 * which grows as needed, with room left for a NUL; at most max bytes in
 * all. 0, or -errno: -EFBIG past max, -ENOMEM, or what read() said. On an
 * error *buf is still the caller's to free. */
int readfile_fd_all(int fd, size_t max, char **buf, size_t *allocated, size_t *n);

/* The whole file at path, at most max bytes, into a new *data (free it),
 * NUL-terminated, its length in *size. 0, or -errno: -EFBIG past max,
 * -ENOMEM, or what open() or read() said (-ENOENT, -EISDIR, -EACCES …). */
int readfile(const char *path, size_t max, char **data, size_t *size);
