/* SPDX-License-Identifier: MIT */
/* confplain_read against libconfig itself. The tree of every text the reader
 * takes is dumped with everything a loader can see (names, types, formats,
 * lines, files, values, order) and must be byte for byte libconfig's; every
 * text it leaves must leave the config empty, and libconfig must then read it
 * as it would have without the attempt. The tables hold what libconfig 1.5
 * really does: each case first asks libconfig whether it reads the text. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/confdump.h"
#include "conf/plain/confplain.h"

/* ---- the dump ------------------------------------------------------------------------- */

static char *dump_config(const config_t *cfg) {
        char *out = confdump(cfg);

        assert_non_null(out);
        return out;
}

/* ---- the checks ------------------------------------------------------------------------ */

/* A copy in a block of exactly strlen + 1 bytes: AddressSanitizer then sees
 * any read past the NUL that the contract puts at text[len]. */
static char *exact_copy(const char *text, size_t *len) {
        char *copy;

        *len = strlen(text);
        copy = malloc(*len + 1);
        assert_non_null(copy);
        memcpy(copy, text, *len + 1);
        return copy;
}

/* The text in a failure message, its bytes visible. */
static void print_text(const char *what, size_t i, const char *text) {
        size_t n = strlen(text);

        print_error("%s case %zu (%zu bytes): \"", what, i, n);
        for (size_t k = 0; k < n && k < 600; k++) {
                unsigned char c = (unsigned char) text[k];

                if (c == '\n')
                        print_error("\\n");
                else if (c == '"' || c == '\\')
                        print_error("\\%c", c);
                else if (c < 0x20 || c == 0x7f)
                        print_error("\\x%02x", c);
                else
                        print_error("%c", c);
        }
        print_error("\"%s\n", n > 600 ? "..." : "");
}

static size_t root_length(const config_t *cfg) {
        return (size_t) config_setting_length(config_root_setting(cfg));
}

/* What libconfig made of the text, in full: the tree, or the error. */
static char *libconfig_outcome(config_t *cfg, const char *text) {
        char *out = NULL;

        if (config_read_string(cfg, text) == CONFIG_TRUE)
                return dump_config(cfg);
        assert_true(asprintf(&out, "error %d line %d: %s\n", (int) config_error_type(cfg),
                             config_error_line(cfg), config_error_text(cfg)) > 0);
        return out;
}

/* After confplain_read gave up on pc: pc must be empty, and libconfig must
 * read the text into it exactly as into a config of its own. */
static bool check_left(const char *what, size_t i, const char *text, config_t *pc) {
        config_t lc;
        char *fresh, *reused;
        bool ok = true;

        if (root_length(pc) != 0 || config_setting_type(config_root_setting(pc)) !=
                                            CONFIG_TYPE_GROUP) {
                char *left = dump_config(pc);

                print_text(what, i, text);
                print_error("  declined, but the config is not empty:\n%s", left);
                free(left);
                return false;
        }
        config_init(&lc);
        fresh = libconfig_outcome(&lc, text);
        reused = libconfig_outcome(pc, text);
        if (strcmp(fresh, reused) != 0) {
                print_text(what, i, text);
                print_error("  libconfig, fresh config:\n%s  libconfig, after confplain_read:\n%s",
                            fresh, reused);
                ok = false;
        }
        free(fresh);
        free(reused);
        config_destroy(&lc);
        return ok;
}

/* After confplain_read took the text into pc: libconfig must read it too,
 * into the same tree. */
static bool check_taken(const char *what, size_t i, const char *text, config_t *pc) {
        config_t lc;
        char *want, *got;
        bool ok = true;

        config_init(&lc);
        want = libconfig_outcome(&lc, text);
        got = dump_config(pc);
        if (strcmp(want, got) != 0) {
                print_text(what, i, text);
                print_error("  libconfig:\n%s  confplain_read:\n%s", want, got);
                ok = false;
        }
        free(want);
        free(got);
        config_destroy(&lc);
        return ok;
}

enum expect { TAKE, LEAVE, EITHER };

static const char *const expect_name[] = { "take", "leave", "either" };

/* Runs confplain_read on the text and checks its answer against libconfig. */
static bool check(enum expect expect, size_t i, const char *text) {
        const char *what = expect_name[expect];
        size_t len;
        char *copy = exact_copy(text, &len);
        config_t pc;
        bool ok;
        int r;

        config_init(&pc);
        r = confplain_read(&pc, copy, len);
        if (r == 1)
                ok = check_taken(what, i, text, &pc);
        else if (r == 0)
                ok = check_left(what, i, text, &pc);
        else {
                print_text(what, i, text);
                print_error("  confplain_read returned %d\n", r);
                ok = false;
        }
        if (ok && (r == 1 ? expect == LEAVE : expect == TAKE)) {
                print_text(what, i, text);
                print_error("  confplain_read returned %d\n", r);
                ok = false;
        }
        config_destroy(&pc);
        free(copy);
        return ok;
}

/* Whether libconfig reads the text: the tables' premise, checked. */
static bool libconfig_reads(const char *text) {
        config_t cfg;
        bool ok;

        config_init(&cfg);
        ok = config_read_string(&cfg, text) == CONFIG_TRUE;
        config_destroy(&cfg);
        return ok;
}

