/* SPDX-License-Identifier: MIT */
#include "why.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/strv.h"
#include "ledger/zone.h"
#include "milestone.h"
#include "timefmt.h"

/* ---- one reminder ------------------------------------------------------------- */

/* "14d" → 14 and false; "3wd" → 3 and true. -EINVAL for anything else. */
static int parse_offset(const char *s, int *amount, bool *workdays) {
        char *end;
        long v = strtol(s, &end, 10);

        if (end == s || v < 0 || v > 3660)
                return -EINVAL;
        *amount = (int) v;
        *workdays = strcmp(end, "wd") == 0;
        return *workdays || strcmp(end, "d") == 0 ? 0 : -EINVAL;
}

/* Before the due date (a lead, the day itself) or after it (a miss). */
static bool after_due(const char *kind) {
        return strcmp(kind, "overdue") == 0 || strcmp(kind, "escalation") == 0;
}

/* "2025-09-30 09:30 upcoming 7d to 1 owner (planned)" */
int why_parse_reminder(const char *line, day_t due, struct why_reminder *out) {
        const char *open = strrchr(line, '(');
        size_t len = strlen(line);
        int amount, n = 0;
        bool workdays;
        day_t day;

        *out = (struct why_reminder) {};
        if (!open || len < 2 || line[len - 1] != ')' ||
            sscanf(line, "%10s %5s %15s %15s to %u owner%n", out->day, out->time, out->kind,
                   out->offset, &out->owners, &n) != 5 || n == 0 ||
            date_parse_iso(out->day, &day) < 0 || parse_offset(out->offset, &amount, &workdays) < 0)
                return -EINVAL;
        if (!workdays)
                date_format_iso(after_due(out->kind) ? due + amount : due - amount, out->nominal);
        out->state = strndup(open + 1, (size_t) (line + len - 1 - (open + 1)));
        return out->state ? 0 : -ENOMEM;
}

bool why_reminder_moved(const struct why_reminder *rm) {
        return *rm->nominal && strcmp(rm->nominal, rm->day) != 0;
}

static json_object *rule_json(const struct why_reminder *rm) {
        json_object *o = json_object_new_object();
        int amount = 0;
        bool workdays = false;

        parse_offset(rm->offset, &amount, &workdays);
        json_object_object_add(o, "amount", json_object_new_int(amount));
        json_object_object_add(o, "unit", json_object_new_string(workdays ? "working days" : "days"));
        json_object_object_add(o, "side", json_object_new_string(after_due(rm->kind) ? "after due"
                                                                                     : "before due"));
        return o;
}

static json_object *reminder_json(const struct why_reminder *rm, const char *tz) {
        json_object *o = json_object_new_object();
        char local[32];
        time_t t;

        snprintf(local, sizeof local, "%sT%s", rm->day, rm->time);
        json_object_object_add(o, "at", zone_parse_time(tz, local, &t) == 0
                                                ? ctl_json_time(tz, (uint64_t) t * 1000000) : NULL);
        json_object_object_add(o, "day", json_object_new_string(rm->day));
        json_object_object_add(o, "kind", json_object_new_string(rm->kind));
        json_object_object_add(o, "offset", json_object_new_string(rm->offset));
        json_object_object_add(o, "rule", rule_json(rm));
        json_object_object_add(o, "nominal_day", *rm->nominal ? json_object_new_string(rm->nominal)
                                                              : NULL);
        json_object_object_add(o, "moved", *rm->nominal ? json_object_new_boolean(why_reminder_moved(rm))
                                                        : NULL);
        json_object_object_add(o, "owners", json_object_new_int((int) rm->owners));
        json_object_object_add(o, "state", json_object_new_string(rm->state));
        return o;
}

/* ---- a policy ------------------------------------------------------------------- */

/* "14d 7d 3d" or "none" → an array. */
static json_object *offsets_json(const char *s, size_t n) {
        json_object *a = json_object_new_array();
        char *copy = strndup(s, n), *save = NULL;

        if (copy && strcmp(copy, "none") != 0)
                for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
                        json_object_array_add(a, json_object_new_string(w));
        free(copy);
        return a;
}

