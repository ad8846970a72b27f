/* SPDX-License-Identifier: MIT */
/* conf_load: the shipped configuration, and every kind of mistake an officer
 * can make, each with the message that must name the file and line. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/sha256.h"
#include "conf/conf.h"
#include "conf/confread.h"
#include "notify/message.h"
#include "ledger/workdays.h"
#include "tests/unit/test-files.h"

static char dir[] = "/tmp/ledgerd-test-conf-XXXXXX";

static const char main_conf[] =
        "ledgers = [ \"ledger.conf\" ];\n"
        "holidays = [ \"holidays.conf\" ];\n"
        "owners = (\n"
        "  { id = \"czj\"; name = \"县财政局\"; email = [ \"a@example.org\" ]; },\n"
        "  { id = \"bumen\"; name = \"各相关部门单位\";\n"
        "    reminders = { leads = [ \"3wd\", \"0d\" ]; escalate_to = \"czj\"; }; }\n"
        ");\n";

static const char holidays_conf[] =
        "calendar = {\n"
        "  years = [ 2025 ];\n"
        "  holidays = ( { name = \"国庆节、中秋节\"; from = \"2025-10-01\"; to = \"2025-10-08\";\n"
        "                 work = [ \"2025-09-28\", \"2025-10-11\" ]; } );\n"
        "};\n";

static const char ledger_head[] =
        "ledger = {\n"
        "  id = \"t-2025\";\n"
        "  title = \"测试台账\";\n"
        "  year = 2025;\n"
        "  tasks = (\n";

static void write_file(const char *name, const char *content) {
        test_write_in(dir, name, content);
}

/* A secret file of the given mode, whatever the umask. */
static void write_secret(const char *name, mode_t mode) {
        char path[256];

        write_file(name, "s3cret\n");
        snprintf(path, sizeof path, "%s/%s", dir, name);
        assert_int_equal(chmod(path, mode), 0);
}

/* Writes a ledger whose tasks are given, plus the usual other files. */
static void write_ledger(const char *tasks) {
        char *text = NULL;

        assert_true(asprintf(&text, "%s%s  );\n};\n", ledger_head, tasks) > 0);
        write_file("ledger.conf", text);
        write_file("ledgerd.conf", main_conf);
        write_file("holidays.conf", holidays_conf);
        free(text);
}

/* Loads dir/ledgerd.conf; returns the result and the messages as text. */
static int load(struct config **c, char **messages) {
        struct diagnostics d = {};
        char path[256];
        size_t size;
        FILE *f = open_memstream(messages, &size);
        int r;

        snprintf(path, sizeof path, "%s/ledgerd.conf", dir);
        r = conf_load(path, c, &d);
        diag_print(&d, f);
        fclose(f);
        diag_clear(&d);
        return r;
}

/* Loading must fail, and the messages must hold expected at file:line. */
static void expect_error(const char *file, int line, const char *expected) {
        struct config *c = NULL;
        char *messages = NULL, want[1024];

        assert_int_not_equal(load(&c, &messages), 0);
        assert_null(c);
        snprintf(want, sizeof want, "%s/%s:%d: error: %s", dir, file, line, expected);
        if (!strstr(messages, want))
                fail_msg("expected\n  %s\ngot\n%s", want, messages);
        free(messages);
}

static const char good_tasks[] =
        "    { id = \"1\"; category = \"一、重点工作\"; item = \"重点项目\"; owners = [ \"县财政局\" ];\n"
        "      deadline = \"7月底之前\"; },\n"
        "    { id = \"15\"; item = \"评价\"; owners = [ \"县财政局\", \"bumen\", \"县财政局\" ];\n"
        "      deadline = \"单位自评3月底之前 部门评价4月底之前 真实性核查6月20日之前\"; },\n"
        "    { id = \"6\"; owners = [ \"县财政局\" ]; deadline = \"根据县财政局具体工作时间安排\";\n"
        "      dates = ( { date = \"2025-10-20\"; label = \"报送\"; } ); },\n"
        "    { id = \"7\"; owners = [ \"czj\" ]; deadline = \"7月10日前\"; override = true;\n"
        "      dates = ( { date = \"2025-07-15\"; } ); reminders = { time = \"08:00\"; }; }\n";

static void test_good_ledger(void **state) {
        struct config *c = NULL;
        char *messages = NULL;
        const struct ledger *l;
        const struct task *t;

        (void) state;
        write_ledger(good_tasks);
        assert_int_equal(load(&c, &messages), 0);
        assert_string_equal(messages, "");
        assert_string_equal(c->timezone, "Asia/Shanghai");
        assert_int_equal(c->n_ledgers, 1);
        l = &c->ledgers[0];
        assert_int_equal(l->n_tasks, 4);

        t = ledger_find_task(l, "1");
        assert_int_equal(t->n_milestones, 1);
        assert_string_equal(t->milestones[0].id, "1");
        assert_int_equal(t->milestones[0].due, date_from_ymd(2025, 7, 31));

        t = ledger_find_task(l, "15");
        assert_int_equal(t->n_owners, 2); /* the repeated owner counts once */
        assert_string_equal(t->owners[1]->id, "bumen");
        assert_int_equal(t->n_milestones, 3);
        assert_string_equal(t->milestones[1].id, "15.2");
        assert_string_equal(t->milestones[1].label, "部门评价");
        assert_int_equal(t->milestones[2].due, date_from_ymd(2025, 6, 20));

        /* An explicit date completes an undated phrase… */
        t = ledger_find_task(l, "6");
        assert_int_equal(t->when, WHEN_UNDATED);
        assert_string_equal(t->when_reason, "set by another timetable: \"根据县财政局具体工作时间安排\"");
        assert_int_equal(t->n_milestones, 1);
        assert_int_equal(t->milestones[0].origin, MILESTONE_EXPLICIT);
        assert_string_equal(t->milestones[0].label, "报送");
        /* …or overrides a dated one. */
        t = ledger_find_task(l, "7");
        assert_int_equal(t->n_milestones, 1);
        assert_int_equal(t->milestones[0].due, date_from_ymd(2025, 7, 15));
        assert_true(t->policy->has_time);
        assert_int_equal(t->policy->minute_of_day, 8 * 60);
        assert_null(ledger_find_task(l, "1")->policy);

        assert_non_null(ledger_find_milestone(l, "15.3"));
        assert_null(ledger_find_milestone(l, "15"));
        assert_true(c->owners[1].policy.has_leads);
        assert_ptr_equal(c->owners[1].policy.escalate_to, &c->owners[0]);
        assert_false(workdays_is_working(c->calendar, date_from_ymd(2025, 10, 3)));
        assert_true(workdays_is_working(c->calendar, date_from_ymd(2025, 9, 28)));
        config_free(c);
        free(messages);
}

static void test_unknown_key(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; owners = [ \"czj\" ];\n"
                     "      deadlin = \"7月底之前\"; }\n");
        expect_error("ledger.conf", 7, "unknown key 'deadlin' in task (did you mean 'deadline'?)");
}

static void test_unknown_key_main(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "ledger = [ \"ledger.conf\" ];\nowners = ();\n");
        expect_error("ledgerd.conf", 1, "unknown key 'ledger' in ledgerd.conf (did you mean 'ledgers'?)");
}

static void test_duplicate_task(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; owners = [ \"czj\" ]; deadline = \"7月底之前\"; },\n"
                     "    { id = \"1\"; owners = [ \"czj\" ]; deadline = \"8月底之前\"; }\n");
        expect_error("ledger.conf", 7, "duplicate task id \"1\" in ledger t-2025 (first at line 6)");
}

static void test_impossible_date(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; owners = [ \"czj\" ];\n"
                     "      dates = ( { date = \"2025-02-30\"; } ); }\n");
        expect_error("ledger.conf", 7, "task 1: \"2025-02-30\" is not a date (YYYY-MM-DD)");
}

static void test_owner_not_defined(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; deadline = \"7月底之前\";\n"
                     "      owners = [ \"县财政厅\" ]; }\n");
        expect_error("ledger.conf", 7, "task 1: owner \"县财政厅\" is not defined");
}

static void test_wrong_type(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledger.conf", "ledger = {\n  id = \"x\";\n  title = \"t\";\n  year = \"2025\";\n"
                                  "  tasks = ();\n};\n");
        expect_error("ledger.conf", 4, "'year' must be a whole number, not a string in double quotes");
}

static void test_wrong_type_owners(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; deadline = \"7月底之前\";\n"
                     "      owners = \"县财政局\"; }\n");
        expect_error("ledger.conf", 7, "'owners' must be an array [ … ], not a string in double quotes");
}

static void test_unreadable_include(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "@include \"owners-missing.conf\"\nledgers = [ \"ledger.conf\" ];\n");
        expect_error("ledgerd.conf", 1, "@include \"owners-missing.conf\": cannot read ");
}

/* libconfig's scanner would exit the process on a directory; nested too. */
static void test_include_of_a_directory(void **state) {
        char want[512];

        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "# a comment\n  @include \".\"\nledgers = [ \"ledger.conf\" ];\n");
        snprintf(want, sizeof want, "@include \".\": %s/. is a directory, not a regular file: "
                 "include the file itself", dir);
        expect_error("ledgerd.conf", 2, want);
        write_file("inner.conf", "x = 1;\n@include \"..\"\n");
        write_file("ledgerd.conf", "@include \"inner.conf\"\nledgers = [ \"ledger.conf\" ];\n");
        snprintf(want, sizeof want, "@include \"..\": %s/.. is a directory, not a regular file",
                 dir);
        expect_error("inner.conf", 2, want);
        snprintf(want, sizeof want, "%s/inner.conf", dir);
        unlink(want);
}

static void test_unreadable_ledger(void **state) {
        struct config *c = NULL;
        char *messages = NULL, want[512];

        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "ledgers = [ \"nope.conf\" ];\nowners = ( { id = \"a\"; name = \"b\"; } );\n");
        assert_int_not_equal(load(&c, &messages), 0);
        snprintf(want, sizeof want, "%s/ledgerd.conf:1: error: 'ledgers': cannot read %s/nope.conf: "
                 "No such file or directory", dir, dir);
        if (!strstr(messages, want))
                fail_msg("expected %s, got %s", want, messages);
        free(messages);
}