/* ---- texts the reader must take -------------------------------------------------------- */

static const char ledger_slice[] =
        "l=({ id = \"t0\"; category = \"二、预算绩效管理\"; item = \"绩效监控第0项\";\n"
        " detail = \"对照年初绩效目标，开展绩效运行监控，发现问题及时纠偏。\";\n"
        " owners = [ \"县财政局\", \"各相关部门单位\" ]; deadline = \"1月底之前\"; },\n"
        " { id = \"t1\"; dates = ( { date = \"2025-03-01\"; label = \"x\"; } );"
        " reminders = { leads = [ \"14d\", \"3wd\" ]; }; })";

static const char *const take[] = {
        /* assignment, terminators */
        "a = 1;",
        "a : 1;",
        "a = 1, b = 2, c = 3",
        "a = 1 b = \"x\" c = true d = false",
        "a=1;b:2,c=3;d=\"\"e=true",
        "a = \"x\";\nb : 2,\nc = true\nd = false;",
        /* groups, arrays, lists */
        "g = { h = { i = { j = 1; }; }; };",
        "g = {}; a = []; l = ();",
        "g = { }; a = [ ]; l = ( ); m = ( ( ) );",
        "g = { a = 1, }; h : { b : \"x\" }, i = { c = true }",
        "a = [ \"x\", \"y\", \"z\" ];",
        "a = [ 1, -2, 0, 999999999 ];",
        "a = [ true, false, true ];",
        "a = [ \"\" ]; b = [ 7 ]; c = [ false ];",
        "l = ( { a = 1; }, { b = \"x\"; } );",
        "l = ( { a = 1; }, [ 1, 2 ], ( 3, \"x\", ( ) ), 4, \"s\", true, { }, [ ], [ \"q\" ] );",
        "l = ( ( ( ( ( ( ( ( ( ( 1 ) ) ) ) ) ) ) ) ) );",
        "l = ( { a = ( { b = [ \"x\" ]; c = ( 1, ( 2 ), { d = false; } ); } ); } );",
        "a = { x = 1; }; b = { x = 2; }; x = 3;",
        "a = 1; A = 2; aa = 3;",
        /* ints */
        "a = -1; b = 0; c = -0; d = 999999999; e = -999999999; f = 7; g = 10; h = 100000000;",
        "l = ( 0, -0, 1, -1, 123456789, -987654321 );",
        /* strings */
        "s = \"县财政局\"; t = [ \"二、预算绩效管理\", \"各相关部门单位\" ];",
        "s = \"line one\nline two\n\"; n = 1;",
        "s = \"\"; l = [ \"\", \"\" ]; m = ( \"\" );",
        "s = \"# not a comment // nor this /* nor this */\";",
        "s = \"{ [ ( ; , = : ) ] }\"; t = \"'single' quotes\";",
        "s = \"\t tab and \r CR and \f FF inside\";",
        "s = \"\xe2\x80\x9c\xe5\x8e\xbf\xe2\x80\x9d \xf0\x9f\x93\x85\";",
        "s = \"\x01\x1b\x7f\"; t = \"\xff\xfe\x80 not UTF-8\";",
        /* names */
        "a-b_c9 = 1; Z = 2; z-- = 3; x_ = 4; trueish = true; falsey = false; True1 = 1;",
        "truex = 1; false_ = 2; true-1 = 3; FALSEY = 4;",
        /* blanks and comments */
        "\n\n  a = 1;  \n\n",
        "\t\ta\t=\t1\t;\t",
        "a =\f1;\fb\f=\f2;\f",
        "# hash\na = 1; // slashes\n/* block */ b /* in */ = /* between */ 2 /* after */ ;\n",
        "/* multi\n line\n block */ a\n/*\n*/=\n/* x\n\n*/ [ /*\n*/ 1 /*\n*/ , /**/ 2 ]\n",
        "a = /***/ 1; b = /* * / ** */ 2; c = /*/ still a comment */ 3;",
        "a = 1; # trailing\n",
        "a = 1; // trailing\n",
        "a = 1; /* trailing */",
        "a = 1;#x\n#y\n//z\nb = 2;//\n#\n",
        "a = 1; # comment with \"quote and /* opener\n b = 2;",
        "l = [ /* c */ \"x\" /* c */ , // c\n \"y\" # c\n ];",
        "a = 1#c\nb = true// c\nc = [1]# c\nd = -2/* c */;e = (false)/**/",
        "a = /* # // \" */ 1; b = 2 ///x\n; c = 3 #/* x\n;",
        "l=(-1,-0,true,\"x\",{},[],());g={a=1}h=[true]",
        "# 中文注释：县财政局\na = \"x\"; // 各相关部门单位\n/* 二、预算 */ b = 1;\n",
        /* line ends */
        "a = 1;\r\nb = \"x\";\r\ng = {\r\n  c = [ 1,\r\n 2 ];\r\n};\r\n",
        "a = 1;\rb = 2;\r\nc\r=\r3\r",
        "l = ( \"a\"\r\n\r\n, \"b\"\r\n\r\n)\r\n",
        "# c\r\na = 1; // d\r\n",
        /* the shape of a ledger and of its slices */
        ledger_slice,
        "ledger = {\n"
        "  id = \"yuli-2025\";\n"
        "  title = \"2025年度尉犁县全面实施预算绩效管理工作台账\";\n"
        "  year = 2025;\n"
        "  tasks = (\n"
        "    # 一、重点工作\n"
        "    {\n"
        "      id = \"1\";\n"
        "      category = \"一、重点工作\";\n"
        "      owners = [ \"县财政局\" ];\n"
        "      deadline = \"7月底之前\";\n"
        "    },\n"
        "    { id = \"6\"; override = true;\n"
        "      dates = ( { date = \"2025-10-20\"; label = \"报送\"; } ); }\n"
        "  );\n"
        "};\n",
        /* lines: names, '=', values, commas and brackets on lines of their own */
        "a\n=\n1\n;\nb\n:\n\"x\"\n,\nc = [\n\"p\"\n,\n\"q\"\n\n]\n;",
        "g\n:\n{\na\n=\n1\n}\n;",
        "\n\n\ng = {\n\n  h = {\n\n    i = 1;\n\n  };\n\n};\n",
        /* a string element takes the line of the token after it */
        "l = [ \"a\"\n,\n\"b\"\n\n]",
        "l = ( \"a\"\n)\n",
        "l = [ \"a\" /* \n\n */ , \"b\" // x\n# y\n]",
        "l = ( \"x\n\ny\"\n,\n\"z\" )",
        "l = ( \"a\", {\n b = 1; }, \"c\"\n\n\n, [ \"d\"\n]\n, ( \"e\" )\n)",
        "l = (\n\"a\" /* x\n */ )",
        "s = \"v\"\n\n\n; t = [ \"w\"\n\n ]\n;",
        /* an int or bool element takes its own line */
        "l = [\n1\n,\n2\n]; m = [\ntrue,\nfalse\n\n]",
        "l = (\n-1 /*\n\n*/ , true\n\n)",
        /* a group, array or list element, the line of its opening bracket */
        "l = (\n{\n\n}\n,\n[\n]\n,\n(\n\n)\n,\n1\n,\ntrue\n,\n\"s\"\n\n\n)",
        "l = ( { a = \"x\"\n\n}\n)",
        "l = ( /* c\n */ {\n a = 1; }, # c\n [\n 2 ], // c\n (\n ) )",
};

