/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-internal.h"

static const char *const policy_keys[] = {
        "time", "leads", "overdue", "escalate_to", "escalate_after", NULL,
};

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
                .escalate_after = { 3, OFFSET_WORKDAYS },
        };
        memcpy(p->leads, leads, sizeof leads);
        memcpy(p->overdue, overdue, sizeof overdue);
}

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

static int read_time(struct confread *cr, const config_setting_t *g, struct policy *p) {
        char *s = NULL;
        int k = confread_string(cr, g, "time", false, &s);

        if (k == 1 && parse_time_of_day(s, &p->minute_of_day) < 0) {
                confread_error(cr, config_setting_get_member(g, "time"),
                               "'time' must be HH:MM (24-hour local time), not \"%s\"", s);
                k = -EINVAL;
        }
        p->has_time = k == 1;
        free(s);
        return k < 0 ? k : 0;
}

static int read_offsets(struct confread *cr, const config_setting_t *g, const char *key,
                        struct offset *out, size_t *n_out, bool *has) {
        char **v = NULL;
        size_t n = 0;
        int k = confread_strings(cr, g, key, false, &v, &n);
        const config_setting_t *s = config_setting_get_member(g, key);

        if (k == 1 && n > POLICY_MAX_OFFSETS) {
                confread_error(cr, s, "'%s' has %zu entries; at most %d", key, n,
                               POLICY_MAX_OFFSETS);
                k = -EINVAL;
        }
        for (size_t i = 0; k == 1 && i < n; i++)
                if (offset_parse(v[i], &out[i]) < 0) {
                        confread_error(cr, s, "'%s': \"%s\" is not an offset such as \"14d\" "
                                       "(calendar days) or \"3wd\" (working days)", key, v[i]);
                        k = -EINVAL;
                }
        *n_out = k == 1 ? n : 0;
        *has = k == 1;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
        return k < 0 ? k : 0;
}

static int read_escalation(struct confread *cr, const config_setting_t *g, struct policy *p) {
        char *to = NULL, *after = NULL;
        int k = confread_string(cr, g, "escalate_to", false, &to);
        int ka = confread_string(cr, g, "escalate_after", false, &after);

        p->escalate_after = (struct offset) { 3, OFFSET_WORKDAYS };
        if (k == 1) {
                p->escalate_to = config_find_owner(cr->config, to);
                if (!p->escalate_to) {
                        confread_error(cr, config_setting_get_member(g, "escalate_to"),
                                       "'escalate_to': no owner \"%s\" is defined", to);
                        k = -EINVAL;
                }
        }
        if (ka == 1 && offset_parse(after, &p->escalate_after) < 0) {
                confread_error(cr, config_setting_get_member(g, "escalate_after"),
                               "'escalate_after' must be an offset such as \"3wd\", not \"%s\"",
                               after);
                ka = -EINVAL;
        }
        if (ka == 1 && k == 0) {
                confread_error(cr, config_setting_get_member(g, "escalate_after"),
                               "'escalate_after' needs 'escalate_to': whom to escalate to");
                ka = -EINVAL;
        }
        p->has_escalation = k == 1;
        free(to);
        free(after);
        return k < 0 || ka < 0 ? -EINVAL : 0;
}

int conf_policy_read(struct confread *cr, const config_setting_t *g, struct policy *p) {
        int r1, r2, r3, r4;

        *p = (struct policy) { 0 };
        if (!confread_known_keys(cr, g, "reminders", policy_keys))
                return -EINVAL;
        r1 = read_time(cr, g, p);
        r2 = read_offsets(cr, g, "leads", p->leads, &p->n_leads, &p->has_leads);
        r3 = read_offsets(cr, g, "overdue", p->overdue, &p->n_overdue, &p->has_overdue);
        r4 = read_escalation(cr, g, p);
        return r1 < 0 || r2 < 0 || r3 < 0 || r4 < 0 ? -EINVAL : 0;
}
