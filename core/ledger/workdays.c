/* SPDX-License-Identifier: MIT */
#include "ledger/workdays.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"

/* One listed day: a day off or a make-up working day, with its holiday. */
struct workdays_day {
        day_t day;
        const char *name; /* points into struct workdays' names */
};

/* A set of listed days, sorted by day and without duplicates, so that a
 * lookup is a binary search: the schedule asks for every lead of every
 * milestone. */
struct workdays_set {
        struct workdays_day *days;
        size_t n, allocated;
};

struct workdays {
        struct workdays_set off;  /* holidays (放假) */
        struct workdays_set work; /* make-up working days (调休上班) */
        char **names;             /* every name given, copied once per call */
        size_t n_names;
        int *years; /* covered years, sorted */
        size_t n_years;
};

struct workdays *workdays_new(void) {
        return calloc(1, sizeof(struct workdays));
}

void workdays_free(struct workdays *w) {
        if (!w)
                return;
        free(w->off.days);
        free(w->work.days);
        strv_free_n(w->names, w->n_names);
        free(w->years);
        free(w);
}

/* The index of the first entry >= d. */
static size_t set_lower_bound(const struct workdays_set *s, day_t d) {
        size_t lo = 0, hi = s->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (s->days[mid].day < d)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static const struct workdays_day *set_find(const struct workdays_set *s, day_t d) {
        size_t i = set_lower_bound(s, d);

        return i < s->n && s->days[i].day == d ? &s->days[i] : NULL;
}

/* Adds d unless it is there already: the first calendar to name a day keeps
 * it. Days usually come in ascending order, so this mostly appends. */
static int set_insert(struct workdays_set *s, day_t d, const char *name) {
        size_t i = set_lower_bound(s, d);

        if (i < s->n && s->days[i].day == d)
                return 0;
        if (s->n == s->allocated) {
                size_t a = s->allocated ? s->allocated * 2 : 32;
                struct workdays_day *p = reallocarray(s->days, a, sizeof *p);

                if (!p)
                        return -ENOMEM;
                s->days = p;
                s->allocated = a;
        }
        memmove(&s->days[i + 1], &s->days[i], (s->n - i) * sizeof *s->days);
        s->days[i] = (struct workdays_day) { .day = d, .name = name };
        s->n++;
        return 0;
}

/* Copies name into w; the copy lives as long as w. */
static const char *workdays_intern(struct workdays *w, const char *name) {
        return strv_push(&w->names, &w->n_names, name) < 0 ? NULL : w->names[w->n_names - 1];
}

int workdays_add_off(struct workdays *w, day_t first, day_t last, const char *name) {
        const char *n;

        if (!w || !name || last < first)
                return -EINVAL;
        n = workdays_intern(w, name);
        if (!n)
                return -ENOMEM;
        for (day_t d = first;; d++) {
                if (set_insert(&w->off, d, n) < 0)
                        return -ENOMEM;
                if (d == last) /* not d <= last: last may be the largest day_t */
                        break;
        }
        return 0;
}

int workdays_add_work(struct workdays *w, day_t day, const char *name) {
        const char *n;

        if (!w || !name)
                return -EINVAL;
        n = workdays_intern(w, name);
        if (!n)
                return -ENOMEM;
        return set_insert(&w->work, day, n);
}

int workdays_cover_year(struct workdays *w, int year) {
        size_t i = 0;
        int *p;

        if (!w || year < 1 || year > 9999)
                return -EINVAL;
        while (i < w->n_years && w->years[i] < year)
                i++;
        if (i < w->n_years && w->years[i] == year)
                return 0;
        p = reallocarray(w->years, w->n_years + 1, sizeof *p);
        if (!p)
                return -ENOMEM;
        w->years = p;
        memmove(&p[i + 1], &p[i], (w->n_years - i) * sizeof *p);
        p[i] = year;
        w->n_years++;
        return 0;
}

bool workdays_covers(const struct workdays *w, int year) {
        for (size_t i = 0; w && i < w->n_years; i++)
                if (w->years[i] == year)
                        return true;
        return false;
}

/* A make-up day works even if some calendar also lists it as off. */
bool workdays_is_working(const struct workdays *w, day_t d) {
        bool weekday = date_weekday(d) <= 5;

        if (!w)
                return weekday;
        if (weekday && !set_find(&w->off, d))
                return true;
        return set_find(&w->work, d) != NULL;
}

const char *workdays_holiday_name(const struct workdays *w, day_t d) {
        const struct workdays_day *e;

        if (!w)
                return NULL;
        e = set_find(&w->work, d);
        if (!e)
                e = set_find(&w->off, d);
        return e ? e->name : NULL;
}

int workdays_find_holiday(const struct workdays *w, int year, const char *stem, day_t *first,
                          day_t *last) {
        size_t i;

        if (!w || year < 1 || year > 9999)
                return -ENOENT;
        for (i = set_lower_bound(&w->off, date_from_ymd(year, 1, 1));
             i < w->off.n && date_year(w->off.days[i].day) == year; i++)
                if (strstr(w->off.days[i].name, stem))
                        break;
        if (i == w->off.n || date_year(w->off.days[i].day) != year)
                return -ENOENT;
        *first = *last = w->off.days[i].day;
        for (i++; i < w->off.n && w->off.days[i].day == *last + 1 &&
                  strstr(w->off.days[i].name, stem); i++)
                *last = w->off.days[i].day;
        return 0;
}

/* Both sets in day order, merged. */
int workdays_foreach(const struct workdays *w, day_t from, day_t to,
                     int (*fn)(day_t d, bool working, const char *name, void *userdata),
                     void *userdata) {
        size_t i, j;

        if (!w)
                return 0;
        i = set_lower_bound(&w->off, from);
        j = set_lower_bound(&w->work, from);
        for (;;) {
                bool off_next = i < w->off.n && w->off.days[i].day <= to;
                bool work_next = j < w->work.n && w->work.days[j].day <= to;
                const struct workdays_day *d;
                bool working;
                int r;

                if (!off_next && !work_next)
                        return 0;
                working = !off_next || (work_next && w->work.days[j].day < w->off.days[i].day);
                d = working ? &w->work.days[j++] : &w->off.days[i++];
                r = fn(d->day, working, d->name, userdata);
                if (r != 0)
                        return r;
        }
}

/* Every run of days off is finite (the lists are), so these loops end. */
day_t workdays_on_or_before(const struct workdays *w, day_t d) {
        while (!workdays_is_working(w, d))
                d--;
        return d;
}

day_t workdays_on_or_after(const struct workdays *w, day_t d) {
        while (!workdays_is_working(w, d))
                d++;
        return d;
}

day_t workdays_add(const struct workdays *w, day_t d, int n) {
        int step = n < 0 ? -1 : 1;

        while (n != 0) {
                d += step;
                if (workdays_is_working(w, d))
                        n -= step;
        }
        return d;
}