/* A table of texts libconfig reads, each checked as expect says: how many
 * fail. what names the table in the messages. */
static size_t check_readable(enum expect expect, const char *what, const char *const *texts,
                             size_t n) {
        size_t failed = 0;

        for (size_t i = 0; i < n; i++) {
                if (!libconfig_reads(texts[i])) {
                        print_text(what, i, texts[i]);
                        print_error("  libconfig does not read it: the table is wrong\n");
                        failed++;
                } else if (!check(expect, i, texts[i]))
                        failed++;
        }
        return failed;
}

static void test_take(void **state) {
        (void) state;
        assert_int_equal(check_readable(TAKE, "take", take, sizeof take / sizeof *take), 0);
}

/* ---- texts the reader must leave to libconfig ------------------------------------------ */

struct leave_case {
        const char *text;
        bool libconfig_reads; /* what libconfig 1.5 does with it */
};

static const struct leave_case leave[] = {
        /* escapes: libconfig turns them into other bytes */
        { "a = \"a\\n\";", true },
        { "a = \"\\x41\";", true },
        { "a = \"\\\"\";", true },
        { "a = \"\\\\\";", true },
        { "a = \"\\t\\f\\r\";", true },
        { "a = \"x\\\ny\";", true },
        { "l = [ \"ok\", \"a\\n\" ];", true },
        /* adjacent strings: libconfig joins them */
        { "a = \"x\" \"y\";", true },
        { "a = \"x\"\n\"y\";", true },
        { "a = \"x\" /* c */ \"y\";", true },
        { "a = \"x\" # c\n \"y\";", true },
        { "l = [ \"x\" \"y\" ];", true },
        { "l = ( \"x\", \"y\"\n\"z\" );", true },
        { "a = \"\"\"\";", true },
        /* other numbers */
        { "a = 1.5;", true },
        { "a = 1e3;", true },
        { "a = .5;", true },
        { "a = 1.;", true },
        { "a = -1.5e-3;", true },
        { "l = [ 1.0, 2.0 ];", true },
        { "a = 5L;", true },
        { "a = 5LL;", true },
        { "a = 0x1F;", true },
        { "a = 0X1f;", true },
        { "l = ( 0x10 );", true },
        { "a = 0123;", true },
        { "a = 00;", true },
        { "a = -0123;", true },
        { "a = -00;", true },
        { "a = +5;", true },
        { "a = +0;", true },
        { "l = [ 1, +2 ];", true },
        { "a = 1234567890;", true },
        { "a = -1234567890;", true },
        { "a = 2147483648;", true }, /* libconfig 1.5 reads it as -2147483648 */
        { "a = 9999999999;", true },
        { "a = 0000000001;", true },
        { "a = 99999999999999999999;", true },
        /* booleans in other cases */
        { "a = TRUE;", true },
        { "a = False;", true },
        { "a = tRuE;", true },
        { "l = [ true, FALSE ];", true },
        /* names beyond the plain ones */
        { "a*b = 1;", true },
        { "* = 1;", true },
        { "a* = 1;", true },
        { "g = { x*y = 1; };", true },
        { "1a = 1;", false },
        { "_a = 1;", false },
        { "-a = 1;", false },
        { "true = 1;", false },
        { "false = 1;", false },
        { "TRUE = 1;", false },
        { "False = 2;", false },
        { "g = { true = 1; };", false },
        { "\"a\" = 1;", false },
        /* @include */
        { "@include \"/nonexistent/ledgerd-test.conf\"\n", false },
        { "a = 1;\n@include \"/dev/null\"\n", true },
        { "a = 1; @include", false },
        /* trailing commas */
        { "a = [ 1, 2, ];", false },
        { "a = [ \"x\", ];", false },
        { "a = [ , ];", false },
        { "l = ( 1, 2, );", false },
        { "l = ( { }, );", false },
        { "l = ( , );", false },
        { "l = ( 1,, 2 );", false },
        /* arrays of mixed or non-scalar elements */
        { "a = [ 1, \"x\" ];", false },
        { "a = [ 1, true ];", false },
        { "a = [ \"x\", 1 ];", false },
        { "a = [ true, 1 ];", false },
        { "a = [ \"x\", false ];", false },
        { "a = [ [ 1 ] ];", false },
        { "a = [ ( 1 ) ];", false },
        { "a = [ { } ];", false },
        { "a = [ [ ] ];", false },
        /* duplicate names */
        { "a = 1; a = 2;", false },
        { "g = { a = 1; a = 2; };", false },
        { "l = ( { a = 1; b = 2; a = 3; } );", false },
        { "g = { a = { }; a = [ ]; };", false },
        /* terminators out of place */
        { "a = 1;;", false },
        { ";", false },
        { ",", false },
        { "a = 1;,", false },
        { "a = 1,,", false },
        { "g = { a = 1;; };", false },
        { "g = { ; };", false },
        { "g = { a = 1; };;", false },
        /* unterminated */
        { "a = \"unterminated", false },
        { "a = \"x", false },
        { "a = \"", false },
        { "l = [ \"x\", \"y ];", false },
        { "a = { b = 1;", false },
        { "a = {", false },
        { "l = ( 1, 2", false },
        { "a = [ 1", false },
        { "l = ( { a = 1; }", false },
        { "a =", false },
        { "a", false },
        /* a line comment at the very end, with no newline: libconfig's
         * scanner wants one */
        { "a = 1; # no newline", false },
        { "a = 1; // no newline", false },
        { "a = 1;\n#", false },
        { "a = 1;\n//", false },
        { "a = 1; # CR only\r", false },
        /* other syntax errors */
        { "a = }", false },
        { "a = 1; }", false },
        { "a = 1; )", false },
        { "a = 1; ]", false },
        { "}", false },
        { "a = ;", false },
        { "= 1;", false },
        { "a = 1 = 2;", false },
        { "a == 1;", false },
        { "a = : 1;", false },
        { "a = b;", false },
        { "a = truex;", false },
        { "a = -;", false },
        { "a = - 5;", false },
        { "a = --5;", false },
        { "a = 1 - 2;", false },
        /* what a reader of ints and booleans might split in two, libconfig not */
        { "a = 1e3 = 2;", false },
        { "a = 5L = 2;", false },
        { "a = 0x1F = 2;", false },
        { "a = truex = 1;", false },
        { "a = 1.5 = 2;", false },
        { "a = 1\"x\";", false },
        { "a = \"x\"; \"y\";", false },
        { "a = { 1 };", false },
        { "g = { \"x\" };", false },
        { "l = ( a = 1 );", false },
        { "a = 1 /", false },
        { "a = 1 / 2;", false },
        { "a = /", false },
        { "a = 1; */", false },
        /* blanks that are not blanks */
        { "a\v= 1;", false },
        { "a = 1;\v", false },
        { "a = 1;\x01", false },
        { "a = 1;\x7f", false },
        { "a\x1b= 1;", false },
        /* bytes that are no token, outside strings */
        { "a = 1; \xe5\x8e\xbf", false },
        { "\xef\xbb\xbf" "a = 1;", false }, /* a byte order mark */
        { "a = 1;\xff", false },
        { "a = 1; $", false },
        { "a = 1; 'x'", false },
        { "a = 1; \\", false },
        { "县 = 1;", false },
        { "a\xc2\xa0= 1;", false }, /* NO-BREAK SPACE */
};

