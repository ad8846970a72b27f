/* SPDX-License-Identifier: MIT */
/* A holiday calendar file: the years it describes and their days off, with
 * the working days that make up for them. */

#include <errno.h>
#include <string.h>
#include <strings.h>

#include <stdlib.h>

#include "basic/strv.h"
#include "conf/conf-internal.h"
#include "conf/conf.h"

/* What the tables read into. */
struct holidays_read {
        struct workdays *w;
};

struct holiday_read {
        struct workdays *w;
        const char *name;
        day_t from, to;
};

/* "to" is "from" when left out; a holiday backwards is an error. */
static int add_days_off(const struct conftable_value *v) {
        struct holiday_read *h = v->target;

        if (conftable_state(v, "to") == CONFTABLE_ABSENT)
                h->to = h->from;
        if (h->to < h->from) {
                confread_error(v->cr, v->group, "holiday \"%s\" ends before it begins", h->name);
                return -EINVAL;
        }
        return workdays_add_off(h->w, h->from, h->to, h->name);
}

/* A make-up working day. */
static int read_work_day(const struct conftable_value *v, const char *day) {
        const struct holiday_read *h = v->target;
        day_t d;

        if (date_parse_iso(day, &d) < 0) {
                confread_error(v->cr, v->setting, "'work': \"%s\" is not a date (YYYY-MM-DD)",
                               day);
                return -EINVAL;
        }
        return workdays_add_work(h->w, d, h->name) < 0 ? -ENOMEM : 0;
}

/* Make-up working days: each date said, those before a wrong one kept. */
static int read_work_days(const struct conftable_value *v) {
        return conftable_each_string(v, read_work_day);
}

#define HOLIDAY(field) offsetof(struct holiday_read, field)

static const struct conftable_key holiday_keys[] = {
        CONFTABLE_KEY("name", CONFTABLE_TEXT, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = HOLIDAY(name)),
        CONFTABLE_KEY("from", CONFTABLE_DATE, .flags = CONFTABLE_REQUIRED,
                      .offset = HOLIDAY(from)),
        CONFTABLE_KEY("to", CONFTABLE_DATE, .offset = HOLIDAY(to)),
        CONFTABLE_DO(add_days_off, .flags = CONFTABLE_IF_ALL_OK),
        CONFTABLE_KEY("work", CONFTABLE_CUSTOM, .read = read_work_days),
};
static const struct conftable holiday_table = {
        .what = "holiday", CONFTABLE_KEYS(holiday_keys), .stop_on_unknown = true,
};

/* Said at the calendar when missing: "years" is what makes the file mean
 * anything. */
static int read_years(const struct conftable_value *v) {
        struct workdays *w = ((struct holidays_read *) v->target)->w;
        const config_setting_t *years = v->setting;
        int r = 0;

        if (!years || config_setting_type(years) != CONFIG_TYPE_ARRAY) {
                confread_error(v->cr, v->group, "'years' must be an array of the years this file "
                               "describes, such as [ 2025 ]");
                return -EINVAL;
        }
        for (int i = 0; i < config_setting_length(years); i++) {
                const config_setting_t *y = config_setting_get_elem(years, (unsigned) i);

                if (config_setting_type(y) != CONFIG_TYPE_INT ||
                    config_setting_get_int(y) < 1970 || config_setting_get_int(y) > 9999) {
                        confread_error(v->cr, y, "'years' must hold years such as 2025");
                        r = -EINVAL;
                } else if (workdays_cover_year(w, config_setting_get_int(y)) < 0)
                        r = -ENOMEM;
        }
        return r;
}

static int read_holiday(const struct conftable_value *v, const config_setting_t *g) {
        struct holiday_read h = { .w = ((struct holidays_read *) v->target)->w };

        return conftable_read(v->cr, &holiday_table, g, &h);
}

static int read_holidays(const struct conftable_value *v) {
        return conftable_each_group(v, read_holiday);
}

