/* SPDX-License-Identifier: MIT */
#pragma once

/* Next year's ledger from this year's. The file is rewritten in place, token
 * by token, so that its layout and comments stay: the ledger's year, the
 * year in its id, year references in the texts ("2024年度" → "2025年度", the
 * title's too) and dates written in full (in `dates` lists and in phrases)
 * move by the difference in years. A year inside a document's name
 * (《…2023年度…》) stays, as do comments. Items for a person to check are
 * warnings naming file and line: every explicit date, and whatever could
 * not be moved (2月29日, a comment that names a year). Pure: text in, text out. */

#include <stddef.h>

#include "basic/diag.h"

struct rollover_options {
        const char *file; /* for messages */
        int to;           /* the new year */
};

/* text (len bytes) is a ledger file. 0 and *out (NUL-terminated, free it),
 * with the items to check in d; -EINVAL with the reason in d (not a ledger
 * file, already of that year, an @include), or -ENOMEM. */
int rollover_ledger(const char *text, size_t len, const struct rollover_options *o, char **out,
                    struct diagnostics *d);
