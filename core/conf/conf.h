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
/* Frees c and all it holds; NULL is fine. */
void config_free(struct config *c);
