/* SPDX-License-Identifier: MIT */
#pragma once

/* Which days are working days: Monday to Friday, except the days off of the
 * loaded holiday calendars, plus their make-up working days (调休), such as
 * Sunday 2025-09-28. */

#include <stdbool.h>

#include "ledger/date.h"

struct workdays;

struct workdays *workdays_new(void);
void workdays_free(struct workdays *w);

/* name: the holiday, for messages ("国庆节、中秋节"); copied. 0 or -errno. */
int workdays_add_off(struct workdays *w, day_t first, day_t last, const char *name);
int workdays_add_work(struct workdays *w, day_t day, const char *name);
/* Declares that the calendars give the whole of year: days outside the
 * covered years are judged by the weekday alone. */
int workdays_cover_year(struct workdays *w, int year);
bool workdays_covers(const struct workdays *w, int year);

bool workdays_is_working(const struct workdays *w, day_t d);
/* The holiday that makes d a day off, or a make-up working day; NULL otherwise. */
const char *workdays_holiday_name(const struct workdays *w, day_t d);
/* The first run of days off in year whose holiday's name holds stem ("国庆"
 * finds "国庆节" and "国庆节、中秋节"): its first and last day. 0, or
 * -ENOENT when the calendars name no such holiday that year. */
int workdays_find_holiday(const struct workdays *w, int year, const char *stem, day_t *first,
                          day_t *last);
/* Calls fn for every listed day from..to (inclusive) in order: the days off
 * and the make-up working days, with their holiday's name. Stops at the
 * first non-zero return and gives it. */
int workdays_foreach(const struct workdays *w, day_t from, day_t to,
                     int (*fn)(day_t d, bool working, const char *name, void *userdata),
                     void *userdata);
/* d itself when it is a working day, else the latest working day before it. */
day_t workdays_on_or_before(const struct workdays *w, day_t d);
/* d itself when it is a working day, else the first working day after it. */
day_t workdays_on_or_after(const struct workdays *w, day_t d);
/* n working days after d (n > 0) or before it (n < 0), not counting d;
 * n == 0 gives d. */
day_t workdays_add(const struct workdays *w, day_t d, int n);
