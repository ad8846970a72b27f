/* SPDX-License-Identifier: MIT */
/* conftable: a group read by a table. Each type read, its bounds and its
 * default; unknown keys and their suggestion; checks and steps with their
 * file:line; and what each flag does to the steps after a failed one. The
 * tables here are made for the tests; conf_load()'s own are tested through
 * test-conf. */

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

#include "conf/conftable.h"
#include "ledger/date.h"
#include "tests/unit/test-files.h"

static char dir[] = "/tmp/ledgerd-test-conftable-XXXXXX";

struct inner {
        char *word;
        long wait;
};
#define INNER(field) offsetof(struct inner, field)

struct sample {
        char *name;
        const char *text;
        bool on;
        int count;
        long wait;
        day_t day;
        char **tags;
        size_t n_tags;
        struct inner inner;
        int custom_calls;
        bool custom_had_setting;
        int steps;
};

#define SAMPLE(field) offsetof(struct sample, field)

static void sample_free(struct sample *s) {
        free(s->name);
        for (size_t i = 0; s->tags && s->tags[i]; i++)
                free(s->tags[i]);
        free(s->tags);
        free(s->inner.word);
}

/* ---- reading a text ------------------------------------------------------------------ */

/* One text read by one table: the result, the messages ("F:LINE: error: …"
 * with F for the file) and the configuration, kept for a second look. */
struct reading {
        config_t cfg;
        struct config config;
        struct diagnostics diags;
        struct confread cr;
        char path[256];
};

static const config_setting_t *parse(struct reading *rd, const char *text) {
        *rd = (struct reading) { 0 };
        rd->cr = (struct confread) { .config = &rd->config, .diags = &rd->diags };
        snprintf(rd->path, sizeof rd->path, "%s/F", dir);
        test_write_bytes(rd->path, text, strlen(text));
        config_init(&rd->cfg);
        assert_int_equal(confread_file(&rd->cr, &rd->cfg, rd->path), 0);
        return config_root_setting(&rd->cfg);
}

/* The messages, with the file's directory left out. */
static char *messages(struct reading *rd) {
        char *out = NULL, *p;
        size_t size = 0, n = strlen(dir) + 1;
        FILE *f = open_memstream(&out, &size);

        assert_non_null(f);
        diag_print(&rd->diags, f);
        assert_int_equal(fclose(f), 0);
        while ((p = strstr(out, dir)))
                memmove(p, p + n, strlen(p + n) + 1);
        return out;
}

static void done(struct reading *rd) {
        config_destroy(&rd->cfg);
        diag_clear(&rd->diags);
        for (size_t i = 0; i < rd->config.n_files; i++)
                free(rd->config.files[i]);
        free(rd->config.files);
        free(rd->config.file_digests);
}

/* The last text read stays until the next is, or the end: TEXT values are
 * borrowed from its tree. */
static struct reading last;
static bool last_open;

/* Reads text with t into *s; the messages must be exactly expected. */
static int read_text(const struct conftable *t, const char *text, struct sample *s,
                     const char *expected) {
        char *got;
        int r;

        if (last_open)
                done(&last);
        last_open = true;
        r = conftable_read(&last.cr, t, parse(&last, text), s);
        got = messages(&last);
        if (strcmp(got, expected) != 0)
                fail_msg("for\n%s\nexpected\n%sgot\n%s", text, expected, got);
        free(got);
        return r;
}

/* ---- the types ------------------------------------------------------------------------ */

static int check_not_empty(const struct conftable_value *v) {
        if (conftable_text(v)[0])
                return 0;
        confread_error(v->cr, v->setting, "'%s' must not be empty", v->key->key);
        return -EINVAL;
}

static const struct conftable_key inner_keys[] = {
        CONFTABLE_KEY("word", CONFTABLE_STRING, .offset = INNER(word), .def = "hello"),
        CONFTABLE_KEY("wait", CONFTABLE_DURATION, .offset = INNER(wait), .def = "1m",
                      .max = 3600, .range = "0s to 1h"),
};
static const struct conftable inner_table = { .what = "inner", CONFTABLE_KEYS(inner_keys) };

