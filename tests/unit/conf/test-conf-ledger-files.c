/* SPDX-License-Identifier: MIT */
/* Ledger files read by several threads (conf-ledger-files.c) give what one
 * thread reading them in turn gives: the same messages in the same order,
 * the same list of files read, the same ledgers; and every load of the same
 * files gives the same again, however the threads happened to share them.
 * A reload copies the ledgers whose files did not change, and gives what a
 * load from nothing gives, warnings included; when what they are read
 * against changed (the main file), it copies none. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/arena.h"
#include "conf/conf-internal.h"
#include "conf/conf.h"
#include "ledger/model.h"
#include "tests/unit/test-files.h"

#define N_LEDGERS 16
#define LOADS 12 /* with threads: each must give what the first gave */

static char dir[] = "/tmp/ledgerd-test-ledger-files-XXXXXX";

static void write_file(const char *name, const char *content) {
        test_write_in(dir, name, content);
}

static const char tasks[] =
        "    { id = \"1\"; item = \"自评\"; owners = [ \"czj\" ]; deadline = \"3月底之前\"; },\n"
        "    { id = \"2\"; item = \"报送\"; owners = [ \"czj\", \"bumen\" ];\n"
        "      deadline = \"年度内报送2次，分别为4月10日前，10月10日前\";\n"
        "      reminders = { time = \"08:00\"; escalate_to = \"czj\"; }; },\n"
        "    { id = \"3\"; item = \"评价\"; owners = [ \"bumen\" ];\n"
        "      deadline = \"单位自评3月底之前 部门评价4月底之前 真实性核查6月20日之前\"; }\n";

/* Ledger i: most are good; some say what is wrong with them, one in a file
 * it includes; some include their tasks, which makes them read whole. */
static void write_ledger(int i, bool mistakes, const char *phrase_of_7) {
        char name[32], text[2048], body[1024];

        snprintf(body, sizeof body, "%s", tasks);
        if (mistakes && i == 3) /* an owner nobody defined */
                snprintf(body, sizeof body, "    { id = \"1\"; owners = [ \"nobody\" ]; "
                                            "deadline = \"3月底之前\"; }\n");
        if (i == 7 && phrase_of_7)
                snprintf(body, sizeof body, "    { id = \"7\"; owners = [ \"czj\" ]; "
                                            "deadline = \"%s\"; }\n", phrase_of_7);
        if (i == 5) /* a phrase not understood: a warning */
                snprintf(body, sizeof body, "    { id = \"1\"; owners = [ \"czj\" ]; "
                                            "deadline = \"择机\"; }\n");
        if (mistakes && i == 9) /* a syntax error */
                snprintf(body, sizeof body, "    { id = = \"1\"; }\n");
        if (i % 4 == 2) { /* the tasks in a file of their own */
                char inc[32];

                /* Named so that their order is not the ledgers': 14's is tasks-02. */
                snprintf(inc, sizeof inc, "tasks-%02d.inc", N_LEDGERS - i);
                write_file(inc, mistakes && i == 6 ? "    { id = \"1\"; owners = [ ]; }\n" : body);
                snprintf(body, sizeof body, "@include \"%s\"\n", inc);
        }
        snprintf(text, sizeof text,
                 "ledger = {\n  id = \"c-%02d\";\n  title = \"县台账 %d\";\n  year = 2026;\n"
                 "%s  tasks = (\n%s  );\n};\n",
                 i, i, i % 3 != 1 ? "" : "  reply_to = \"czj@example.org\";\n", body);
        snprintf(name, sizeof name, "ledger-%02d.conf", i);
        write_file(name, text);
}

static void write_config_with(bool mistakes, const char *phrase_of_7, const char *czj_name) {
        char text[4096];
        size_t n = 0;

        n += (size_t) snprintf(text + n, sizeof text - n, "ledgers = [");
        for (int i = 0; i < N_LEDGERS; i++) {
                write_ledger(i, mistakes, phrase_of_7);
                n += (size_t) snprintf(text + n, sizeof text - n, "%s \"ledger-%02d.conf\"",
                                       i ? "," : "", i);
        }
        if (mistakes)
                n += (size_t) snprintf(text + n, sizeof text - n, ", \"none.conf\"");
        snprintf(text + n, sizeof text - n,
                 " ];\nowners = ( { id = \"czj\"; name = \"%s\"; },\n"
                 "  { id = \"bumen\"; name = \"各相关部门单位\"; } );\n", czj_name);
        write_file("ledgerd.conf", text);
}

