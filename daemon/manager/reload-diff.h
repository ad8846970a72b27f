/* SPDX-License-Identifier: MIT */
#pragma once

#include "ledger/model.h"

/* What a reload changes, milestone by milestone: each addition, removal and
 * move is logged, and the summary ("2 added, 1 removed, 1 moved") returned
 * (free it; NULL when out of memory). */
char *reload_diff(const struct config *old, const struct config *fresh);