static const struct conftable_key typed_keys[] = {
        CONFTABLE_KEY("name", CONFTABLE_STRING, .offset = SAMPLE(name), .def = "nobody",
                      .check = check_not_empty),
        CONFTABLE_KEY("text", CONFTABLE_TEXT, .offset = SAMPLE(text), .def = ""),
        CONFTABLE_KEY("on", CONFTABLE_BOOL, .offset = SAMPLE(on), .def = "true"),
        CONFTABLE_KEY("count", CONFTABLE_INT, .offset = SAMPLE(count), .def = "7",
                      .min = 1, .max = 99, .range = "1 to 99"),
        CONFTABLE_KEY("wait", CONFTABLE_DURATION, .offset = SAMPLE(wait), .def = "3d",
                      .min = 1, .max = 7 * 86400, .range = "1s to 7d"),
        CONFTABLE_KEY("day", CONFTABLE_DATE, .offset = SAMPLE(day), .def = "2025-01-01"),
        CONFTABLE_KEY("tags", CONFTABLE_STRINGS, .offset = SAMPLE(tags),
                      .count_offset = SAMPLE(n_tags)),
        CONFTABLE_KEY("inner", CONFTABLE_GROUP, .offset = SAMPLE(inner),
                      .table = &inner_table),
        CONFTABLE_KEY("anything", CONFTABLE_ANY),
};
static const struct conftable typed = { .what = "sample", CONFTABLE_KEYS(typed_keys) };

static void test_types_read(void **state) {
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&typed,
                                   "name = \"台账\";\ntext = \"t\";\non = false;\ncount = 99;\n"
                                   "wait = \"12h\";\nday = \"2025-02-28\";\n"
                                   "tags = [ \"a\", \"b\" ];\n"
                                   "inner = { word = \"w\"; wait = \"0s\"; };\n"
                                   "anything = ( 1, { x = 2; } );\n",
                                   &s, ""),
                         0);
        assert_string_equal(s.name, "台账");
        assert_false(s.on);
        assert_int_equal(s.count, 99);
        assert_int_equal(s.wait, 12 * 3600);
        assert_int_equal(s.day, date_from_ymd(2025, 2, 28));
        assert_int_equal(s.n_tags, 2);
        assert_string_equal(s.tags[1], "b");
        assert_null(s.tags[2]);
        assert_string_equal(s.inner.word, "w");
        assert_int_equal(s.inner.wait, 0);
        sample_free(&s);

        /* a list of strings is as good as an array, a 64-bit int as an int */
        s = (struct sample) { 0 };
        assert_int_equal(read_text(&typed, "tags = ( \"x\" );\ncount = 5L;\n", &s, ""), 0);
        assert_string_equal(s.tags[0], "x");
        assert_int_equal(s.count, 5);
        sample_free(&s);
}

static void test_defaults_when_absent(void **state) {
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&typed, "", &s, ""), 0);
        assert_string_equal(s.name, "nobody");
        assert_string_equal(s.text, "");
        assert_true(s.on);
        assert_int_equal(s.count, 7);
        assert_int_equal(s.wait, 3 * 86400);
        assert_int_equal(s.day, date_from_ymd(2025, 1, 1));
        assert_null(s.tags); /* no default: left as it was */
        assert_int_equal(s.n_tags, 0);
        assert_string_equal(s.inner.word, "hello"); /* an absent group: its defaults */
        assert_int_equal(s.inner.wait, 60);
        sample_free(&s);

        /* and without the group at all */
        {
                struct reading rd;

                s = (struct sample) { 0 };
                parse(&rd, "");
                assert_int_equal(conftable_defaults(&rd.cr, &typed, &s), 0);
                assert_int_equal(rd.diags.n_items, 0);
                assert_int_equal(s.count, 7);
                assert_string_equal(s.inner.word, "hello");
                done(&rd);
                sample_free(&s);
        }
}

