/* SPDX-License-Identifier: MIT */
#include "basic/memstream.h"

#include <stdlib.h>

char *memstream_run(memstream_fn fn, const void *arg, size_t *size) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);

        if (!f)
                return NULL;
        fn(f, arg);
        if (ferror(f) | fclose(f)) {
                free(buf);
                return NULL;
        }
        if (size)
                *size = n;
        return buf;
}
