/* SPDX-License-Identifier: MIT */
/* Any bytes as a deadline phrase: when_parse must never crash, and what it
 * fills must always keep the promises of when.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/date.h"
#include "ledger/when.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL inside buf, and valid UTF-8 before it. */
static bool utf8_string(const char *buf, size_t max) {
        const unsigned char *u = (const unsigned char *) buf;
        size_t i = 0;

        while (i < max && u[i]) {
                int n = u[i] < 0x80 ? 0 : (u[i] & 0xE0) == 0xC0 ? 1 : (u[i] & 0xF0) == 0xE0 ? 2
                                                          : (u[i] & 0xF8) == 0xF0 ? 3 : -1;
                if (n < 0)
                        return false;
                for (i++; n > 0; n--, i++)
                        if (i >= max || (u[i] & 0xC0) != 0x80)
                                return false;
        }
        return i < max;
}

static bool day_valid(day_t d) {
        int y, m, dd;

        date_to_ymd(d, &y, &m, &dd);
        return date_valid(y, m, dd) && date_from_ymd(y, m, dd) == d;
}

static void check(const struct when_result *r) {
        if (r->kind != WHEN_DATED && r->kind != WHEN_UNDATED && r->kind != WHEN_UNKNOWN &&
            r->kind != WHEN_ONGOING)
                abort();
        if (r->n_dates > WHEN_MAX_DATES || !utf8_string(r->reason, WHEN_REASON_MAX))
                abort();
        if (r->kind == WHEN_DATED ? r->n_dates < 1 || r->reason[0] != '\0'
                                  : r->n_dates != 0 || r->reason[0] == '\0')
                abort();
        for (size_t i = 0; i < r->n_dates; i++)
                if (!day_valid(r->dates[i].day) ||
                    !utf8_string(r->dates[i].label, WHEN_LABEL_MAX))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const int years[] = { 2025, 2024, 1, 9999 };
        struct when_result r, again;
        char *phrase = malloc(size + 1);

        if (!phrase)
                return 0;
        memcpy(phrase, data, size);
        phrase[size] = '\0';
        when_parse(phrase, years[0], &r);
        when_parse(phrase, years[0], &again);
        if (memcmp(&r, &again, sizeof r) != 0) /* no hidden state */
                abort();
        for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
                when_parse(phrase, years[i], &r);
                check(&r);
                if (strcmp(when_kind_name(r.kind), "invalid") == 0)
                        abort();
        }
        free(phrase);
        return 0;
}
