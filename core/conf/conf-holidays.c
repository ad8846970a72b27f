/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "conf/conf-internal.h"

static const char *const calendar_keys[] = { "name", "years", "holidays", NULL };
static const char *const holiday_keys[] = { "name", "from", "to", "work", NULL };

/* Reads a "YYYY-MM-DD" string member; absent is fine unless required. */
static int read_date(struct confread *r, const config_setting_t *g, const char *key,
                     bool required, day_t *out) {
        char *s = NULL;
        int k = confread_string(r, g, key, required, &s);

        if (k == 1 && date_parse_iso(s, out) < 0) {
                confread_error(r, config_setting_get_member(g, key),
                               "'%s': \"%s\" is not a date (YYYY-MM-DD)", key, s);
                k = -EINVAL;
        }
        free(s);
        return k;
}

static int read_work_days(struct confread *r, const config_setting_t *h, const char *name,
                          struct workdays *w) {
        char **days = NULL;
        size_t n = 0;
        int k = confread_strings(r, h, "work", false, &days, &n), ret = k < 0 ? k : 0;

        for (size_t i = 0; i < n; i++) {
                day_t d;

                if (date_parse_iso(days[i], &d) < 0) {
                        confread_error(r, config_setting_get_member(h, "work"),
                                       "'work': \"%s\" is not a date (YYYY-MM-DD)", days[i]);
                        ret = -EINVAL;
                } else if (workdays_add_work(w, d, name) < 0)
                        ret = -ENOMEM;
                free(days[i]);
        }
        free(days);
        return ret;
}

static int read_holiday(struct confread *r, const config_setting_t *h, struct workdays *w) {
        char *name = NULL;
        day_t from, to;
        int k, kt, ret = 0;

        if (!confread_known_keys(r, h, "holiday", holiday_keys))
                return -EINVAL;
        if (confread_string(r, h, "name", true, &name) <= 0)
                return -EINVAL;
        k = read_date(r, h, "from", true, &from);
        kt = read_date(r, h, "to", false, &to);
        if (k == 1 && kt == 0)
                to = from;
        if (k == 1 && kt >= 0 && to < from) {
                confread_error(r, h, "holiday \"%s\" ends before it begins", name);
                ret = -EINVAL;
        } else if (k == 1 && kt >= 0)
                ret = workdays_add_off(w, from, to, name);
        else
                ret = -EINVAL;
        if (read_work_days(r, h, name, w) < 0)
                ret = -EINVAL;
        free(name);
        return ret;
}

static int read_years(struct confread *r, const config_setting_t *cal, struct workdays *w) {
        const config_setting_t *years = config_setting_get_member(cal, "years");
        int ret = 0;

        if (!years || config_setting_type(years) != CONFIG_TYPE_ARRAY) {
                confread_error(r, cal, "'years' must be an array of the years this file "
                               "describes, such as [ 2025 ]");
                return -EINVAL;
        }
        for (int i = 0; i < config_setting_length(years); i++) {
                const config_setting_t *y = config_setting_get_elem(years, (unsigned) i);

                if (config_setting_type(y) != CONFIG_TYPE_INT ||
                    config_setting_get_int(y) < 1970 || config_setting_get_int(y) > 9999) {
                        confread_error(r, y, "'years' must hold years such as 2025");
                        ret = -EINVAL;
                } else if (workdays_cover_year(w, config_setting_get_int(y)) < 0)
                        ret = -ENOMEM;
        }
        return ret;
}

static int read_calendar(struct confread *r, const config_setting_t *cal, struct workdays *w) {
        const config_setting_t *list;
        int ret = 0;

        if (!confread_known_keys(r, cal, "calendar", calendar_keys))
                ret = -EINVAL;
        if (read_years(r, cal, w) < 0)
                ret = -EINVAL;
        if (confread_list(r, cal, "holidays", true, &list) <= 0)
                return -EINVAL;
        for (int i = 0; i < config_setting_length(list); i++)
                if (read_holiday(r, config_setting_get_elem(list, (unsigned) i), w) < 0)
                        ret = -EINVAL;
        return ret;
}

int conf_holidays_load(struct confread *r, const char *path, struct workdays *w) {
        static const char *const top_keys[] = { "calendar", NULL };
        const config_setting_t *cal;
        config_t cfg;
        int ret;

        config_init(&cfg);
        ret = confread_file(r, &cfg, path);
        if (ret == 0 && !confread_known_keys(r, config_root_setting(&cfg), "a holiday file",
                                             top_keys))
                ret = -EINVAL;
        if (ret == 0 && confread_group(r, config_root_setting(&cfg), "calendar", true, &cal) <= 0)
                ret = -EINVAL;
        if (ret == 0)
                ret = read_calendar(r, cal, w);
        config_destroy(&cfg);
        return ret;
}
