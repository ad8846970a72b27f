/* SPDX-License-Identifier: MIT */
#include "basic/prefault.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older headers lack it */
#endif

#define PREFAULT_MIN (64 * 1024)

void prefault(void *p, size_t size) {
        uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
        uintptr_t start = ((uintptr_t) p + page - 1) & ~(page - 1);
        uintptr_t end = ((uintptr_t) p + size) & ~(page - 1);

        if (!p || size < PREFAULT_MIN || end <= start)
                return;
        (void) madvise((void *) start, end - start, MADV_POPULATE_WRITE);
}

void *prefault_calloc(size_t n, size_t size) {
        void *p;

        if (size && n > SIZE_MAX / size)
                return NULL;
        p = malloc(n * size);
        prefault(p, n * size);
        return p ? memset(p, 0, n * size) : NULL;
}
