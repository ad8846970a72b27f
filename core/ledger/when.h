/* SPDX-License-Identifier: MIT */
#pragma once

/* Deadline phrases as officials write them ("7月底之前", "年度内报送2次，分别为
 * 4月10日前，10月10日前", "每季度结束后10日内", "国庆节前报送县财政局",
 * "根据县财政局具体工作时间安排", "长期坚持") turned into labelled dates, each
 * with what the phrase says beside its date as a note. A phrase is read one
 * way or refused with the reason: never guessed. Pure: no I/O, no
 * allocation, no global state; the holiday calendar is only read. */

#include <stddef.h>

#include "ledger/date.h"

struct workdays;

#define WHEN_MAX_DATES 16
#define WHEN_LABEL_MAX 96   /* bytes, UTF-8, NUL included */
#define WHEN_NOTE_MAX 128   /* bytes, UTF-8, NUL included */
#define WHEN_REASON_MAX 256 /* bytes, UTF-8, NUL included */

/* New kinds go at the end: their numbers are in the bus API's counts. */
enum when_kind {
        WHEN_DATED,   /* one or more dates */
        WHEN_UNDATED, /* names no date on purpose: "根据…安排", "随…同步…", "详见…",
                       * "收到通知后10日内" (counted from an event) */
        WHEN_UNKNOWN, /* not understood, vague, impossible or ambiguous: never guessed */
        WHEN_ONGOING, /* standing work, no date and no reminder: "长期", "常态化", "持续推进" */
};

struct when_date {
        day_t day;
        char label[WHEN_LABEL_MAX]; /* "单位自评", "1月", "第1季度"; "" when none */
        char note[WHEN_NOTE_MAX];   /* "报送县财政局", "逾期不予受理", "含"; "" when none */
};

struct when_result {
        enum when_kind kind;
        size_t n_dates;
        struct when_date dates[WHEN_MAX_DATES];
        char reason[WHEN_REASON_MAX]; /* why not dated; "" when dated */
};

/* Reads phrase (UTF-8) for a ledger of the given year, with the holiday
 * calendar for the phrases that need one ("国庆节前", "季后5个工作日内",
 * "（遇节假日顺延）"): without it (NULL), or when it does not cover the year
 * such a phrase needs, the phrase is WHEN_UNKNOWN, saying which year's
 * calendar is missing. Always fills *out. Dates come out in the order the
 * phrase names them. */
void when_parse_with(const char *phrase, int year, const struct workdays *calendar,
                     struct when_result *out);
/* when_parse_with() without a holiday calendar. */
void when_parse(const char *phrase, int year, struct when_result *out);

/* "dated", "undated", "unknown", "ongoing"; "invalid" for anything else. */
const char *when_kind_name(enum when_kind kind);
