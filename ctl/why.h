/* SPDX-License-Identifier: MIT */
#pragma once

/* ledgerd's Why answers in lines for a person (core/busapi/busapi.h); ledgerctl why
 * --json gives them as data: where the date comes from, each owner's policy,
 * and each reminder with its rule and whether the holidays moved it. The
 * lines are read here by the formats daemon/bus/bus-milestones.c writes; a
 * line that is none of them is kept in "lines" only, which holds them all. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "ledger/date.h"

struct why_reminder {
        char day[DATE_ISO_LEN], time[6]; /* local: "2025-09-30", "09:30" */
        char kind[16], offset[16];       /* "upcoming", "7d" */
        unsigned owners;
        char *state;                     /* "planned", "past", "not sent: done" … */
        /* Where a rule in calendar days put it before the holidays moved it;
         * "" for a rule in working days, which counts only those. */
        char nominal[DATE_ISO_LEN];
};

/* A reminder line: 0, or -EINVAL when the line is no such line. Free
 * state. due: the milestone's due date, for the rule's nominal day. */
int why_parse_reminder(const char *line, day_t due, struct why_reminder *out);
/* Whether the holidays moved it: nominal day known and not its day. */
bool why_reminder_moved(const struct why_reminder *rm);

/* All the lines as JSON: { id, due, origin, phrase, undated_reason,
 * policies: [ { owner, time, before, after_miss, escalate_to, from } ],
 * reminders: [ { at, day, kind, offset, rule: { amount, unit, side },
 * nominal_day, moved, owners, state } ], lines }. tz: the zone of the
 * lines' local times (ledgerd's). */
json_object *why_json(const char *id, char *const *lines, const char *tz);
