/* SPDX-License-Identifier: MIT */
/* Date expressions: one date as written ("7月底", "2026.6.30", "第三季度"),
 * a range due at its end ("7月1日至31日"), a holiday by name ("国庆节前"),
 * a span after a period's end ("年度终了后3个月内") and recurring deadlines
 * within the ledger year ("每月15日", "每季度结束后10日内"). A period named
 * without a day is due at its end: "11月份" is 11-30, "每季度" each
 * quarter's last day. */
#include <stdio.h>
#include <string.h>

#include "basic/text.h"
#include "ledger/when-internal.h"
#include "ledger/workdays.h"

enum year_form { YEAR_NONE, YEAR_BARE, YEAR_NAMED };
enum period { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_HALF, PERIOD_YEAR };

static const char *const range_words[] = { "至", "到", "~", "-", "—", NULL };

void when_refuse(char *reason, const char *what, const char *s, const char *e) {
        size_t len = (size_t) (e - s), room = WHEN_REASON_MAX - strlen(what) - sizeof(" \"…\"");
        const char *more = "";

        if (len > room) {
                len = room;
                while (len > 0 && text_utf8_continuation(s[len]))
                        len--;
                more = "…";
        }
        snprintf(reason, WHEN_REASON_MAX, "%s \"%.*s%s\"", what, (int) len, s, more);
}

static void add(struct when_found *f, int y, int m, int d, const char *tag) {
        if (f->n == WHEN_FOUND_MAX)
                return;
        f->ymd[f->n][0] = y;
        f->ymd[f->n][1] = m;
        f->ymd[f->n][2] = d;
        snprintf(f->tag[f->n], WHEN_TAG_MAX, "%s", tag);
        f->n++;
}

static void add_day(struct when_found *f, day_t d, const char *tag) {
        int y, m, dd;

        date_to_ymd(d, &y, &m, &dd);
        add(f, y, m, dd, tag);
}

/* The last day of month m of year y, m past 12 running into later years. */
static day_t month_end(int y, int m) {
        y += (m - 1) / 12;
        m = (m - 1) % 12 + 1;
        return date_from_ymd(y, m, date_days_in_month(y, m));
}

static bool eat_end(const char **p, const char *e) {
        return when_eat(p, e, "底") || when_eat(p, e, "末");
}

/* "日" or "号" after a day's number. */
static bool eat_day(const char **p, const char *e, int *d) {
        const char *q = *p;

        if (!when_eat_num(&q, e, d) || !(when_eat(&q, e, "日") || when_eat(&q, e, "号")))
                return false;
        *p = q;
        return true;
}

/* ---- the holiday calendar ---------------------------------------------------- */

static bool covered(struct when_scan *sc, int year, const char *s, const char *e) {
        char what[96];

        if (sc->calendar && workdays_covers(sc->calendar, year))
                return true;
        snprintf(what, sizeof what, "no holiday calendar covers %d, which", year);
        when_refuse(sc->refusal, what, s, e);
        strncat(sc->refusal, " needs", WHEN_REASON_MAX - strlen(sc->refusal) - 1);
        return false;
}

/* n working days after end, for the text [s, e) that asks for them. */
static bool add_workdays(struct when_scan *sc, struct when_found *f, day_t end, int n,
                         const char *tag, const char *s, const char *e) {
        day_t d = workdays_add(sc->calendar, end, n);

        if (!covered(sc, date_year(end + 1), s, e) || !covered(sc, date_year(d), s, e))
                return false;
        add_day(f, d, tag);
        return true;
}

/* ---- after a period's end: "后10日内", "终了后5个工作日内" -------------------- */

struct span {
        int n;
        bool workdays, months;
};

/* ("结束"|"终了")? "后" N ("日"|"天"|"个工作日"|"个月") ("内"|"以内"|"前")?; bare
 * "后" only where allowed ("季后15日内"). */
