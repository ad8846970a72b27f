/* SPDX-License-Identifier: MIT */
#include "basic/arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/prefault.h"

/* Above glibc's mmap threshold, so blocks are mapped apart from the heap and
 * the heap a parser leaves behind can shrink back. */
#define ARENA_BLOCK (256 * 1024)

struct block {
        struct block *next;
        size_t used, size;
        max_align_t data[]; /* aligned for anything */
};

struct arena {
        struct block *head; /* the block being filled; older ones follow */
};

struct arena *arena_new(void) {
        return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a) {
        if (!a)
                return;
        for (struct block *b = a->head, *next; b; b = next) {
                next = b->next;
                free(b);
        }
        free(a);
}

/* An arena on its second block holds a large ledger's texts, which will
 * fill this block too: its pages are faulted in at once. A first block,
 * perhaps a small ledger's only one, is left to fault as it is written. */
static struct block *block_new(size_t size, bool first) {
        struct block *b = malloc(sizeof *b + size);

        if (!b)
                return NULL;
        if (!first)
                prefault(b, sizeof *b + size);
        *b = (struct block) { .size = size };
        return b;
}

/* size bytes at a multiple of align (a power of two) from the block start. */
static void *bump(struct arena *a, size_t size, size_t align) {
        struct block *b = a->head;
        size_t start = b ? (b->used + align - 1) & ~(align - 1) : 0;
        void *p;

        if (size > SIZE_MAX / 2)
                return NULL;
        if (!b || start > b->size || b->size - start < size) {
                /* Something larger than a block gets a block of its own. */
                b = block_new(size > ARENA_BLOCK ? size : ARENA_BLOCK, !a->head);
                if (!b)
                        return NULL;
                b->next = a->head;
                a->head = b;
                start = 0;
        }
        p = (char *) b->data + start;
        b->used = start + size;
        return p;
}

void *arena_alloc(struct arena *a, size_t size) {
        return bump(a, size, sizeof(max_align_t));
}

char *arena_strdup(struct arena *a, const char *s) {
        size_t n = strlen(s) + 1;
        char *p = bump(a, n, 1); /* text needs no alignment */

        return p ? memcpy(p, s, n) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...) {
        va_list ap, again;
        char *p;
        int n;

        va_start(ap, fmt);
        va_copy(again, ap);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        p = n < 0 ? NULL : bump(a, (size_t) n + 1, 1);
        if (p)
                vsnprintf(p, (size_t) n + 1, fmt, again);
        va_end(again);
        return p;
}
