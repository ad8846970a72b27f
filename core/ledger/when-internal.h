/* SPDX-License-Identifier: MIT */
#pragma once

/* The parts of the phrase reader (when.h): words and numbers (when-lex.c),
 * date expressions (when-expr.c), and parts and phrases (when.c). Every
 * text is a range [p, e) of the normalised phrase: ASCII digits and
 * punctuation, UTF-8 otherwise, no separators. */

#include <stdbool.h>

#include "ledger/when.h"

#define WHEN_FOUND_MAX 13 /* 12 months, and one more to see a mistake */
#define WHEN_TAG_MAX 24

/* What one date expression names: one date, or one per occurrence of a
 * recurring deadline, each tagged with its period ("1月", "第1季度"). */
struct when_found {
        int n;
        int ymd[WHEN_FOUND_MAX][3]; /* may be no date at all: checked when stored */
        char tag[WHEN_FOUND_MAX][WHEN_TAG_MAX];
        bool recurring;   /* one date per period: "每月15日" */
        bool after_month; /* "次月10日": the phrase's 每月 may stand before it */
};

/* One reading of one phrase. */
struct when_scan {
        int year; /* the ledger's */
        const struct workdays *calendar; /* NULL: none */
        bool monthly; /* the phrase says 每月/按月: 次月 counts from each month */
        bool next_month; /* the phrase says 次月: a bare 每月 only says the task is monthly */
        /* Set by an expression that was read but cannot be dated ("国庆节前"
         * without the calendar); the phrase is then refused with it. */
        char refusal[WHEN_REASON_MAX];
};

/* ---- when-lex.c: words and numbers ---- */

/* Moves *p past word when [*p, e) starts with it. */
bool when_eat(const char **p, const char *e, const char *word);
/* The first of words (NULL-ended) that [*p, e) starts with. */
bool when_eat_any(const char **p, const char *e, const char *const *words);
/* Drops one of words from the end of [s, *e). */
bool when_chop_any(const char *s, const char **e, const char *const *words);
/* Whether [s, e) holds word. */
bool when_has(const char *s, const char *e, const char *word);
bool when_has_any(const char *s, const char *e, const char *const *words);
/* Arabic digits (digits: how many) or a Chinese numeral up to 99 (digits: 0). */
bool when_number(const char **p, const char *e, int *val, int *digits);
bool when_eat_num(const char **p, const char *e, int *val);
/* A year of four digits, arabic or Chinese ("二〇二六"). */
bool when_year_digits(const char **p, const char *e, int *year);
/* Whether [s, e) holds any digit, Chinese numeral or word of time (月, 日, 季 …):
 * text that may name a date this reader did not see. */
bool when_has_time(const char *s, const char *e);
/* A date may start at p unless p is inside a number: "13月" is not "3月". */
bool when_can_start(const char *s, const char *p, const char *e);

/* ---- when-expr.c: date expressions ---- */

/* One date expression at *p, moved past it and the words that belong to
 * it (a holiday's 前). false when none starts there; true with
 * sc->refusal set when one does but cannot be dated. */
bool when_expr(struct when_scan *sc, const char **p, const char *e, struct when_found *f);
/* "(周三)" or "(星期三)" at *p: 1 and *weekday (1…7), 0 when not one. */
int when_weekday_word(const char *s, const char *e, int *weekday);
/* Writes "what \"text\"" into sc->refusal, cut on a character boundary. */
void when_refuse(char *reason, const char *what, const char *s, const char *e);