static bool span_after(const char **p, const char *e, bool bare_ok, bool months_ok,
                       struct span *sp) {
        static const char *const ended[] = { "结束", "终了", "完结", NULL };
        static const char *const within[] = { "以内", "之内", "内", "之前", "以前", "前", NULL };
        const char *q = *p;

        if (!when_eat_any(&q, e, ended) && !bare_ok)
                return false;
        if (!when_eat(&q, e, "后") || !when_eat_num(&q, e, &sp->n) || sp->n < 1 || sp->n > 366)
                return false;
        sp->months = sp->workdays = false;
        if (when_eat(&q, e, "个工作日") || when_eat(&q, e, "工作日"))
                sp->workdays = true;
        else if (months_ok && when_eat(&q, e, "个月"))
                sp->months = true;
        else if (!when_eat(&q, e, "日") && !when_eat(&q, e, "天"))
                return false;
        if (sp->months && sp->n > 12)
                return false;
        when_eat_any(&q, e, within);
        *p = q;
        return true;
}

static bool add_after(struct when_scan *sc, struct when_found *f, day_t end, const struct span *sp,
                      const char *tag, const char *s, const char *e) {
        int y, m, d;

        if (sp->workdays)
                return add_workdays(sc, f, end, sp->n, tag, s, e);
        date_to_ymd(end, &y, &m, &d);
        if (sp->months)
                add_day(f, month_end(y, m + sp->n), tag);
        else
                add_day(f, end + sp->n, tag);
        return true;
}

/* ---- years --------------------------------------------------------------------- */

/* "2025年", "二〇二五年", "次年", "上年", "本年" …, or a bare "年"/"年度" that
 * only 底, 末, 内, 终 or 终了后 may follow ("年底", "年度终了后"). */
static enum year_form year_prefix(const char **p, const char *e, int year, int *y) {
        static const char *const next[] = { "次", "翌", "下一", "下", "明", NULL };
        static const char *const same[] = { "本", "今", "当", NULL };
        static const char *const prev[] = { "上一", "上", "去", NULL };
        const char *q = *p;
        enum year_form form = YEAR_NAMED;

        *y = year;
        if (when_year_digits(&q, e, y))
                ;
        else if (when_eat_any(&q, e, next))
                *y = year > 9999 ? year : year + 1; /* past 9999 is no date anyway */
        else if (when_eat_any(&q, e, prev))
                *y = year - 1;
        else if (!when_eat_any(&q, e, same))
                form = YEAR_BARE;
        if (!when_eat(&q, e, "年")) {
                *y = year;
                return YEAR_NONE;
        }
        when_eat(&q, e, "度");
        *p = q;
        return form;
}

/* "年度终了后3个月内", "年度结束后20日内": after the year's last day. */
static bool year_after(struct when_scan *sc, const char **p, const char *e, int y,
                       struct when_found *f) {
        const char *s = *p, *q = *p;
        struct span sp;

        if (!span_after(&q, e, false, true, &sp))
                return false;
        *p = q;
        add_after(sc, f, date_from_ymd(y, 12, 31), &sp, "", s, q);
        return true;
}

/* ---- holidays by name ------------------------------------------------------------ */

static const struct holiday_word {
        const char *word, *stem;
} holiday_words[] = {
        { "五一劳动节", "劳动" }, { "元旦节", "元旦" }, { "元旦", "元旦" }, { "春节", "春节" },
        { "清明节", "清明" }, { "清明", "清明" }, { "劳动节", "劳动" }, { "五一", "劳动" },
        { "端午节", "端午" }, { "端午", "端午" }, { "中秋节", "中秋" }, { "中秋", "中秋" },
        { "国庆节", "国庆" }, { "国庆", "国庆" }, { "十一", "国庆" },
};

/* The holiday named at *p and whether 前 (before) or 后 (after) follows. */
static const struct holiday_word *holiday_word(const char **p, const char *e, bool *before) {
        static const char *const pre[] = { "之前", "以前", "前", NULL };
        static const char *const post[] = { "之后", "以后", "后", NULL };
        static const char *const spell[] = { "假期", "长假", "放假", "节", NULL };

        for (size_t i = 0; i < sizeof holiday_words / sizeof holiday_words[0]; i++) {
                const char *q = *p;

                if (!when_eat(&q, e, holiday_words[i].word))
                        continue;
                if (strcmp(holiday_words[i].word, "十一") != 0) /* "十一前", never "十一节" */
                        when_eat_any(&q, e, spell);
                if ((*before = when_eat_any(&q, e, pre)) || when_eat_any(&q, e, post)) {
                        *p = q;
                        return &holiday_words[i];
                }
        }
        return NULL;
}

/* "春节前5天", "国庆节后3个工作日": counted from the holiday's first day
 * (before) or last (after) instead; d when no count follows. */
