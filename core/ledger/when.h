/* SPDX-License-Identifier: MIT */
#pragma once

/* Deadline phrases as officials write them ("7月底之前", "年度内报送2次，分别为
 * 4月10日前，10月10日前", "根据县财政局具体工作时间安排") turned into labelled
 * dates. Pure: no I/O, no allocation, no global state. */

#include <stddef.h>

#include "ledger/date.h"

#define WHEN_MAX_DATES 16
#define WHEN_LABEL_MAX 96   /* bytes, UTF-8, NUL included */
#define WHEN_REASON_MAX 256 /* bytes, UTF-8, NUL included */

enum when_kind {
        WHEN_DATED,   /* one or more dates */
        WHEN_UNDATED, /* names no date on purpose: "根据…安排", "随…同步…", "详见…" */
        WHEN_UNKNOWN, /* not understood: never guessed */
};

struct when_date {
        day_t day;
        char label[WHEN_LABEL_MAX]; /* "" when the phrase gives none */
};

struct when_result {
        enum when_kind kind;
        size_t n_dates;
        struct when_date dates[WHEN_MAX_DATES];
        char reason[WHEN_REASON_MAX]; /* why undated or not understood; "" when dated */
};

/* Reads phrase (UTF-8) for a ledger of the given year. Always fills *out.
 * Dates come out in the order the phrase names them. */
void when_parse(const char *phrase, int year, struct when_result *out);

const char *when_kind_name(enum when_kind kind); /* "dated", "undated", "unknown" */
