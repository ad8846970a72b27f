/* SPDX-License-Identifier: MIT */
/* Deadline phrases to dates, in two steps. The phrase is first normalised:
 * UTF-8 checked, full-width forms folded to ASCII ("７月" → "7月", "（" →
 * "("), every separator (spaces, U+3000, , ， 、 ; ； 。) made one ASCII space.
 * Then each space-separated part (brackets keep theirs) is read as an
 * optional label, one date expression (when-expr.c), an optional suffix
 * (前, 之前, 止 …), brackets ("(含)", "(周三)", "(遇节假日顺延)") and an
 * optional note ("报送县财政局"): "单位自评3月底之前" gives 单位自评 and the
 * last day of March. A part without a date is a note of its neighbours
 * ("逾期不予受理"), standing work ("长期坚持"), or a step counted from an
 * event ("收到通知后10日内"). The first part may say how many dates follow
 * ("年度内报送2次"). Whatever else is left over makes the whole phrase
 * unknown: a wrong date in someone's calendar is worse than none. Labels too
 * long for WHEN_LABEL_MAX make the phrase unknown too, rather than being cut. */
#include "ledger/when.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basic/names.h"
#include "basic/text.h"
#include "ledger/when-internal.h"
#include "ledger/workdays.h"

#define PHRASE_MAX 1024 /* bytes, NUL included: deadlines are short */

/* What a part that names no date is. */
enum part_kind { PART_DATED, PART_NOTE, PART_ONGOING, PART_EVENT, PART_FAILED };

struct parser {
        struct when_scan sc;
        int count; /* "报送N次", -1 when the phrase does not say */
        struct when_result *out;
        char notes[WHEN_NOTE_MAX]; /* of parts before the next dated one */
        size_t part_first;         /* the first date of the last dated part */
        int shift;                 /* a part "遇节假日顺延": +1; "…提前": -1 */
        const char *event_s, *event_e, *ongoing_s, *ongoing_e;
};

static int fail(struct when_result *out, enum when_kind kind, const char *reason) {
        out->kind = kind;
        out->n_dates = 0;
        memset(out->dates, 0, sizeof out->dates);
        snprintf(out->reason, sizeof out->reason, "%s", reason);
        return -1;
}

static int fail_quote(struct when_result *out, enum when_kind kind, const char *what,
                      const char *s, const char *e) {
        char reason[WHEN_REASON_MAX];

        when_refuse(reason, what, s, e);
        return fail(out, kind, reason);
}

/* ---- normalising ---------------------------------------------------------- */

static uint32_t fold_char(uint32_t c) {
        if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII */
                c -= 0xFEE0;
        switch (c) { /* separators: no-break and ideographic space, 、 and 。 too */
        case '\t': case '\n': case '\r': case ',': case ';': case 0xA0: case 0x3000:
        case 0x3001: case 0x3002:
                return ' ';
        case 0x3010: case 0x3014: /* 【 〔 */
                return '(';
        case 0x3011: case 0x3015: /* 】 〕 */
                return ')';
        }
        return c;
}

/* Every fold gives ASCII, so buf always holds the whole phrase. */
static int normalize(const char *phrase, char buf[PHRASE_MAX], struct when_result *out) {
        const char *s = phrase;
        size_t n = 0, left = strnlen(phrase, PHRASE_MAX);

        if (left >= PHRASE_MAX)
                return fail(out, WHEN_UNKNOWN, "phrase longer than 1023 bytes");
        while (left > 0) {
                unsigned c;
                uint32_t f;
                size_t len = text_utf8_decode(s, left, &c);

                if (len == 0)
                        return fail(out, WHEN_UNKNOWN, "not valid UTF-8");
                f = fold_char(c);
                if (f < 0x20 || f == 0x7F)
                        return fail(out, WHEN_UNKNOWN, "contains a control character");
                if (f != c) {
                        buf[n++] = (char) f;
                } else {
                        memcpy(buf + n, s, len);
                        n += len;
                }
                s += len, left -= len;
        }
        buf[n] = '\0';
        return 0;
}

