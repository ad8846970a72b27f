/* SPDX-License-Identifier: MIT */
#pragma once

/* Times as ledgerctl reads and shows them: local wall-clock time in the
 * office's zone (Asia/Shanghai by default), never the machine's TZ, which in
 * a Xinjiang office is as likely to be UTC or Asia/Urumqi as Beijing time. */

#include <stddef.h>
#include <time.h>

#define CTL_TIMEZONE "Asia/Shanghai"
#define TIMEFMT_LEN 32

/* "2025-10-09 09:30 周四". 0 or -ENOENT (unknown zone). */
int timefmt_local(const char *tz, time_t t, char buf[static TIMEFMT_LEN]);
/* ISO 8601 with the zone's offset: "2025-10-09T09:30:00+08:00". 0 or -ENOENT. */
int timefmt_iso(const char *tz, time_t t, char buf[static TIMEFMT_LEN]);
/* A snooze's end: "+Nd" or "+Nh" from now, or what zone_parse_time reads
 * (YYYY-MM-DD local midnight, YYYY-MM-DDTHH:MM, @EPOCH). 0, -EINVAL, -ENOENT. */
int timefmt_parse_until(const char *tz, const char *s, time_t now, time_t *out);
/* The end of an inclusive window: a bare YYYY-MM-DD means the midnight after
 * that day; anything else as zone_parse_time. 0, -EINVAL, -ENOENT. */
int timefmt_parse_end(const char *tz, const char *s, time_t *out);
