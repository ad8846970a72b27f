/* SPDX-License-Identifier: MIT */
#pragma once

/* Growing an array kept as (pointer, allocated count), in the spirit of
 * systemd's GREEDY_REALLOC: room is made for twice what is needed, so that
 * appending one element at a time costs amortised constant time, and the
 * "if n == allocated, double, realloc, check" block is written once. */

#include <errno.h>
#include <stddef.h>

/* p (an array of *allocated elements of size bytes) with room for at least
 * need elements: p itself when it has it, else p reallocated to about twice
 * need, *allocated updated. On failure p itself, untouched, and *allocated
 * unchanged (still below need). */
void *greedy_realloc(void *p, size_t *allocated, size_t need, size_t size);

/* Room for need elements in array (of allocated elements): 0 or -ENOMEM,
 * and then array and its elements are as they were. Each argument is named
 * more than once: pass lvalues and expressions without side effects. */
#define GREEDY_REALLOC(array, allocated, need)                                          \
        (((array) = greedy_realloc((array), &(allocated), (need), sizeof *(array))),    \
         (allocated) >= (need) ? 0 : -ENOMEM)