/* The end of the part at s: the next space outside brackets. */
static const char *part_end(const char *s) {
        int depth = 0;

        for (; *s && (*s != ' ' || depth > 0); s++)
                if (*s == '(')
                        depth++;
                else if (*s == ')' && depth > 0)
                        depth--;
        return s;
}

/* ---- notes ------------------------------------------------------------------- */

/* Appends [s, e) to note, "；" between, cut on a character boundary. */
static void note_add(char note[WHEN_NOTE_MAX], const char *s, const char *e) {
        size_t have = strlen(note), room, len;

        if (e <= s)
                return;
        if (have > 0 && have + strlen("；") < WHEN_NOTE_MAX - 1) {
                strcat(note, "；");
                have = strlen(note);
        }
        room = WHEN_NOTE_MAX - 1 - have;
        len = text_utf8_prefix(s, (size_t) (e - s), room);
        memcpy(note + have, s, len);
        note[have + len] = '\0';
}

/* ---- what follows a date: suffix, brackets, note ---------------------------------- */

/* What the words after one date expression say. */
struct tail {
        char note[WHEN_NOTE_MAX];
        int shift; /* +1: 遇节假日顺延; -1: 遇节假日提前 */
        bool weekday_given;
        int weekday;
};

/* Words that change a date's meaning: after them no note can follow. */
static bool tail_forbidden(const char *s, const char *e) {
        static const char *const words[] = { "后", "以后", "之后", "左右", "前后", "起", "开始",
                                             "或", "以来", "之间", "上下", "中", "初", NULL };
        const char *q = s;

        return when_eat_any(&q, e, words);
}

/* "(含)", "(周三)", "(遇节假日顺延)", "(暂定)": 0, or -1 with the reason. */
static int bracket(struct parser *ps, const char *s, const char *e, struct tail *t) {
        static const char *const inclusive[] = { "含当日", "含当天", "含本日", "含", NULL };
        const char *q = s;

        if (when_eat_any(&q, e, inclusive) && q == e) {
                note_add(t->note, s, e);
                return 0;
        }
        if (when_weekday_word(s, e, &t->weekday)) {
                t->weekday_given = true;
                return 0;
        }
        if (when_has(s, e, "顺延") && !when_has(s, e, "不顺延"))
                t->shift = 1;
        else if (when_has(s, e, "节假日") && when_has(s, e, "提前"))
                t->shift = -1;
        else if (when_has_time(s, e) && !when_has(s, e, "节假日"))
                return fail_quote(ps->out, WHEN_UNKNOWN, "could not read", s - 1, e + 1);
        note_add(t->note, s, e);
        return 0;
}

/* The note after the suffix, brackets taken out of it. */
static int tail_note(struct parser *ps, const char *s, const char *e, bool by, bool recurring,
                     struct tail *t) {
        static const char *const once[] = { "各一次", "各1次", "一次", "1次", NULL };
        char text[WHEN_NOTE_MAX] = "";
        const char *p = s;

        while (p < e) {
                const char *open = memchr(p, '(', (size_t) (e - p)), *close;

                if (!open || !(close = memchr(open, ')', (size_t) (e - open))))
                        open = close = e;
                note_add(text, p, open);
                if (open < e && bracket(ps, open + 1, close, t) < 0)
                        return -1;
                p = close < e ? close + 1 : e;
        }
        const char *ts = text, *te = text + strlen(text);
        if (recurring)
                when_chop_any(ts, &te, once);
        (void) by; /* after 前 or not, the forbidden words and time words decide */
        if (te > ts && (tail_forbidden(ts, te) || when_has_time(ts, te)))
                return 1;
        if (!(te - ts == (ptrdiff_t) strlen("完成") && memcmp(ts, "完成", te - ts) == 0))
                note_add(t->note, ts, te);
        return 0;
}