static void test_leave(void **state) {
        size_t failed = 0;

        (void) state;
        for (size_t i = 0; i < sizeof leave / sizeof *leave; i++) {
                if (libconfig_reads(leave[i].text) != leave[i].libconfig_reads) {
                        print_text("leave", i, leave[i].text);
                        print_error("  libconfig %s it: the table is wrong\n",
                                    leave[i].libconfig_reads ? "does not read" : "reads");
                        failed++;
                } else if (!check(LEAVE, i, leave[i].text))
                        failed++;
        }
        assert_int_equal(failed, 0);
}

/* ---- texts the header leaves open ------------------------------------------------------ */

/* libconfig reads all of these; the reader may take them (then into the same
 * tree) or leave them. */
static const char *const either[] = {
        "",
        "\n",
        " \t\r\n\f",
        "# only a comment\n",
        "// only a comment\n",
        "/* only a comment */",
        "/* unterminated: libconfig reads to the end",
        "a = 1; /* unterminated\n\n",
        "a=1b=2",
        "a=\"x\"b=2",
        "a=true b=false",
        "a=[1]b=(2)c={}d=3",
        "l=(1)m=[\"x\"]",
        "a_name_of_a_hundred_characters_in_all_0123456789_0123456789_0123456789_0123456789_01234567 = 1;",
};