static day_t holiday_count(const char **p, const char *e, const struct workdays *cal, day_t edge,
                           day_t d) {
        const char *q = *p;
        int n, sign = d < edge ? -1 : 1;

        if (!when_eat_num(&q, e, &n) || n < 1 || n > 60)
                return d;
        if (when_eat(&q, e, "个工作日") || when_eat(&q, e, "工作日"))
                d = workdays_add(cal, edge, sign * n);
        else if (when_eat(&q, e, "天") || when_eat(&q, e, "日"))
                d = edge + sign * n;
        else
                return d;
        *p = q;
        return d;
}

/* Before a holiday: its last working day before; after: the first after.
 * The ledger's own 元旦前 is refused: the year it opens, or the next? */
static bool holiday(struct when_scan *sc, const char **p, const char *e, int y, bool named,
                    struct when_found *f) {
        const char *s = *p, *q = *p;
        bool before;
        const struct holiday_word *h = holiday_word(&q, e, &before);
        day_t first, last, d;

        if (!h)
                return false;
        *p = q;
        if (before && !named && strcmp(h->stem, "元旦") == 0) {
                when_refuse(sc->refusal, "two readings (this year's New Year's Day, or the "
                            "next?): write 12月31日前 or 次年元旦前 for", s, q);
                return true;
        }
        if (!covered(sc, y, s, q))
                return true;
        if (workdays_find_holiday(sc->calendar, y, h->stem, &first, &last) < 0) {
                char what[80];

                snprintf(what, sizeof what, "the %d holiday calendar has no such holiday:", y);
                when_refuse(sc->refusal, what, s, q);
                return true;
        }
        d = before ? workdays_on_or_before(sc->calendar, first - 1)
                   : workdays_on_or_after(sc->calendar, last + 1);
        d = holiday_count(p, e, sc->calendar, before ? first : last, d);
        if (covered(sc, date_year(d), s, q))
                add_day(f, d, "");
        return true;
}

/* ---- single dates ------------------------------------------------------------------- */

/* "X月" then 底, 末, 上旬, 中旬, 下旬, a day with 日 or 号, or nothing (份):
 * the month's end. "7-9月", "7至9月": the last month's. */
static bool month_rest(const char **p, const char *e, int y, int m, struct when_found *f) {
        const char *q = *p;
        int d;

        when_eat(&q, e, "份");
        if (eat_end(&q, e) || when_eat(&q, e, "下旬"))
                d = date_days_in_month(y, m); /* 0 for no such month */
        else if (when_eat(&q, e, "上旬"))
                d = 10;
        else if (when_eat(&q, e, "中旬"))
                d = 20;
        else if (!eat_day(&q, e, &d))
                d = date_days_in_month(y, m);
        add(f, y, m, d, "");
        *p = q;
        return true;
}

static bool month(const char **p, const char *e, int y, struct when_found *f) {
        const char *q = *p, *r;
        int m, m2;

        if (!when_eat_num(&q, e, &m))
                return false;
        if (when_eat(&q, e, "月"))
                return *p = q, month_rest(p, e, y, m, f);
        r = q;
        if (!when_eat_any(&r, e, range_words) || !when_eat_num(&r, e, &m2) ||
            !when_eat(&r, e, "月") || m2 <= m)
                return false;
        *p = r;
        return month_rest(p, e, y, m2, f);
}

/* [第]N季度[末]: its last day (N past 4 is read, then refused as no date);
 * "第三季度结束后10日内" after it. */
static bool quarter(struct when_scan *sc, const char **p, const char *e, int y,
                    struct when_found *f) {
        const char *q = *p, *s = *p;
        struct span sp;
        int n;

        when_eat(&q, e, "第");
        if (!when_eat_num(&q, e, &n) || !(when_eat(&q, e, "季度") || when_eat(&q, e, "季")))
                return false;
        eat_end(&q, e);
        if (n < 1 || n > 4) {
                add(f, y, 0, 0, "");
                *p = q;
                return true;
        }
        if (span_after(&q, e, true, false, &sp))
                add_after(sc, f, month_end(y, n * 3), &sp, "", s, q);
        else
                add_day(f, month_end(y, n * 3), "");
        *p = q;
        return true;
}