static void test_bounds(void **state) {
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&typed, "count = 0;\n", &s,
                                   "F:1: error: 'count' must be 1 to 99, not 0\n"),
                         -EINVAL);
        sample_free(&s);
        s = (struct sample) { 0 };
        assert_int_equal(read_text(&typed, "\ncount = 100;\n", &s,
                                   "F:2: error: 'count' must be 1 to 99, not 100\n"),
                         -EINVAL);
        sample_free(&s);
        s = (struct sample) { 0 };
        assert_int_equal(read_text(&typed, "count = 5000000000L;\n", &s,
                                   "F:1: error: 'count' is out of range: 5000000000\n"),
                         -EINVAL);
        sample_free(&s);
        s = (struct sample) { 0 };
        read_text(&typed, "wait = \"0s\";\n", &s,
                  "F:1: error: 'wait' must be 1s to 7d, not \"0s\"\n");
        sample_free(&s);
        s = (struct sample) { 0 };
        read_text(&typed, "wait = \"8d\";\n", &s,
                  "F:1: error: 'wait' must be 1s to 7d, not \"8d\"\n");
        sample_free(&s);
        s = (struct sample) { 0 };
        read_text(&typed, "wait = \"1h30m\";\n", &s,
                  "F:1: error: 'wait' must be a duration: a whole number and s, m, h or d, such as "
                  "\"30s\", \"15m\", \"12h\" or \"3d\"; not \"1h30m\"\n");
        sample_free(&s);
        s = (struct sample) { 0 };
        read_text(&typed, "day = \"2025-02-30\";\n", &s,
                  "F:1: error: 'day': \"2025-02-30\" is not a date (YYYY-MM-DD)\n");
        sample_free(&s);
}

static void test_durations(void **state) {
        long v = -1;

        (void) state;
        assert_int_equal(conftable_duration_parse("30s", &v), 0);
        assert_int_equal(v, 30);
        assert_int_equal(conftable_duration_parse("15m", &v), 0);
        assert_int_equal(v, 900);
        assert_int_equal(conftable_duration_parse("366d", &v), 0);
        assert_int_equal(v, 366L * 86400);
        assert_int_equal(conftable_duration_parse("367d", &v), -ERANGE);
        assert_int_equal(conftable_duration_parse("99999999999999999999s", &v), -ERANGE);
        assert_int_equal(conftable_duration_parse("d", &v), -EINVAL);
        assert_int_equal(conftable_duration_parse("1w", &v), -EINVAL);
        assert_int_equal(conftable_duration_parse(" 1d", &v), -EINVAL);
        assert_int_equal(conftable_duration_parse("1dd", &v), -EINVAL);
        assert_int_equal(conftable_duration_parse("", &v), -EINVAL);
}

static void test_wrong_types(void **state) {
        struct sample s = { 0 };

        (void) state;
        read_text(&typed,
                  "name = 5;\non = \"yes\";\ncount = 1.5;\ntags = [ 1, 2 ];\ninner = \"x\";\n"
                  "wait = 30;\n",
                  &s,
                  "F:1: error: 'name' must be a string in double quotes, not a whole number\n"
                  "F:2: error: 'on' must be true or false, not a string in double quotes\n"
                  "F:3: error: 'count' must be a whole number, not a number\n"
                  "F:6: error: 'wait' must be a string in double quotes, not a whole number\n"
                  "F:4: error: 'tags' must hold only strings, not a whole number\n"
                  "F:5: error: 'inner' must be a group { … }, not a string in double quotes\n");
        assert_int_equal(s.n_tags, 0);
        sample_free(&s);

        /* the strings up to the first that is not one are kept */
        s = (struct sample) { 0 };
        read_text(&typed, "tags = ( \"a\", \"b\", 3, \"c\" );\n", &s,
                  "F:1: error: 'tags' must hold only strings, not a whole number\n");
        assert_int_equal(s.n_tags, 2);
        assert_string_equal(s.tags[1], "b");
        sample_free(&s);
}