static void test_either(void **state) {
        (void) state;
        assert_int_equal(check_readable(EITHER, "either", either, sizeof either / sizeof *either),
                         0);
}

/* ---- lines, spelled out ---------------------------------------------------------------- */

/* The tables compare with libconfig whatever it does; here what it does is
 * written down too, so that a change of libconfig (and a mistaken idea of
 * it) shows. */
static void test_lines(void **state) {
        static const char text[] =
                "l = (\n"               /* 1 */
                "  {\n"                 /* 2: the group's line */
                "    a\n"               /* 3: a's line, its name's */
                "    =\n"
                "    \"x\"\n"
                "    ;\n"
                "  },\n"
                "  [\n"                 /* 8: the array's */
                "    \"p\"\n"           /* 9 */
                "    ,\n"               /* 10: "p"'s, the line of the ',' after it */
                "    \"q\"\n"
                "\n"
                "  ],\n"                /* 13: "q"'s, the line of the ']' */
                "  7\n"                 /* 14: 7's own */
                "  ,\n"
                "  true\n"              /* 16 */
                "  , (\n"               /* 17 */
                "  )\n"
                ");\n";
        static const char want[] =
                "0 - t1 f0 l0 - #1\n"
                "1 l t8 f0 l1 - #5\n"
                "2 - t1 f0 l2 - #1\n"
                "3 a t5 f0 l3 - =1\"x\"\n"
                "2 - t7 f0 l8 - #2\n"
                "3 - t5 f0 l10 - =1\"p\"\n"
                "3 - t5 f0 l13 - =1\"q\"\n"
                "2 - t2 f0 l14 - =7\n"
                "2 - t6 f0 l16 - =true\n"
                "2 - t8 f0 l17 - #0\n";
        config_t lc, pc;
        size_t len;
        char *copy = exact_copy(text, &len), *got;

        (void) state;
        config_init(&lc);
        assert_int_equal(config_read_string(&lc, text), CONFIG_TRUE);
        got = dump_config(&lc);
        assert_string_equal(got, want);
        free(got);
        config_destroy(&lc);

        config_init(&pc);
        assert_int_equal(confplain_read(&pc, copy, len), 1);
        got = dump_config(&pc);
        assert_string_equal(got, want);
        free(got);
        config_destroy(&pc);
        free(copy);
}

/* The dump itself must tell trees apart, or every comparison passes. */
static void test_dump_differs(void **state) {
        static const char *const pairs[][2] = {
                { "a = 1;", "a = 2;" },
                { "a = 1;", "b = 1;" },
                { "a = 1;", "\na = 1;" },
                { "a = 1;", "a = true;" },
                { "a = [ 1 ];", "a = ( 1 );" },
                { "l = [ \"a\",\n\"b\" ];", "l = [ \"a\"\n, \"b\" ];" },
                { "a = 1; b = 2;", "b = 2; a = 1;" },
                { "a = \"x\";", "a = \"x\\n\";" },
                { "a = 0x10;", "a = 16;" },
        };

        (void) state;
        for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
                config_t a, b;
                char *da, *db;

                config_init(&a);
                config_init(&b);
                assert_int_equal(config_read_string(&a, pairs[i][0]), CONFIG_TRUE);
                assert_int_equal(config_read_string(&b, pairs[i][1]), CONFIG_TRUE);
                da = dump_config(&a);
                db = dump_config(&b);
                assert_string_not_equal(da, db);
                free(da);
                free(db);
                config_destroy(&a);
                config_destroy(&b);
        }
}

/* ---- big and deep ---------------------------------------------------------------------- */

