/* SPDX-License-Identifier: MIT */
/* Ledger files read by several threads (conf-ledger-files.c) give what one
 * thread reading them in turn gives: the same messages in the same order,
 * the same list of files read, the same ledgers; and every load of the same
 * files gives the same again, however the threads happened to share them. */

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

#include "conf/conf-internal.h"
#include "conf/conf.h"

#define N_LEDGERS 16
#define LOADS 12 /* with threads: each must give what the first gave */

static char dir[] = "/tmp/ledgerd-test-ledger-files-XXXXXX";

static void write_file(const char *name, const char *content) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        assert_int_equal(fclose(f), 0);
}

static const char tasks[] =
        "    { id = \"1\"; item = \"自评\"; owners = [ \"czj\" ]; deadline = \"3月底之前\"; },\n"
        "    { id = \"2\"; item = \"报送\"; owners = [ \"czj\", \"bumen\" ];\n"
        "      deadline = \"年度内报送2次，分别为4月10日前，10月10日前\"; },\n"
        "    { id = \"3\"; item = \"评价\"; owners = [ \"bumen\" ];\n"
        "      deadline = \"单位自评3月底之前 部门评价4月底之前 真实性核查6月20日之前\"; }\n";

/* Ledger i: most are good; some say what is wrong with them, one in a file
 * it includes; some include their tasks, which makes them read whole. */
static void write_ledger(int i, bool mistakes) {
        char name[32], text[2048], body[1024];

        snprintf(body, sizeof body, "%s", tasks);
        if (mistakes && i == 3) /* an owner nobody defined */
                snprintf(body, sizeof body, "    { id = \"1\"; owners = [ \"nobody\" ]; "
                                            "deadline = \"3月底之前\"; }\n");
        if (mistakes && i == 5) /* a phrase not understood: a warning */
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
                 "  tasks = (\n%s  );\n};\n",
                 i, i, body);
        snprintf(name, sizeof name, "ledger-%02d.conf", i);
        write_file(name, text);
}

static void write_config(bool mistakes) {
        char text[4096];
        size_t n = 0;

        n += (size_t) snprintf(text + n, sizeof text - n, "ledgers = [");
        for (int i = 0; i < N_LEDGERS; i++) {
                write_ledger(i, mistakes);
                n += (size_t) snprintf(text + n, sizeof text - n, "%s \"ledger-%02d.conf\"",
                                       i ? "," : "", i);
        }
        if (mistakes)
                n += (size_t) snprintf(text + n, sizeof text - n, ", \"none.conf\"");
        snprintf(text + n, sizeof text - n,
                 " ];\nowners = ( { id = \"czj\"; name = \"县财政局\"; },\n"
                 "  { id = \"bumen\"; name = \"各相关部门单位\"; } );\n");
        write_file("ledgerd.conf", text);
}

/* The load's messages, and what it read, as text: its files in order, each
 * with whether its digest is known, then each ledger's tasks and dates. */
static char *load(size_t threads, int *r) {
        struct config *c = NULL;
        struct diagnostics d = {};
        char path[256], *text = NULL;
        size_t size;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        snprintf(path, sizeof path, "%s/ledgerd.conf", dir);
        conf_ledger_threads = threads;
        *r = conf_load(path, &c, &d);
        diag_print(&d, f);
        diag_clear(&d);
        for (size_t i = 0; c && i < c->n_files; i++)
                fprintf(f, "file %s %d\n", c->files[i], c->file_digests[i].state);
        for (size_t i = 0; c && i < c->n_ledgers; i++)
                for (size_t j = 0; j < c->ledgers[i].n_tasks; j++) {
                        const struct task *t = &c->ledgers[i].tasks[j];

                        fprintf(f, "%s %s %s:%d", c->ledgers[i].id, t->id, t->source.file,
                                t->source.line);
                        for (size_t k = 0; k < t->n_milestones; k++)
                                fprintf(f, " %s=%d", t->milestones[k].id, (int) t->milestones[k].due);
                        fputc('\n', f);
                }
        config_free(c);
        assert_int_equal(fclose(f), 0);
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
        };

        return cmocka_run_group_tests_name("conf-ledger-files", tests, setup, teardown);
}