/* Every holiday file and every make-up day is tried, and each wrong one
 * said: an editor fixes them all in one go. */
static void test_each_holiday_file_said(void **state) {
        char want[512];

        (void) state;
        write_ledger(good_tasks);
        write_file("holidays.conf", "calendar = {\n  years = [ 2025 ];\n  holidays = (\n"
                                    "    { name = \"国庆节\"; from = \"2025-10-01\"; to = \"2025-10-08\";\n"
                                    "      work = [ \"2025-09-28\", \"9月28日\", \"2025-10-11\", \"10/11\" ]; }\n"
                                    "  );\n};\n");
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n"
                                   "holidays = [ \"gone-a.conf\", \"holidays.conf\", \"gone-b.conf\" ];\n"
                                   "owners = ( { id = \"czj\"; name = \"县财政局\"; } );\n");
        snprintf(want, sizeof want, "'holidays': cannot read %s/gone-a.conf", dir);
        expect_error("ledgerd.conf", 2, want);
        snprintf(want, sizeof want, "'holidays': cannot read %s/gone-b.conf", dir);
        expect_error("ledgerd.conf", 2, want);
        expect_error("holidays.conf", 5, "'work': \"9月28日\" is not a date (YYYY-MM-DD)");
        expect_error("holidays.conf", 5, "'work': \"10/11\" is not a date (YYYY-MM-DD)");
}

/* A directory named as a ledger is reported where it is named, not fed to
 * libconfig, whose scanner exits the process on it. */
static void test_ledger_is_directory(void **state) {
        char want[512];

        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "owners = ( { id = \"a\"; name = \"b\"; } );\nledgers = [ \".\" ];\n");
        snprintf(want, sizeof want, "'ledgers': %s/. is a directory, not a regular file: name the "
                 "file itself (ledgerd reads its configuration only from regular files)", dir);
        expect_error("ledgerd.conf", 2, want);
}

static void test_syntax_error(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; owners = [ \"czj\" ]; deadline \"7月底之前\"; }\n");
        expect_error("ledger.conf", 6, "syntax error");
}

static void test_bad_offset(void **state) {
        (void) state;
        write_ledger("    { id = \"1\"; owners = [ \"czj\" ]; deadline = \"7月底之前\";\n"
                     "      reminders = { leads = [ \"14x\" ]; }; }\n");
        expect_error("ledger.conf", 7, "'leads': \"14x\" is not an offset such as \"14d\"");
}

static void test_bad_time(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n"
                                   "owners = ( { id = \"czj\"; name = \"县财政局\"; } );\n"
                                   "reminders = {\n  time = \"25:00\";\n};\n");
        expect_error("ledgerd.conf", 4, "'time' must be HH:MM (24-hour local time), not \"25:00\"");
}

static void test_bad_holiday(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("holidays.conf", "calendar = {\n  years = [ 2025 ];\n  holidays = (\n"
                                    "    { name = \"x\"; from = \"2025-13-01\"; } );\n};\n");
        expect_error("holidays.conf", 4, "'from': \"2025-13-01\" is not a date (YYYY-MM-DD)");
}

static void test_bad_id(void **state) {
        (void) state;
        write_ledger("    { id = \"十五\"; owners = [ \"czj\" ]; deadline = \"7月底之前\"; }\n");
        expect_error("ledger.conf", 6, "'id' must be 1 to 16 ASCII letters, digits, '_' or '-'");
}

static void test_duplicate_owner(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\nowners = (\n"
                                   "  { id = \"czj\"; name = \"县财政局\"; },\n"
                                   "  { id = \"czj\"; name = \"州财政局\"; }\n);\n");
        expect_error("ledgerd.conf", 4, "duplicate owner: id \"czj\" or name \"州财政局\" is taken");
}

/* An owner whose id or name is unreadable, then another: reported, and the
 * duplicate check of the next one does not trip over the missing id. */
static void test_owner_unreadable_then_another(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\nowners = (\n"
                                   "  { id = 5; name = \"县财政局\"; },\n"
                                   "  { id = \"czj\"; name = \"州财政局\"; }\n);\n");
        expect_error("ledgerd.conf", 3, "'id' must be a string in double quotes, not a whole number");
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\nowners = (\n"
                                   "  { id = \"a b\"; name = \"县财政局\"; },\n"
                                   "  { id = \"czj\"; name = \"州财政局\"; }\n);\n");
        expect_error("ledgerd.conf", 3, "'id' must be 1 to 32 ASCII letters");
}

static void test_unknown_zone(void **state) {
        (void) state;
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "timezone = \"Asia/Urumqi_\";\nledgers = [ \"ledger.conf\" ];\n"
                                   "owners = ( { id = \"czj\"; name = \"县财政局\"; } );\n");
        expect_error("ledgerd.conf", 1, "unknown time zone \"Asia/Urumqi_\"");
}

/* A phrase not understood loads, with a warning that names the line. */
static void test_phrase_warning(void **state) {
        struct config *c = NULL;
        char *messages = NULL, want[512];

        (void) state;
        write_ledger("    { id = \"1\"; owners = [ \"czj\" ]; deadline = \"尽快\"; }\n");
        assert_int_equal(load(&c, &messages), 0);
        snprintf(want, sizeof want, "%s/ledger.conf:6: warning: task 1: deadline \"尽快\" not understood", dir);
        if (!strstr(messages, want))
                fail_msg("expected %s, got %s", want, messages);
        assert_int_equal(c->ledgers[0].tasks[0].n_milestones, 0);
        config_free(c);
        free(messages);
}

/* The shipped configuration: loads without a single message. */
static void test_shipped(void **state) {
        struct diagnostics d = {};
        struct config *c = NULL;
        size_t dated = 0;

        (void) state;
        assert_int_equal(conf_load("../conf/ledgerd.conf", &c, &d), 0);
        diag_print(&d, stderr);
        assert_int_equal(d.n_items, 0);
        assert_string_equal(c->ledgers[0].id, "yuli-2025");
        assert_int_equal(c->ledgers[0].n_tasks, 42);
        for (size_t i = 0; i < c->ledgers[0].n_tasks; i++)
                dated += c->ledgers[0].tasks[i].n_milestones;
        assert_true(dated >= 30);
        assert_non_null(ledger_find_task(&c->ledgers[0], "41"));
        assert_non_null(ledger_find_task(&c->ledgers[0], "34b"));
        config_free(c);
        diag_clear(&d);
}

/* ---- the feed server's settings ------------------------------------------ */

/* ledgerd.conf with the given feed group and owners' extra settings. */
static void write_feed_conf(const char *feed, const char *czj_extra, const char *bumen_extra) {
        char *text = NULL;

        assert_true(asprintf(&text,
                             "ledgers = [ \"ledger.conf\" ];\n"
                             "%s"
                             "owners = (\n"
                             "  { id = \"czj\"; name = \"县财政局\";%s },\n"
                             "  { id = \"bumen\"; name = \"各相关部门单位\";%s }\n"
                             ");\n"
                             "holidays = [ \"holidays.conf\" ];\n", feed, czj_extra, bumen_extra) > 0);
        write_ledger(good_tasks);
        write_file("ledgerd.conf", text);
        free(text);
}

static void test_feed_settings(void **state) {
        struct config *c = NULL;
        char *messages = NULL, want[512];

        (void) state;
        write_feed_conf("feed = {\n  listen = [ \"127.0.0.1:8080\", \"[::1]:8080\" ];\n"
                        "  directory = \"feeds\";\n};\n",
                        "", " feed_slug = \"departments\";\n"
                        "    feed_token = \"Zx8_q-L2mN5pR7tV9wY1\";");
        assert_int_equal(load(&c, &messages), 0);
        assert_string_equal(messages, "");
        assert_int_equal(c->feed.n_listen, 2);
        assert_string_equal(c->feed.listen[0], "127.0.0.1:8080");
        assert_string_equal(c->feed.listen[1], "[::1]:8080");
        /* No base_url: the service links to the first address it serves. */
        assert_null(c->feed.base_url);
        snprintf(want, sizeof want, "%s/feeds", dir);
        assert_string_equal(c->feed.directory, want);
        assert_string_equal(c->owners[0].feed_slug, "czj"); /* the id by default */
        assert_null(c->owners[0].feed_token);
        assert_string_equal(c->owners[1].feed_slug, "departments");
        assert_string_equal(c->owners[1].feed_token, "Zx8_q-L2mN5pR7tV9wY1");
        config_free(c);
        free(messages);
}

static void test_feed_base_url(void **state) {
        struct config *c = NULL;
        char *messages = NULL;

        (void) state;
        write_feed_conf("feed = { listen = [ \"[::1]:8080\" ];\n"
                        "  base_url = \"https://feeds.example.org/yuli//\"; };\n", "", "");
        assert_int_equal(load(&c, &messages), 0);
        assert_string_equal(c->feed.base_url, "https://feeds.example.org/yuli");
        config_free(c);
        free(messages);

        write_feed_conf("feed = { name = \"台账\"; };\n", "", "");
        assert_int_equal(load(&c, &messages), 0);
        assert_int_equal(c->feed.n_listen, 0);
        assert_null(c->feed.base_url);
        assert_null(c->feed.directory);
        config_free(c);
        free(messages);
}

static void test_feed_wildcard_warning(void **state) {
        struct config *c = NULL;
        char *messages = NULL, want[512];

        (void) state;
        write_feed_conf("feed = {\n  listen = [ \"0.0.0.0:8080\" ];\n};\n", "", "");
        assert_int_equal(load(&c, &messages), 0);
        snprintf(want, sizeof want, "%s/ledgerd.conf:3: warning: 'listen': \"0.0.0.0:8080\" is "
                 "every address and no 'base_url' is set", dir);
        if (!strstr(messages, want))
                fail_msg("expected %s, got %s", want, messages);
        config_free(c);
        free(messages);
}

