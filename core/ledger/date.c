/* SPDX-License-Identifier: MIT */
#include "ledger/date.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_leap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int year, int month) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        if (month < 1 || month > 12)
                return 0;
        return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

bool date_valid(int year, int month, int day) {
        return year >= 1 && year <= 9999 && day >= 1 && day <= date_days_in_month(year, month);
}

/* Days from civil date, after Howard Hinnant's public-domain algorithm: eras
 * of 400 years starting in March, so the leap day falls at the end. */
day_t date_from_ymd(int y, int m, int d) {
        y -= m <= 2;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

void date_to_ymd(day_t z, int *year, int *month, int *day) {
        z += 719468;
        int era = (z >= 0 ? z : z - 146096) / 146097;
        int doe = z - era * 146097;
        int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int mp = (5 * doy + 2) / 153;
        int m = mp < 10 ? mp + 3 : mp - 9;

        *year = yoe + era * 400 + (m <= 2);
        *month = m;
        *day = doy - (153 * mp + 2) / 5 + 1;
}

int date_year(day_t d) {
        int y, m, dd;

        date_to_ymd(d, &y, &m, &dd);
        return y;
}

int date_weekday(day_t d) {
        /* 1970-01-01 was a Thursday (4). */
        int w = (int) ((d % 7 + 7 + 3) % 7);
        return w + 1;
}

const char *date_weekday_zh(day_t d) {
        static const char *const names[] = { "周一", "周二", "周三", "周四", "周五", "周六", "周日" };

        return names[date_weekday(d) - 1];
}

int date_parse_iso(const char *s, day_t *out) {
        int y, m, d, n = 0;

        if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        for (int i = 0; i < 10; i++)
                if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
                return -EINVAL;
        if (!date_valid(y, m, d))
                return -EINVAL;
        *out = date_from_ymd(y, m, d);
        return 0;
}

void date_format_iso(day_t d, char buf[DATE_ISO_LEN]) {
        int y, m, dd;

        date_to_ymd(d, &y, &m, &dd);
        /* The masks only show the compiler that every field fits. */
        snprintf(buf, DATE_ISO_LEN, "%04u-%02u-%02u", (unsigned) y % 10000u, (unsigned) m % 100u,
                 (unsigned) dd % 100u);
}
