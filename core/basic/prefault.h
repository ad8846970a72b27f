/* SPDX-License-Identifier: MIT */
#pragma once

/* Large buffers about to be written whole, faulted in with one call. */

#include <stddef.h>

/* Asks the kernel to map writable pages under the whole pages of [p, p+size)
 * now (MADV_POPULATE_WRITE, Linux 5.14), instead of a trap into it on the
 * first write to each page: on a virtual machine a trap costs several
 * microseconds, and reading a 100,000-task ledger writes 20,000 fresh
 * pages. Only a hint: where the kernel declines, the writes fault as they
 * always did. Buffers smaller than 64 KB are left alone. */
void prefault(void *p, size_t size);

/* calloc(), its pages faulted in by prefault() before they are cleared:
 * glibc clears a large block that comes from the heap with memset, a trap
 * a page. NULL when out of memory or when n * size overflows. */
void *prefault_calloc(size_t n, size_t size);
