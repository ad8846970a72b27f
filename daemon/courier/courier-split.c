/* SPDX-License-Identifier: MIT */
/* Splitting a digest that its channel would not take in one message, at
 * the time it is recorded: each part is a delivery of its own, so that a
 * crash between two parts sends only the parts not yet accepted. The
 * items stay in due-date order, each whole and in exactly one part; the
 * parts are filled one after the other, each with as many items as fit.
 * A part is measured by building its message for real (courier_fits()),
 * with room to spare for what may differ when it is sent (a link made
 * anew, a reload's longer names). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "courier/courier-internal.h"

/* Bytes kept free under a platform's limit when a part is filled. */
#define SPLIT_HEADROOM 256
/* Parts are measured with a label at least as wide as the real one. */
#define SPLIT_LABEL_PART 99

/* Whether items[0..n) of m fit in one message. */
static int part_fits(struct courier *c, const struct delivery_new *m, size_t first, size_t n) {
        struct delivery d = {
                .key = "00000000000000000000000000000000",
                .target = m->target,
                .at = m->at,
                .late = m->late,
                .part = SPLIT_LABEL_PART,
                .parts = SPLIT_LABEL_PART,
                .items = m->items + first,
                .n_items = n,
        };

        return courier_fits(c, &d, SPLIT_HEADROOM);
}

/* The most items from first on that fit in one message: at least one. */
static int part_size(struct courier *c, const struct delivery_new *m, size_t first, size_t *n) {
        size_t k = 1;
        int r = 1;

        while (first + k < m->n_items && (r = part_fits(c, m, first, k + 1)) > 0)
                k++;
        *n = k;
        return r < 0 ? r : 0;
}

/* m as parts into out (room for m->n_items), numbered; how many. */
static int split_one(struct courier *c, const struct delivery_new *m, struct delivery_new *out,
                     size_t *n_out) {
        size_t n = 0, first = 0;
        int r = m->n_items > 1 && c->config ? part_fits(c, m, 0, m->n_items) : 1;

        if (r != 0) { /* fits whole, or cannot tell: as it is */
                out[0] = *m;
                *n_out = 1;
                return r < 0 ? r : 0;
        }
        while (first < m->n_items) {
                size_t k;

                r = part_size(c, m, first, &k);
                if (r < 0)
                        return r;
                out[n] = *m;
                out[n].items = m->items + first;
                out[n].n_items = k;
                n++;
                first += k;
        }
        for (size_t i = 0; i < n; i++) {
                out[i].part = (unsigned) i + 1;
                out[i].parts = (unsigned) n;
        }
        *n_out = n;
        return 0;
}

int courier_split(struct courier *c, struct delivery_new **msgs, size_t *n) {
        size_t total = 0, k = 0;
        struct delivery_new *out;
        int r = 0;

        for (size_t i = 0; i < *n; i++)
                total += (*msgs)[i].n_items;
        out = calloc(total ? total : 1, sizeof *out);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; r == 0 && i < *n; i++) {
                size_t parts = 0;

                r = split_one(c, &(*msgs)[i], out + k, &parts);
                k += parts;
        }
        if (r < 0) {
                free(out);
                return r;
        }
        free(*msgs);
        *msgs = out;
        *n = k;
        return 0;
}