static void test_check_names_file_and_line(void **state) {
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&typed, "# a comment\n\nname = \"\";\n", &s,
                                   "F:3: error: 'name' must not be empty\n"),
                         -EINVAL);
        sample_free(&s);
}

/* ---- unknown keys ---------------------------------------------------------------------- */

static void test_unknown_key_suggestion(void **state) {
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&typed,
                                   "count = 3;\ncuont = 3;\nwiat = \"1s\";\nzzzzzz = 1;\n", &s,
                                   "F:2: error: unknown key 'cuont' in sample "
                                   "(did you mean 'count'?)\n"
                                   "F:3: error: unknown key 'wiat' in sample "
                                   "(did you mean 'wait'?)\n"
                                   "F:4: error: unknown key 'zzzzzz' in sample\n"),
                         -EINVAL);
        /* the known keys are read all the same */
        assert_int_equal(s.count, 3);
        sample_free(&s);

        /* in a nested group, named by its table */
        s = (struct sample) { 0 };
        read_text(&typed, "inner = {\n  wrod = \"x\";\n};\n", &s,
                  "F:2: error: unknown key 'wrod' in inner (did you mean 'word'?)\n");
        sample_free(&s);
}

static int no_step(const struct conftable_value *v) {
        (void) v;
        return 0;
}

/* Of two keys as near, the first in the table is suggested: "ab" is one
 * edit from "a" and from "b". */
static void test_unknown_key_tie(void **state) {
        static const struct conftable_key ab[] = {
                CONFTABLE_KEY("a", CONFTABLE_ANY),
                CONFTABLE_DO(no_step), /* steps are no keys to suggest */
                CONFTABLE_KEY("b", CONFTABLE_ANY),
        };
        static const struct conftable_key ba[] = {
                CONFTABLE_KEY("b", CONFTABLE_ANY),
                CONFTABLE_KEY("a", CONFTABLE_ANY),
        };
        static const struct conftable t_ab = { .what = "t", CONFTABLE_KEYS(ab) };
        static const struct conftable t_ba = { .what = "t", CONFTABLE_KEYS(ba) };
        struct sample s = { 0 };

        (void) state;
        read_text(&t_ab, "ab = 1;\n", &s,
                  "F:1: error: unknown key 'ab' in t (did you mean 'a'?)\n");
        read_text(&t_ba, "ab = 1;\n", &s,
                  "F:1: error: unknown key 'ab' in t (did you mean 'b'?)\n");
}

static int count_step(const struct conftable_value *v) {
        ((struct sample *) v->target)->steps++;
        return 0;
}

static void test_stop_on_unknown(void **state) {
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("count", CONFTABLE_INT, .offset = SAMPLE(count), .def = "7"),
                CONFTABLE_DO(count_step),
        };
        static const struct conftable strict = {
                .what = "strict", CONFTABLE_KEYS(keys), .stop_on_unknown = true,
        };
        static const struct conftable lenient = { .what = "lenient", CONFTABLE_KEYS(keys) };
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&strict, "count = 3;\nx = 1;\n", &s,
                                   "F:2: error: unknown key 'x' in strict\n"),
                         -EINVAL);
        assert_int_equal(s.count, 0);
        assert_int_equal(s.steps, 0);
        assert_int_equal(read_text(&lenient, "count = 3;\nx = 1;\n", &s,
                                   "F:2: error: unknown key 'x' in lenient\n"),
                         -EINVAL);
        assert_int_equal(s.count, 3);
        assert_int_equal(s.steps, 1);
}

/* ---- required keys, custom readers, steps ------------------------------------------------ */

static int custom_read(const struct conftable_value *v) {
        struct sample *s = v->target;

        s->custom_calls++;
        s->custom_had_setting = v->setting != NULL;
        if (v->setting && config_setting_type(v->setting) != CONFIG_TYPE_LIST) {
                confread_error(v->cr, v->setting, "'%s' must be a list", v->key->key);
                return -EINVAL;
        }
        return 0;
}