static void test_feed_bad_listen(void **state) {
        (void) state;
        write_feed_conf("feed = {\n  listen = [ \"localhost:8080\" ];\n};\n", "", "");
        expect_error("ledgerd.conf", 3, "'listen': \"localhost:8080\" is not ADDRESS:PORT such as "
                     "\"127.0.0.1:8080\" or \"[::1]:8080\" (numeric addresses only)");
        write_feed_conf("feed = {\n  listen = [ \"127.0.0.1:80\",\n    \"127.0.0.1:80\" ];\n};\n",
                        "", "");
        expect_error("ledgerd.conf", 3, "'listen': \"127.0.0.1:80\" is given twice");
        write_feed_conf("feed = {\n  listen = \"127.0.0.1:80\";\n};\n", "", "");
        expect_error("ledgerd.conf", 3, "'listen' must be an array [ … ], not a string in double quotes");
}

static void test_feed_bad_base_url(void **state) {
        (void) state;
        write_feed_conf("feed = {\n  base_url = \"feeds.example.org\";\n};\n", "", "");
        expect_error("ledgerd.conf", 3, "'base_url' must be http://HOST[:PORT][/PATH] or https://…, "
                     "with no spaces, quotes or <>, not \"feeds.example.org\"");
        write_feed_conf("feed = {\n  base_url = \"http://a.example/<script>\";\n};\n", "", "");
        expect_error("ledgerd.conf", 3, "'base_url' must be");
        write_feed_conf("feed = {\n  base_url = \"http:///\";\n};\n", "", "");
        expect_error("ledgerd.conf", 3, "'base_url' must be");
}

static void test_feed_bad_slug(void **state) {
        (void) state;
        write_feed_conf("", "", "\n    feed_slug = \"../etc\";");
        expect_error("ledgerd.conf", 5, "owner bumen: 'feed_slug' must be 1 to 64 ASCII letters, "
                     "digits, '.', '_' or '-', not starting with '.', not \"../etc\"");
        write_feed_conf("", "", "\n    feed_slug = \"部门\";");
        expect_error("ledgerd.conf", 5, "owner bumen: 'feed_slug' must be 1 to 64");
        write_feed_conf("", "", "\n    feed_slug = \"Ledger\";");
        expect_error("ledgerd.conf", 5, "owner bumen: the feed address /Ledger.ics is the feed of "
                     "every milestone: set another 'feed_slug'");
        write_feed_conf("", "", "\n    feed_slug = \"CZJ\";");
        expect_error("ledgerd.conf", 5, "owner bumen: feed slug \"CZJ\" is owner czj's already "
                     "(slugs must differ, ignoring case)");
}

/* A bad token is reported without repeating it. */
static void test_feed_bad_token(void **state) {
        struct config *c = NULL;
        char *messages = NULL;

        (void) state;
        write_feed_conf("", "\n    feed_token = \"short-secret\";", "");
        expect_error("ledgerd.conf", 4, "owner czj: 'feed_token' must be 16 to 128 ASCII letters, "
                     "digits, '_' or '-'");
        assert_int_not_equal(load(&c, &messages), 0);
        assert_null(strstr(messages, "short-secret"));
        free(messages);
        write_feed_conf("", "\n    feed_token = \"0123456789abcdef/x\";", "");
        expect_error("ledgerd.conf", 4, "owner czj: 'feed_token' must be");
}

/* ---- delivery: durations, the SMTP server, templates, channels ------------ */

/* ledgerd.conf: three lines, then text from line 4 on. */
static void write_main_with(const char *text) {
        char *conf = NULL;

        assert_true(asprintf(&conf,
                             "ledgers = [ \"ledger.conf\" ];\n"
                             "holidays = [ \"holidays.conf\" ];\n"
                             "owners = ( { id = \"czj\"; name = \"县财政局\"; }, "
                             "{ id = \"bumen\"; name = \"各相关部门单位\"; } );\n"
                             "%s", text) > 0);
        write_ledger(good_tasks);
        write_file("ledgerd.conf", conf);
        free(conf);
}

/* Loads, expecting success and exactly these messages ("" for none). */
static struct config *load_ok(const char *expected_messages) {
        struct config *c = NULL;
        char *messages = NULL;

        if (load(&c, &messages) != 0)
                fail_msg("loading failed:\n%s", messages);
        assert_non_null(c);
        if (!strstr(messages, expected_messages) || (!*expected_messages && *messages))
                fail_msg("expected messages \"%s\", got\n%s", expected_messages, messages);
        free(messages);
        return c;
}

static void test_delivery_defaults(void **state) {
        const struct message_templates *d = message_defaults();
        struct config *c;
        const struct message_templates *t;

        (void) state;
        write_main_with("");
        c = load_ok("");
        assert_int_equal(c->delivery.catch_up, 3 * 86400);
        assert_int_equal(c->delivery.give_up, 3 * 86400);
        assert_int_equal(c->delivery.timeout, 30);
        assert_null(c->delivery.smtp.url); /* the Maildir outbox */
        assert_true(c->delivery.smtp.tls_required);
        assert_string_equal(c->delivery.smtp.from, "ledgerd@localhost");
        assert_null(c->delivery.smtp.from_name);
        assert_null(c->delivery.smtp.user);
        assert_null(c->delivery.smtp.password_file);
        assert_null(c->delivery.smtp.password);
        assert_null(c->delivery.smtp.ca_file);
        t = c->delivery.templates;
        assert_non_null(t);
        for (int k = 0; k < MESSAGE_KINDS; k++) {
                assert_string_equal(t->kinds[k].subject, d->kinds[k].subject);
                assert_string_equal(t->kinds[k].body, d->kinds[k].body);
                assert_ptr_not_equal(t->kinds[k].subject, d->kinds[k].subject); /* owned */
        }
        assert_string_equal(t->digest_subject, d->digest_subject);
        assert_string_equal(t->footer, d->footer);
        config_free(c);

        /* an empty group: the same */
        write_main_with("delivery = { smtp = { }; templates = { due = { }; }; };\n");
        c = load_ok("");
        assert_int_equal(c->delivery.timeout, 30);
        assert_string_equal(c->delivery.smtp.from, "ledgerd@localhost");
        assert_string_equal(c->delivery.templates->kinds[REMINDER_DUE_TODAY].body,
                            d->kinds[REMINDER_DUE_TODAY].body);
        config_free(c);
}

/* Every default the tables give when a key is left out, in one place: a
 * default changed in a table fails here. */
static void assert_offsets(const struct offset *o, size_t n, const char *expected) {
        char got[128] = "", one[16];

        for (size_t i = 0; i < n; i++) {
                offset_format(&o[i], one, sizeof one);
                strcat(got, i ? " " : "");
                strcat(got, one);
        }
        assert_string_equal(got, expected);
}

static void test_defaults(void **state) {
        struct config *c;
        const struct task *t;

        (void) state;
        write_main_with("channels = ( { id = \"w\"; format = \"wecom\"; url = \"http://x/\"; } );\n");
        write_file("ledger.conf", "ledger = { id = \"t-2025\"; title = \"t\"; year = 2025; tasks = (\n"
                                  "  { id = \"1\"; owners = [ \"czj\" ]; deadline = \"根据安排\";\n"
                                  "    dates = ( { date = \"2025-03-01\"; } ); } ); };\n");
        c = load_ok("");
        assert_string_equal(c->timezone, "Asia/Shanghai");
        assert_string_equal(c->state_directory, "/var/lib/ledgerd");
        assert_string_equal(c->runtime_directory, "/run/ledgerd");
        assert_string_equal(c->admin_group, "ledgerd-admin");
        assert_string_equal(c->feed.name, "ledgerd 台账");
        assert_string_equal(c->feed.refresh, "PT6H");
        assert_int_equal(c->feed.n_listen, 0);
        assert_null(c->feed.base_url);
        assert_null(c->feed.directory);
        assert_int_equal(c->channels[0].rate_limit, 20);
        assert_null(c->channels[0].secret_file);
        assert_true(c->defaults.has_time && c->defaults.has_leads && c->defaults.has_overdue);
        assert_int_equal(c->defaults.minute_of_day, 9 * 60);
        assert_offsets(c->defaults.leads, c->defaults.n_leads, "14d 7d 3d 1d 0d");
        assert_offsets(c->defaults.overdue, c->defaults.n_overdue, "1wd 3wd 7wd");
        assert_null(c->defaults.escalate_to);
        assert_offsets(&c->defaults.escalate_after, 1, "3wd");
        assert_string_equal(c->owners[1].feed_slug, "bumen");
        assert_null(c->owners[1].feed_token);
        assert_false(c->owners[1].policy.has_time || c->owners[1].policy.has_leads ||
                     c->owners[1].policy.has_overdue || c->owners[1].policy.has_escalation);
        assert_int_equal(c->owners[1].n_emails + c->owners[1].n_mobiles + c->owners[1].n_channels,
                         0);
        t = &c->ledgers[0].tasks[0];
        assert_string_equal(t->category, "");
        assert_string_equal(t->item, "");
        assert_string_equal(t->detail, "");
        assert_false(t->dates_override);
        assert_null(t->policy);
        assert_string_equal(t->milestones[0].label, "");
        config_free(c);

        /* an override names whom to escalate to; after how long is the default */
        write_main_with("reminders = { escalate_to = \"czj\"; };\n");
        c = load_ok("");
        assert_ptr_equal(c->defaults.escalate_to, &c->owners[0]);
        assert_offsets(&c->defaults.escalate_after, 1, "3wd");
        assert_offsets(c->defaults.leads, c->defaults.n_leads, "14d 7d 3d 1d 0d");
        config_free(c);
}

