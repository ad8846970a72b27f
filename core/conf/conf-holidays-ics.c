/* SPDX-License-Identifier: MIT */
/* A holiday calendar as public Chinese holiday subscriptions publish it: an
 * iCalendar file of all-day events, one for each day off or run of days
 * off ("国庆节 休") and one for each make-up working day ("国庆节 班"), so
 * that the bureau can add a year the day the State Council's notice comes
 * out. Each VEVENT is read on its own, so that a mistake names its line; an
 * event whose text says neither 休/放假 nor 班/上班 (or both) is an error,
 * never a guess. Every year with an event is covered. */

#include <errno.h>
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "basic/readfile.h"
#include "conf/conf-internal.h"

#define ICS_FILE_MAX ((size_t) 4 << 20)
#define HOLIDAY_NAME_MAX 64

enum day_kind { DAY_UNTOLD, DAY_OFF, DAY_WORK };

struct ics_read {
        struct confread *cr;
        const char *path;
        struct workdays *w;
        int line; /* of the event's BEGIN:VEVENT */
};

static void ics_error(const struct ics_read *ir, const char *what, const char *summary) {
        diag_add(ir->cr->diags, DIAG_ERROR, ir->path, ir->line, "%s%s%s%s", what,
                 summary ? " \"" : "", summary ? summary : "", summary ? "\"" : "");
}

/* 休 or 放假: a day off; 班 or 上班: a make-up working day. 调休 says
 * neither by itself ("调休上班" is a working day). */
static enum day_kind day_kind(const char *summary) {
        char text[256];
        char *p;
        bool off, work;

        snprintf(text, sizeof text, "%s", summary);
        while ((p = strstr(text, "调休")))
                memmove(p, p + strlen("调休"), strlen(p + strlen("调休")) + 1);
        off = strstr(text, "休") || strstr(text, "放假");
        work = strstr(text, "班");
        return off == work ? DAY_UNTOLD : off ? DAY_OFF : DAY_WORK;
}

/* The holiday's name: the summary without the words that say off or work,
 * spaces and brackets ("国庆节 休" → "国庆节"). */
static void holiday_name(const char *summary, char name[HOLIDAY_NAME_MAX]) {
        static const char *const drop[] = { "调休", "放假", "上班", "补班", "假期", "休", "班",
                                            " ", "\u3000", "(", ")", "（", "）", "-", "·", NULL };
        char *p;

        snprintf(name, HOLIDAY_NAME_MAX, "%s", summary);
        for (const char *const *d = drop; *d; d++)
                while ((p = strstr(name, *d)))
                        memmove(p, p + strlen(*d), strlen(p + strlen(*d)) + 1);
        if (!name[0])
                snprintf(name, HOLIDAY_NAME_MAX, "%s", "节假日");
}

static day_t day_of(struct icaltimetype t) {
        return date_from_ymd(t.year, t.month, t.day);
}

/* DTSTART;VALUE=DATE, and DTEND (exclusive) when the event spans days. */
static int event_days(const struct ics_read *ir, icalcomponent *ev, const char *summary,
                      day_t *first, day_t *last) {
        struct icaltimetype start = icalcomponent_get_dtstart(ev);
        struct icaltimetype end = icalcomponent_get_dtend(ev);

        if (icaltime_is_null_time(start) || !start.is_date ||
            !date_valid(start.year, start.month, start.day)) {
                ics_error(ir, "an all-day event needs DTSTART;VALUE=DATE:", summary);
                return -EINVAL;
        }
        *first = *last = day_of(start);
        if (!icaltime_is_null_time(end) && end.is_date && date_valid(end.year, end.month, end.day))
                *last = day_of(end) - 1;
        if (*last < *first || *last - *first > 366) {
                ics_error(ir, "the event ends before it begins, or lasts more than a year:",
                          summary);
                return -EINVAL;
        }
        return 0;
}

