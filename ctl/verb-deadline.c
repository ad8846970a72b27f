/* SPDX-License-Identifier: MIT */
/* ledgerctl deadline PHRASE…: how ledgerd reads a phrase, offline, so an
 * officer can check it before putting it in the ledger. */

#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "calendar.h"
#include "ledgerctl.h"
#include "ledger/when.h"

static int current_year(void) {
        time_t now = time(NULL);
        struct tm tm;

        localtime_r(&now, &tm);
        return tm.tm_year + 1900;
}

static void print_text(const char *phrase, int year, const struct when_result *w) {
        printf("\"%s\" (%d): %s\n", phrase, year, when_kind_name(w->kind));
        for (size_t i = 0; i < w->n_dates; i++) {
                char date[DATE_ISO_LEN];

                date_format_iso(w->dates[i].day, date);
                printf("  %s %s%s%s%s%s\n", date, date_weekday_zh(w->dates[i].day),
                       w->dates[i].label[0] ? "  " : "", w->dates[i].label,
                       w->dates[i].note[0] ? "  — " : "", w->dates[i].note);
        }
        if (w->kind != WHEN_DATED)
                printf("  %s\n", w->reason);
}

static json_object *result_json(const char *phrase, int year, const struct when_result *w) {
        json_object *o = json_object_new_object(), *dates = json_object_new_array();

        for (size_t i = 0; i < w->n_dates; i++) {
                json_object *d = json_object_new_object();
                char date[DATE_ISO_LEN];

                date_format_iso(w->dates[i].day, date);
                json_object_object_add(d, "date", json_object_new_string(date));
                json_object_object_add(d, "label", json_object_new_string(w->dates[i].label));
                json_object_object_add(d, "note", json_object_new_string(w->dates[i].note));
                json_object_array_add(dates, d);
        }
        json_object_object_add(o, "phrase", json_object_new_string(phrase));
        json_object_object_add(o, "year", json_object_new_int(year));
        json_object_object_add(o, "kind", json_object_new_string(when_kind_name(w->kind)));
        json_object_object_add(o, "dates", dates);
        json_object_object_add(o, "reason", w->kind == WHEN_DATED ? NULL
                                                                  : json_object_new_string(w->reason));
        return o;
}

int verb_deadline(int argc, char **argv, const struct ctl_options *o) {
        int year = o->year ? o->year : current_year(), status = CTL_EXIT_OK;
        struct ctl_calendar cal;
        json_object *list;

        if (ctl_calendar_load(o, "deadline", &cal) != 0)
                return CTL_EXIT_FAILURE;
        list = json_object_new_array();
        for (int i = 1; i < argc; i++) {
                struct when_result w;

                when_parse_with(argv[i], year, ctl_calendar_days(&cal), &w);
                if (w.kind == WHEN_UNKNOWN)
                        status = CTL_EXIT_FAILURE;
                if (o->json)
                        json_object_array_add(list, result_json(argv[i], year, &w));
                else
                        print_text(argv[i], year, &w);
        }
        if (o->json)
                puts(json_object_to_json_string_ext(list, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(list);
        ctl_calendar_free(&cal);
        return status;
}