/* The calendar's name is for the people who edit the file: known, not read. */
static const struct conftable_key calendar_keys[] = {
        CONFTABLE_KEY("name", CONFTABLE_ANY),
        CONFTABLE_KEY("years", CONFTABLE_CUSTOM, .read = read_years),
        CONFTABLE_KEY("holidays", CONFTABLE_CUSTOM, .flags = CONFTABLE_REQUIRED,
                      .read = read_holidays),
};
static const struct conftable calendar_table = {
        .what = "calendar", CONFTABLE_KEYS(calendar_keys),
};

static const struct conftable_key file_keys[] = {
        CONFTABLE_KEY("calendar", CONFTABLE_GROUP, .flags = CONFTABLE_REQUIRED,
                      .table = &calendar_table),
};
static const struct conftable file_table = {
        .what = "a holiday file", CONFTABLE_KEYS(file_keys), .stop_on_unknown = true,
};

int conf_holidays_load(struct confread *cr, const char *path, struct workdays *w) {
        struct holidays_read hr = { .w = w };
        config_t cfg;
        size_t len = strlen(path);
        int r;

        if (len > 4 && strcasecmp(path + len - 4, ".ics") == 0)
                return conf_holidays_load_ics(cr, path, w);
        config_init(&cfg);
        r = confread_file(cr, &cfg, path);
        if (r == 0)
                r = conftable_read(cr, &file_table, config_root_setting(&cfg), &hr);
        config_destroy(&cfg);
        return r;
}

/* ---- only the calendars, for ledgerctl ------------------------------------------- */

static int load_each(struct confread *cr, char **paths, size_t n, struct conf_holiday_file *files) {
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                char *path = confread_resolve_path(cr->config->path, paths[i]);

                files[i].path = path ? confread_intern_file(cr, path) : NULL;
                files[i].days = workdays_new();
                if (!files[i].path || !files[i].days) {
                        free(path);
                        return -ENOMEM;
                }
                if (conf_holidays_load(cr, path, files[i].days) < 0 ||
                    conf_holidays_load(cr, path, cr->config->calendar) < 0)
                        r = -EINVAL;
                free(path);
        }
        return r;
}

static int read_holiday_list(struct confread *cr, const config_setting_t *root,
                             struct conf_holiday_file **files, size_t *n_files) {
        char **paths = NULL;
        size_t n = 0;
        int r = confread_strings(cr, "holidays", config_setting_get_member(root, "holidays"),
                                 &paths, &n);

        if (r >= 0) {
                *files = calloc(n + 1, sizeof **files);
                *n_files = n;
                r = *files ? load_each(cr, paths, n, *files) : -ENOMEM;
        }
        strv_free(paths);
        return r < 0 ? r : 0;
}

int conf_load_holidays(const char *path, struct config **out, struct conf_holiday_file **files,
                       size_t *n_files, struct diagnostics *diags) {
        struct confread cr = { .diags = diags };
        config_t cfg;
        int r;

        *out = NULL, *files = NULL, *n_files = 0;
        cr.config = calloc(1, sizeof *cr.config);
        if (!cr.config || !(cr.config->path = strdup(path)) ||
            !(cr.config->calendar = workdays_new())) {
                config_free(cr.config);
                return -ENOMEM;
        }
        config_init(&cfg);
        r = confread_file(&cr, &cfg, path);
        if (r == 0)
                r = read_holiday_list(&cr, config_root_setting(&cfg), files, n_files);
        config_destroy(&cfg);
        if (r < 0) {
                conf_holiday_files_free(*files, *n_files);
                *files = NULL, *n_files = 0;
                config_free(cr.config);
                return r == -ENOMEM ? r : -EINVAL;
        }
        *out = cr.config;
        return 0;
}

void conf_holiday_files_free(struct conf_holiday_file *files, size_t n) {
        for (size_t i = 0; files && i < n; i++)
                workdays_free(files[i].days);
        free(files);
}