/* 上半年, 下半年[末]: its last day; "上半年结束后15日内" after it. */
static bool half_year(struct when_scan *sc, const char **p, const char *e, int y,
                      struct when_found *f) {
        const char *s = *p;
        struct span sp;
        day_t end;

        if (when_eat(p, e, "上半年"))
                end = date_from_ymd(y, 6, 30);
        else if (when_eat(p, e, "下半年"))
                end = date_from_ymd(y, 12, 31);
        else
                return false;
        eat_end(p, e);
        if (span_after(p, e, false, false, &sp))
                add_after(sc, f, end, &sp, "", s, *p);
        else
                add_day(f, end, "");
        return true;
}

/* "2025-07-31", "2025/7/31", "2025.7.31": one separator throughout. */
static bool numeric_date(const char **p, const char *e, struct when_found *f) {
        const char *q = *p;
        int y, m, d, n;
        char sep;

        if (!when_number(&q, e, &y, &n) || n != 4 || q == e ||
            (*q != '-' && *q != '/' && *q != '.'))
                return false;
        sep = *q++;
        if (!when_number(&q, e, &m, &n) || n < 1 || n > 2 || q == e || *q++ != sep)
                return false;
        if (!when_number(&q, e, &d, &n) || n < 1 || n > 2)
                return false;
        add(f, y, m, d, "");
        *p = q;
        return true;
}

/* "6.30": month and day with a dot, in the ledger's year; never a decimal
 * with more after it ("6.30.1"). */
static bool dotted_date(const char **p, const char *e, int y, struct when_found *f) {
        const char *q = *p;
        int m, d, n;

        if (!when_number(&q, e, &m, &n) || n < 1 || n > 2 || q == e || *q++ != '.')
                return false;
        if (!when_number(&q, e, &d, &n) || n < 1 || n > 2 || (q < e && (*q == '.' || *q == '%')))
                return false;
        add(f, y, m, d, "");
        *p = q;
        return true;
}

static bool year_body(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        int y;
        enum year_form form = year_prefix(p, e, sc->year, &y);

        if (form != YEAR_NONE && year_after(sc, p, e, y, f))
                return true;
        if (form != YEAR_NONE && (eat_end(p, e) || when_eat(p, e, "内"))) {
                add(f, y, 12, 31, "");
                return true;
        }
        if (form == YEAR_BARE)
                return false;
        return holiday(sc, p, e, y, form == YEAR_NAMED, f) || half_year(sc, p, e, y, f) ||
               quarter(sc, p, e, y, f) || month(p, e, y, f);
}

static bool single(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        return numeric_date(p, e, f) || dotted_date(p, e, sc->year, f) || year_body(sc, p, e, f);
}

/* ---- weekdays ----------------------------------------------------------------------- */

int when_weekday_word(const char *s, const char *e, int *weekday) {
        static const char *const lead[] = { "星期", "礼拜", "周", NULL };
        static const char *const names[] = { "一", "二", "三", "四", "五", "六", "日", "天" };
        const char *q = s;

        if (!when_eat_any(&q, e, lead))
                return 0;
        for (int i = 0; i < 8; i++) {
                const char *r = q;

                if (when_eat(&r, e, names[i]) && r == e) {
                        *weekday = i < 7 ? i + 1 : 7;
                        return 1;
                }
        }
        return 0;
}

/* "(周三)" right after a date: it must be that date's weekday. */
static void weekday_check(struct when_scan *sc, const char **p, const char *e,
                          const struct when_found *f) {
        const char *q = *p, *close;
        int wd;

        if (q == e || *q != '(' || !(close = memchr(q, ')', (size_t) (e - q))) ||
            !when_weekday_word(q + 1, close, &wd))
                return;
        *p = close + 1;
        if (f->n == 1 && date_valid(f->ymd[0][0], f->ymd[0][1], f->ymd[0][2]) &&
            date_weekday(date_from_ymd(f->ymd[0][0], f->ymd[0][1], f->ymd[0][2])) != wd) {
                char what[96];

                snprintf(what, sizeof what, "%d-%02d-%02d is a %s, not", f->ymd[0][0],
                         f->ymd[0][1], f->ymd[0][2],
                         date_weekday_zh(date_from_ymd(f->ymd[0][0], f->ymd[0][1],
                                                       f->ymd[0][2])));
                when_refuse(sc->refusal, what, q + 1, close);
        }
}

/* ---- ranges: due at their end ------------------------------------------------------ */

