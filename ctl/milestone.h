/* SPDX-License-Identifier: MIT */
#pragma once

/* Milestones as ledgerd sends them (BUS_MILESTONE of core/busapi/busapi.h), read
 * once and shown as a table or as JSON. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "bus-client.h"
#include "columns.h"

/* The strings point into the reply they were read from; owners is owned. */
struct ctl_milestone {
        const char *ledger, *id, *task, *label, *item, *due, *status;
        char **owners;
        int64_t done_at; /* microseconds; 0: not done */
        const char *done_by, *note;
};

#define CTL_REPLIES_MAX 5 /* 4 statuses and --due-within */

struct ctl_milestones {
        struct ctl_milestone *v;
        size_t n, allocated;
        sd_bus_message *replies[CTL_REPLIES_MAX]; /* kept while v points into them */
        size_t n_replies;
};

/* Reads one BUS_MILESTONE: 1, 0 at the end of the array, or -errno. */
int ctl_milestone_read(sd_bus_message *m, struct ctl_milestone *ms);
/* Every milestone of an "a" BUS_MILESTONE reply, appended to list (which
 * keeps the reply). 0 or -errno. */
int ctl_milestones_take(struct ctl_milestones *list, sd_bus_message *reply);
void ctl_milestones_free(struct ctl_milestones *list);
/* ListMilestones with the filters of the options: --owner and --ledger narrow
 * down; each status asked for and --due-within add their milestones (one
 * call each). 0 or an exit status after a message. */
int ctl_milestones_fetch(struct ctl_bus *b, const struct ctl_bus_options *o,
                         const char *const *statuses, struct ctl_milestones *list);
/* By due date (undated last), then ledger and id. */
void ctl_milestones_sort(struct ctl_milestones *list);
/* Whether the list names more than one ledger: then ids are "LEDGER/ID". */
bool ctl_milestones_several_ledgers(const struct ctl_milestones *list);

/* "15.2" or "yuli-2025/15.2" into buf. */
void ctl_milestone_name(const struct ctl_milestone *ms, bool qualify, char *buf, size_t size);
/* The colour of a status name (COLUMNS_*), "" for none. */
const char *ctl_status_colour(const char *status);
/* The table of list and status: ID, DUE, STATUS, OWNERS, ITEM. */
int ctl_milestones_table(const struct ctl_milestones *list, bool qualify, FILE *out);

json_object *ctl_milestone_json(const struct ctl_milestone *ms, const char *tz);
json_object *ctl_json_time(const char *tz, uint64_t usec); /* null for 0 */
/* An array of the strings up to v's NULL; v may be NULL (then []). */
json_object *ctl_json_strv(char *const *v);
/* Pretty, UTF-8 as it is, one value; drops the reference. */
void ctl_json_print(json_object *o);
