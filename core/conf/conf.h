/* SPDX-License-Identifier: MIT */
#pragma once

/* Loading ledgerd.conf and every ledger and holiday file it names into a
 * struct config (model.h). Nothing half-loaded escapes: on any error the
 * caller gets the full list of problems and no configuration. */

#include "basic/diag.h"
#include "ledger/model.h"

/* 0 and *out (free with config_free), or -EINVAL with every problem in diags
 * (which also receives warnings, such as deadline phrases not understood,
 * when loading succeeds). */
int conf_load(const char *path, struct config **out, struct diagnostics *diags);
/* The same, for a reload of previous (read from path, and held by the caller
 * until this returns): the ledgers of files whose bytes did not change, nor
 * those of the files they are read against (the main file, what it
 * includes, the holidays), are copied from previous rather than read. What
 * it says, and what it gives, are what conf_load() would. */
int conf_reload(const char *path, const struct config *previous, struct config **out,
                struct diagnostics *diags);
/* One holiday calendar file as conf_load_holidays() read it. */
struct conf_holiday_file {
        const char *path;      /* in the configuration's files */
        struct workdays *days; /* this file's days alone */
};

/* Only the holiday calendars that the configuration at path names
 * ("holidays"), nothing else of it, for ledgerctl: *out has path, files and
 * calendar (all of them merged) set; *files (*n_files of them, free with
 * conf_holiday_files_free before config_free) each file's own. 0, or
 * -EINVAL with every problem in diags, or -ENOMEM. */
int conf_load_holidays(const char *path, struct config **out, struct conf_holiday_file **files,
                       size_t *n_files, struct diagnostics *diags);
void conf_holiday_files_free(struct conf_holiday_file *files, size_t n);

/* Frees c and all it holds, whatever its references; NULL is fine. */
void config_free(struct config *c);
/* One more holder of c, which conf_load() gives out with one; the last
 * config_unref() frees it. For a configuration read by a thread while a
 * reload replaces it: both on the thread that made it, not atomic. The
 * count is bookkeeping, not content: a holder of a const configuration may
 * take and drop references. */
const struct config *config_ref(const struct config *c);
void config_unref(const struct config *c);
