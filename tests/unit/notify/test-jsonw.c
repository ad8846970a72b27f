/* SPDX-License-Identifier: MIT */
/* The JSON writer against json-c: the same document, written by both, is
 * the same bytes (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
 * as the webhook bodies are serialized), whatever bytes its strings hold. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "notify/jsonw.h"

#define FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void same(struct jsonw *w, struct json_object *o) {
        const char *want = json_object_to_json_string_ext(o, FLAGS);
        char *got = NULL;
        size_t size = 0;

        assert_int_equal(jsonw_finish(w, &got, &size), 0);
        assert_string_equal(got, want);
        assert_int_equal(size, strlen(want));
        free(got);
        json_object_put(o);
}

/* Every byte from 1 to 255 in a string, a key, and around slashes. */
static void test_every_byte(void **state) {
        char s[256];
        struct jsonw w = {};
        struct json_object *o = json_object_new_object();

        (void) state;
        for (int i = 1; i < 256; i++)
                s[i - 1] = (char) i;
        s[255] = '\0';
        jsonw_open(&w, '{');
        jsonw_key(&w, s);
        jsonw_string(&w, s);
        jsonw_key(&w, "url");
        jsonw_string(&w, "https://l.example/act/a-b_c.d?x=\"1\"\\");
        jsonw_close(&w, '}');
        json_object_object_add(o, s, json_object_new_string(s));
        json_object_object_add(o, "url", json_object_new_string("https://l.example/act/a-b_c.d?x=\"1\"\\"));
        same(&w, o);
}

/* Nesting, empty containers, null, numbers, booleans, UTF-8, NULL as "". */
static void test_shapes(void **state) {
        static const char *const v[] = { "甲", "", "a\tb" };
        struct jsonw w = {};
        struct json_object *o = json_object_new_object(), *a = json_object_new_array(),
                           *e = json_object_new_array();

        (void) state;
        jsonw_open(&w, '{');
        jsonw_key(&w, "empty");
        jsonw_open(&w, '{');
        jsonw_close(&w, '}');
        jsonw_key(&w, "none");
        jsonw_open(&w, '[');
        jsonw_close(&w, ']');
        jsonw_key(&w, "list");
        jsonw_open(&w, '[');
        jsonw_int(&w, -7);
        jsonw_int(&w, INT64_MAX);
        jsonw_bool(&w, true);
        jsonw_bool(&w, false);
        jsonw_nullable(&w, NULL);
        jsonw_string(&w, NULL);
        jsonw_strings(&w, v, 3);
        jsonw_strings(&w, NULL, 0);
        jsonw_close(&w, ']');
        jsonw_key(&w, "null");
        jsonw_nullable(&w, NULL);
        jsonw_key(&w, "text");
        jsonw_nullable(&w, "【台账提醒】\n还有7天");
        jsonw_close(&w, '}');

        json_object_object_add(o, "empty", json_object_new_object());
        json_object_object_add(o, "none", json_object_new_array());
        json_object_array_add(a, json_object_new_int(-7));
        json_object_array_add(a, json_object_new_int64(INT64_MAX));
        json_object_array_add(a, json_object_new_boolean(1));
        json_object_array_add(a, json_object_new_boolean(0));
        json_object_array_add(a, NULL);
        json_object_array_add(a, json_object_new_string(""));
        for (size_t i = 0; i < 3; i++)
                json_object_array_add(e, json_object_new_string(v[i]));
        json_object_array_add(a, e);
        json_object_array_add(a, json_object_new_array());
        json_object_object_add(o, "list", a);
        json_object_object_add(o, "null", NULL);
        json_object_object_add(o, "text", json_object_new_string("【台账提醒】\n还有7天"));
        same(&w, o);
}

/* A document larger than the first buffer, grown many times. */
static void test_large(void **state) {
        struct jsonw w = {};
        struct json_object *a = json_object_new_array();

        (void) state;
        jsonw_open(&w, '[');
        for (int i = 0; i < 20000; i++) {
                jsonw_string(&w, "县财政局/\"预算\"");
                json_object_array_add(a, json_object_new_string("县财政局/\"预算\""));
        }
        jsonw_close(&w, ']');
        same(&w, a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_byte),
                cmocka_unit_test(test_shapes),
                cmocka_unit_test(test_large),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
