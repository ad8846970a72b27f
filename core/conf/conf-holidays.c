/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "conf/conf-internal.h"

static const char *const calendar_keys[] = { "name", "years", "holidays", NULL };
static const char *const holiday_keys[] = { "name", "from", "to", "work", NULL };

/* Reads a "YYYY-MM-DD" string member; absent is fine unless required. */
static int read_date(struct confread *cr, const config_setting_t *g, const char *key,
                     bool required, day_t *out) {
        char *s = NULL;
        int k = confread_string(cr, g, key, required, &s);

        if (k == 1 && date_parse_iso(s, out) < 0) {
                confread_error(cr, config_setting_get_member(g, key),
                               "'%s': \"%s\" is not a date (YYYY-MM-DD)", key, s);
                k = -EINVAL;
        }
        free(s);
        return k;
}

static int read_work_days(struct confread *cr, const config_setting_t *h, const char *name,
                          struct workdays *w) {
        char **days = NULL;
        size_t n = 0;
        int k = confread_strings(cr, h, "work", false, &days, &n), r = k < 0 ? k : 0;

        for (size_t i = 0; i < n; i++) {
                day_t d;

                if (date_parse_iso(days[i], &d) < 0) {
                        confread_error(cr, config_setting_get_member(h, "work"),
                                       "'work': \"%s\" is not a date (YYYY-MM-DD)", days[i]);
                        r = -EINVAL;
                } else if (workdays_add_work(w, d, name) < 0)
                        r = -ENOMEM;
                free(days[i]);
        }
        free(days);
        return r;
}

static int read_holiday(struct confread *cr, const config_setting_t *h, struct workdays *w) {
        char *name = NULL;
        day_t from, to;
        int k, kt, r = 0;

        if (!confread_known_keys(cr, h, "holiday", holiday_keys))
                return -EINVAL;
        if (confread_string(cr, h, "name", true, &name) <= 0)
                return -EINVAL;
        k = read_date(cr, h, "from", true, &from);
        kt = read_date(cr, h, "to", false, &to);
        if (k == 1 && kt == 0)
                to = from;
        if (k == 1 && kt >= 0 && to < from) {
                confread_error(cr, h, "holiday \"%s\" ends before it begins", name);
                r = -EINVAL;
        } else if (k == 1 && kt >= 0)
                r = workdays_add_off(w, from, to, name);
        else
                r = -EINVAL;
        if (read_work_days(cr, h, name, w) < 0)
                r = -EINVAL;
        free(name);
        return r;
}

static int read_years(struct confread *cr, const config_setting_t *cal, struct workdays *w) {
        const config_setting_t *years = config_setting_get_member(cal, "years");
        int r = 0;

        if (!years || config_setting_type(years) != CONFIG_TYPE_ARRAY) {
                confread_error(cr, cal, "'years' must be an array of the years this file "
                               "describes, such as [ 2025 ]");
                return -EINVAL;
        }
        for (int i = 0; i < config_setting_length(years); i++) {
                const config_setting_t *y = config_setting_get_elem(years, (unsigned) i);

                if (config_setting_type(y) != CONFIG_TYPE_INT ||
                    config_setting_get_int(y) < 1970 || config_setting_get_int(y) > 9999) {
                        confread_error(cr, y, "'years' must hold years such as 2025");
                        r = -EINVAL;
                } else if (workdays_cover_year(w, config_setting_get_int(y)) < 0)
                        r = -ENOMEM;
        }
        return r;
}

static int read_calendar(struct confread *cr, const config_setting_t *cal, struct workdays *w) {
        const config_setting_t *list;
        int r = 0;

        if (!confread_known_keys(cr, cal, "calendar", calendar_keys))
                r = -EINVAL;
        if (read_years(cr, cal, w) < 0)
                r = -EINVAL;
        if (confread_list(cr, cal, "holidays", true, &list) <= 0)
                return -EINVAL;
        for (int i = 0; i < config_setting_length(list); i++)
                if (read_holiday(cr, config_setting_get_elem(list, (unsigned) i), w) < 0)
                        r = -EINVAL;
        return r;
}

int conf_holidays_load(struct confread *cr, const char *path, struct workdays *w) {
        static const char *const top_keys[] = { "calendar", NULL };
        const config_setting_t *cal;
        config_t cfg;
        int r;

        config_init(&cfg);
        r = confread_file(cr, &cfg, path);
        if (r == 0 && !confread_known_keys(cr, config_root_setting(&cfg), "a holiday file",
                                             top_keys))
                r = -EINVAL;
        if (r == 0 && confread_group(cr, config_root_setting(&cfg), "calendar", true, &cal) <= 0)
                r = -EINVAL;
        if (r == 0)
                r = read_calendar(cr, cal, w);
        config_destroy(&cfg);
        return r;
}