/* A ledger of n tasks, each a slice's shape, lines apart as a file's are. */
static char *big_ledger(int n, const char *eol) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        assert_non_null(f);
        fprintf(f, "# a big ledger%s/* of %d tasks */%sledger = {%s  tasks = (%s", eol, n, eol,
                eol, eol);
        for (int i = 0; i < n; i++) {
                fprintf(f, "    { id = \"t%d\"; category = \"二、预算绩效管理\";%s", i, eol);
                fprintf(f, "      item = \"绩效监控第%d项\"; // %d%s", i, i, eol);
                fprintf(f, "      detail = \"第%d项：\n按时报送。\";%s", i, eol);
                fprintf(f, "      owners = [ \"县财政局\",%s \"各相关部门单位\" ];%s", eol, eol);
                fprintf(f, "      deadline = \"%d月底之前\"; year = %d; done = %s;%s", i % 12 + 1,
                        2025 + i, i % 2 ? "true" : "false", eol);
                fprintf(f, "      dates = ( { date = \"2025-03-%02d\"; label = \"x\"; } );%s",
                        i % 28 + 1, eol);
                fprintf(f, "      reminders = { leads = [ \"14d\", \"3wd\" ];");
                fprintf(f, " days = [ %d, -%d ]; };", i, i * 7);
                fprintf(f, " }%s%s", i + 1 < n ? "," : "", eol);
        }
        fprintf(f, "  );%s};%s", eol, eol);
        assert_int_equal(fclose(f), 0);
        return out;
}

static void test_big(void **state) {
        char *lf = big_ledger(3000, "\n"), *crlf = big_ledger(500, "\r\n");

        (void) state;
        assert_true(check(TAKE, 0, lf));
        assert_true(check(TAKE, 1, crlf));
        free(lf);
        free(crlf);
}

/* prefix, then open n times, then middle, close n times, suffix. */
static char *nested(const char *prefix, const char *open, const char *middle, const char *close,
                    const char *suffix, size_t n) {
        size_t lo = strlen(open), lc = strlen(close), lp = strlen(prefix), lm = strlen(middle);
        char *text = malloc(lp + n * (lo + lc) + lm + strlen(suffix) + 1), *p = text;

        assert_non_null(text);
        p = mempcpy(p, prefix, lp);
        for (size_t i = 0; i < n; i++)
                p = mempcpy(p, open, lo);
        p = mempcpy(p, middle, lm);
        for (size_t i = 0; i < n; i++)
                p = mempcpy(p, close, lc);
        strcpy(p, suffix);
        return text;
}

/* libconfig's parser stack holds 10,000 entries: nesting deeper than that
 * (how deep depends on what stands before each level) is "memory exhausted".
 * At libconfig's limit the reader may take the text or leave it; one level
 * further it must leave it, and far deeper it must not overflow its stack. */
static void test_deep(void **state) {
        static const struct {
                const char *prefix, *open, *middle, *close;
                size_t limit; /* the deepest that libconfig 1.5 reads */
        } nests[] = {
                { "l=", "(", "1", ")", 4996 },
                { "l=", "(", "[1]", ")", 4995 },
                { "l=", "(1,", "1", ")", 2498 },
                { "l=", "(\"s\",", "1", ")", 2498 },
                { "g=", "{a=", "1", "}", 1998 },
                { "g=", "{x=1;a=", "1", "}", 1665 },
                { "l=", "({a=", "1", "})", 1427 },
        };
        size_t failed = 0;

        (void) state;
        for (size_t i = 0; i < sizeof nests / sizeof *nests; i++) {
                char *at = nested(nests[i].prefix, nests[i].open, nests[i].middle, nests[i].close,
                                  ";", nests[i].limit);
                char *past = nested(nests[i].prefix, nests[i].open, nests[i].middle,
                                    nests[i].close, ";", nests[i].limit + 1);

                assert_true(libconfig_reads(at));
                assert_false(libconfig_reads(past));
                failed += !check(EITHER, i, at);
                failed += !check(LEAVE, i, past);
                free(at);
                free(past);
        }
        for (size_t i = 0; i < 3; i++) {
                static const char *const opens[] = { "(", "{a=", "({a=" };
                static const char *const closes[] = { ")", "}", "})" };
                char *abyss = nested("l=", opens[i], "1", closes[i], ";", 1000000);

                failed += !check(LEAVE, 100 + i, abyss);
                free(abyss);
        }
        assert_int_equal(failed, 0);
}

/* ---- the shipped files ----------------------------------------------------------------- */

static char *read_file(const char *path) {
        FILE *f = fopen(path, "rb");
        char *text;
        long size;

        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        size = ftell(f);
        assert_true(size >= 0);
        rewind(f);
        text = malloc((size_t) size + 1);
        assert_non_null(text);
        assert_int_equal(fread(text, 1, (size_t) size, f), (size_t) size);
        text[size] = '\0';
        fclose(f);
        return text;
}

/* The holidays are plain; the ledger joins adjacent strings and ledgerd.conf
 * may hold anything, so those two only must not be read differently. */
static void test_shipped(void **state) {
        static const struct {
                const char *path;
                enum expect expect;
        } files[] = {
                { "../conf/holidays/cn-2025.conf", TAKE },
                { "../conf/ledgers/yuli-2025.conf", EITHER },
                { "../conf/ledgerd.conf", EITHER },
        };

        (void) state;
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
                char *text = read_file(files[i].path);

                assert_true(libconfig_reads(text));
                if (!check(files[i].expect, i, text))
                        fail_msg("%s", files[i].path);
                free(text);
        }
}

/* A NUL ends the text for libconfig: the reader must not read past it into
 * a tree that libconfig does not make (the header promises a C string; these
 * are what a careless caller could pass). */
