/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "basic/prefault.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Fresh anonymous memory, none of it resident yet. */
static void *fresh(size_t size) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        assert_true(p != MAP_FAILED);
        return p;
}

/* How many of the pages of [p, p+size) are resident. */
static size_t resident(void *p, size_t size) {
        size_t page = (size_t) sysconf(_SC_PAGESIZE), n = (size + page - 1) / page, count = 0;
        unsigned char *vec = calloc(n, 1);

        assert_non_null(vec);
        assert_int_equal(mincore(p, size, vec), 0);
        for (size_t i = 0; i < n; i++)
                count += vec[i] & 1;
        free(vec);
        return count;
}

/* A kernel older than 5.14 declines the hint: nothing to see then. */
static bool kernel_populates(void) {
        size_t page = (size_t) sysconf(_SC_PAGESIZE);
        void *p = fresh(page);
        bool ok = madvise(p, page, MADV_POPULATE_WRITE) == 0;

        munmap(p, page);
        return ok;
}

static void test_large_buffer_resident(void **state) {
        size_t size = 1 << 20, page = (size_t) sysconf(_SC_PAGESIZE);
        char *p;

        (void) state;
        if (!kernel_populates())
                skip();
        p = fresh(size);
        assert_int_equal(resident(p, size), 0);
        /* Not page-aligned at either end: only the whole pages inside. */
        prefault(p + 1, size - 2);
        assert_int_equal(resident(p, size), size / page - 2);
        munmap(p, size);
}

static void test_small_buffer_left_alone(void **state) {
        size_t size = 32 * 1024;
        void *p = fresh(size);

        (void) state;
        prefault(p, size);
        assert_int_equal(resident(p, size), 0);
        prefault(NULL, size); /* a failed allocation passed on: nothing */
        munmap(p, size);
}

static void test_calloc_zeroed(void **state) {
        size_t n = 100 * 1024; /* below the mmap threshold: from the heap */
        unsigned char *p, *guard;

        (void) state;
        /* Memory freed dirty first, so that the same block is handed out
         * again: the guard keeps it from going back to the system. */
        p = malloc(n);
        guard = malloc(16);
        assert_non_null(p);
        for (size_t i = 0; i < n; i++)
                ((volatile unsigned char *) p)[i] = 0xA5; /* not dropped as dead */
        free(p);
        p = prefault_calloc(n / 4, 4);
        assert_non_null(p);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(p[i], 0);
        free(p);
        free(guard);
        assert_null(prefault_calloc(SIZE_MAX / 2, 4));
        p = prefault_calloc(0, 8);
        free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_large_buffer_resident),
                cmocka_unit_test(test_small_buffer_left_alone),
                cmocka_unit_test(test_calloc_zeroed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
