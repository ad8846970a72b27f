/* SPDX-License-Identifier: MIT */
#pragma once

/* Local wall-clock time in an Olson time zone ("Asia/Shanghai"), through
 * libical's built-in zone data, so no TZ environment variable is touched. */

#include <time.h>

#include "ledger/date.h"

/* 0, or -ENOENT for an unknown zone name. */
int zone_check(const char *tzid);
/* The instant of local day + minute_of_day in tzid. 0 or -ENOENT. */
int zone_local_to_utc(const char *tzid, day_t day, int minute_of_day, time_t *out);
/* "YYYY-MM-DD HH:MM", the local time of t in tzid, as tables and messages
 * show it. Zone lookups cannot fail here: tzid was checked at load. */
void zone_format_local(const char *tzid, time_t t, char *buf, size_t size);
/* "@EPOCH", or local "YYYY-MM-DD" (midnight), "YYYY-MM-DDTHH:MM" or
 * "YYYY-MM-DD HH:MM" in tzid. 0, -EINVAL or -ENOENT. */
int zone_parse_time(const char *tzid, const char *s, time_t *out);
/* The local date of instant t in tzid. 0 or -ENOENT. */
int zone_utc_to_local(const char *tzid, time_t t, day_t *day, int *minute_of_day);
