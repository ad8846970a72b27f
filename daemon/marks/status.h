/* SPDX-License-Identifier: MIT */
#pragma once

/* Where a milestone stands today: done, overdue, due soon or upcoming; and
 * the counts of the whole configuration (the Counts property, sd_notify's
 * STATUS=, ledgerctl status). */

#include "busapi/busapi.h"
#include "ledger/date.h"

struct config;
struct marks;
struct milestone;

enum milestone_status { STATUS_DONE, STATUS_OVERDUE, STATUS_DUE_SOON, STATUS_UPCOMING };

enum milestone_status milestone_status(const struct marks *mk, const struct milestone *ms,
                                       day_t today);
/* The BUS_STATUS_* name. */
const char *milestone_status_name(enum milestone_status s);
/* The Counts property, in enum bus_counts order. */
void status_count(const struct config *c, const struct marks *mk, day_t today,
                  unsigned counts[BUS_COUNTS_MAX]);