/* After a date expression: brackets, a suffix, brackets, a note. 0 when all
 * of it reads, 1 when it does not (the date is not one), -1 when refused. */
static int tail_parse(struct parser *ps, const char *s, const char *e, bool recurring,
                      struct tail *t) {
        static const char *const by[] = { "之前", "以前", "为止", "以内", "之内", "前", "止",
                                          "内", "截止", "截至", NULL };
        const char *p = s, *close;
        bool was_by = false;

        memset(t, 0, sizeof *t);
        for (;;) {
                if (p < e && *p == '(' && (close = memchr(p, ')', (size_t) (e - p)))) {
                        if (bracket(ps, p + 1, close, t) < 0)
                                return -1;
                        p = close + 1;
                } else if (!was_by && when_eat_any(&p, e, by)) {
                        was_by = true;
                } else {
                        break;
                }
        }
        return tail_note(ps, p, e, was_by, recurring, t);
}

/* ---- storing dates -------------------------------------------------------------- */

static bool found_valid(const struct when_found *f) {
        for (int k = 0; k < f->n; k++)
                if (!date_valid(f->ymd[k][0], f->ymd[k][1], f->ymd[k][2]))
                        return false;
        return f->n > 0;
}

/* Moves each date off days off, as the bracket or a part said. */
static int shift_days(struct parser *ps, struct when_date *d, size_t n, int shift) {
        for (size_t i = 0; shift && i < n; i++) {
                int y = date_year(d[i].day);
                char reason[WHEN_REASON_MAX];

                if (!ps->sc.calendar || !workdays_covers(ps->sc.calendar, y)) {
                        snprintf(reason, sizeof reason, "no holiday calendar covers %d, which "
                                 "\"遇节假日顺延\" needs", y);
                        return fail(ps->out, WHEN_UNKNOWN, reason);
                }
                d[i].day = shift > 0 ? workdays_on_or_after(ps->sc.calendar, d[i].day)
                                     : workdays_on_or_before(ps->sc.calendar, d[i].day);
        }
        return 0;
}

static int weekday_given(struct parser *ps, const struct when_found *f, const struct tail *t) {
        char reason[WHEN_REASON_MAX];
        day_t d;

        if (!t->weekday_given)
                return 0;
        if (f->n != 1)
                return fail(ps->out, WHEN_UNKNOWN, "a weekday given for more than one date");
        d = date_from_ymd(f->ymd[0][0], f->ymd[0][1], f->ymd[0][2]);
        if (date_weekday(d) == t->weekday)
                return 0;
        snprintf(reason, sizeof reason, "%d-%02d-%02d is a %s, not the weekday the phrase gives",
                 f->ymd[0][0], f->ymd[0][1], f->ymd[0][2], date_weekday_zh(d));
        return fail(ps->out, WHEN_UNKNOWN, reason);
}

static int store(struct parser *ps, const char *ls, const char *le, const struct when_found *f,
                 const struct tail *t) {
        struct when_result *out = ps->out;
        char more[32];

        ps->part_first = out->n_dates;
        for (int k = 0; k < f->n; k++) {
                struct when_date *w;

                if (out->n_dates == WHEN_MAX_DATES) {
                        snprintf(more, sizeof more, "names more than %d dates", WHEN_MAX_DATES);
                        return fail(out, WHEN_UNKNOWN, more);
                }
                w = &out->dates[out->n_dates];
                if ((size_t) (le - ls) + strlen(f->tag[k]) >= WHEN_LABEL_MAX)
                        return fail_quote(out, WHEN_UNKNOWN, "label too long:", ls, le);
                snprintf(w->label, sizeof w->label, "%.*s%s", (int) (le - ls), ls, f->tag[k]);
                snprintf(w->note, sizeof w->note, "%s", ps->notes);
                note_add(w->note, t->note, t->note + strlen(t->note));
                w->day = date_from_ymd(f->ymd[k][0], f->ymd[k][1], f->ymd[k][2]);
                out->n_dates++;
        }
        ps->notes[0] = '\0';
        return shift_days(ps, &out->dates[ps->part_first], out->n_dates - ps->part_first,
                          t->shift);
}