static void test_nul(void **state) {
        static const struct {
                const char *text;
                size_t len;
        } texts[] = {
#define NUL_TEXT(s) { s, sizeof s - 1 }
                NUL_TEXT("a = 1;\0b = 2;"),
                NUL_TEXT("a = \"x\0y\";"),
                NUL_TEXT("l = [ \"x\0\", \"y\" ];"),
                NUL_TEXT("g = { a = 1;\0 };"),
                NUL_TEXT("a = 1; # x\0\n"),
                NUL_TEXT("a = 1; /* x\0 */ b = 2;"),
                NUL_TEXT("a = 12\0003;"),
#undef NUL_TEXT
        };
        size_t failed = 0;

        (void) state;
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
                size_t len = texts[i].len;
                char *copy = malloc(len + 1), *want, *got;
                config_t pc;
                int r;

                assert_non_null(copy);
                memcpy(copy, texts[i].text, len + 1);
                config_init(&pc);
                r = confplain_read(&pc, copy, len);
                if (r == 0)
                        assert_int_equal(root_length(&pc), 0);
                got = r == 1 ? dump_config(&pc) : libconfig_outcome(&pc, copy);
                config_destroy(&pc);
                config_init(&pc);
                want = libconfig_outcome(&pc, copy);
                if ((r != 0 && r != 1) || strcmp(got, want) != 0) {
                        print_text("nul", i, texts[i].text);
                        print_error("  confplain_read %d:\n%s  libconfig:\n%s", r, got, want);
                        failed++;
                }
                config_destroy(&pc);
                free(got);
                free(want);
                free(copy);
        }
        assert_int_equal(failed, 0);
}

/* libconfig keeps a config's include directory across config_read_string();
 * a text left to it must find its @include where it would have. */
static void test_include_dir_kept(void **state) {
        char dir[] = "/tmp/ledgerd-test-confplain-XXXXXX", path[64];
        const char *text = "@include \"inc.conf\"\na = 1;\n";
        config_t fresh, pc;
        char *want, *got;
        size_t len;
        char *copy = exact_copy(text, &len);
        bool same;
        FILE *f;
        int r;

        (void) state;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/inc.conf", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("b = 2;\n", f);
        assert_int_equal(fclose(f), 0);

        config_init(&fresh);
        config_set_include_dir(&fresh, dir);
        want = libconfig_outcome(&fresh, text);
        assert_non_null(config_lookup(&fresh, "b"));
        config_init(&pc);
        config_set_include_dir(&pc, dir);
        r = confplain_read(&pc, copy, len);
        got = libconfig_outcome(&pc, text);
        unlink(path);
        rmdir(dir);
        same = strcmp(got, want) == 0;
        if (!same)
                print_error("libconfig, fresh config:\n%slibconfig, after confplain_read:\n%s",
                            want, got);
        free(want);
        free(got);
        free(copy);
        config_destroy(&fresh);
        config_destroy(&pc);
        assert_int_equal(r, 0);
        assert_true(same);
}

/* What a caller may set on a config before reading into it. libconfig 1.5's
 * read keeps the include directory, options, tab width and destructor, and
 * puts the default format back to CONFIG_FORMAT_DEFAULT, which every setting
 * it makes has. */
static void no_destructor(void *hook) {
        (void) hook;
}

static void init_as_caller(config_t *cfg) {
        config_init(cfg);
        config_set_include_dir(cfg, "/tmp");
        config_set_options(cfg, CONFIG_OPTION_AUTOCONVERT);
        config_set_default_format(cfg, CONFIG_FORMAT_HEX);
        config_set_tab_width(cfg, 7);
        config_set_destructor(cfg, no_destructor);
}

/* The config's own state, then its tree or error. */
static char *config_state(const config_t *cfg, char *outcome) {
        const char *dir = config_get_include_dir(cfg);
        char *out = NULL;

        assert_true(asprintf(&out, "include %s options %d format %d tab %d destructor %s\n%s",
                             dir ? dir : "-", config_get_options(cfg),
                             config_get_default_format(cfg), config_get_tab_width(cfg),
                             cfg->destructor == no_destructor ? "kept" : "lost",
                             outcome) > 0);
        free(outcome);
        return out;
}

static void test_caller_settings(void **state) {
        static const char *const texts[] = {
                "a = 1; g = { b = [ 2 ]; l = ( \"x\", true, { } ); };", /* taken */
                "a = 0x10; b = 1;",                                       /* left */
        };
        size_t failed = 0;

        (void) state;
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
                size_t len;
                char *copy = exact_copy(texts[i], &len), *want, *got;
                config_t lc, pc;
                int r;

                init_as_caller(&lc);
                want = config_state(&lc, libconfig_outcome(&lc, copy));
                init_as_caller(&pc);
                r = confplain_read(&pc, copy, len);
                if (r == 0) {
                        /* Left as the caller made it, before libconfig reads. */
                        char *before = config_state(&pc, dump_config(&pc));

                        assert_string_equal(before, "include /tmp options 1 format 1 tab 7 "
                                                    "destructor kept\n0 - t1 f1 l0 - #0\n");
                        free(before);
                }
                got = config_state(&pc, r == 1 ? dump_config(&pc) : libconfig_outcome(&pc, copy));
                if (r != (i == 0) || strcmp(got, want) != 0) {
                        print_text("caller", i, texts[i]);
                        print_error("  libconfig:\n%s  confplain_read %d%s:\n%s", want, r,
                                    r == 1 ? "" : ", then libconfig", got);
                        failed++;
                }
                free(want);
                free(got);
                free(copy);
                config_destroy(&lc);
                config_destroy(&pc);
        }
        assert_int_equal(failed, 0);
}