static void write_config(bool mistakes) {
        write_config_with(mistakes, NULL, "县财政局");
}

/* Whether o is one of c's owners, not a copy's original's. */
static bool owner_of(const struct config *c, const struct owner *o) {
        return o >= c->owners && o < c->owners + c->n_owners;
}

static void dump_policy(FILE *f, const struct config *c, const struct policy *p) {
        if (!p)
                return;
        assert_true(!p->escalate_to || owner_of(c, p->escalate_to));
        fprintf(f, " policy %d%d%d%d %zu %zu %d %s", p->has_leads, p->has_overdue, p->has_time,
                p->has_escalation, p->n_leads, p->n_overdue, p->minute_of_day,
                p->escalate_to ? p->escalate_to->id : "-");
}

/* One task, everything about it, as text. */
static void dump_task(FILE *f, const struct config *c, const struct task *t) {
        fprintf(f, "%s %s %s:%d [%s|%s|%s|%s] %d %s %d", t->ledger->id, t->id, t->source.file,
                t->source.line, t->category, t->item, t->detail, t->deadline, (int) t->when,
                t->when_reason ? t->when_reason : "-", t->dates_override);
        for (size_t k = 0; k < t->n_owners; k++) {
                assert_true(owner_of(c, t->owners[k]));
                fprintf(f, " @%s/%s", t->owners[k]->id, t->owners[k]->name);
        }
        dump_policy(f, c, t->policy);
        for (size_t k = 0; k < t->n_milestones; k++) {
                const struct milestone *m = &t->milestones[k];

                assert_ptr_equal(m->task, t);
                fprintf(f, " %s=%d[%s|%s|%d]", m->id, (int) m->due, m->label, m->note, m->origin);
        }
        fputc('\n', f);
}

/* A load's messages, and what it read, as text: its files in order, each
 * with whether its digest is known, then each ledger and its tasks. */
static char *dump(int r, struct config *c, struct diagnostics *d) {
        char *text = NULL;
        size_t size;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        fprintf(f, "r=%d\n", r);
        diag_print(d, f);
        diag_clear(d);
        for (size_t i = 0; c && i < c->n_files; i++)
                fprintf(f, "file %s %d\n", c->files[i], c->file_digests[i].state);
        for (size_t i = 0; c && i < c->n_files; i++)
                fprintf(f, "size %s %zu\n", c->files[i], c->file_digests[i].size);
        for (size_t i = 0; c && i < c->n_ledgers; i++) {
                const struct ledger *l = &c->ledgers[i];

                fprintf(f, "ledger %s %s %s %d %s:%d\n", l->id, l->title,
                        l->reply_to ? l->reply_to : "-", l->year, l->source.file, l->source.line);
                for (size_t j = 0; j < l->n_tasks; j++) {
                        assert_ptr_equal(l->tasks[j].ledger, l);
                        dump_task(f, c, &l->tasks[j]);
                }
        }
        assert_int_equal(fclose(f), 0);
        return text;
}

static void main_path(char *path, size_t size) {
        snprintf(path, size, "%s/ledgerd.conf", dir);
}

static char *load(size_t threads, int *r) {
        struct config *c = NULL;
        struct diagnostics d = {};
        char path[256], *text;

        main_path(path, sizeof path);
        conf_ledger_threads = threads;
        *r = conf_load(path, &c, &d);
        text = dump(*r, c, &d);
        config_free(c);
        return text;
}

/* A reload of *previous (kept, for the next): what it gives, as text. */
static char *reload(struct config **previous, size_t *copied) {
        struct config *c = NULL;
        struct diagnostics d = {};
        char path[256], *text;
        int r;

        main_path(path, sizeof path);
        r = conf_reload(path, *previous, &c, &d);
        *copied = c ? c->n_ledgers_copied : 0;
        text = dump(r, c, &d);
        if (c) {
                config_free(*previous);
                *previous = c;
        }
        return text;
}

/* Whether text holds a, and b after it. */
static bool before(const char *text, const char *a, const char *b) {
        const char *x = strstr(text, a), *y = strstr(text, b);

        return x && y && x < y;
}

static void expect_same_every_time(const char *alone, int r_alone) {
        for (int i = 0; i < LOADS; i++) {
                int r;
                char *shared = load(4, &r);

                assert_int_equal(r, r_alone);
                assert_string_equal(shared, alone);
                free(shared);
        }
}