/* ---- labels --------------------------------------------------------------------- */

/* "分别为4月10日前": the connector is no label; "请于": nor is the request. */
static void label_trim(const char **s, const char **e) {
        static const char *const lead[] = { "分别为", "分别是", "分别于", "分别在",
                                            "分别", "其中", NULL };
        static const char *const trail[] = { "分别为", "分别是", "分别于", "分别在", "截止到",
                                             "截至", "截止", "为", "于", "在", "到", ":", NULL };
        static const char *const alone[] = { "请", "务必", "须", "需", "应当", "应", "必须",
                                             "要", "均", "请各单位", NULL };
        const char *q = *s;

        while (when_eat_any(s, *e, lead))
                ;
        while (when_chop_any(*s, e, trail))
                ;
        if (when_eat_any(&q, *e, alone) && q == *e)
                *s = *e;
}

/* A label must not change the date: one ending in 年 holds a year this
 * parser cannot read ("25年"), "次年项目" may or may not move it. */
static bool label_ok(const char *s, const char *e) {
        static const char *const year[] = { "年", "年度", NULL };
        static const char *const shift[] = { "次年", "翌年", "下一年", "下年", "明年", NULL };

        return !when_has_any(s, e, shift) && !when_chop_any(s, &e, year);
}

/* ---- parts ------------------------------------------------------------------------- */

/* One date expression read to the end of the part: 0, 1 when there is none
 * at p, -1 when refused. */
static int dated_at(struct parser *ps, const char *s, const char *p, const char *e,
                    bool label_dated) {
        const char *q = p, *ls = s, *le = p;
        struct when_found f;
        struct tail t;
        int r;

        ps->sc.refusal[0] = '\0';
        if (!when_expr(&ps->sc, &q, e, &f))
                return 1;
        if (ps->sc.refusal[0])
                return fail(ps->out, WHEN_UNKNOWN, ps->sc.refusal);
        r = tail_parse(ps, q, e, f.recurring, &t);
        if (r != 0)
                return r;
        label_trim(&ls, &le);
        if ((label_dated && !f.after_month) || !label_ok(ls, le))
                return fail_quote(ps->out, WHEN_UNKNOWN, "could not read", s, e);
        if (!found_valid(&f))
                return fail_quote(ps->out, WHEN_UNKNOWN, "date does not exist:", p, e);
        if (weekday_given(ps, &f, &t) < 0)
                return -1;
        return store(ps, ls, le, &f, &t);
}

/* The label is whatever precedes the first place a date expression starts
 * that reads to the end of the part; a date before that, outside brackets,
 * would make the label change the date ("上半年监控6月10日前"). */
static int dated_part(struct parser *ps, const char *s, const char *e) {
        bool label_dated = false;
        int depth = 0;

        for (const char *p = s; p < e; p++) {
                const char *q = p;
                struct when_found f;
                int r;

                if (*p == '(' || *p == ')') {
                        depth += *p == '(' ? 1 : depth > 0 ? -1 : 0;
                        continue;
                }
                if (depth > 0 || text_utf8_continuation(*p) || !when_can_start(s, p, e))
                        continue;
                r = dated_at(ps, s, p, e, label_dated);
                if (r <= 0)
                        return r;
                ps->sc.refusal[0] = '\0';
                if (when_expr(&ps->sc, &q, e, &f) && !ps->sc.refusal[0])
                        label_dated = true;
        }
        return label_dated ? fail_quote(ps->out, WHEN_UNKNOWN, "could not read", s, e) : 1;
}

