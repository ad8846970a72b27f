/* SPDX-License-Identifier: MIT */
#pragma once

/* Text written with stdio into memory: a writer prints freely, and one
 * check at the end says whether it all went in. */

#include <stddef.h>
#include <stdio.h>

typedef void (*memstream_fn)(FILE *f, const void *arg);

/* What fn(f, arg) wrote, NUL-terminated (*size, when not NULL, without the
 * NUL); NULL when out of memory. Free it. */
char *memstream_run(memstream_fn fn, const void *arg, size_t *size);
