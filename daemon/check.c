/* SPDX-License-Identifier: MIT */
/* ledgerd --check: everything loaded, and how each deadline phrase was read,
 * so an officer can compare it with the paper ledger line by line. */

#include <stdio.h>
#include <stdlib.h>

#include "ledgerd.h"
#include "basic/text.h"
#include "ledger/workdays.h"

struct counts {
        size_t milestones, undated, unknown, ongoing;
};

static void print_milestone(const struct config *c, const struct milestone *m) {
        char due[DATE_ISO_LEN];
        const char *holiday = workdays_holiday_name(c->calendar, m->due);

        date_format_iso(m->due, due);
        printf("        → ");
        text_pad(stdout, m->id, 7);
        printf("%s %s", due, date_weekday_zh(m->due));
        if (m->label[0])
                printf("  %s", m->label);
        if (m->note && m->note[0])
                printf("  — %s", m->note);
        if (m->origin == MILESTONE_EXPLICIT)
                printf("  (date from the ledger's dates list)");
        if (!workdays_is_working(c->calendar, m->due))
                printf("  [day off: %s]", holiday ? holiday : "weekend");
        printf("\n");
}

static void print_task(const struct config *c, const struct task *t, struct counts *n) {
        printf("  ");
        text_pad(stdout, t->id, 6);
        printf("%s\n", t->deadline[0] ? t->deadline : "(no deadline)");
        for (size_t i = 0; i < t->n_milestones; i++)
                print_milestone(c, &t->milestones[i]);
        n->milestones += t->n_milestones;
        if (t->n_milestones > 0)
                return;
        if (t->when == WHEN_UNKNOWN) {
                printf("        ! not understood: %s\n", t->when_reason);
                n->unknown++;
        } else if (t->when == WHEN_ONGOING) {
                printf("        ~ ongoing: %s\n", t->when_reason);
                n->ongoing++;
        } else {
                printf("        - undated: %s\n", t->when_reason);
                n->undated++;
        }
}

static void print_ledger(const struct config *c, const struct ledger *l, struct counts *total) {
        struct counts n = {};

        printf("ledger %s: %s (%d), %s\n", l->id, l->title, l->year, l->source.file);
        for (size_t i = 0; i < l->n_tasks; i++)
                print_task(c, &l->tasks[i], &n);
        printf("  %zu tasks, %zu dated milestones, %zu undated tasks, %zu not understood, "
               "%zu ongoing\n\n", l->n_tasks, n.milestones, n.undated, n.unknown, n.ongoing);
        total->milestones += n.milestones;
        total->ongoing += n.ongoing;
        total->undated += n.undated;
        total->unknown += n.unknown;
}

static void print_owners(const struct config *c) {
        printf("owners:");
        for (size_t i = 0; i < c->n_owners; i++)
                printf(" %s(%s)", c->owners[i].id, c->owners[i].name);
        printf("\n");
}

int command_check(const struct config *c, const struct options *o) {
        struct counts total = {};

        (void) o;
        printf("configuration: %s\ntime zone: %s\n", c->path, c->timezone);
        print_owners(c);
        printf("\n");
        for (size_t i = 0; i < c->n_ledgers; i++)
                print_ledger(c, &c->ledgers[i], &total);
        printf("configuration OK: %zu ledger%s, %zu dated milestones, %zu undated tasks, "
               "%zu not understood, %zu ongoing\n", c->n_ledgers, c->n_ledgers == 1 ? "" : "s",
               total.milestones, total.undated, total.unknown, total.ongoing);
        /* Served, but at no address people can use: the buttons would need one. */
        if (c->feed.n_listen > 0 && !c->feed.base_url)
                fprintf(stderr, "ledgerd: warning: feed.base_url is not set: reminders carry no "
                        "已完成/推迟/查看 buttons; set it to the address people reach this service at\n");
        return EXIT_SUCCESS;
}