static void test_required_and_custom(void **state) {
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("name", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED,
                              .offset = SAMPLE(name)),
                CONFTABLE_KEY("items", CONFTABLE_CUSTOM, .read = custom_read),
        };
        static const struct conftable t = { .what = "thing", CONFTABLE_KEYS(keys) };
        struct sample s = { 0 };

        (void) state;
        /* missing: said at the group, here the file's root (line 0: none) */
        read_text(&t, "", &s, "F: error: missing 'name'\n");
        assert_int_equal(s.custom_calls, 1); /* called when absent too */
        assert_false(s.custom_had_setting);
        s = (struct sample) { 0 };
        read_text(&t, "name = \"n\";\nitems = 5;\n", &s, "F:2: error: 'items' must be a list\n");
        assert_true(s.custom_had_setting);
        sample_free(&s);

        /* in a group, the group's line */
        {
                static const struct conftable_key outer[] = {
                        CONFTABLE_KEY("g", CONFTABLE_GROUP, .table = &t),
                };
                static const struct conftable o = { .what = "outer", CONFTABLE_KEYS(outer) };

                s = (struct sample) { 0 };
                read_text(&o, "\ng = {\n  items = ( );\n};\n", &s, "F:2: error: missing 'name'\n");
        }
}

/* A step that fails when the two counts disagree, pointing at the second. */
static int step_compare(const struct conftable_value *v) {
        const struct sample *s = v->target;

        if (conftable_state(v, "count") != CONFTABLE_OK)
                return 0;
        if (s->count != (int) s->wait) {
                confread_error(v->cr, conftable_setting(v, "wait"), "'count' and 'wait' disagree");
                return -EINVAL;
        }
        return 0;
}

static void test_step_across_keys(void **state) {
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("count", CONFTABLE_INT, .offset = SAMPLE(count)),
                CONFTABLE_KEY("wait", CONFTABLE_DURATION, .offset = SAMPLE(wait),
                              .max = 100, .range = "0s to 100s"),
                CONFTABLE_DO(step_compare),
        };
        static const struct conftable t = { .what = "t", CONFTABLE_KEYS(keys) };
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&t, "count = 5;\nwait = \"5s\";\n", &s, ""), 0);
        assert_int_equal(read_text(&t, "count = 5;\n\nwait = \"6s\";\n", &s,
                                   "F:3: error: 'count' and 'wait' disagree\n"),
                         -EINVAL);
        /* count absent: the step sees it so and says nothing */
        s = (struct sample) { 0 };
        assert_int_equal(read_text(&t, "wait = \"6s\";\n", &s, ""), 0);
}

/* ---- flags ------------------------------------------------------------------------------ */

static int always_fails(const struct conftable_value *v) {
        confread_error(v->cr, v->setting, "'%s' fails its check", v->key->key);
        return -EINVAL;
}

static const struct conftable_key flag_keys[] = {
        CONFTABLE_KEY("a", CONFTABLE_INT, .offset = SAMPLE(count)),
        CONFTABLE_KEY("b", CONFTABLE_STRING, .flags = CONFTABLE_AFTER, .offset = SAMPLE(name),
                      .check = always_fails),
        CONFTABLE_KEY("c", CONFTABLE_TEXT, .flags = CONFTABLE_AFTER_READ, .offset = SAMPLE(text)),
        CONFTABLE_KEY("d", CONFTABLE_BOOL, .flags = CONFTABLE_AFTER, .offset = SAMPLE(on)),
        CONFTABLE_DO(count_step, .flags = CONFTABLE_IF_ALL_OK),
};
static const struct conftable flags = { .what = "flags", CONFTABLE_KEYS(flag_keys) };