/* The end of "7月1日至31日", "7月1日-7月31日", "2025年7月至9月". */
static bool range_end(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        const char *q = *p;
        struct when_found to = { 0 };
        int d;
        day_t a, b;

        if (f->n != 1 || !when_eat_any(&q, e, range_words))
                return false;
        if (eat_day(&q, e, &d))
                add(&to, f->ymd[0][0], f->ymd[0][1], d, "");
        else if (!single(sc, &q, e, &to) || to.n != 1)
                return false;
        weekday_check(sc, &q, e, &to);
        *p = q;
        if (!date_valid(to.ymd[0][0], to.ymd[0][1], to.ymd[0][2]) ||
            !date_valid(f->ymd[0][0], f->ymd[0][1], f->ymd[0][2])) {
                *f = to;
                return true;
        }
        a = date_from_ymd(f->ymd[0][0], f->ymd[0][1], f->ymd[0][2]);
        b = date_from_ymd(to.ymd[0][0], to.ymd[0][1], to.ymd[0][2]);
        if (b < a)
                snprintf(sc->refusal, WHEN_REASON_MAX, "the range ends before it begins");
        *f = to;
        return true;
}

/* ---- recurring within the ledger year ------------------------------------------------- */

static void period_tag(enum period per, int k, char tag[WHEN_TAG_MAX]) {
        if (per == PERIOD_MONTH)
                snprintf(tag, WHEN_TAG_MAX, "%d月", k + 1);
        else if (per == PERIOD_QUARTER)
                snprintf(tag, WHEN_TAG_MAX, "第%d季度", k + 1);
        else
                snprintf(tag, WHEN_TAG_MAX, "%s", k == 0 ? "上半年" : "下半年");
}

static int period_count(enum period per) {
        return per == PERIOD_MONTH ? 12 : per == PERIOD_QUARTER ? 4 : 2;
}

static int period_months(enum period per) {
        return per == PERIOD_MONTH ? 1 : per == PERIOD_QUARTER ? 3 : 6;
}

/* 每月, 按月, 每季度, 每个季度, 季后 …: which period recurs. */
static bool period_word(const char **p, const char *e, enum period *per, bool *after_only) {
        static const char *const every[] = { "每个", "每", "按", "逐", NULL };
        const char *q = *p;

        *after_only = false;
        if (when_eat(&q, e, "上下半年")) {
                *per = PERIOD_HALF;
        } else if (when_eat_any(&q, e, every)) {
                if (when_eat(&q, e, "月度") || when_eat(&q, e, "月"))
                        *per = PERIOD_MONTH;
                else if (when_eat(&q, e, "季度") || when_eat(&q, e, "季"))
                        *per = PERIOD_QUARTER;
                else if (when_eat(&q, e, "半年度") || when_eat(&q, e, "半年"))
                        *per = PERIOD_HALF;
                else if (when_eat(&q, e, "年度") || when_eat(&q, e, "年"))
                        *per = PERIOD_YEAR;
                else
                        return false;
        } else if (when_eat(&q, e, "季度") || when_eat(&q, e, "季")) {
                *per = PERIOD_QUARTER; /* "季后15日内", "季度终了后", "季末" */
                *after_only = true;
        } else if (when_eat(&q, e, "月度")) {
                *per = PERIOD_MONTH;
                *after_only = true;
        } else {
                return false;
        }
        *p = q;
        return true;
}

/* Within each quarter: its first or last month ("首月", "第1个月", "末月"). */
static int quarter_month(const char **p, const char *e) {
        static const char *const first[] = { "第一个月", "第1个月", "第一月", "首月", NULL };
        static const char *const last[] = { "最后一个月", "最后1个月", "第三个月", "第3个月",
                                            "末月", NULL };

        if (when_eat_any(p, e, first))
                return 1;
        if (when_eat_any(p, e, last))
                return 3;
        return 0;
}

/* In period k (from 0), what the words after the period say. */
struct occurrence {
        int in_month;  /* 1…3 of a quarter; 0: the period's last month */
        int day;       /* 0: the month's last day; 10, 20 for 上旬, 中旬 */
        bool next;     /* 次月: the month after the period */
        struct span sp; /* sp.n > 0: after the period's end */
};