static void test_delivery_full(void **state) {
        const struct message_templates *d = message_defaults();
        struct config *c;
        const struct message_templates *t;
        char want[512];

        (void) state;
        write_main_with("delivery = {\n"
                        "  catch_up = \"12h\";\n"
                        "  give_up = \"2d\";\n"
                        "  timeout = \"15s\";\n"
                        "  smtp = {\n"
                        "    url = \"smtp://mail.example.org:587\";\n"
                        "    from = \"ledgerd@czj.yuli.example\";\n"
                        "    from_name = \"台账提醒\";\n"
                        "    user = \"ledgerd\";\n"
                        "    password_file = \"secrets/smtp\";\n"
                        "    ca_file = \"/etc/ssl/ca.pem\";\n"
                        "  };\n"
                        "  templates = {\n"
                        "    upcoming = { subject = \"提醒：{item}{label}，{due}到期\"; };\n"
                        "    escalation = { body = \"{owners}：{item}已逾期{days_overdue}天\\n\"; };\n"
                        "    digest_subject = \"{count}项工作事项 {{台账}}\";\n"
                        "  };\n"
                        "};\n");
        c = load_ok("");
        assert_int_equal(c->delivery.catch_up, 12 * 3600);
        assert_int_equal(c->delivery.give_up, 2 * 86400);
        assert_int_equal(c->delivery.timeout, 15);
        assert_string_equal(c->delivery.smtp.url, "smtp://mail.example.org:587");
        assert_true(c->delivery.smtp.tls_required);
        assert_string_equal(c->delivery.smtp.from, "ledgerd@czj.yuli.example");
        assert_string_equal(c->delivery.smtp.from_name, "台账提醒");
        assert_string_equal(c->delivery.smtp.user, "ledgerd");
        snprintf(want, sizeof want, "%s/secrets/smtp", dir); /* relative to ledgerd.conf */
        assert_string_equal(c->delivery.smtp.password_file, want);
        assert_null(c->delivery.smtp.password);
        assert_string_equal(c->delivery.smtp.ca_file, "/etc/ssl/ca.pem");
        t = c->delivery.templates;
        assert_string_equal(t->kinds[REMINDER_UPCOMING].subject, "提醒：{item}{label}，{due}到期");
        assert_string_equal(t->kinds[REMINDER_UPCOMING].body, d->kinds[REMINDER_UPCOMING].body);
        assert_string_equal(t->kinds[REMINDER_ESCALATION].subject,
                            d->kinds[REMINDER_ESCALATION].subject);
        assert_string_equal(t->kinds[REMINDER_ESCALATION].body, "{owners}：{item}已逾期{days_overdue}天\n");
        assert_string_equal(t->kinds[REMINDER_OVERDUE].subject, d->kinds[REMINDER_OVERDUE].subject);
        assert_string_equal(t->digest_subject, "{count}项工作事项 {{台账}}");
        assert_string_equal(t->footer, d->footer);
        config_free(c);

        /* smtps://, no TLS setting needed; a systemd credential stays as it is */
        write_main_with("delivery = { smtp = { url = \"smtps://mail.example.org\";\n"
                        "  from = \"a@example.org\"; user = \"u\";\n"
                        "  password_file = \"credential:smtp\"; }; };\n");
        c = load_ok("");
        assert_string_equal(c->delivery.smtp.password_file, "credential:smtp");
        assert_null(c->delivery.smtp.ca_file);
        config_free(c);

        /* tls = "none", to a relay on the same machine */
        write_main_with("delivery = { smtp = { url = \"smtp://127.0.0.1:25\"; tls = \"none\";\n"
                        "  from = \"a@example.org\"; }; };\n");
        c = load_ok("");
        assert_false(c->delivery.smtp.tls_required);
        config_free(c);
}

static void test_delivery_durations(void **state) {
        (void) state;
        write_main_with("delivery = {\n  catch_up = \"3w\";\n};\n");
        expect_error("ledgerd.conf", 5, "'catch_up' must be a duration: a whole number and s, m, "
                     "h or d, such as \"30s\", \"15m\", \"12h\" or \"3d\"; not \"3w\"");
        write_main_with("delivery = {\n  give_up = \"1h30m\";\n};\n");
        expect_error("ledgerd.conf", 5, "'give_up' must be a duration");
        write_main_with("delivery = {\n  give_up = \"d\";\n};\n");
        expect_error("ledgerd.conf", 5, "'give_up' must be a duration");
        write_main_with("delivery = {\n  give_up = \"-1d\";\n};\n");
        expect_error("ledgerd.conf", 5, "'give_up' must be a duration");
        write_main_with("delivery = {\n  give_up = \" 1d\";\n};\n");
        expect_error("ledgerd.conf", 5, "'give_up' must be a duration");
        write_main_with("delivery = {\n\n  timeout = \"0s\";\n};\n");
        expect_error("ledgerd.conf", 6, "'timeout' must be 1s to 1h, not \"0s\"");
        write_main_with("delivery = {\n  timeout = \"2h\";\n};\n");
        expect_error("ledgerd.conf", 5, "'timeout' must be 1s to 1h, not \"2h\"");
        write_main_with("delivery = {\n  catch_up = \"400d\";\n};\n");
        expect_error("ledgerd.conf", 5, "'catch_up' must be 0s to 366d, not \"400d\"");
        write_main_with("delivery = {\n  catch_up = \"99999999999999999999s\";\n};\n");
        expect_error("ledgerd.conf", 5, "'catch_up' must be 0s to 366d");
        write_main_with("delivery = {\n  timeout = 30;\n};\n");
        expect_error("ledgerd.conf", 5, "'timeout' must be a string in double quotes, not a whole number");
}

static void test_delivery_duration_units(void **state) {
        struct config *c;

        (void) state;
        write_main_with("delivery = { catch_up = \"0s\"; give_up = \"90m\"; timeout = \"1h\"; };\n");
        c = load_ok("");
        assert_int_equal(c->delivery.catch_up, 0); /* never late: everything missed is missed */
        assert_int_equal(c->delivery.give_up, 90 * 60);
        assert_int_equal(c->delivery.timeout, 3600);
        config_free(c);
}

