/* SPDX-License-Identifier: MIT */
/* Whole files for the offline verbs, with the real reason when one cannot
 * be read (a directory, a missing file, no permission). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ledgerctl.h"

static int read_stream(FILE *f, size_t max, char **data, size_t *size) {
        size_t cap = 4096, n = 0;
        char *buf = malloc(cap + 1);

        while (buf) {
                size_t k = fread(buf + n, 1, cap - n, f);

                n += k;
                if (ferror(f) || n > max)
                        break;
                if (feof(f)) {
                        buf[n] = '\0';
                        *data = buf;
                        *size = n;
                        return 0;
                }
                if (n == cap) {
                        char *p = realloc(buf, cap * 2 + 1);

                        if (!p)
                                break;
                        buf = p;
                        cap *= 2;
                }
        }
        free(buf);
        return !buf ? -ENOMEM : n > max ? -EFBIG : ferror(f) ? -(errno ? errno : EIO) : -ENOMEM;
}

int ctl_read_file(const char *path, size_t max, char **data, size_t *size) {
        FILE *f = fopen(path, "re");
        int r;

        if (!f)
                return -errno;
        errno = 0;
        r = read_stream(f, max, data, size);
        fclose(f);
        return r;
}