/* "长期", "常态化", "持续推进", "每周": work that goes on, with no deadline. */
static bool standing(const char *s, const char *e) {
        static const char *const words[] = { "长期", "持续", "常态化", "常态", "日常", "常年",
                                             "经常性", "全年", "全过程", "长效", "动态",
                                             "每周", "每星期", "每日", "每天", "随时", NULL };
        return when_has_any(s, e, words);
}

/* "收到通知后10日内", "资金下达之日起15个工作日内": counted from an event. */
static bool from_event(const char *s, const char *e) {
        static const char *const from[] = { "后", "起", NULL };
        static const char *const unit[] = { "个工作日", "工作日", "个月", "日", "天", "周", NULL };

        for (const char *p = s; p < e; p++) {
                const char *q = p;
                int n;

                if (when_eat_any(&q, e, from) && when_eat_num(&q, e, &n) &&
                    when_eat_any(&q, e, unit))
                        return true;
        }
        return false;
}

/* A part without a date: a note ("逾期不予受理", "遇节假日顺延"), standing
 * work, a step after an event, or nothing this reader knows. */
static enum part_kind dateless_part(struct parser *ps, const char *s, const char *e) {
        struct tail t = { 0 };

        if (standing(s, e)) {
                if (!ps->ongoing_s)
                        ps->ongoing_s = s, ps->ongoing_e = e;
                note_add(ps->notes, s, e);
                return PART_ONGOING;
        }
        if (ps->sc.next_month && ps->sc.monthly &&
            when_has_any(s, e, (const char *const[]) { "每月", "按月", "逐月", "每个月", NULL })) {
                note_add(ps->notes, s, e); /* "按月报送": what 次月 counts from */
                return PART_NOTE;
        }
        if (from_event(s, e)) {
                if (!ps->event_s)
                        ps->event_s = s, ps->event_e = e;
                return PART_EVENT;
        }
        if (when_has(s, e, "节假日")) {
                if (bracket(ps, s, e, &t) < 0)
                        return PART_FAILED;
                ps->shift = t.shift;
        }
        if (when_has_time(s, e) && !when_has(s, e, "节假日")) {
                fail_quote(ps->out, WHEN_UNKNOWN, "could not read", s, e);
                return PART_FAILED;
        }
        note_add(ps->notes, s, e);
        return PART_NOTE;
}

/* A note after the last dated part belongs to its dates. */
static void notes_to_last_part(struct parser *ps) {
        for (size_t i = ps->part_first; ps->notes[0] && i < ps->out->n_dates; i++)
                note_add(ps->out->dates[i].note, ps->notes, ps->notes + strlen(ps->notes));
        if (ps->out->n_dates > 0)
                ps->notes[0] = '\0';
}

static enum part_kind part_parse(struct parser *ps, const char *s, const char *e) {
        int r = dated_part(ps, s, e);

        if (r < 0)
                return PART_FAILED;
        if (r == 0)
                return PART_DATED;
        return dateless_part(ps, s, e);
}

/* ---- counts ------------------------------------------------------------------------ */

/* "年度内报送2次", "报送两次", "共2次": how many dates the rest names. */
static bool count_intro(const char **p, const char *e, int *count) {
        static const char *const scope[] = { "年度内", "年内", "全年", "每年", NULL };
        static const char *const verb[] = { "报送", "上报", "提交", "开展", "完成", NULL };
        const char *q = *p;
        int n;

        when_eat_any(&q, e, scope);
        when_eat(&q, e, "共");
        when_eat_any(&q, e, verb);
        when_eat(&q, e, "共");
        if (!when_eat_num(&q, e, &n) || !when_eat(&q, e, "次"))
                return false;
        *count = n;
        *p = q;
        return true;
}