static bool occurrence_words(const char **p, const char *e, enum period per, bool after_only,
                             struct occurrence *o) {
        const char *q = *p;

        memset(o, 0, sizeof *o);
        if (span_after(&q, e, per != PERIOD_MONTH, false, &o->sp)) {
                *p = q;
                return true;
        }
        if (after_only) { /* "季末": each quarter's end; "季末15日内" is no reading */
                const char *r;
                int n;

                if (per != PERIOD_QUARTER || !eat_end(&q, e) || (r = q, when_eat_num(&r, e, &n)))
                        return false;
                *p = q;
                return true;
        }
        if (per == PERIOD_QUARTER)
                o->in_month = quarter_month(&q, e);
        if (per == PERIOD_MONTH && (when_eat(&q, e, "月底") || when_eat(&q, e, "月末"))) {
                *p = q; /* "每月月底" */
                return true;
        }
        if (when_eat(&q, e, "次月"))
                o->next = true;
        if (eat_end(&q, e) || when_eat(&q, e, "下旬"))
                o->day = 0;
        else if (when_eat(&q, e, "上旬"))
                o->day = 10;
        else if (when_eat(&q, e, "中旬"))
                o->day = 20;
        else if (!eat_day(&q, e, &o->day) && o->next)
                return false;
        *p = q;
        return true;
}

static bool add_occurrences(struct when_scan *sc, struct when_found *f, enum period per,
                            const struct occurrence *o, const char *s, const char *e) {
        for (int k = 0; k < period_count(per); k++) {
                int last = (k + 1) * period_months(per), m;
                char tag[WHEN_TAG_MAX];
                int y, mm, dd;

                period_tag(per, k, tag);
                if (o->sp.n > 0) {
                        if (!add_after(sc, f, month_end(sc->year, last), &o->sp, tag, s, e))
                                return false;
                        continue;
                }
                m = o->next ? last + 1 : o->in_month ? k * 3 + o->in_month : last;
                date_to_ymd(month_end(sc->year, m), &y, &mm, &dd);
                if (o->day > dd) {
                        when_refuse(sc->refusal, "not every month has that day:", s, e);
                        return false;
                }
                add(f, y, mm, o->day ? o->day : dd, tag);
        }
        return true;
}

/* "每年6月底前": the one date in the ledger's year; "每年" alone: its end. */
static bool yearly(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        if (single(sc, p, e, f))
                return true;
        add(f, sc->year, 12, 31, "");
        return true;
}

static bool recurring(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        static const char *const once[] = { "各一次", "各1次", "一次", "1次", NULL };
        const char *q = *p, *s = *p;
        enum period per;
        bool after_only;
        struct occurrence o;

        if (!period_word(&q, e, &per, &after_only))
                return false;
        if (per == PERIOD_YEAR) {
                yearly(sc, &q, e, f);
                when_eat_any(&q, e, once);
                *p = q;
                return true;
        }
        if (!occurrence_words(&q, e, per, after_only, &o))
                return false;
        if (per == PERIOD_MONTH && sc->next_month && o.day == 0 && o.sp.n == 0 && !o.next)
                return false; /* "按月报送，次月10日前": 次月 says when */
        when_eat_any(&q, e, once);
        *p = q;
        if (per == PERIOD_MONTH)
                sc->monthly = true;
        f->recurring = true;
        add_occurrences(sc, f, per, &o, s, q);
        return true;
}

/* "次月10日前" of a monthly task: the 10th of the month after each month. */
static bool next_month(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        const char *q = *p, *s = *p;
        struct occurrence o = { .next = true };

        if (!when_eat(&q, e, "次月") || !eat_day(&q, e, &o.day))
                return false;
        *p = q;
        if (!sc->monthly) {
                when_refuse(sc->refusal, "counts from each month, but the phrase does not say "
                            "the task is monthly (每月, 按月):", s, q);
                return true;
        }
        f->recurring = true;
        f->after_month = true;
        add_occurrences(sc, f, PERIOD_MONTH, &o, s, q);
        return true;
}

bool when_expr(struct when_scan *sc, const char **p, const char *e, struct when_found *f) {
        const char *q = *p;

        memset(f, 0, sizeof *f);
        if (recurring(sc, &q, e, f) || next_month(sc, &q, e, f)) {
                *p = q;
                return true;
        }
        if (!single(sc, &q, e, f))
                return false;
        weekday_check(sc, &q, e, f);
        range_end(sc, &q, e, f);
        *p = q;
        return true;
}
