/* SPDX-License-Identifier: MIT */
/* A "reminders" group: the defaults in ledgerd.conf, or an override of them
 * for an owner or a task. An override sets what it gives and nothing else:
 * its keys have no defaults, but escalate_after. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/strv.h"
#include "conf/conf-internal.h"

/* Whom to escalate to is said; how long after, by default, this. */
#define ESCALATE_AFTER "3wd"

void conf_policy_defaults(struct policy *p) {
        static const struct offset leads[] = {
                { 14, OFFSET_DAYS }, { 7, OFFSET_DAYS }, { 3, OFFSET_DAYS },
                { 1, OFFSET_DAYS },  { 0, OFFSET_DAYS },
        };
        static const struct offset overdue[] = {
                { 1, OFFSET_WORKDAYS }, { 3, OFFSET_WORKDAYS }, { 7, OFFSET_WORKDAYS },
        };

        *p = (struct policy) {
                .has_leads = true, .has_overdue = true, .has_time = true,
                .has_escalation = true,
                .n_leads = sizeof leads / sizeof *leads,
                .n_overdue = sizeof overdue / sizeof *overdue,
                .minute_of_day = 9 * 60,
        };
        offset_parse(ESCALATE_AFTER, &p->escalate_after);
        memcpy(p->leads, leads, sizeof leads);
        memcpy(p->overdue, overdue, sizeof overdue);
}

/* What the table reads into: the policy, and the texts to make it from. */
struct policy_read {
        struct policy p;
        const char *time;
        char **leads;
        size_t n_leads;
        char **overdue;
        size_t n_overdue;
        const char *escalate_to;
        const char *escalate_after;
};

/* "HH:MM", 00:00 to 23:59. */
static int parse_time_of_day(const char *s, int *minute_of_day) {
        int h, m, n = 0;

        if (strlen(s) != 5 || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || s[2] != ':')
                return -EINVAL;
        if (h < 0 || h > 23 || m < 0 || m > 59)
                return -EINVAL;
        *minute_of_day = h * 60 + m;
        return 0;
}

static int check_time(const struct conftable_value *v) {
        struct policy_read *pr = v->target;

        if (parse_time_of_day(pr->time, &pr->p.minute_of_day) < 0) {
                confread_error(v->cr, v->setting,
                               "'time' must be HH:MM (24-hour local time), not \"%s\"", pr->time);
                return -EINVAL;
        }
        pr->p.has_time = true;
        return 0;
}

/* The key's strings into out, all of them or none (the first bad one said). */
static int parse_offsets(const struct conftable_value *v, char **texts, size_t n,
                         struct offset *out, size_t *n_out, bool *has) {
        if (n > POLICY_MAX_OFFSETS) {
                confread_error(v->cr, v->setting, "'%s' has %zu entries; at most %d", v->key->key,
                               n, POLICY_MAX_OFFSETS);
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
                if (offset_parse(texts[i], &out[i]) < 0) {
                        confread_error(v->cr, v->setting, "'%s': \"%s\" is not an offset such as "
                                       "\"14d\" (calendar days) or \"3wd\" (working days)",
                                       v->key->key, texts[i]);
                        return -EINVAL;
                }
        *n_out = n;
        *has = true;
        return 0;
}

static int check_leads(const struct conftable_value *v) {
        struct policy_read *pr = v->target;

        return parse_offsets(v, pr->leads, pr->n_leads, pr->p.leads, &pr->p.n_leads,
                             &pr->p.has_leads);
}

static int check_overdue(const struct conftable_value *v) {
        struct policy_read *pr = v->target;

        return parse_offsets(v, pr->overdue, pr->n_overdue, pr->p.overdue, &pr->p.n_overdue,
                             &pr->p.has_overdue);
}

/* Both keys read first, as their wrong types are said before the rest. */
static int check_escalation(const struct conftable_value *v) {
        struct policy_read *pr = v->target;
        enum conftable_state to = conftable_state(v, "escalate_to");
        enum conftable_state after = conftable_state(v, "escalate_after");
        int r = 0;

        if (to == CONFTABLE_OK) {
                pr->p.escalate_to = config_find_owner(v->cr->config, pr->escalate_to);
                pr->p.has_escalation = pr->p.escalate_to != NULL;
                if (!pr->p.escalate_to) {
                        confread_error(v->cr, conftable_setting(v, "escalate_to"),
                                       "'escalate_to': no owner \"%s\" is defined",
                                       pr->escalate_to);
                        r = -EINVAL;
                }
        }
        if ((after == CONFTABLE_OK || after == CONFTABLE_ABSENT) &&
            offset_parse(pr->escalate_after, &pr->p.escalate_after) < 0) {
                confread_error(v->cr, conftable_setting(v, "escalate_after"),
                               "'escalate_after' must be an offset such as \"3wd\", not \"%s\"",
                               pr->escalate_after);
                return -EINVAL;
        }
        if (after == CONFTABLE_OK && to == CONFTABLE_ABSENT) {
                confread_error(v->cr, conftable_setting(v, "escalate_after"),
                               "'escalate_after' needs 'escalate_to': whom to escalate to");
                r = -EINVAL;
        }
        return r;
}

#define POLICY(field) offsetof(struct policy_read, field)

/* An unknown key stops the group: a policy half understood would remind
 * at other times than the file says. */
static const struct conftable_key policy_keys[] = {
        CONFTABLE_KEY("time", CONFTABLE_TEXT, .offset = POLICY(time), .check = check_time),
        CONFTABLE_KEY("leads", CONFTABLE_STRINGS, .offset = POLICY(leads),
                      .count_offset = POLICY(n_leads), .check = check_leads),
        CONFTABLE_KEY("overdue", CONFTABLE_STRINGS, .offset = POLICY(overdue),
                      .count_offset = POLICY(n_overdue), .check = check_overdue),
        CONFTABLE_KEY("escalate_to", CONFTABLE_TEXT, .offset = POLICY(escalate_to)),
        CONFTABLE_KEY("escalate_after", CONFTABLE_TEXT, .offset = POLICY(escalate_after),
                      .def = ESCALATE_AFTER),
        CONFTABLE_DO(check_escalation),
};
static const struct conftable policy_table = {
        .what = "reminders", CONFTABLE_KEYS(policy_keys), .stop_on_unknown = true,
};

int conf_policy_read(struct confread *cr, const config_setting_t *g, struct policy *p) {
        struct policy_read pr = { 0 };
        int r = conftable_read(cr, &policy_table, g, &pr);

        *p = pr.p;
        strv_free(pr.leads);
        strv_free(pr.overdue);
        return r;
}
