/* SPDX-License-Identifier: MIT */
#include "basic/rfcdate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "GMT", or "+0800" for utc_offset; into zone[8]. */
static void zone_name(enum rfcdate_zone zone, int utc_offset, char out[8]) {
        int off = utc_offset < 0 ? -utc_offset : utc_offset;

        if (zone == RFCDATE_GMT)
                snprintf(out, 8, "GMT");
        else
                snprintf(out, 8, "%c%02d%02d", utc_offset < 0 ? '-' : '+', off / 3600 % 100,
                         off % 3600 / 60);
}

int rfcdate_format(time_t t, int utc_offset, enum rfcdate_zone zone, char *buf, size_t size) {
        char tmp[80], name[8]; /* tmp: room for what the compiler cannot rule out */
        time_t local;
        struct tm tm;
        int n;

        if (zone == RFCDATE_GMT)
                utc_offset = 0;
        if (__builtin_add_overflow(t, (time_t) utc_offset, &local) ||
            !gmtime_r(&local, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
                return -EOVERFLOW;
        zone_name(zone, utc_offset, name);
        n = snprintf(tmp, sizeof tmp, "%s, %02d %s %04d %02d:%02d:%02d %s", days[tm.tm_wday],
                     tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, name);
        if (n < 0 || (size_t) n >= size)
                return -ENOBUFS;
        memcpy(buf, tmp, (size_t) n + 1);
        return 0;
}
