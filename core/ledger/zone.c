/* SPDX-License-Identifier: MIT */
#include "ledger/zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>

static icaltimezone *zone_lookup(const char *tzid) {
        if (strcmp(tzid, "UTC") == 0)
                return icaltimezone_get_utc_timezone();
        return icaltimezone_get_builtin_timezone(tzid);
}

/* The zone named tzid, the last one found kept per thread: a 09:30 burst
 * converts some ten thousand times in the one configured zone, and libical
 * looks a builtin zone up by name (under its lock) every time. Builtin
 * zones live as long as the process (none is ever freed here), so the
 * pointer stays good. A name too long to keep is looked up each time. */
static icaltimezone *zone_get(const char *tzid) {
        static __thread char last_name[64];
        static __thread icaltimezone *last;

        if (!tzid)
                return NULL;
        if (last && strcmp(tzid, last_name) == 0)
                return last;
        if (strlen(tzid) >= sizeof last_name)
                return zone_lookup(tzid);
        last = zone_lookup(tzid);
        if (last)
                strcpy(last_name, tzid);
        return last;
}

int zone_check(const char *tzid) {
        return zone_get(tzid) ? 0 : -ENOENT;
}

int zone_local_to_utc(const char *tzid, day_t day, int minute_of_day, time_t *out) {
        icaltimezone *z = zone_get(tzid);
        struct icaltimetype t = icaltime_null_time();
        int y, m, d;

        if (!z)
                return -ENOENT;
        date_to_ymd(day, &y, &m, &d);
        t.year = y;
        t.month = m;
        t.day = d;
        t.hour = minute_of_day / 60;
        t.minute = minute_of_day % 60;
        *out = icaltime_as_timet_with_zone(t, z);
        return 0;
}

int zone_utc_to_local(const char *tzid, time_t t, day_t *day, int *minute_of_day) {
        icaltimezone *z = zone_get(tzid);
        struct icaltimetype lt;

        if (!z)
                return -ENOENT;
        lt = icaltime_from_timet_with_zone(t, 0, z);
        *day = date_from_ymd(lt.year, lt.month, lt.day);
        if (minute_of_day)
                *minute_of_day = lt.hour * 60 + lt.minute;
        return 0;
}

static int parse_epoch(const char *s, time_t *out) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end || v < 0)
                return -EINVAL;
        *out = (time_t) v;
        return 0;
}

void zone_format_local(const char *tzid, time_t t, char *buf, size_t size) {
        char date[DATE_ISO_LEN];
        day_t day = 0;
        int minute = 0;

        zone_utc_to_local(tzid, t, &day, &minute);
        date_format_iso(day, date);
        snprintf(buf, size, "%s %02d:%02d", date, minute / 60 % 24, minute % 60);
}

int zone_parse_time(const char *tzid, const char *s, time_t *out) {
        char date[DATE_ISO_LEN];
        int h = 0, m = 0, n = 0;
        day_t day;

        if (s[0] == '@')
                return parse_epoch(s + 1, out);
        if (strlen(s) < 10)
                return -EINVAL;
        memcpy(date, s, 10);
        date[10] = '\0';
        if (date_parse_iso(date, &day) < 0)
                return -EINVAL;
        if (s[10] != '\0') {
                if ((s[10] != 'T' && s[10] != ' ') ||
                    sscanf(s + 11, "%2d:%2d%n", &h, &m, &n) != 2 || s[11 + n] != '\0' ||
                    h < 0 || h > 23 || m < 0 || m > 59)
                        return -EINVAL;
        }
        return zone_local_to_utc(tzid, day, h * 60 + m, out);
}
