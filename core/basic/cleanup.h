/* SPDX-License-Identifier: MIT */
#pragma once

/* Freeing bound to a variable's scope, the way systemd writes constructors
 * (GCC's and clang's __attribute__((cleanup))). What a constructor builds is
 * declared with the cleanup of its type,
 *
 *         _cleanup_(bus_freep) struct bus *b = calloc(1, sizeof *b);
 *
 * every failure after that is a plain `return r;`, and success hands the
 * object over with `*out = TAKE_PTR(b);`. One place says how a half-built
 * object is undone, instead of an x_free() before every early return, where
 * a step added later may forget it. An object that holds something of the
 * caller's still gives it back by hand before returning (see render-job.c). */

#include <stdlib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Defines `static inline void func##p(type **p)`, the cleanup for a
 * `type *` variable, from func, which frees a type: func(*p) unless *p is
 * NULL, so that func itself need not take NULL. */
#define DEFINE_CLEANUP_FUNC(type, func) \
        static inline void func##p(type **p) { \
                if (*p) \
                        func(*p); \
        }

/* The pointer in the variable p, which is left NULL: ownership moves out of
 * a _cleanup_ variable, which then frees nothing. */
#define TAKE_PTR(p) \
        ({ \
                __typeof__(p) *_pp = &(p); \
                __typeof__(p) _tp = *_pp; \
\
                *_pp = NULL; \
                _tp; \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)