static void test_delivery_unknown_keys(void **state) {
        (void) state;
        write_main_with("delivery = {\n  catchup = \"1d\";\n};\n");
        expect_error("ledgerd.conf", 5, "unknown key 'catchup' in delivery (did you mean 'catch_up'?)");
        write_main_with("delivery = {\n  smtp = {\n    passwd_file = \"x\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "unknown key 'passwd_file' in smtp (did you mean 'password_file'?)");
        write_main_with("delivery = {\n  templates = {\n    upcomming = { };\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "unknown key 'upcomming' in templates (did you mean 'upcoming'?)");
        write_main_with("delivery = {\n  templates = {\n    due = {\n      subjet = \"x\"; };\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "unknown key 'subjet' in due (did you mean 'subject'?)");
        write_main_with("delivery = {\n  smtp = {\n    certificate = \"x\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "unknown key 'certificate' in smtp");
        write_main_with("delivry = { };\n");
        expect_error("ledgerd.conf", 4, "unknown key 'delivry' in ledgerd.conf (did you mean 'delivery'?)");
        write_main_with("delivery = \"smtp://x\";\n");
        expect_error("ledgerd.conf", 4, "'delivery' must be a group { … }, not a string in double quotes");
}

static void test_delivery_templates(void **state) {
        (void) state;
        write_main_with("delivery = {\n  templates = {\n    upcoming = {\n"
                        "      subject = \"{itme}将于{due}到期\";\n    };\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "template upcoming.subject: unknown placeholder {itme} "
                     "(see ledgerd.conf(5) for the list)");
        write_main_with("delivery = {\n  templates = {\n    overdue = {\n      subject = \"x\";\n"
                        "      body = \"已逾期{days_overdue天\";\n    };\n  };\n};\n");
        expect_error("ledgerd.conf", 8, "template overdue.body: a '{' is not closed (write \"{{\" "
                     "for a brace)");
        write_main_with("delivery = {\n  templates = {\n    footer = \"{feed}\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "template footer: unknown placeholder {feed}");
        write_main_with("delivery = {\n  templates = {\n    digest_subject = \"{count}项\"\n"
                        "      \"{Item}\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "template digest_subject: unknown placeholder {Item}");
        write_main_with("delivery = {\n  templates = {\n    due = \"{item}\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "'due' must be a group { … }, not a string in double quotes");
}

/* An inline password is refused unless allowed, and never repeated. */
static void test_delivery_password(void **state) {
        struct config *c = NULL;
        char *messages = NULL;
        const char *smtp = "delivery = {\n  smtp = {\n    url = \"smtp://mail.example.org\";\n"
                           "    from = \"a@example.org\";\n    user = \"u\";\n";
        char *text = NULL;

        (void) state;
        assert_true(asprintf(&text, "%s    password = \"hunter2-s3cret\";\n  };\n};\n", smtp) > 0);
        write_main_with(text);
        free(text);
        expect_error("ledgerd.conf", 9, "smtp 'password' in the configuration file is refused: put "
                     "it in a file only ledgerd can read and name it with password_file = ");
        assert_int_not_equal(load(&c, &messages), 0);
        assert_null(strstr(messages, "hunter2"));
        free(messages);

        assert_true(asprintf(&text, "%s    password = \"hunter2\";\n"
                             "    allow_inline_password = true;\n  };\n};\n", smtp) > 0);
        write_main_with(text);
        free(text);
        c = load_ok("");
        assert_string_equal(c->delivery.smtp.password, "hunter2");
        assert_null(c->delivery.smtp.password_file);
        config_free(c);

        assert_true(asprintf(&text, "%s    password = \"\"; allow_inline_password = true;\n"
                             "  };\n};\n", smtp) > 0);
        write_main_with(text);
        free(text);
        expect_error("ledgerd.conf", 9, "smtp 'password' is empty");

        assert_true(asprintf(&text, "%s    password = \"hunter2\"; allow_inline_password = true;\n"
                             "    password_file = \"secrets/smtp\";\n  };\n};\n", smtp) > 0);
        write_main_with(text);
        free(text);
        expect_error("ledgerd.conf", 9, "smtp: give 'password' or 'password_file', not both");

        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    user = \"u\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "smtp 'user' needs 'password_file' (or 'password')");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    password_file = \"secrets/smtp\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "smtp: a password needs a 'user' to log in as");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    user = \"u\"; password_file = \"credential:a/b\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "'password_file' must name a file, or a systemd credential "
                     "as \"credential:NAME\" (NAME without '/'), not \"credential:a/b\"");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    user = \"u\"; password_file = \"\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "'password_file' must name a file");
}

static void test_delivery_smtp_errors(void **state) {
        struct config *c = NULL;
        char *messages = NULL;

        (void) state;
        write_main_with("delivery = {\n  smtp = {\n    url = \"https://mail.example.org\";\n"
                        "    from = \"a@example.org\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "smtp 'url' must start with smtp:// (STARTTLS) or smtps:// "
                     "(TLS from the start)");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://\";\n"
                        "    from = \"a@example.org\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "smtp 'url' must name a host: smtp://HOST[:PORT]");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://mail example\";\n"
                        "    from = \"a@example.org\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "smtp 'url' must hold no spaces");
        /* a password in the url is refused, and not repeated */
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://u:hunter2@mail.example\";\n"
                        "    from = \"a@example.org\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "smtp 'url' must not hold a user or password: set 'user' "
                     "and 'password_file'");
        assert_int_not_equal(load(&c, &messages), 0);
        assert_null(strstr(messages, "hunter2"));
        free(messages);

        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://mail.example.org\";\n  };\n};\n");
        expect_error("ledgerd.conf", 5, "missing 'from'");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://mail.example.org\";\n"
                        "    from = \"台账 <a@example.org>\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "smtp 'from' must be an e-mail address such as "
                     "\"ledgerd@example.org\" (ASCII, no spaces or <>,;\"()[]\\), not "
                     "\"台账 <a@example.org>\"");
        write_main_with("delivery = {\n  smtp = {\n    from = \"ledgerd\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "smtp 'from' must be an e-mail address");
        write_main_with("delivery = {\n  smtp = {\n    from_name = \"a\\nBcc: x@y\";\n  };\n};\n");
        expect_error("ledgerd.conf", 6, "smtp 'from_name' must be one line without control characters");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    tls = \"starttls\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "smtp 'tls' must be \"required\" (STARTTLS) or \"none\", "
                     "not \"starttls\"");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtps://m.example\"; from = \"a@b\";\n"
                        "    tls = \"none\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "smtp 'tls' = \"none\" contradicts 'url' smtps://");
        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    ca_file = \"\";\n  };\n};\n");
        expect_error("ledgerd.conf", 7, "smtp 'ca_file' must name a file, not \"\"");
}

/* Settings that do nothing, or a password in clear: loaded, with a warning. */
static void test_delivery_warnings(void **state) {
        struct config *c;
        char want[512];

        (void) state;
        write_main_with("delivery = {\n  smtp = {\n    from = \"a@example.org\";\n"
                        "    user = \"u\"; password_file = \"secrets/smtp\";\n  };\n};\n");
        snprintf(want, sizeof want, "%s/ledgerd.conf:7: warning: smtp 'user' has no effect without "
                 "'url': messages go to the outbox, /var/lib/ledgerd/outbox", dir);
        c = load_ok(want);
        assert_null(c->delivery.smtp.url);
        assert_string_equal(c->delivery.smtp.from, "a@example.org");
        config_free(c);

        write_main_with("delivery = {\n  smtp = {\n    url = \"smtp://m.example\"; from = \"a@b\";\n"
                        "    user = \"u\"; password_file = \"secrets/smtp\";\n    tls = \"none\";\n  };\n};\n");
        snprintf(want, sizeof want, "%s/ledgerd.conf:8: warning: smtp 'tls' = \"none\": the password "
                 "crosses the network in clear text", dir);
        config_free(load_ok(want));
}

static const char channels_conf[] =
        "channels = (\n"
        "  { id = \"j\"; format = \"json\"; url = \"http://127.0.0.1/\"; },\n"
        "  { id = \"s\"; format = \"slack\"; url = \"http://127.0.0.1/\"; },\n"
        "  { id = \"w\"; format = \"wecom\"; url = \"http://127.0.0.1/\"; },\n"
        "  { id = \"d\"; format = \"dingtalk\"; url = \"http://127.0.0.1/\";\n"
        "    secret_file = \"secrets/d\"; },\n"
        "  { id = \"f\"; format = \"feishu\"; url = \"http://127.0.0.1/\";\n"
        "    secret_file = \"credential:feishu\"; },\n"
        "  { id = \"w2\"; format = \"wecom\"; url = \"http://127.0.0.1/\"; rate_limit = 5; },\n"
        "  { id = \"j2\"; format = \"json\"; url = \"http://127.0.0.1/\"; rate_limit = 600; }\n"
        ");\n";

static void test_channel_rate_limit(void **state) {
        static const int expected[] = { 0, 60, 20, 20, 20, 5, 600 };
        struct config *c;
        char want[512];

        (void) state;
        write_main_with(channels_conf);
        c = load_ok("");
        assert_int_equal(c->n_channels, 7);
        for (size_t i = 0; i < 7; i++)
                assert_int_equal(c->channels[i].rate_limit, expected[i]);
        assert_null(c->channels[0].secret_file);
        snprintf(want, sizeof want, "%s/secrets/d", dir);
        assert_string_equal(c->channels[3].secret_file, want);
        assert_string_equal(c->channels[4].secret_file, "credential:feishu");
        config_free(c);

        write_main_with("channels = (\n  { id = \"w\"; format = \"wecom\"; url = \"http://x/\";\n"
                        "    rate_limit = -1; }\n);\n");
        expect_error("ledgerd.conf", 6, "channel w: 'rate_limit' is messages per minute, 0 for no "
                     "limit, not -1");
        write_main_with("channels = (\n  { id = \"w\"; format = \"wecom\"; url = \"http://x/\";\n"
                        "    rate_limit = \"20/min\"; }\n);\n");
        expect_error("ledgerd.conf", 6, "'rate_limit' must be a whole number, not a string in double quotes");
        write_main_with("channels = (\n  { id = \"w\"; format = \"wecom\"; url = \"http://x/\";\n"
                        "    rate_limt = 20; }\n);\n");
        expect_error("ledgerd.conf", 6, "unknown key 'rate_limt' in channel (did you mean 'rate_limit'?)");
        write_main_with("channels = (\n  { id = \"w\"; format = \"wecom\"; url = \"http://x/\";\n"
                        "    secret_file = \"credential:\"; }\n);\n");
        expect_error("ledgerd.conf", 6, "'secret_file' must name a file, or a systemd credential");

        /* more than the bot takes: loaded, with a warning */
        write_main_with("channels = (\n  { id = \"d\"; format = \"dingtalk\"; url = \"http://x/\";\n"
                        "    rate_limit = 0; }\n);\n");
        snprintf(want, sizeof want, "%s/ledgerd.conf:6: warning: channel d: dingtalk takes at most 20 "
                 "messages a minute and throttles or refuses more", dir);
        c = load_ok(want);
        assert_int_equal(c->channels[0].rate_limit, 0);
        config_free(c);
        write_main_with("channels = (\n  { id = \"f\"; format = \"feishu\"; url = \"http://x/\";\n"
                        "    rate_limit = 100; }\n);\n");
        config_free(load_ok("")); /* Feishu takes about 100 a minute */
}

/* A channel's url is what libcurl sends to, http:// or https:// with a
 * host; the message shows no token of it (path, query, password). */
static void test_channel_url(void **state) {
        static const struct {
                const char *url, *message;
        } bad[] = {
                { "htps//a",
                  "channel \"a\": url \"htps//a\" is not an http:// or https:// address" },
                { "file:///etc/passwd", "channel \"a\": url \"file:///…\" is not an http:// or "
                  "https:// address" },
                { "ftp://files.example/x",
                  "channel \"a\": url \"ftp://files.example/…\" is not an http://" },
                { "mailto:a@example.org",
                  "channel \"a\": url \"mailto:a@example.org\" is not an http://" },
                { "http:/example.org/hook",
                  "channel \"a\": url \"http:/example.org/hook\" is not an http://" },
                { "http:///hook", "channel \"a\": url \"http:///…\" names no host: write "
                  "https://HOST[:PORT]/PATH" },
                { "https://", "channel \"a\": url \"https://\" names no host" },
                { "http://:8080/hook", "channel \"a\": url \"http://:8080/…\" names no host" },
                { "http://a b/",
                  "channel \"a\": url \"http://a b/…\" is not an address libcurl can "
                  "send to: Bad hostname" },
                { "https://hook.example:99999/",
                  "channel \"a\": url \"https://hook.example:99999/…\" is not an "
                  "address libcurl can send to: Port number was not a decimal number" },
                /* the token is not repeated */
                { "htps://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=T0KEN",
                  "channel \"a\": url \"htps://qyapi.weixin.qq.com/…\" is not an http://" },
                { "https:/hooks.slack.com/services/T0/B0/T0KEN",
                  "channel \"a\": url \"https:/hooks.slack.com/services/…\" is not an http://" },
                { "ftp://u:T0KEN@files.example/",
                  "channel \"a\": url \"ftp://…@files.example/…\" is not" },
        };
        struct config *c = NULL;
        char *text = NULL, *messages = NULL;

        (void) state;
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                assert_true(asprintf(&text, "channels = (\n  { id = \"a\"; format = \"json\";\n"
                                     "    url = \"%s\"; }\n);\n", bad[i].url) > 0);
                write_main_with(text);
                free(text);
                expect_error("ledgerd.conf", 6, bad[i].message);
                assert_int_not_equal(load(&c, &messages), 0);
                assert_null(strstr(messages, "T0KEN"));
                free(messages);
        }

        /* every problem of the channel at once */
        write_main_with("channels = (\n  { id = \"a\"; format = \"jsn\";\n"
                        "    url = \"htps//a\"; }\n);\n");
        expect_error("ledgerd.conf", 5, "channel a: unknown format \"jsn\"");
        expect_error("ledgerd.conf", 6, "channel \"a\": url \"htps//a\" is not an http://");

        write_main_with("channels = (\n"
                        "  { id = \"a\"; format = \"json\";\n"
                        "    url = \"HTTPS://Hook.example:8443/h?x=1\"; },\n"
                        "  { id = \"b\"; format = \"json\"; url = \"http://[::1]:8080/hook\"; },\n"
                        "  { id = \"c\"; format = \"json\";\n"
                        "    url = \"http://user:pw@127.0.0.1/\"; },\n"
                        "  { id = \"d\"; format = \"wecom\";\n"
                        "    url = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6\"; }\n"
                        ");\n");
        c = load_ok("");
        assert_string_equal(c->channels[0].url, "HTTPS://Hook.example:8443/h?x=1");
        config_free(c);
}

/* The SMTP server: smtp:// or smtps:// with a host, as libcurl reads it. */
static void test_smtp_url(void **state) {
        (void) state;
        write_main_with("delivery = { smtp = {\n  url = \"smtp://[::1\"; from = \"a@example.org\"; }; };\n");
        expect_error("ledgerd.conf", 5, "smtp 'url' is not an address libcurl can send to: Bad "
                     "IPv6 address");
        write_main_with("delivery = { smtp = {\n  url = \"smtps://m.example:70000\"; from = \"a@example.org\"; }; };\n");
        expect_error("ledgerd.conf", 5, "smtp 'url' is not an address libcurl can send to: Port "
                     "number was not a decimal number between 0 and 65535");
        write_main_with("delivery = { smtp = {\n  url = \"smtp:///x\"; from = \"a@example.org\"; }; };\n");
        expect_error("ledgerd.conf", 5, "smtp 'url' must name a host: smtp://HOST[:PORT]");
        write_main_with("delivery = { smtp = {\n  url = \"file:///var/mail\"; from = \"a@example.org\"; }; };\n");
        expect_error("ledgerd.conf", 5, "smtp 'url' must start with smtp:// (STARTTLS) or smtps://");
        write_main_with("delivery = { smtp = {\n  url = \"smtp://[::1]:25\"; tls = \"none\";\n"
                        "  from = \"a@example.org\"; }; };\n");
        config_free(load_ok(""));
}

/* A secret's file is looked at when loading, not when the first message
 * fails: it must be there, a regular file, not empty, and closed to others
 * (the group may read it: the service's group must). */
static void test_secret_files(void **state) {
        char want[512], path[128];
        struct config *c;

        (void) state;
        write_secret("secrets/open", 0644);
        write_main_with("delivery = { smtp = { url = \"smtp://m.example\";\n"
                        "  from = \"a@example.org\"; user = \"u\";\n"
                        "  password_file = \"secrets/open\"; }; };\n");
        snprintf(path, sizeof path, "%s/secrets/open", dir);
        snprintf(want, sizeof want, "'password_file': %s is mode 0644, open to others: chmod 600 %s "
                 "(or 640, its group the service's)", path, path);
        expect_error("ledgerd.conf", 6, want);
        assert_int_equal(chmod(path, 0602), 0); /* others may change it: the same */
        expect_error("ledgerd.conf", 6, "'password_file': ");
        assert_int_equal(chmod(path, 0640), 0); /* the group may read it */
        c = load_ok("");
        assert_string_equal(c->delivery.smtp.password_file, path);
        config_free(c);
        unlink(path);
        snprintf(want, sizeof want, "'password_file': %s does not exist: write the secret there "
                 "(chmod 600), or name the file that holds it", path);
        expect_error("ledgerd.conf", 6, want);

        write_file("secrets/open", "");
        assert_int_equal(chmod(path, 0600), 0);
        snprintf(want, sizeof want, "'password_file': %s is empty: write the secret there", path);
        expect_error("ledgerd.conf", 6, want);
        unlink(path);
        assert_int_equal(mkfifo(path, 0600), 0);
        alarm(10);
        snprintf(want, sizeof want, "'password_file': %s is not a regular file", path);
        expect_error("ledgerd.conf", 6, want);
        alarm(0);
        unlink(path);

        /* a channel's secret_file, every channel said */
        write_secret("secrets/open", 0604);
        write_main_with("channels = (\n"
                        "  { id = \"d\"; format = \"dingtalk\"; url = \"http://x/\";\n"
                        "    secret_file = \"secrets/open\"; },\n"
                        "  { id = \"f\"; format = \"feishu\"; url = \"http://x/\";\n"
                        "    secret_file = \"secrets/none\"; }\n);\n");
        snprintf(want, sizeof want, "'secret_file': %s is mode 0604, open to others", path);
        expect_error("ledgerd.conf", 6, want);
        expect_error("ledgerd.conf", 8, "'secret_file': ");

        /* a credential, where the service sees it; not looked for elsewhere */
        write_main_with("channels = (\n  { id = \"d\"; format = \"dingtalk\"; url = \"http://x/\";\n"
                        "    secret_file = \"credential:open\"; }\n);\n");
        config_free(load_ok(""));
        snprintf(want, sizeof want, "%s/secrets", dir);
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", want, 1), 0);
        snprintf(want, sizeof want, "'secret_file': %s is mode 0604, open to others", path);
        expect_error("ledgerd.conf", 6, want);
        assert_int_equal(chmod(path, 0400), 0);
        config_free(load_ok(""));
        assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
        unlink(path);
}

static void test_owner_email(void **state) {
        (void) state;
        write_feed_conf("", "\n    email = [ \"jixiao@czj.yuli.example\", \"jixiao at czj\" ];", "");
        expect_error("ledgerd.conf", 4, "owner czj: \"jixiao at czj\" is not an e-mail address such "
                     "as \"name@example.org\" (ASCII, no spaces or <>,;\"()[]\\)");
        write_feed_conf("", "", "\n    email = [ \"bumen@\" ];");
        expect_error("ledgerd.conf", 5, "owner bumen: \"bumen@\" is not an e-mail address");
        write_feed_conf("", "", "\n    email = [ \"部门@example.org\" ];");
        expect_error("ledgerd.conf", 5, "owner bumen: \"部门@example.org\" is not an e-mail address");
}

/* ---- a ledger read in slices ------------------------------------------------------ */

/* A ledger of n tasks that puts the slicer's lexer to work: comments of
 * every kind holding brackets, commas and quotes, strings with escapes and
 * line breaks, ':' for '=', and now and then a mistake the reader reports. */
static char *tricky_ledger(size_t n, const char *broken) {
        static const char *const junk[] = {
                "", " ", "\n", "  # a } ) \" , comment\n", " // ( { , \"\n",
                " /* a\n , } ) \" */ ", "\t", "\r\n",
        };
        static const char *const texts[] = {
                "绩效", "a \\\"quoted\\\" }, (", "back\\\\slash", "two\nlines", "# not a comment",
                "/* nor this */", "x\\ty", "",
        };
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        unsigned seed = 7;

        assert_non_null(f);
        fputs("# head ( { \"\nledger = {\n  id = \"t-2025\";\n  title = \"测试台账\";\n"
              "  year = 2025;\n  tasks = (", f);
        for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245 + 12345;
                fprintf(f, "%s%s{ id %s \"%zu\";%sitem = \"%s\"; detail = \"%s\" \"%s\";%s"
                        "owners = [ \"%s\" ]; deadline = \"%s\";%s%s }%s",
                        i ? "," : "", junk[seed >> 8 & 7], seed >> 12 & 1 ? "=" : ":",
                        i % 97 == 50 ? i - 1 : i, junk[seed >> 14 & 7], texts[seed >> 17 & 7],
                        texts[seed >> 20 & 7], texts[seed >> 23 & 7], junk[seed >> 26 & 7],
                        i % 89 == 3 ? "nobody" : seed >> 27 & 1 ? "czj" : "县财政局",
                        i % 13 == 5 ? "尽快" : "7月底之前",
                        i % 71 == 9 ? " deadlin = \"x\";" : "",
                        i % 83 == 2 ? " dates = ( { date = \"2025-02-30\"; } );" : "",
                        junk[seed >> 29 & 7]);
                if (broken && i == n / 2)
                        fputs(broken, f);
        }
        fputs("\n  );\n  /* after the tasks */\n};\n# the end\n", f);
        assert_int_equal(fclose(f), 0);
        return out;
}

