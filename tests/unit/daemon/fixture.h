/* SPDX-License-Identifier: MIT */
#pragma once

/* What the daemon's unit tests share: a small configuration written to a
 * temporary directory and loaded, its state database, a frozen clock and an
 * event loop, the parts being made by each test as it needs them.
 *
 * The ledger: task 1 due 2025-10-10 (a Friday), task 2 due 2025-10-20, both
 * for owner czj, which is reached by e-mail and by a webhook channel; task 3
 * undated. Reminders at 09:30 Asia/Shanghai 3 days before, on the day, and
 * 1 day after a miss. */

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "conf/conf.h"
#include "ledger/zone.h"
#include "marks/marks.h"
#include "store/state.h"

#define FIXTURE_TZ "Asia/Shanghai"

struct fixture {
        char dir[64];
        struct config *config;
        struct state *state;
        struct marks *marks;
        struct service_clock clock;
        sd_event *event;
};

static const char fixture_main[] =
        "timezone = \"" FIXTURE_TZ "\";\n"
        "ledgers = [ \"ledger.conf\" ];\n"
        "reminders = { time = \"09:30\"; leads = [ \"3d\", \"0d\" ]; overdue = [ \"1d\" ]; };\n"
        "delivery = { catch_up = \"3d\"; give_up = \"3d\"; };\n"
        "channels = ( { id = \"bot\"; format = \"json\"; url = \"http://127.0.0.1:9/hook\"; } );\n"
        "owners = (\n"
        "  { id = \"czj\"; name = \"县财政局\"; email = [ \"a@example.org\" ];\n"
        "    channels = [ \"bot\" ]; }\n"
        ");\n";

static const char fixture_ledger[] =
        "ledger = { id = \"t-2025\"; title = \"测试台账\"; year = 2025; tasks = (\n"
        "  { id = \"1\"; item = \"绩效自评\"; owners = [ \"县财政局\" ]; deadline = \"10月10日前\"; },\n"
        "  { id = \"2\"; item = \"绩效评价\"; owners = [ \"县财政局\" ]; deadline = \"10月20日前\"; },\n"
        "  { id = \"3\"; item = \"监控\"; owners = [ \"县财政局\" ];\n"
        "    deadline = \"根据县财政局具体工作时间安排\"; }\n"
        "); };\n";

static inline void fixture_write(const struct fixture *f, const char *name, const char *text) {
        char path[128];
        FILE *out;

        snprintf(path, sizeof path, "%s/%s", f->dir, name);
        out = fopen(path, "w");
        if (!out || fputs(text, out) < 0 || fclose(out) != 0)
                abort();
}

/* Loads dir/ledgerd.conf; NULL when it does not load. */
static inline struct config *fixture_load(const struct fixture *f) {
        struct diagnostics d = {};
        struct config *c = NULL;
        char path[128];

        snprintf(path, sizeof path, "%s/ledgerd.conf", f->dir);
        if (conf_load(path, &c, &d) < 0) {
                diag_print(&d, stderr);
                c = NULL;
        }
        diag_clear(&d);
        return c;
}

/* The instant of a local time "YYYY-MM-DDTHH:MM" in the fixture's zone. */
static inline time_t fixture_time(const char *local) {
        time_t t = 0;

        if (zone_parse_time(FIXTURE_TZ, local, &t) < 0)
                abort();
        return t;
}

static inline struct state *fixture_open_state(const struct fixture *f) {
        struct state *st = NULL;
        char path[128], *error = NULL;

        snprintf(path, sizeof path, "%s/state.db", f->dir);
        if (state_open(path, &st, &error) < 0) {
                fprintf(stderr, "%s\n", error);
                abort();
        }
        return st;
}

/* A fixture with the clock frozen at local time now. 0, or -1 to fail the
 * test's setup. */
static inline int fixture_setup(struct fixture *f, const char *now) {
        *f = (struct fixture) {};
        snprintf(f->dir, sizeof f->dir, "/tmp/ledgerd-test-daemon-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        fixture_write(f, "ledgerd.conf", fixture_main);
        fixture_write(f, "ledger.conf", fixture_ledger);
        f->config = fixture_load(f);
        f->clock.frozen = fixture_time(now);
        f->state = fixture_open_state(f);
        if (!f->config || marks_new(f->state, &f->clock, &f->marks) < 0 || sd_event_new(&f->event) < 0)
                return -1;
        return 0;
}

static inline int fixture_remove_one(const char *path, const struct stat *st, int flag,
                                     struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static inline void fixture_teardown(struct fixture *f) {
        sd_event_unref(f->event);
        marks_free(f->marks);
        state_close(f->state);
        config_free(f->config);
        nftw(f->dir, fixture_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* cmocka's setup and teardown of a test that needs the fixture as it is,
 * at Tuesday 2025-10-07 09:30, three days before task 1 is due. */
static inline int fixture_cmocka_setup(void **state) {
        struct fixture *f = calloc(1, sizeof *f);

        if (!f || fixture_setup(f, "2025-10-07T09:30") < 0)
                return -1;
        *state = f;
        return 0;
}

static inline int fixture_cmocka_teardown(void **state) {
        fixture_teardown(*state);
        free(*state);
        return 0;
}

#define FIXTURE_TEST(fn) \
        cmocka_unit_test_setup_teardown(fn, fixture_cmocka_setup, fixture_cmocka_teardown)

/* Runs the event loop until nothing is ready. */
static inline void fixture_run(struct fixture *f) {
        while (sd_event_run(f->event, 0) > 0)
                ;
}
