/* SPDX-License-Identifier: MIT */
/* The table of channel formats: a complete row for every format, so that no
 * format falls through to a NULL builder or an unnamed reply code. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "notify/webhook-format.h"

static void test_rows_complete(void **state) {
        (void) state;
        for (int f = CHANNEL_JSON; f <= CHANNEL_FEISHU; f++) {
                const struct webhook_format *fmt = webhook_format_of((enum channel_format) f);

                assert_non_null(fmt->content_type);
                assert_true(!fmt->body != !fmt->write); /* one or the other */
                assert_true(!fmt->write || (!fmt->limit.field && !fmt->limit.array));
                /* Every chat platform has a documented limit; json has none. */
                assert_true((fmt->limit.bytes > 0) == (f != CHANNEL_JSON));
                assert_true(!fmt->limit.array || fmt->limit.items > 0);
                /* A second request only where the body cannot mention. */
                assert_true(!fmt->mention || fmt->mention_limit.bytes > 0);
                if (!fmt->bot_reply) {
                        assert_int_equal(fmt->n_codes, 0);
                        continue;
                }
                assert_non_null(fmt->bot_reply->code_keys[0]);
                assert_non_null(fmt->bot_reply->code_keys[1]);
                assert_non_null(fmt->bot_reply->message_keys[0]);
                assert_non_null(fmt->bot_reply->message_keys[1]);
                assert_non_null(fmt->bot_reply->code_word);
                for (size_t i = 0; i < fmt->n_codes; i++) {
                        assert_int_not_equal(fmt->codes[i].code, 0); /* 0 is success */
                        assert_true(strlen(fmt->codes[i].meaning) > 0);
                }
        }
}

/* Only Standard Webhooks decodes "whsec_" secrets and needs an id. */
static void test_json_only(void **state) {
        (void) state;
        for (int f = CHANNEL_JSON; f <= CHANNEL_FEISHU; f++) {
                const struct webhook_format *fmt = webhook_format_of((enum channel_format) f);

                assert_int_equal(fmt->whsec_secret, f == CHANNEL_JSON);
                assert_int_equal(fmt->needs_id, f == CHANNEL_JSON);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows_complete),
                cmocka_unit_test(test_json_only),
        };

        return cmocka_run_group_tests_name("webhook-format", tests, NULL, NULL);
}
