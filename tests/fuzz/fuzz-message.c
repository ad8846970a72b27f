/* SPDX-License-Identifier: MIT */
/* Any bytes as a message template (from the configuration): the checker and
 * the renderer agree on what is valid, rendering never fails on a checked
 * template, and a subject stays on one line. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct owner czj = { .id = "czj", .name = "县财政局" };
static const struct owner *owners[] = { &czj };
static struct ledger ledger = { .id = "yuli-2025", .title = "台账" };
static struct task task = { .id = "15",
                            .item = "自评\n报送",
                            .deadline = "3月底之前",
                            .owners = owners,
                            .n_owners = 1,
                            .ledger = &ledger };
static struct milestone milestone = {
        .id = "15.1", .label = "单位自评", .due = 20178, .task = &task
};

static void check_rendered(const struct message *m) {
        for (const char *p = m->subject; *p; p++)
                if (*p == '\n' || *p == '\r')
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct reminder r = { .day = 20170,
                              .kind = (enum reminder_kind)(size % MESSAGE_KINDS),
                              .milestone = &milestone };
        const struct reminder *rs[] = { &r, &r };
        struct message_templates tp = { 0 };
        struct message_input in = { .templates = &tp,
                                    .reminders = rs,
                                    .n_reminders = 1 + size % 2,
                                    .feed_url = size % 3 ? "https://f.example/c.ics" : NULL };
        struct message m;
        char *t = strndup((const char *) data, size), bad[16];
        int checked, rendered;

        if (!t)
                return 0;
        for (int k = 0; k < MESSAGE_KINDS; k++)
                tp.kinds[k] = (struct message_template) { t, t };
        tp.digest_subject = tp.footer = t;
        checked = message_template_check(t, bad, sizeof bad);
        if (checked < 0 && (checked != -EINVAL || bad[0] != '{' || !memchr(bad, '\0', sizeof bad)))
                abort();
        rendered = message_render(&in, &m);
        if (rendered != checked && rendered != -ENOMEM)
                abort();
        if (rendered == 0) {
                check_rendered(&m);
                message_free(&m);
        }
        free(t);
        return 0;
}
