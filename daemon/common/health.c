/* SPDX-License-Identifier: MIT */
#include "common/health.h"

#include "basic/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

const char *health_part_name(enum health_part part) {
        static const char *const names[] = {
                [HEALTH_REMINDERS] = "reminders", [HEALTH_DELIVERIES] = "deliveries",
                [HEALTH_FEEDS] = "feeds",
        };

        return names[part];
}

static void changed(struct health *h) {
        if (h->changed)
                h->changed(h->userdata);
}

void health_fail(struct health *h, enum health_part part, const char *fmt, ...) {
        struct health_problem *p = &h->problems[part];
        char *reason;
        va_list ap;

        va_start(ap, fmt);
        reason = text_vformat(fmt, ap);
        va_end(ap);
        if (p->reason && reason && strcmp(p->reason, reason) == 0) {
                free(reason); /* the same problem, still: said once */
                return;
        }
        if (!p->reason) {
                p->since = clock_now(h->clock);
                log_error("degraded (%s): %s; retrying", health_part_name(part),
                          reason ? reason : "out of memory");
        }
        free(p->reason);
        p->reason = reason ? reason : strdup("out of memory");
        changed(h);
}

void health_ok(struct health *h, enum health_part part) {
        struct health_problem *p = &h->problems[part];

        if (!p->reason)
                return;
        log_notice("%s work again (after %s)", health_part_name(part), p->reason);
        free(p->reason);
        *p = (struct health_problem) {};
        changed(h);
}

bool health_degraded(const struct health *h) {
        for (size_t i = 0; i < HEALTH_PART_MAX; i++)
                if (h->problems[i].reason)
                        return true;
        return false;
}

void health_clear(struct health *h) {
        for (size_t i = 0; i < HEALTH_PART_MAX; i++) {
                free(h->problems[i].reason);
                h->problems[i] = (struct health_problem) {};
        }
}
