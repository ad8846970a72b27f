/* SPDX-License-Identifier: MIT */
#include "web/links.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ledger/model.h"
#include "ledger/schedule.h"
#include "ledger/zone.h"
#include "marks/marks.h"

const unsigned links_snooze_days[3] = { 1, 3, 7 };
static const enum link_action snooze_actions[3] = { LINK_SNOOZE_1, LINK_SNOOZE_3, LINK_SNOOZE_7 };

/* A week's grace after the due date for a milestone without overdue notices. */
#define LINKS_GRACE_DAYS 7

int64_t link_generation(const struct marks *mk, const struct milestone *ms) {
        struct state_mark m;

        if (!mk || !marks_get(mk, ms->task->ledger->id, ms->id, &m) || m.status == STATE_SNOOZED)
                return 0;
        return m.event; /* not its time: two marks may fall in one second */
}

time_t links_expiry(const struct config *c, const struct milestone *ms, const struct owner *o) {
        day_t last = ms->due + LINKS_GRACE_DAYS;
        struct policy p;
        time_t end = 0;

        policy_resolve(c, ms->task, o, &p);
        for (size_t i = 0; i < p.n_overdue; i++) {
                day_t d = schedule_overdue_day(c->calendar, ms->due, &p.overdue[i]);

                if (i == 0 || d > last)
                        last = d;
        }
        /* The end of that local day. */
        if (zone_local_to_utc(c->timezone, last + 1, 0, &end) < 0)
                end = (time_t) (last + 1) * 86400;
        return end - 1;
}

/* "<base_url>/<kind>/<token>", put together by hand: a 09:30 burst makes
 * a dozen thousand of them, and snprintf() parsing its format each time was
 * a good part of their cost. */
static int url_of(const struct links *l, const char *kind, const struct link_claim *claim,
                  char out[LINKS_URL_MAX]) {
        char token[LINK_TOKEN_MAX], *p;
        int r = l->ready ? link_token_make_keyed(l->ready, claim, token)
                         : link_token_make(l->key, claim, token);

        if (r < 0)
                return r;
        if (strlen(l->base_url) + strlen(kind) + strlen(token) + 2 >= LINKS_URL_MAX)
                return -ENAMETOOLONG;
        p = stpcpy(out, l->base_url);
        *p++ = '/';
        p = stpcpy(p, kind);
        *p++ = '/';
        strcpy(p, token);
        return 0;
}

/* s into field (LINK_FIELD_MAX bytes), cut as snprintf() would cut it. */
static void field_copy(char field[LINK_FIELD_MAX], const char *s) {
        size_t n = strnlen(s, LINK_FIELD_MAX - 1);

        memcpy(field, s, n);
        field[n] = '\0';
}

static struct link_claim claim_of(enum link_action a, const char *ledger, const char *milestone,
                                  const struct owner *o, time_t expires, int64_t generation) {
        struct link_claim c = { .action = a, .expires = expires, .generation = generation };

        field_copy(c.ledger, ledger);
        field_copy(c.milestone, milestone);
        field_copy(c.owner, o->id);
        return c;
}

int links_page(const struct links *l, const struct owner *o, time_t expires,
               char out[LINKS_URL_MAX]) {
        struct link_claim c = claim_of(LINK_PAGE, "", "", o, expires, 0);

        return l->base_url ? url_of(l, "me", &c, out) : -ENODATA;
}

int links_for_milestone(const struct links *l, const struct milestone *ms, const struct owner *o,
                        const struct milestone_links *before, struct milestone_links *out) {
        time_t expires = links_expiry(l->config, ms, o);
        int64_t generation = link_generation(l->marks, ms);
        const char *ledger = ms->task->ledger->id;
        struct link_claim c = claim_of(LINK_DONE, ledger, ms->id, o, expires, generation);
        int r;

        if (!l->base_url)
                return -ENODATA;
        out->owner = o;
        out->expires = expires;
        r = url_of(l, "act", &c, out->done);
        for (size_t i = 0; r >= 0 && i < 3; i++) {
                c.action = snooze_actions[i];
                r = url_of(l, "act", &c, out->snooze[i]);
        }
        if (r < 0)
                return r;
        if (before && before->owner == o && before->expires == expires) {
                strcpy(out->page, before->page);
                return 0;
        }
        return links_page(l, o, expires, out->page);
}

const char *links_token_of(const char *url) {
        const char *slash = strrchr(url, '/');

        return slash ? slash + 1 : url;
}
