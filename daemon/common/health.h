/* SPDX-License-Identifier: MIT */
#pragma once

/* What keeps the service from doing its work right now, and since when: a
 * state database that cannot be written (locked, full, failing), the feeds
 * not rendered. The service runs on and retries; meanwhile it is degraded,
 * and says so (ledgerctl status, sd_notify's STATUS=, the Problems
 * property of the bus). */

#include <stdbool.h>
#include <time.h>

#include "common/clock.h"

enum health_part {
        HEALTH_REMINDERS, /* an instant's reminders could not be recorded */
        HEALTH_DELIVERIES, /* the delivery log could not be read or written */
        HEALTH_FEEDS,      /* the feeds could not be rendered */
        HEALTH_PART_MAX,
};

struct health_problem {
        char *reason; /* NULL: this part is fine */
        time_t since;
};

struct health {
        const struct service_clock *clock;
        struct health_problem problems[HEALTH_PART_MAX];
        /* Told of every change (NULL: nobody listens). */
        void (*changed)(void *userdata);
        void *userdata;
};

/* A problem of part, with its reason (printf); logged when it starts, the
 * reason kept up to date while it lasts. */
void health_fail(struct health *h, enum health_part part, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The part works again (logged when it had a problem). */
void health_ok(struct health *h, enum health_part part);
bool health_degraded(const struct health *h);
/* "reminders", "deliveries", "feeds". */
const char *health_part_name(enum health_part part);
void health_clear(struct health *h);