/* The count must match, and numbers the dates that have no label. */
static int count_check(struct parser *ps) {
        struct when_result *out = ps->out;
        char msg[WHEN_REASON_MAX];

        if (ps->count < 0)
                return 0;
        if (out->n_dates == 0 || (size_t) ps->count != out->n_dates) { /* "报送0次" */
                snprintf(msg, sizeof msg, "the phrase says %d times (%d次) but names %zu date%s",
                         ps->count, ps->count, out->n_dates, out->n_dates == 1 ? "" : "s");
                return fail(out, WHEN_UNKNOWN, msg);
        }
        for (size_t i = 0; i < out->n_dates; i++)
                if (out->dates[i].label[0] == '\0')
                        snprintf(out->dates[i].label, WHEN_LABEL_MAX, "第%zu次", i + 1);
        return 0;
}

/* ---- months named once for several numbers: "3、6、9、12月底前" ------------------- */

static bool bare_number(const char *s, const char *e) {
        int n;

        return when_eat_num(&s, e, &n) && s == e && n >= 1 && n <= 12;
}

/* The part after a run of bare numbers: its first number's words ("月底前")
 * go with each of them. -1 when there is no such part. */
static int shared_month(struct parser *ps, const char *const *runs, size_t n, const char *s,
                        const char *e) {
        char buf[PHRASE_MAX];
        const char *q = s, *r;
        int m;

        if (!when_eat_num(&q, e, &m) || (r = q, !when_eat(&r, e, "月")))
                return -1;
        for (size_t i = 0; i < n; i++) {
                int len = snprintf(buf, sizeof buf, "%.*s%.*s", (int) (runs[2 * i + 1] - runs[2 * i]),
                                   runs[2 * i], (int) (e - q), q);

                if (part_parse(ps, buf, buf + len) != PART_DATED) {
                        if (ps->out->kind == WHEN_DATED)
                                fail_quote(ps->out, WHEN_UNKNOWN, "could not read", runs[0], e);
                        return -2;
                }
        }
        return 0;
}

/* ---- phrases -------------------------------------------------------------------- */

static int finish(struct parser *ps, const char *phrase, const char *end) {
        struct when_result *out = ps->out;

        notes_to_last_part(ps);
        if (out->n_dates > 0 && ps->event_s)
                return fail_quote(out, WHEN_UNKNOWN, "names dates and a step counted from an "
                                  "event, which has none:", ps->event_s, ps->event_e);
        if (out->n_dates > 0 || (ps->count >= 0 && !ps->event_s && !ps->ongoing_s)) {
                if (shift_days(ps, out->dates, out->n_dates, ps->shift) < 0)
                        return -1;
                return count_check(ps);
        }
        if (ps->event_s)
                return fail_quote(out, WHEN_UNDATED, "counted from an event, which has no date:",
                                  phrase, end);
        if (ps->ongoing_s)
                return fail_quote(out, WHEN_ONGOING, "standing work, no deadline:", phrase, end);
        return fail_quote(out, WHEN_UNKNOWN, "could not read", phrase, end);
}

static int phrase_parse(struct parser *ps, const char *s) {
        static const char *const monthly[] = { "每月", "按月", "逐月", "每个月", NULL };
        const char *start = s, *end = s + strlen(s), *runs[2 * 12];
        size_t n_runs = 0;
        bool first = true;

        while (end > s && end[-1] == ' ')
                end--;
        while (*s) {
                const char *e = part_end(s), *p = s;

                if (e == s) {
                        s++;
                        continue;
                }
                if (first) {
                        ps->sc.monthly = when_has_any(s, end, monthly);
                        ps->sc.next_month = when_has(s, end, "次月");
                }
                if (first && count_intro(&p, e, &ps->count) && p == e) {
                        first = false;
                        s = e;
                        continue;
                }
                first = false;
                if (bare_number(p, e) && n_runs < 12) {
                        runs[2 * n_runs] = p, runs[2 * n_runs + 1] = e;
                        n_runs++;
                        s = e;
                        continue;
                }
                if (n_runs > 0) {
                        int r = shared_month(ps, runs, n_runs, p, e);

                        if (r == -2)
                                return -1;
                        if (r == -1)
                                return fail_quote(ps->out, WHEN_UNKNOWN, "could not read",
                                                  runs[0], runs[1]);
                        n_runs = 0;
                }
                if (part_parse(ps, p, e) == PART_FAILED)
                        return -1;
                s = e;
        }
        if (n_runs > 0)
                return fail_quote(ps->out, WHEN_UNKNOWN, "could not read", runs[0], runs[1]);
        return finish(ps, start, end);
}

