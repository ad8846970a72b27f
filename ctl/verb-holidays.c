/* SPDX-License-Identifier: MIT */
/* ledgerctl holidays [--year Y]: the days off and make-up working days the
 * configured calendars know, and which file says so, so that the bureau
 * can check a calendar it has just added against the State Council's
 * notice. */

#include <json-c/json.h>
#include <stdio.h>

#include "calendar.h"
#include "ledgerctl.h"
#include "ledger/workdays.h"

struct listing {
        const char *file;
        json_object *json; /* NULL: text */
        size_t n;
};

static int list_day(day_t d, bool working, const char *name, void *userdata) {
        struct listing *l = userdata;
        char iso[DATE_ISO_LEN];

        date_format_iso(d, iso);
        l->n++;
        if (!l->json) {
                printf("%s %s  %-4s %s  %s\n", iso, date_weekday_zh(d), working ? "work" : "off",
                       name, l->file);
                return 0;
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "date", json_object_new_string(iso));
        json_object_object_add(o, "kind", json_object_new_string(working ? "work" : "off"));
        json_object_object_add(o, "holiday", json_object_new_string(name));
        json_object_object_add(o, "file", json_object_new_string(l->file));
        json_object_array_add(l->json, o);
        return 0;
}

int verb_holidays(int argc, char **argv, const struct ctl_options *o) {
        struct ctl_calendar cal;
        struct listing l = { .json = o->json ? json_object_new_array() : NULL };
        day_t from = o->year ? date_from_ymd(o->year, 1, 1) : date_from_ymd(1, 1, 1);
        day_t to = o->year ? date_from_ymd(o->year, 12, 31) : date_from_ymd(9999, 12, 31);
        int r;

        (void) argc, (void) argv;
        r = ctl_calendar_load(o, "holidays", &cal);
        for (size_t i = 0; r == 0 && i < cal.n_files; i++) {
                l.file = cal.files[i].path;
                workdays_foreach(cal.files[i].days, from, to, list_day, &l);
        }
        if (r == 0 && l.json)
                puts(json_object_to_json_string_ext(l.json, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
        else if (r == 0 && !cal.config_path)
                fprintf(stderr, "ledgerctl holidays: no configuration (--config CONF; %s is not "
                        "there): no holiday calendar\n", CTL_CONFIG);
        else if (r == 0 && l.n == 0)
                fprintf(stderr, "ledgerctl holidays: the calendars of %s know no day%s%.0d\n",
                        cal.config_path, o->year ? " in " : "", o->year);
        if (r == 0 && o->year && ctl_calendar_days(&cal) &&
            !workdays_covers(ctl_calendar_days(&cal), o->year))
                fprintf(stderr, "ledgerctl holidays: no calendar covers %d\n", o->year);
        json_object_put(l.json);
        ctl_calendar_free(&cal);
        return r;
}