/* The digest the configuration keeps of ledger.conf's bytes, as text. */
static void print_ledger_digest(FILE *f, const struct config *c) {
        for (size_t i = 0; c && c->file_digests && i < c->n_files; i++) {
                const char *slash = strrchr(c->files[i], '/');

                if (strcmp(slash ? slash + 1 : c->files[i], "ledger.conf") != 0)
                        continue;
                fprintf(f, "digest %d ", (int) c->file_digests[i].state);
                for (size_t k = 0; k < sizeof c->file_digests[i].sha256; k++)
                        fprintf(f, "%02x", c->file_digests[i].sha256[k]);
                fputc('\n', f);
        }
}

/* The messages, everything read from the ledger and its digest, as text. */
static char *load_summary(size_t slice_bytes) {
        struct config *c = NULL;
        char *messages = NULL, *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        int r;

        assert_non_null(f);
        confread_slice_bytes = slice_bytes;
        r = load(&c, &messages);
        confread_slice_bytes = 256 * 1024;
        fprintf(f, "%d\n%s", r, messages);
        for (size_t i = 0; c && i < c->ledgers[0].n_tasks; i++) {
                const struct task *t = &c->ledgers[0].tasks[i];

                fprintf(f, "%s|%s|%s|%s|%s:%d|%zu|%zu\n", t->id, t->item, t->detail, t->deadline,
                        t->source.file, t->source.line, t->n_owners, t->n_milestones);
                for (size_t k = 0; k < t->n_milestones; k++)
                        fprintf(f, " %s %s %d\n", t->milestones[k].id, t->milestones[k].label,
                                (int) t->milestones[k].due);
        }
        print_ledger_digest(f, c);
        assert_int_equal(fclose(f), 0);
        config_free(c);
        free(messages);
        return out;
}

/* Read in slices of one task, of a few, of the default size, or whole: the
 * same tasks, lines and messages. */
static void test_sliced_same_as_whole(void **state) {
        char *ledger = tricky_ledger(400, NULL), *whole, *sliced;
        const size_t sizes[] = { 1, 300, 256 * 1024 };

        (void) state;
        write_ledger(good_tasks);
        write_file("ledger.conf", ledger);
        whole = load_summary(0);
        assert_non_null(strstr(whole, "duplicate task id \"49\""));
        assert_non_null(strstr(whole, "owner \"nobody\" is not defined"));
        assert_non_null(strstr(whole, "unknown key 'deadlin' in task"));
        assert_non_null(strstr(whole, "\"2025-02-30\" is not a date"));
        assert_non_null(strstr(whole, "deadline \"尽快\" not understood"));
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
                sliced = load_summary(sizes[i]);
                assert_string_equal(sliced, whole);
                free(sliced);
        }
        free(whole);
        free(ledger);
}

/* The digest of a ledger read in slices, taken on a thread of its own, is
 * the SHA-256 of its bytes, as when it is read whole. */