/* The same config, declined and then read by libconfig, then destroyed and
 * used again for a text the reader takes: nothing of the first stays. */
static void test_reuse(void **state) {
        config_t cfg;
        size_t len;
        char *leave_text = exact_copy("g = { a = 1; b = [ \"x\" ]; c = 1.5; };", &len);
        char *take_text, *got, *want;

        (void) state;
        config_init(&cfg);
        assert_int_equal(confplain_read(&cfg, leave_text, len), 0);
        assert_int_equal(root_length(&cfg), 0);
        assert_int_equal(config_read_string(&cfg, leave_text), CONFIG_TRUE);
        assert_non_null(config_lookup(&cfg, "g.c"));
        config_destroy(&cfg);

        config_init(&cfg);
        take_text = exact_copy("g = { a = 1; b = [ \"x\" ]; };", &len);
        assert_int_equal(confplain_read(&cfg, take_text, len), 1);
        assert_null(config_lookup(&cfg, "g.c"));
        assert_non_null(config_lookup(&cfg, "g.b"));
        assert_string_equal(config_setting_get_string_elem(config_lookup(&cfg, "g.b"), 0), "x");
        got = dump_config(&cfg);
        config_destroy(&cfg);
        config_init(&cfg);
        want = libconfig_outcome(&cfg, take_text);
        assert_string_equal(got, want);
        config_destroy(&cfg);
        free(got);
        free(want);
        free(leave_text);
        free(take_text);
}

/* ---- confplain_comment_end ------------------------------------------------------------ */

static void test_comment_end(void **state) {
        static const struct {
                const char *text;
                int end; /* the offset it must return, -1 for NULL */
        } cases[] = {
                { "# x\ny", 3 },         /* at the newline, which libconfig needs */
                { "#\n", 1 },
                { "// x\ny", 4 },
                { "//\n", 2 },
                { "# /* x */ y\n", 11 }, /* a block opener in a line comment */
                { "# x\r\ny", 4 },
                { "/* x */y", 7 },        /* past the star-slash */
                { "/**/", 4 },
                { "/***/ x */", 5 },
                { "/*/ x */ y", 8 },
                { "/* # // \n\n */\n", 13 },
                { "/* \"*/\" */", 6 },
                { "# no newline", -1 },
                { "#", -1 },
                { "//", -1 },
                { "// x\r", -1 },
                { "/* unterminated", -1 },
                { "/*", -1 },
                { "/*/", -1 },
                { "/* x *", -1 },
                { "/", -1 },
                { "/ x", -1 },
                { "x # y\n", -1 },
                { "*/", -1 },
                { "*/\n", -1 },
                { "x// y\n", -1 },
                { "x/* y */", -1 },
        };

        (void) state;
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                /* Exactly the text's bytes, no NUL after them: the function
                 * must stop at end. */
                size_t n = strlen(cases[i].text);
                char *copy = malloc(n);
                const char *end;

                assert_non_null(copy);
                memcpy(copy, cases[i].text, n);
                end = confplain_comment_end(copy, copy + n);
                if (cases[i].end < 0 ? end != NULL : end != copy + cases[i].end) {
                        print_text("comment_end", i, cases[i].text);
                        fail_msg("  returned %td, expected %d", end ? end - copy : -1,
                                 cases[i].end);
                }
                free(copy);
        }
}

/* A comment that does not end within [p, end) has no end, though the text
 * goes on after end. */
static void test_comment_end_bounded(void **state) {
        static const char text[] = "# x\n/* y */";

        (void) state;
        assert_null(confplain_comment_end(text, text + 3));
        assert_ptr_equal(confplain_comment_end(text, text + 4), text + 3);
        assert_null(confplain_comment_end(text + 4, text + 9));
        assert_null(confplain_comment_end(text + 4, text + 10));
        assert_ptr_equal(confplain_comment_end(text + 4, text + 11), text + 11);
        assert_null(confplain_comment_end(text + 4, text + 5));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dump_differs),
                cmocka_unit_test(test_take),
                cmocka_unit_test(test_leave),
                cmocka_unit_test(test_either),
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_big),
                cmocka_unit_test(test_deep),
                cmocka_unit_test(test_shipped),
                cmocka_unit_test(test_reuse),
                cmocka_unit_test(test_nul),
                cmocka_unit_test(test_include_dir_kept),
                cmocka_unit_test(test_caller_settings),
                cmocka_unit_test(test_comment_end),
                cmocka_unit_test(test_comment_end_bounded),
        };

        return cmocka_run_group_tests_name("confplain", tests, NULL, NULL);
}