static void test_good_ledgers(void **state) {
        int r;
        char *alone;

        (void) state;
        write_config(false);
        alone = load(1, &r);
        assert_int_equal(r, 0);
        /* Every ledger and file read, the ledgers' files first, in order. */
        assert_non_null(strstr(alone, "/ledger-00.conf 1\nfile "));
        assert_non_null(strstr(alone, "/ledger-15.conf 1\nfile "));
        /* What they include after them, by name, so that no two loads differ. */
        assert_true(before(alone, "/tasks-02.inc 1\n", "/tasks-14.inc 1\n"));
        assert_non_null(strstr(alone, "c-15 3 "));
        expect_same_every_time(alone, r);
        free(alone);
}

static void test_mistakes_said_alike(void **state) {
        int r;
        char *alone;

        (void) state;
        write_config(true);
        alone = load(1, &r);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(alone, "ledger-03.conf:6: error: task 1: owner \"nobody\""));
        assert_non_null(strstr(alone, "ledger-05.conf:6: warning: task 1: deadline \"择机\""));
        assert_non_null(strstr(alone, "tasks-10.inc:1: error: task 1: 'owners' is empty"));
        assert_non_null(strstr(alone, "ledger-09.conf:6: error: syntax error"));
        assert_non_null(strstr(alone, "'ledgers': cannot read"));
        /* In the files' order. */
        assert_true(before(alone, "ledger-03.conf", "ledger-05.conf"));
        assert_true(before(alone, "tasks-10.inc", "ledger-09.conf"));
        assert_true(before(alone, "ledger-09.conf", "none.conf"));
        expect_same_every_time(alone, r);
        free(alone);
}

/* A reload after ledger 7 changed copies every ledger read from its own file
 * alone but 7 (four include their tasks); after the main file changed, none:
 * each time, what a load from nothing gives, ledger 5's warning included. */
static void test_reload_copies_unchanged(void **state) {
        struct config *previous = NULL;
        struct diagnostics d = {};
        char path[256], *got, *want;
        size_t copied = 0;
        int r;

        (void) state;
        write_config(false);
        main_path(path, sizeof path);
        assert_int_equal(conf_load(path, &previous, &d), 0);
        diag_clear(&d);

        write_config_with(false, "11月底之前", "县财政局");
        got = reload(&previous, &copied);
        want = load(4, &r);
        assert_string_equal(got, want);
        assert_non_null(strstr(got, "ledger-05.conf:6: warning: task 1: deadline \"择机\""));
        assert_non_null(strstr(got, "c-07 7 "));
        assert_int_equal(copied, N_LEDGERS - 1 - 4);
        free(got);
        free(want);

        /* Nothing changed: everything copied that can be. */
        got = reload(&previous, &copied);
        assert_int_equal(copied, N_LEDGERS - 4);
        free(got);

        /* Another month: the same length, other bytes. The digest tells. */
        write_config_with(false, "12月底之前", "县财政局");
        got = reload(&previous, &copied);
        want = load(4, &r);
        assert_string_equal(got, want);
        assert_int_equal(copied, N_LEDGERS - 1 - 4);
        free(got);
        free(want);

        /* The owners' file changed: every ledger is read again. */
        write_config_with(false, "11月底之前", "尉犁县财政局");
        got = reload(&previous, &copied);
        want = load(4, &r);
        assert_string_equal(got, want);
        assert_non_null(strstr(got, "@czj/尉犁县财政局"));
        assert_int_equal(copied, 0);
        free(got);
        free(want);
        config_free(previous);
}

/* A copy or a read that ran out of memory for its tasks leaves n_tasks set
 * and no tasks: freeing it must not walk them. */
static void test_free_ledger_without_tasks(void **state) {
        struct ledger l = { .n_tasks = 3, .strings = arena_new() };

        (void) state;
        assert_non_null(l.strings);
        conf_ledger_free(&l);
}

static int setup(void **state) {
        (void) state;
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[128];

        (void) state;
        conf_ledger_threads = 4;
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good_ledgers),
                cmocka_unit_test(test_mistakes_said_alike),
                cmocka_unit_test(test_reload_copies_unchanged),
                cmocka_unit_test(test_free_ledger_without_tasks),
        };

        return cmocka_run_group_tests_name("conf-ledger-files", tests, setup, teardown);
}