static void test_sliced_digest(void **state) {
        char *ledger, *whole, *sliced, want[16 + 2 * SHA256_DIGEST_SIZE] = "digest 1 ";
        uint8_t digest[SHA256_DIGEST_SIZE];

        (void) state;
        assert_true(asprintf(&ledger, "%s%s  );\n};\n", ledger_head, good_tasks) > 0);
        write_ledger(good_tasks);
        assert_int_equal(sha256(ledger, strlen(ledger), digest), 0);
        for (size_t k = 0; k < SHA256_DIGEST_SIZE; k++)
                sprintf(want + 9 + 2 * k, "%02x", digest[k]);
        assert_int_equal(FILE_DIGEST_SET, 1);
        whole = load_summary(0);
        sliced = load_summary(1);
        if (!strstr(sliced, want))
                fail_msg("expected %s in\n%s", want, sliced);
        assert_string_equal(sliced, whole);
        free(whole);
        free(sliced);
        free(ledger);
}

/* A setting after the tasks keeps its line when the list is read in slices
 * and left out of the skeleton: lines the scan counted, and lines it did not
 * (after the last slice's start, or in an empty list). */
static void test_sliced_lines_after_list(void **state) {
        static const char *const lists[] = {
                "    { id = \"1\"; owners = [ \"czj\" ];\n      deadline = \"7月底之前\"; },\n"
                "    { id = \"2\"; owners = [ \"czj\" ];\n\n      deadline = \"8月底之前\"; }\n",
                "\n\n",
        };

        (void) state;
        for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
                char *ledger, *whole, *sliced, want[64];
                int line = 7; /* the head is 5 lines, then the list, then ");" */

                for (const char *p = lists[i]; *p; p++)
                        line += *p == '\n';
                assert_true(asprintf(&ledger, "%s%s  );\n  titel = \"x\";\n};\n", ledger_head,
                                     lists[i]) > 0);
                write_ledger(good_tasks);
                write_file("ledger.conf", ledger);
                whole = load_summary(0);
                snprintf(want, sizeof want, "ledger.conf:%d: error: unknown key 'titel'", line);
                if (!strstr(whole, want))
                        fail_msg("expected %s in\n%s", want, whole);
                sliced = load_summary(1);
                assert_string_equal(sliced, whole);
                free(sliced);
                free(whole);
                free(ledger);
        }
}

/* A file that does not parse gets libconfig's error alone, as when read
 * whole, wherever the slice it is in. */
static void test_sliced_syntax_error(void **state) {
        char *ledger = tricky_ledger(200, ", { id = \"x\"; owners = [ \"czj\" ];\n deadline \"y\"; }");
        const char *bad = strstr(ledger, "deadline \"y\"");
        char *whole, *sliced;
        int n = 1;

        (void) state;
        write_ledger(good_tasks);
        write_file("ledger.conf", ledger);
        assert_non_null(bad);
        for (const char *p = ledger; p < bad; p++)
                n += *p == '\n';
        whole = load_summary(0);
        sliced = load_summary(1);
        assert_string_equal(sliced, whole);
        {
                char want[128];

                snprintf(want, sizeof want, "ledger.conf:%d: error: syntax error\n", n);
                if (!strstr(whole, want))
                        fail_msg("expected %s, got %s", want, whole);
                assert_null(strstr(whole, "owner \"nobody\"")); /* nothing else */
        }
        free(whole);
        free(sliced);
        free(ledger);
}

/* What the slicer does not vouch for is read whole: @include, a NUL. */
static void test_sliced_unusual(void **state) {
        char path[256], *ledger, *summary;
        struct config *c = NULL;
        char *messages = NULL;

        (void) state;
        write_ledger(good_tasks);
        write_file("more.conf", "    { id = \"99\"; owners = [ \"czj\" ]; deadline = \"9月底之前\"; },\n");
        assert_true(asprintf(&ledger, "%s@include \"more.conf\"\n%s  );\n};\n", ledger_head,
                             good_tasks) > 0);
        write_file("ledger.conf", ledger);
        confread_slice_bytes = 1;
        assert_int_equal(load(&c, &messages), 0);
        confread_slice_bytes = 256 * 1024;
        assert_string_equal(messages, "");
        assert_int_equal(c->ledgers[0].n_tasks, 5);
        assert_string_equal(c->ledgers[0].tasks[0].id, "99");
        assert_non_null(strstr(c->ledgers[0].tasks[0].source.file, "more.conf"));
        assert_int_equal(c->ledgers[0].tasks[1].source.line, 7);
        config_free(c);
        free(messages);
        free(ledger);
        snprintf(path, sizeof path, "%s/more.conf", dir);
        unlink(path);

        /* A NUL in a string: not text, refused before either reader sees it. */
        {
                static const char text[] = "ledger = { id = \"a\"; title = \"t\"; year = 2025; tasks = "
                                           "( { id = \"1\"; owners = [ \"czj\" ]; item = \"a\0b\"; } ); };\n";
                FILE *f;

                snprintf(path, sizeof path, "%s/ledger.conf", dir);
                f = fopen(path, "w");
                assert_non_null(f);
                fwrite(text, 1, sizeof text - 1, f);
                fclose(f);
        }
        summary = load_summary(0);
        {
                char *sliced = load_summary(1);

                assert_string_equal(sliced, summary);
                free(sliced);
        }
        assert_non_null(strstr(summary, "ledger.conf:1: error: a NUL byte (byte 99 of the line)"));
        free(summary);
}

/* ---- files: regular ones only, UTF-8, a byte order mark dropped ------------------ */

#define BOM "\xef\xbb\xbf"

static void write_bytes(const char *name, const char *data, size_t n) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *name) {
        char path[256];

        snprintf(path, sizeof path, "%s/%s", dir, name);
        unlink(path);
}

/* A FIFO, wherever the configuration names one, is refused at once, never
 * opened for reading: the alarm ends the test if anything waits for a
 * writer. So is a device. */
static void test_fifo_refused(void **state) {
        struct config *c = NULL;
        char path[256], want[512];
        struct diagnostics d = {};

        (void) state;
        snprintf(path, sizeof path, "%s/fifo.conf", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        alarm(10);
        write_ledger(good_tasks);
        write_file("ledgerd.conf", "owners = ( { id = \"czj\"; name = \"县财政局\"; } );\n"
                                   "ledgers = [ \"ledger.conf\", \"fifo.conf\" ];\n");
        snprintf(want, sizeof want, "'ledgers': %s is a FIFO (named pipe), not a regular file: "
                 "name the file itself (ledgerd reads its configuration only from regular "
                 "files)", path);
        expect_error("ledgerd.conf", 2, want);

        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n"
                                   "owners = ( { id = \"czj\"; name = \"县财政局\"; } );\n"
                                   "holidays = [ \"fifo.conf\" ];\n");
        snprintf(want, sizeof want, "'holidays': %s is a FIFO (named pipe), not a regular file",
                 path);
        expect_error("ledgerd.conf", 3, want);

        write_main_with("@include \"fifo.conf\"\n");
        snprintf(want, sizeof want, "@include \"fifo.conf\": %s is a FIFO (named pipe), not a "
                 "regular file: include the file itself", path);
        expect_error("ledgerd.conf", 4, want);

        /* given on the command line: said at the file itself */
        assert_int_not_equal(conf_load(path, &c, &d), 0);
        assert_null(c);
        assert_int_equal(d.n_errors, 1);
        assert_string_equal(d.items[0].file, path);
        assert_string_equal(d.items[0].message, "is a FIFO (named pipe), not a regular file: name "
                            "the file itself (ledgerd reads its configuration only from regular "
                            "files)");
        diag_clear(&d);

        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n"
                                   "holidays = [ \"/dev/null\" ];\n"
                                   "owners = ( { id = \"czj\"; name = \"县财政局\"; } );\n");
        expect_error("ledgerd.conf", 2, "'holidays': /dev/null is a character device, not a "
                     "regular file");
        alarm(0);
        unlink(path);
}

/* A byte order mark at the start of any file is dropped: the main file, an
 * included one, a holiday file, a ledger read whole or in slices. */
/* A text large enough to be read by two threads, a half each, comes out
 * byte for byte, its byte order mark dropped: every line is numbered, so
 * that a half read from the wrong place cannot pass. */
static void test_large_text(void **state) {
        size_t lines = 600000, size = 3 + lines * 9, len = 0;
        char *want = malloc(size + 1), *got = NULL, path[256];

        (void) state;
        assert_non_null(want);
        memcpy(want, BOM, 3);
        for (size_t i = 0; i < lines; i++)
                snprintf(want + 3 + i * 9, 10, "%08zu\n", i);
        write_file("large.txt", want);
        snprintf(path, sizeof path, "%s/large.txt", dir);
        assert_int_equal(confread_text(path, &got, &len), 0);
        assert_int_equal(len, size - 3);
        assert_memory_equal(got, want + 3, len);
        assert_int_equal(got[len], '\0');
        assert_int_equal(unlink(path), 0);
        free(got);
        free(want);
}

static void test_bom_accepted(void **state) {
        char *whole, *sliced;

        (void) state;
        write_ledger(good_tasks);
        write_file("owners.conf", BOM "owners = ( { id = \"czj\"; name = \"县财政局\"; },\n"
                                  "  { id = \"bumen\"; name = \"各相关部门单位\"; } );\n");
        write_file("ledgerd.conf", BOM "ledgers = [ \"ledger.conf\" ];\n"
                                   "holidays = [ \"holidays.conf\" ];\n@include \"owners.conf\"\n");
        {
                char *text = NULL;

                assert_true(asprintf(&text, BOM "%s", holidays_conf) > 0);
                write_file("holidays.conf", text);
                free(text);
                assert_true(asprintf(&text, BOM "%s%s  );\n};\n", ledger_head, good_tasks) > 0);
                write_file("ledger.conf", text);
                free(text);
        }
        whole = load_summary(0);
        sliced = load_summary(1);
        assert_string_equal(sliced, whole);
        if (strncmp(whole, "0\n1|", 4) != 0)
                fail_msg("expected the ledger loaded without a message, got\n%s", whole);
        assert_non_null(strstr(whole, "|7月底之前|"));
        assert_non_null(strstr(whole, "ledger.conf:6|")); /* lines as they were */
        free(whole);
        free(sliced);
        remove_file("owners.conf");

        /* but only at the start: elsewhere it is a character libconfig does not take */
        write_main_with("timezone = \"Asia/Shanghai\";\n" BOM "\n");
        expect_error("ledgerd.conf", 5, "syntax error");
}

/* Text that is not UTF-8 is refused at its line, with the byte: a ledger in
 * GBK, read whole or in slices (checked on a thread of their own, and then
 * read whole), wherever the byte is. */
