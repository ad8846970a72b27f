/* SPDX-License-Identifier: MIT */
#pragma once

/* Calendar dates as day numbers: days since 1970-01-01 in the proleptic
 * Gregorian calendar. Plain integers compare, subtract and hash cheaply, and
 * no time zone can sneak into a date. */

#include <stdbool.h>
#include <stdint.h>

typedef int32_t day_t;

#define DATE_ISO_LEN 11 /* "YYYY-MM-DD" and the terminating NUL */

bool date_valid(int year, int month, int day);
int date_days_in_month(int year, int month);
day_t date_from_ymd(int year, int month, int day);
void date_to_ymd(day_t d, int *year, int *month, int *day);
int date_year(day_t d);
/* ISO weekday: 1 = Monday … 7 = Sunday. */
int date_weekday(day_t d);
/* "周一" … "周日", as the ledger's readers say it. */
const char *date_weekday_zh(day_t d);
/* Parses exactly "YYYY-MM-DD"; 0 or -EINVAL (also for 2025-02-30). */
int date_parse_iso(const char *s, day_t *out);
void date_format_iso(day_t d, char buf[DATE_ISO_LEN]);
