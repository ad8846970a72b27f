/* SPDX-License-Identifier: MIT */
#include "basic/greedy.h"

#include <stdint.h>
#include <stdlib.h>

/* Below this, doubling would realloc too often for nothing. */
#define GREEDY_MIN_BYTES 64

void *greedy_realloc(void *p, size_t *allocated, size_t need, size_t size) {
        size_t n;
        void *q;

        if (*allocated >= need)
                return p;
        if (size == 0 || need > SIZE_MAX / 2 / size)
                return p;
        n = need * 2;
        if (n * size < GREEDY_MIN_BYTES)
                n = GREEDY_MIN_BYTES / size + 1;
        q = realloc(p, n * size);
        if (!q)
                return p;
        *allocated = n;
        return q;
}