/* "县财政局: at 09:30, before: 14d 7d; after a miss: 1wd; escalate to 州财政局 (the defaults)"
 * → the policy, or NULL when the line is no such line. */
static json_object *policy_json(const char *line) {
        const char *at = strstr(line, ": at "), *before, *after, *escalate, *from;
        size_t len = strlen(line);
        json_object *o;

        if (!at || strncmp(at + 10, ", before: ", 10) != 0 || line[len - 1] != ')')
                return NULL;
        before = at + 20;
        after = strstr(before, "; after a miss: ");
        from = strrchr(line, '(');
        if (!after || !from || from < after || from[-1] != ' ')
                return NULL;
        escalate = strstr(after, "; escalate to ");
        if (escalate && escalate > from)
                escalate = NULL;
        o = json_object_new_object();
        json_object_object_add(o, "owner", json_object_new_string_len(line, (int) (at - line)));
        json_object_object_add(o, "time", json_object_new_string_len(at + 5, 5));
        json_object_object_add(o, "before", offsets_json(before, (size_t) (after - before)));
        after += strlen("; after a miss: ");
        json_object_object_add(o, "after_miss", offsets_json(after, (size_t) ((escalate ? escalate
                                                                                          : from - 1) - after)));
        json_object_object_add(o, "escalate_to",
                               escalate ? json_object_new_string_len(escalate + 14,
                                                                     (int) (from - 1 - (escalate + 14)))
                                        : NULL);
        json_object_object_add(o, "from", json_object_new_string_len(from + 1,
                                                                      (int) (line + len - 1 - (from + 1))));
        return o;
}

/* ---- the milestone ----------------------------------------------------------------- */

/* "15.2 is due 2025-04-30 周三, read from the phrase": the due date and
 * where it comes from; or "task 19 has no date, so no reminders: …". */
static void head_json(json_object *o, const char *line, day_t *due) {
        static const char undated[] = " has no date, so no reminders: ";
        const char *is_due = strstr(line, " is due "), *no_date = strstr(line, undated);
        char date[DATE_ISO_LEN] = "";

        if (is_due && sscanf(is_due, " is due %10s", date) == 1 && date_parse_iso(date, due) == 0) {
                json_object_object_add(o, "due", json_object_new_string(date));
                json_object_object_add(o, "origin", json_object_new_string(
                                                            strstr(line, "dates list") ? "dates"
                                                                                       : "phrase"));
        } else {
                json_object_object_add(o, "due", NULL);
                json_object_object_add(o, "origin", NULL);
        }
        json_object_object_add(o, "undated_reason",
                               no_date ? json_object_new_string(no_date + strlen(undated)) : NULL);
}

json_object *why_json(const char *id, char *const *lines, const char *tz) {
        json_object *o = json_object_new_object(), *policies = json_object_new_array(),
                    *reminders = json_object_new_array(), *phrase = NULL;
        day_t due = 0;

        json_object_object_add(o, "id", json_object_new_string(id));
        if (lines && lines[0])
                head_json(o, lines[0], &due);
        for (size_t i = 1; lines && lines[i]; i++) {
                struct why_reminder rm = {};
                json_object *p;

                if (!phrase && strncmp(lines[i], "phrase: ", 8) == 0)
                        phrase = json_object_new_string(lines[i] + 8);
                else if (why_parse_reminder(lines[i], due, &rm) == 0)
                        json_object_array_add(reminders, reminder_json(&rm, tz));
                else if ((p = policy_json(lines[i])))
                        json_object_array_add(policies, p);
                free(rm.state);
        }
        json_object_object_add(o, "phrase", phrase);
        json_object_object_add(o, "policies", policies);
        json_object_object_add(o, "reminders", reminders);
        json_object_object_add(o, "lines", ctl_json_strv(lines));
        return o;
}