static void test_after(void **state) {
        struct sample s = { 0 };

        (void) state;
        /* a unreadable: b is not read; c is (b was skipped, not read: no) */
        read_text(&flags, "a = \"x\";\nb = \"y\";\nc = \"z\";\nd = true;\n", &s,
                  "F:1: error: 'a' must be a whole number, not a string in double quotes\n");
        assert_null(s.name);
        assert_null(s.text);
        assert_false(s.on);
        assert_int_equal(s.steps, 0);
        /* b read but its check fails: c still read (AFTER_READ), d too (c ok) */
        s = (struct sample) { 0 };
        read_text(&flags, "a = 1;\nb = \"y\";\nc = \"z\";\nd = true;\n", &s,
                  "F:2: error: 'b' fails its check\n");
        assert_string_equal(s.text, "z");
        assert_true(s.on);
        assert_int_equal(s.steps, 0); /* IF_ALL_OK: b failed */
        sample_free(&s);
        /* all absent: every step runs */
        s = (struct sample) { 0 };
        read_text(&flags, "", &s, "");
        assert_int_equal(s.steps, 1);
}

static void test_stop(void **state) {
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("a", CONFTABLE_INT, .flags = CONFTABLE_STOP_UNREAD,
                              .offset = SAMPLE(count), .max = 9, .range = "0 to 9"),
                CONFTABLE_KEY("b", CONFTABLE_STRING, .flags = CONFTABLE_STOP,
                              .offset = SAMPLE(name), .check = check_not_empty),
                CONFTABLE_KEY("c", CONFTABLE_TEXT, .offset = SAMPLE(text)),
        };
        static const struct conftable t = { .what = "t", CONFTABLE_KEYS(keys) };
        struct sample s = { 0 };

        (void) state;
        /* STOP_UNREAD: a value out of bounds goes on, a wrong type stops */
        read_text(&t, "a = 10;\nc = \"z\";\n", &s, "F:1: error: 'a' must be 0 to 9, not 10\n");
        assert_string_equal(s.text, "z");
        s = (struct sample) { 0 };
        read_text(&t, "a = \"x\";\nc = 5;\n", &s,
                  "F:1: error: 'a' must be a whole number, not a string in double quotes\n");
        /* STOP: a failed check stops too */
        s = (struct sample) { 0 };
        read_text(&t, "b = \"\";\nc = 5;\n", &s, "F:1: error: 'b' must not be empty\n");
        sample_free(&s);
}

static int rate_default(const struct conftable_value *v) {
        struct sample *s = v->target;

        if (!v->setting)
                s->count = s->on ? 20 : 0; /* a default that depends on another key */
        return 0;
}

static void test_check_absent(void **state) {
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("on", CONFTABLE_BOOL, .offset = SAMPLE(on)),
                CONFTABLE_KEY("rate", CONFTABLE_INT, .flags = CONFTABLE_CHECK_ABSENT,
                              .offset = SAMPLE(count), .check = rate_default),
        };
        static const struct conftable t = { .what = "t", CONFTABLE_KEYS(keys) };
        struct sample s = { 0 };

        (void) state;
        read_text(&t, "on = true;\n", &s, "");
        assert_int_equal(s.count, 20);
        read_text(&t, "on = true;\nrate = 5;\n", &s, "");
        assert_int_equal(s.count, 5);
}

static const struct conftable_key pass_keys[] = {
        CONFTABLE_KEY("late", CONFTABLE_CUSTOM, .flags = CONFTABLE_SECOND, .read = custom_read),
        CONFTABLE_KEY("a", CONFTABLE_INT, .flags = CONFTABLE_STOP, .offset = SAMPLE(count)),
        CONFTABLE_KEY("b", CONFTABLE_STRING, .offset = SAMPLE(name)),
};
static const struct conftable passes = { .what = "passes", CONFTABLE_KEYS(pass_keys) };

