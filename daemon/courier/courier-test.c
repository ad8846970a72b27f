/* SPDX-License-Identifier: MIT */
/* send-test: a test message, now, to every target of an owner or to one
 * channel, so that an officer can see a new address or bot work before a
 * deadline depends on it. Outside the delivery log and the queues: nothing
 * is recorded, and nothing waits behind a backlog. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "courier/courier-internal.h"
#include "courier/courier.h"

struct test_run {
        courier_test_fn done;
        void *userdata;
        char **lines;
        size_t n_targets, n_waiting;
        bool all_delivered;
};

struct test_try {
        struct test_run *run;
        size_t index;
        char *target;
        struct outgoing out;
};

static void finish_run(struct test_run *run) {
        run->done(run->all_delivered, run->lines, run->n_targets, run->userdata);
        strv_free_n(run->lines, run->n_targets);
        free(run);
}

static void set_line(struct test_run *run, size_t i, const char *target, bool delivered,
                     const char *text) {
        if (asprintf(&run->lines[i], "%s: %s: %s", target, delivered ? "delivered" : "not delivered",
                     text) < 0)
                run->lines[i] = NULL;
        run->all_delivered &= delivered;
}

static void on_test_sent(const struct send_result *res, void *userdata) {
        struct test_try *t = userdata;
        struct test_run *run = t->run;
        bool ok = res->verdict == SEND_DELIVERED;
        char text[420];

        if (ok)
                snprintf(text, sizeof text, "%s", res->answer);
        else
                snprintf(text, sizeof text, "%s%s%s", res->reason, res->answer[0] ? "; answer: " : "",
                         res->answer);
        set_line(run, t->index, t->target, ok, text);
        outgoing_free(&t->out);
        free(t->target);
        free(t);
        if (--run->n_waiting == 0)
                finish_run(run);
}

static void start_test(struct courier *c, struct test_run *run, size_t i, char *target) {
        struct test_try *t = calloc(1, sizeof *t);
        char *why = NULL;
        int r = t ? courier_build_test(c, target, &t->out, &why) : -ENOMEM;

        if (r >= 0) {
                *t = (struct test_try) { .run = run, .index = i, .target = target, .out = t->out };
                r = courier_transmit(c, &t->out, on_test_sent, t);
                if (r >= 0)
                        return;
        }
        set_line(run, i, target, false, why ? why : strerror(-r));
        if (t)
                outgoing_free(&t->out);
        free(t);
        free(why);
        free(target);
        run->n_waiting--;
}

static int targets_of(const struct config *cf, const char *name, char ***targets, size_t *n) {
        const struct owner *o = config_find_owner(cf, name);
        const struct channel *ch = o ? NULL : config_find_channel(cf, name);

        if (o)
                return courier_owner_targets(o, targets, n);
        if (!ch)
                return -ENOENT;
        *targets = calloc(1, sizeof **targets);
        if (!*targets || asprintf(&(*targets)[0], "channel:%s", ch->id) < 0) {
                free(*targets);
                return -ENOMEM;
        }
        *n = 1;
        return 0;
}

int courier_send_test(struct courier *c, const char *name, courier_test_fn done, void *userdata) {
        struct test_run *run;
        char **targets;
        size_t n;
        int r = targets_of(c->config, name, &targets, &n);

        if (r < 0)
                return r;
        if (n == 0) {
                free(targets);
                return -ENODATA;
        }
        run = calloc(1, sizeof *run);
        if (!run || !(run->lines = calloc(n, sizeof *run->lines))) {
                free(run);
                strv_free_n(targets, n);
                return -ENOMEM;
        }
        *run = (struct test_run) { .done = done, .userdata = userdata, .lines = run->lines,
                                   .n_targets = n, .n_waiting = n, .all_delivered = true };
        for (size_t i = 0; i < n; i++)
                start_test(c, run, i, targets[i]);
        free(targets);
        if (run->n_waiting == 0)
                finish_run(run); /* none could even start */
        return 0;
}
