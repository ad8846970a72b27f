/* SPDX-License-Identifier: MIT */
#include "timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/date.h"
#include "ledger/zone.h"

/* Ten years: longer is a typo, not a plan. */
#define RELATIVE_MAX_DAYS 3660

int timefmt_local(const char *tz, time_t t, char buf[static TIMEFMT_LEN]) {
        char date[DATE_ISO_LEN];
        day_t day;
        int minute, r = zone_utc_to_local(tz, t, &day, &minute);

        if (r < 0)
                return r;
        date_format_iso(day, date);
        snprintf(buf, TIMEFMT_LEN, "%s %02d:%02d %s", date, minute / 60, minute % 60,
                 date_weekday_zh(day));
        return 0;
}

int timefmt_iso(const char *tz, time_t t, char buf[static TIMEFMT_LEN]) {
        char date[DATE_ISO_LEN];
        day_t day;
        int minute, r = zone_utc_to_local(tz, t, &day, &minute);
        long long seconds = ((long long) t % 60 + 60) % 60, offset;

        if (r < 0)
                return r;
        /* The offset is what separates the local wall clock from UTC, in minutes. */
        offset = ((long long) day * 86400 + minute * 60 - ((long long) t - seconds)) / 60;
        date_format_iso(day, date);
        offset = llabs(offset) % (24 * 60) * (offset < 0 ? -1 : 1); /* zones stay within a day */
        snprintf(buf, TIMEFMT_LEN, "%sT%02d:%02d:%02d%c%02d:%02d", date, minute / 60 % 24,
                 minute % 60, (int) seconds, offset < 0 ? '-' : '+', (int) (llabs(offset) / 60),
                 (int) (llabs(offset) % 60));
        return 0;
}

static int parse_relative(const char *s, time_t now, time_t *out) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s + 1, &end, 10);
        if (errno != 0 || end == s + 1 || v <= 0 || (strcmp(end, "d") != 0 && strcmp(end, "h") != 0))
                return -EINVAL;
        if (v > (*end == 'd' ? RELATIVE_MAX_DAYS : RELATIVE_MAX_DAYS * 24))
                return -EINVAL;
        *out = now + (time_t) v * (*end == 'd' ? 86400 : 3600);
        return 0;
}

int timefmt_parse_until(const char *tz, const char *s, time_t now, time_t *out) {
        if (zone_check(tz) < 0)
                return -ENOENT;
        if (s[0] == '+')
                return parse_relative(s, now, out);
        return zone_parse_time(tz, s, out);
}

int timefmt_parse_end(const char *tz, const char *s, time_t *out) {
        day_t day;

        if (strlen(s) == DATE_ISO_LEN - 1 && s[0] != '@') {
                if (date_parse_iso(s, &day) < 0)
                        return -EINVAL;
                return zone_local_to_utc(tz, day + 1, 0, out);
        }
        return zone_parse_time(tz, s, out);
}