static void test_second_pass(void **state) {
        struct sample s = { 0 };
        struct reading rd;
        const config_setting_t *g;
        char *got;

        (void) state;
        /* conftable_read: the first pass, then the second */
        read_text(&passes, "late = 1;\na = 1;\nb = \"x\";\nlaet = 2;\n", &s,
                  "F:4: error: unknown key 'laet' in passes (did you mean 'late'?)\n"
                  "F:1: error: 'late' must be a list\n");
        assert_int_equal(s.custom_calls, 1);
        sample_free(&s);
        /* a STOP in the first pass: no second */
        s = (struct sample) { 0 };
        read_text(&passes, "late = 1;\na = \"1\";\n", &s,
                  "F:2: error: 'a' must be a whole number, not a string in double quotes\n");
        assert_int_equal(s.custom_calls, 0);

        /* apart: the first without the second; the second without the unknown keys again */
        s = (struct sample) { 0 };
        g = parse(&rd, "late = ( );\nzzzz = 1;\nb = \"x\";\n");
        assert_int_equal(conftable_read_first(&rd.cr, &passes, g, &s), -EINVAL);
        assert_int_equal(s.custom_calls, 0);
        assert_string_equal(s.name, "x");
        assert_int_equal(conftable_read_second(&rd.cr, &passes, g, &s), 0);
        assert_int_equal(s.custom_calls, 1);
        got = messages(&rd);
        assert_string_equal(got, "F:2: error: unknown key 'zzzz' in passes\n");
        free(got);
        done(&rd);
        sample_free(&s);
}

/* ---- defaults from a struct --------------------------------------------------------------- */

static const void *built_in(void) {
        static const struct sample defaults = {
                .name = "built-in name", .inner = { .word = "built-in word" },
        };

        return &defaults;
}

static void test_defaults_object(void **state) {
        static const struct conftable_key inner[] = {
                CONFTABLE_KEY("word", CONFTABLE_STRING, .offset = INNER(word)),
        };
        static const struct conftable inner_t = { .what = "inner", CONFTABLE_KEYS(inner) };
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("name", CONFTABLE_STRING, .offset = SAMPLE(name)),
                CONFTABLE_KEY("inner", CONFTABLE_GROUP, .offset = SAMPLE(inner),
                              .table = &inner_t),
        };
        static const struct conftable t = {
                .what = "t", CONFTABLE_KEYS(keys), .defaults = built_in,
        };
        struct sample s = { 0 };

        (void) state;
        read_text(&t, "inner = { };\n", &s, "");
        assert_string_equal(s.name, "built-in name");
        assert_ptr_not_equal(s.name, built_in()); /* a copy, owned */
        assert_string_equal(s.inner.word, "built-in word");
        sample_free(&s);
        s = (struct sample) { 0 };
        read_text(&t, "name = \"n\";\ninner = { word = \"w\"; };\n", &s, "");
        assert_string_equal(s.name, "n");
        assert_string_equal(s.inner.word, "w");
        sample_free(&s);
}

static void test_bad_default(void **state) {
        static const struct conftable_key keys[] = {
                CONFTABLE_KEY("wait", CONFTABLE_DURATION, .offset = SAMPLE(wait),
                              .def = "1w", .max = 86400),
        };
        static const struct conftable t = { .what = "t", CONFTABLE_KEYS(keys) };
        struct sample s = { 0 };

        (void) state;
        assert_int_equal(read_text(&t, "", &s,
                                   "error: built-in default of 'wait' is not valid: \"1w\"\n"),
                         -EINVAL);
}

static int setup(void **state) {
        (void) state;
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        char path[256];

        (void) state;
        if (last_open)
                done(&last);
        snprintf(path, sizeof path, "%s/F", dir);
        unlink(path);
        return rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_types_read),
                cmocka_unit_test(test_defaults_when_absent),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_durations),
                cmocka_unit_test(test_wrong_types),
                cmocka_unit_test(test_check_names_file_and_line),
                cmocka_unit_test(test_unknown_key_suggestion),
                cmocka_unit_test(test_unknown_key_tie),
                cmocka_unit_test(test_stop_on_unknown),
                cmocka_unit_test(test_required_and_custom),
                cmocka_unit_test(test_step_across_keys),
                cmocka_unit_test(test_after),
                cmocka_unit_test(test_stop),
                cmocka_unit_test(test_check_absent),
                cmocka_unit_test(test_second_pass),
                cmocka_unit_test(test_defaults_object),
                cmocka_unit_test(test_bad_default),
        };

        return cmocka_run_group_tests_name("conftable", tests, setup, teardown);
}