static int add_event(const struct ics_read *ir, icalcomponent *ev) {
        const char *summary = icalcomponent_get_summary(ev);
        char name[HOLIDAY_NAME_MAX];
        enum day_kind kind;
        day_t first, last;
        int r = 0;

        if (!summary || !*summary) {
                ics_error(ir, "an event without SUMMARY: cannot tell a day off (休, 放假) from a "
                          "working day (班, 上班)", NULL);
                return -EINVAL;
        }
        kind = day_kind(summary);
        if (kind == DAY_UNTOLD) {
                ics_error(ir, "cannot tell a day off (休, 放假) from a working day (班, 上班):",
                          summary);
                return -EINVAL;
        }
        if (event_days(ir, ev, summary, &first, &last) < 0)
                return -EINVAL;
        holiday_name(summary, name);
        if (kind == DAY_OFF)
                r = workdays_add_off(ir->w, first, last, name);
        for (day_t d = first; r == 0 && kind == DAY_WORK && d <= last; d++)
                r = workdays_add_work(ir->w, d, name);
        for (int y = date_year(first); r == 0 && y <= date_year(last); y++)
                r = workdays_cover_year(ir->w, y);
        return r;
}

/* One VEVENT's text, parsed by libical on its own. */
static int read_event(struct ics_read *ir, const char *text, size_t len) {
        char *block = strndup(text, len);
        icalcomponent *c;
        int r;

        if (!block)
                return -ENOMEM;
        c = icalparser_parse_string(block);
        free(block);
        if (!c || icalcomponent_isa(c) != ICAL_VEVENT_COMPONENT) {
                ics_error(ir, "not an iCalendar event", NULL);
                r = -EINVAL;
        } else {
                r = add_event(ir, c);
        }
        if (c)
                icalcomponent_free(c);
        return r;
}

static bool line_is(const char *s, const char *e, const char *word) {
        size_t n = strlen(word);

        while (e > s && (e[-1] == '\r' || e[-1] == ' '))
                e--;
        return (size_t) (e - s) == n && strncasecmp(s, word, n) == 0;
}

/* Every event between BEGIN:VEVENT and END:VEVENT; the first error of each
 * is reported, and the others still read. */
static int read_events(struct ics_read *ir, const char *text, size_t size) {
        const char *p = text, *end = text + size, *begin = NULL;
        int line = 1, r = 0, events = 0;

        for (; p < end; line++) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *e = nl ? nl : end;

                if (line_is(p, e, "BEGIN:VEVENT")) {
                        begin = p;
                        ir->line = line;
                } else if (begin && line_is(p, e, "END:VEVENT")) {
                        int k = read_event(ir, begin, (size_t) (e - begin));

                        if (k == -ENOMEM)
                                return k;
                        if (k < 0)
                                r = -EINVAL;
                        events++;
                        begin = NULL;
                }
                p = nl ? nl + 1 : end;
        }
        if (events == 0 && r == 0) {
                diag_add(ir->cr->diags, DIAG_ERROR, ir->path, 0, "no events: not an iCalendar "
                         "holiday calendar");
                r = -EINVAL;
        }
        return r;
}

int conf_holidays_load_ics(struct confread *cr, const char *path, struct workdays *w) {
        struct ics_read ir = { .cr = cr, .path = confread_intern_file(cr, path), .w = w };
        char *text = NULL;
        size_t size = 0;
        int r;

        if (!ir.path)
                return -ENOMEM;
        r = readfile(path, ICS_FILE_MAX, &text, &size);
        if (r < 0) {
                diag_add(cr->diags, DIAG_ERROR, ir.path, 0, "cannot read: %s", strerror(-r));
                return r;
        }
        confread_file_read(cr, ir.path, text, size);
        if (strncmp(text, "BEGIN:VCALENDAR", strlen("BEGIN:VCALENDAR")) != 0 &&
            strncmp(text, "\xEF\xBB\xBF" "BEGIN:VCALENDAR", strlen("BEGIN:VCALENDAR") + 3) != 0) {
                diag_add(cr->diags, DIAG_ERROR, ir.path, 1, "not an iCalendar file: it does not "
                         "begin with BEGIN:VCALENDAR");
                r = -EINVAL;
        } else {
                r = read_events(&ir, text, size);
        }
        free(text);
        return r;
}