static void test_invalid_utf8(void **state) {
        static const char gbk_task[] =
                "    { id = \"1\"; owners = [ \"czj\" ]; deadline = \"7\xd4\xc2\xb5\xd7\"; }\n";
        char *whole, *sliced, want[256];

        (void) state;
        write_ledger(gbk_task);
        whole = load_summary(0);
        sliced = load_summary(1);
        assert_string_equal(sliced, whole);
        snprintf(want, sizeof want, "%s/ledger.conf:6: error: not UTF-8: byte 0xD4 (byte 50 of the "
                 "line); save the file as UTF-8 (from GBK or GB18030: iconv -f GB18030 -t UTF-8)\n",
                 dir);
        if (!strstr(whole, want))
                fail_msg("expected\n%s\ngot\n%s", want, whole);
        free(whole);
        free(sliced);

        /* Deep in a large ledger, among tasks with messages of their own:
         * those are not given, only the reason the file cannot be read. */
        {
                char *ledger = tricky_ledger(400, ", " "{ id = \"gbk\"; owners = [ \"czj\" ]; "
                                                  "deadline = \"7\xd4\xc2\xb5\xd7\"; }");

                write_file("ledger.conf", ledger);
                whole = load_summary(0);
                assert_non_null(strstr(whole, "error: not UTF-8: byte 0xD4"));
                assert_null(strstr(whole, "owner \"nobody\""));
                for (size_t bytes = 1; bytes <= 4096; bytes *= 64) {
                        sliced = load_summary(bytes);
                        assert_string_equal(sliced, whole);
                        free(sliced);
                }
                free(whole);
                free(ledger);
        }

        /* ledgerd.conf itself, an included file, a holiday file */
        write_main_with("# \xe5\x8e\xbf\n# \xc0\xaf overlong\n");
        expect_error("ledgerd.conf", 5, "not UTF-8: byte 0xC0 (byte 3 of the line)");
        write_main_with("@include \"more.conf\"\n");
        write_file("more.conf", "# a\n\n  # \xed\xa0\x80 a surrogate\n");
        expect_error("more.conf", 3, "not UTF-8: byte 0xED (byte 5 of the line)");
        remove_file("more.conf");
        write_ledger(good_tasks);
        write_file("holidays.conf", "calendar = { name = \"\xe4\xb8\"; };\n"); /* cut short */
        expect_error("holidays.conf", 1, "not UTF-8: byte 0xE4 (byte 22 of the line)");

        write_ledger(good_tasks);
        write_bytes("ledgerd.conf", "\xff\xfel\0e\0", 6);
        expect_error("ledgerd.conf", 1, "the file is UTF-16 (it starts with a UTF-16 byte order "
                     "mark): save it as UTF-8");
        write_bytes("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\nowners = ();\0\n", 42);
        expect_error("ledgerd.conf", 2, "a NUL byte (byte 13 of the line): a configuration file "
                     "is UTF-8 text, which holds none");
}

/* @include is done before libconfig sees the text: each setting, and each
 * message, names the file and line it is in, included or not. */
static void test_include_lines(void **state) {
        struct config *c;
        char want[512];

        (void) state;
        write_ledger(good_tasks);
        write_file("owners.conf", "# the owners\n"
                                  "owners = ( { id = \"czj\"; name = \"县财政局\"; },\n"
                                  "  { id = \"bumen\"; name = \"各相关部门单位\"; } );\n");
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n"
                                   "  @include \"owners.conf\" # the rest of the line\n"
                                   "/*\n@include \"none.conf\" in a comment\n*/\n"
                                   "reminders = { time = \"8:00\"; };\n");
        expect_error("ledgerd.conf", 6, "'time' must be HH:MM");
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n"
                                   "@include \"owners.conf\"\n"
                                   "channels = ( { id = \"a\"; format = \"jsn\"; url = \"http://x/\"; } );\n");
        expect_error("ledgerd.conf", 3, "channel a: unknown format \"jsn\"");

        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\nholidays = [ \"holidays.conf\" ];\n"
                                   "@include \"owners.conf\"\n");
        c = load_ok("");
        snprintf(want, sizeof want, "%s/owners.conf", dir);
        assert_string_equal(c->owners[1].source.file, want);
        assert_int_equal(c->owners[1].source.line, 3);
        config_free(c);

        /* a syntax error in the included file, at its line */
        write_file("owners.conf", "owners = (\n  { id = = \"czj\"; } );\n");
        expect_error("owners.conf", 2, "syntax error");
        /* a file that includes itself */
        write_file("owners.conf", "\n@include \"owners.conf\"\n");
        expect_error("owners.conf", 2, "@include \"owners.conf\": nested more than 10 deep: does "
                     "a file include itself?");
        /* a string left open does not run on into the file that includes it */
        write_file("owners.conf", "owners = ( { id = \"czj\"; name = \"县财政局 } );\n");
        expect_error("owners.conf", 2, "the file ends inside a string (a '\"' is missing): close "
                     "it before the end");
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\" ];\n@include \"owners.conf\n");
        expect_error("ledgerd.conf", 2, "@include: the file name has no closing '\"'");
        remove_file("owners.conf");
}

/* The secrets the tests name, as they should be: only the owner's. */
static const char *const secrets[] = { "secrets/smtp", "secrets/d" };

static int setup(void **state) {
        char path[256];

        (void) state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(path, sizeof path, "%s/secrets", dir);
        if (mkdir(path, 0700) < 0)
                return -1;
        for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++) {
                write_secret(secrets[i], 0600);
        }
        return 0;
}

static int teardown(void **state) {
        const char *names[] = { "ledgerd.conf", "ledger.conf", "other.conf", "holidays.conf", "secrets/smtp",
                                "secrets/d", "secrets" };
        char path[256];

        (void) state;
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                if (unlink(path) < 0)
                        rmdir(path);
        }
        return rmdir(dir);
}

/* A phrase read once in a load is remembered for the next ledgers: the
 * same words in a ledger of another year still give that year's date. */
static void test_phrase_across_ledgers(void **state) {
        static const char other[] =
                "ledger = {\n  id = \"t-2026\";\n  title = \"下年台账\";\n  year = 2026;\n"
                "  tasks = ( { id = \"1\"; item = \"重点项目\"; owners = [ \"县财政局\" ];\n"
                "              deadline = \"7月底之前\"; } );\n};\n";
        struct config *c = NULL;
        char *messages = NULL;

        (void) state;
        write_ledger(good_tasks);
        write_file("other.conf", other);
        write_file("ledgerd.conf", "ledgers = [ \"ledger.conf\", \"other.conf\" ];\n"
                                   "holidays = [ \"holidays.conf\" ];\n"
                                   "owners = ( { id = \"czj\"; name = \"县财政局\"; },\n"
                                   "           { id = \"bumen\"; name = \"各相关部门单位\"; } );\n");
        assert_int_equal(load(&c, &messages), 0);
        assert_int_equal(c->n_ledgers, 2);
        assert_int_equal(ledger_find_task(&c->ledgers[0], "1")->milestones[0].due,
                         date_from_ymd(2025, 7, 31));
        assert_int_equal(ledger_find_task(&c->ledgers[1], "1")->milestones[0].due,
                         date_from_ymd(2026, 7, 31));
        config_free(c);
        free(messages);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good_ledger),
                cmocka_unit_test(test_phrase_across_ledgers),
                cmocka_unit_test(test_unknown_key),
                cmocka_unit_test(test_unknown_key_main),
                cmocka_unit_test(test_duplicate_task),
                cmocka_unit_test(test_impossible_date),
                cmocka_unit_test(test_owner_not_defined),
                cmocka_unit_test(test_wrong_type),
                cmocka_unit_test(test_wrong_type_owners),
                cmocka_unit_test(test_unreadable_include),
                cmocka_unit_test(test_include_of_a_directory),
                cmocka_unit_test(test_unreadable_ledger),
                cmocka_unit_test(test_each_holiday_file_said),
                cmocka_unit_test(test_ledger_is_directory),
                cmocka_unit_test(test_syntax_error),
                cmocka_unit_test(test_bad_offset),
                cmocka_unit_test(test_bad_time),
                cmocka_unit_test(test_bad_holiday),
                cmocka_unit_test(test_bad_id),
                cmocka_unit_test(test_duplicate_owner),
                cmocka_unit_test(test_owner_unreadable_then_another),
                cmocka_unit_test(test_unknown_zone),
                cmocka_unit_test(test_phrase_warning),
                cmocka_unit_test(test_shipped),
                cmocka_unit_test(test_feed_settings),
                cmocka_unit_test(test_feed_base_url),
                cmocka_unit_test(test_feed_wildcard_warning),
                cmocka_unit_test(test_feed_bad_listen),
                cmocka_unit_test(test_feed_bad_base_url),
                cmocka_unit_test(test_feed_bad_slug),
                cmocka_unit_test(test_feed_bad_token),
                cmocka_unit_test(test_delivery_defaults),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_delivery_full),
                cmocka_unit_test(test_delivery_durations),
                cmocka_unit_test(test_delivery_duration_units),
                cmocka_unit_test(test_delivery_unknown_keys),
                cmocka_unit_test(test_delivery_templates),
                cmocka_unit_test(test_delivery_password),
                cmocka_unit_test(test_delivery_smtp_errors),
                cmocka_unit_test(test_delivery_warnings),
                cmocka_unit_test(test_channel_rate_limit),
                cmocka_unit_test(test_channel_url),
                cmocka_unit_test(test_smtp_url),
                cmocka_unit_test(test_secret_files),
                cmocka_unit_test(test_owner_email),
                cmocka_unit_test(test_sliced_digest),
                cmocka_unit_test(test_sliced_lines_after_list),
                cmocka_unit_test(test_sliced_same_as_whole),
                cmocka_unit_test(test_sliced_syntax_error),
                cmocka_unit_test(test_sliced_unusual),
                cmocka_unit_test(test_fifo_refused),
                cmocka_unit_test(test_large_text),
                cmocka_unit_test(test_bom_accepted),
                cmocka_unit_test(test_invalid_utf8),
                cmocka_unit_test(test_include_lines),
        };

        return cmocka_run_group_tests_name("conf", tests, setup, teardown);
}