/* ---- phrases that name no date on purpose, or none at all -------------------- */

/* -1 with *out filled for a phrase that defers to something else, else 0.
 * "根据2026年部门预算编制时间": the year there is no deadline. But "根据…，
 * 7月底前" defers and dates at once, and picking one would be a guess. */
static int undated(const char *s, const char *end, struct when_result *out) {
        static const struct {
                const char *word, *why;
        } clue[] = {
                { "根据", "set by another timetable:" }, { "按照", "set by another timetable:" },
                { "依据", "set by another timetable:" }, { "随", "follows another event:" },
                { "详见", "given elsewhere:" },
        };
        static const char *const later[] = { "另行通知", "另行安排", "另行确定", "待定",
                                             "另定", NULL };
        static const char *const dated[] = { "月", "季度", "半年", "年底", "年末", NULL };

        for (size_t i = 0; i < sizeof clue / sizeof clue[0]; i++) {
                if (strncmp(s, clue[i].word, strlen(clue[i].word)) != 0 ||
                    strncmp(s, "随时", strlen("随时")) == 0) /* at any time: standing work */
                        continue;
                if (when_has_any(s, end, dated))
                        return fail_quote(out, WHEN_UNKNOWN,
                                          "defers elsewhere but names a date:", s, end);
                return fail_quote(out, WHEN_UNDATED, clue[i].why, s, end);
        }
        if (when_has_any(s, end, later) && !when_has_any(s, end, dated))
                return fail_quote(out, WHEN_UNDATED, "to be announced:", s, end);
        return 0;
}

/* "尽快", "及时", "适时": no date a careful official would agree on. */
static int vague(const char *s, const char *end, struct when_result *out) {
        static const char *const words[] = {
                "尽快", "及时", "适时", "视情", "择期", "择机", "近期", "限期", "按时", "按期",
                "不定期", "定期", "适当时候", "届时", "酌情", "立即", "抓紧", "尽早",
                "早日", "适当", NULL,
        };

        for (const char *const *w = words; *w; w++)
                if (when_has(s, end, *w))
                        return fail_quote(out, WHEN_UNKNOWN, "vague, names no date:", *w,
                                          *w + strlen(*w));
        return 0;
}

void when_parse_with(const char *phrase, int year, const struct workdays *calendar,
                     struct when_result *out) {
        char buf[PHRASE_MAX];
        struct parser ps = { .sc = { .year = year, .calendar = calendar }, .count = -1,
                             .out = out };
        const char *s = buf, *end;

        memset(out, 0, sizeof *out);
        out->kind = WHEN_DATED;
        if (normalize(phrase ? phrase : "", buf, out) < 0)
                return;
        while (*s == ' ')
                s++;
        end = s + strlen(s);
        while (end > s && end[-1] == ' ')
                end--;
        if (*s == '\0') {
                fail(out, WHEN_UNDATED, "no deadline given");
                return;
        }
        if (vague(s, end, out) == 0 && undated(s, end, out) == 0)
                phrase_parse(&ps, s);
}

void when_parse(const char *phrase, int year, struct when_result *out) {
        when_parse_with(phrase, year, NULL, out);
}

static const char *const when_kind_names[] = {
        [WHEN_DATED] = "dated",
        [WHEN_UNDATED] = "undated",
        [WHEN_UNKNOWN] = "unknown",
        [WHEN_ONGOING] = "ongoing",
};

NAMES_DEFINE_GET(when_kind_name, enum when_kind, when_kind_names, "invalid")
