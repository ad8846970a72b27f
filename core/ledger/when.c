/* SPDX-License-Identifier: MIT */
/* Deadline phrases to dates, in two steps. The phrase is first normalised:
 * UTF-8 checked, full-width forms folded to ASCII ("７月" → "7月"), every
 * separator (spaces, U+3000, , ， 、 ; ； 。) made one ASCII space. Then each
 * space-separated part is read as an optional label, one date expression and
 * an optional suffix (前, 之前, 以前, 止 …): "单位自评3月底之前" gives 单位自评
 * and the last day of March. The first part may instead say how many dates
 * follow ("年度内报送2次"). Anything left over makes the whole phrase unknown:
 * a wrong date in someone's calendar is worse than none. Labels too long for
 * WHEN_LABEL_MAX make the phrase unknown too, rather than being cut. */
#include "ledger/when.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basic/names.h"
#include "basic/text.h"

#define PHRASE_MAX 1024 /* bytes, NUL included: deadlines are short */
#define QUARTERS 4

/* What one date expression names: one date, or four for 每季度末. */
struct found {
        int n;
        int ymd[QUARTERS][3];
        bool quarters; /* label each date 第k季度 */
};

struct parser {
        int year;  /* the ledger's */
        int count; /* "报送N次", -1 when the phrase does not say */
        struct when_result *out;
};

enum year_form { YEAR_NONE, YEAR_BARE, YEAR_NAMED };

static int fail(struct when_result *out, enum when_kind kind, const char *reason) {
        out->kind = kind;
        out->n_dates = 0;
        memset(out->dates, 0, sizeof out->dates);
        snprintf(out->reason, sizeof out->reason, "%s", reason);
        return -1;
}

/* `what "text"`, with text cut on a character boundary (and "…") to fit. */
static int fail_quote(struct when_result *out, enum when_kind kind, const char *what,
                      const char *text, size_t len) {
        size_t room = WHEN_REASON_MAX - strlen(what) - sizeof(" \"…\"");
        const char *more = "";

        if (len > room) {
                len = room;
                while (len > 0 && text_utf8_continuation(text[len]))
                        len--;
                more = "…";
        }
        fail(out, kind, "");
        snprintf(out->reason, sizeof out->reason, "%s \"%.*s%s\"", what, (int) len, text, more);
        return -1;
}

/* ---- normalising ---------------------------------------------------------- */

static uint32_t fold_char(uint32_t c) {
        if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII */
                c -= 0xFEE0;
        switch (c) { /* separators: no-break and ideographic space, 、 and 。 too */
        case '\t': case '\n': case '\r': case ',': case ';': case 0xA0: case 0x3000:
        case 0x3001: case 0x3002:
                return ' ';
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

/* ---- words and numbers ------------------------------------------------------ */

static bool eat(const char **p, const char *e, const char *word) {
        size_t n = strlen(word);

        if ((size_t) (e - *p) < n || memcmp(*p, word, n) != 0)
                return false;
        *p += n;
        return true;
}

static bool eat_any(const char **p, const char *e, const char *const *words) {
        for (; *words; words++)
                if (eat(p, e, *words))
                        return true;
        return false;
}

/* Drops one of words from the end of [s, *e). UTF-8 lead bytes never pass
 * for continuation bytes, so a match is always a whole character. */
static bool chop_any(const char *s, const char **e, const char *const *words) {
        for (; *words; words++) {
                size_t n = strlen(*words);

                if ((size_t) (*e - s) >= n && memcmp(*e - n, *words, n) == 0) {
                        *e -= n;
                        return true;
                }
        }
        return false;
}

/* 0-9 for 〇一…九, 10 for 十, 11 for 两 (a count: "报送两次"), 12 for 零; else -1. */
static int cn_symbol(const char **p, const char *e) {
        static const char *const sym[] = { "〇", "一", "二", "三", "四", "五", "六",
                                           "七", "八", "九", "十", "两", "零" };

        for (int i = 0; i < (int) (sizeof sym / sizeof sym[0]); i++)
                if (eat(p, e, sym[i]))
                        return i;
        return -1;
}

/* 一 … 九, 十, 十一 … 十九, 二十 … 九十九, and 两 alone. */
static bool cn_number(const char **p, const char *e, int *val) {
        const char *q = *p;
        int s[3], n = 0, v;

        while ((v = cn_symbol(&q, e)) >= 0) {
                if (n == 3)
                        return false;
                s[n++] = v == 12 ? 0 : v;
        }
        if (n == 1)
                v = s[0] == 11 ? 2 : s[0];
        else if (n == 2 && s[0] == 10 && s[1] >= 1 && s[1] <= 9)
                v = 10 + s[1];
        else if (n >= 2 && s[0] >= 1 && s[0] <= 9 && s[1] == 10 &&
                 (n == 2 || (s[2] >= 1 && s[2] <= 9)))
                v = s[0] * 10 + (n == 3 ? s[2] : 0);
        else
                return false;
        *val = v;
        *p = q;
        return true;
}

static bool ar_number(const char **p, const char *e, int *val, int *digits) {
        const char *q = *p;
        int v = 0, n = 0;

        for (; q < e && *q >= '0' && *q <= '9'; q++, n++)
                if (v < 1000000) /* larger is no date either, and cannot overflow */
                        v = v * 10 + (*q - '0');
        if (n == 0)
                return false;
        *val = v;
        *digits = n;
        *p = q;
        return true;
}

static bool eat_num(const char **p, const char *e, int *val) {
        int digits;

        return ar_number(p, e, val, &digits) || cn_number(p, e, val);
}

/* 1 for an arabic digit at p, 2 for a Chinese numeral, 0 otherwise. */
static int digit_kind(const char *p, const char *e) {
        if (p < e && *p >= '0' && *p <= '9')
                return 1;
        return cn_symbol(&p, e) >= 0 ? 2 : 0;
}

/* A date may start at p unless p is inside a number: "13月" is not "3月". */
static bool can_start(const char *s, const char *p, const char *e) {
        const char *prev = p;
        int kind = digit_kind(p, e);

        if (kind == 0 || p == s)
                return true;
        do
                prev--;
        while (prev > s && text_utf8_continuation(*prev));
        return digit_kind(prev, e) != kind;
}

/* ---- date expressions --------------------------------------------------- */

static void found_add(struct found *f, int y, int m, int d) {
        f->ymd[f->n][0] = y;
        f->ymd[f->n][1] = m;
        f->ymd[f->n][2] = d;
        f->n++;
}

static bool eat_end(const char **p, const char *e) {
        return eat(p, e, "底") || eat(p, e, "末");
}

/* "X月" then 底, 末, 上旬, 中旬, 下旬, or a day with 日 or 号. */
static bool month(const char **p, const char *e, int y, struct found *f) {
        const char *q = *p;
        int m, d;

        if (!eat_num(&q, e, &m) || !eat(&q, e, "月"))
                return false;
        if (eat_end(&q, e) || eat(&q, e, "下旬"))
                d = date_days_in_month(y, m); /* 0 for no such month */
        else if (eat(&q, e, "上旬"))
                d = 10;
        else if (eat(&q, e, "中旬"))
                d = 20;
        else if (!eat_num(&q, e, &d) || !(eat(&q, e, "日") || eat(&q, e, "号")))
                return false;
        found_add(f, y, m, d);
        *p = q;
        return true;
}

/* 每季度末, or [第]N季度末 (N past 4 is read, then refused as no date). */
static bool quarter(const char **p, const char *e, int y, struct found *f) {
        static const int last_month[QUARTERS] = { 3, 6, 9, 12 };
        const char *q = *p;
        int n;

        if (eat(&q, e, "每季度")) {
                if (!eat_end(&q, e))
                        return false;
                for (int k = 0; k < QUARTERS; k++)
                        found_add(f, y, last_month[k], date_days_in_month(y, last_month[k]));
                f->quarters = true;
        } else {
                eat(&q, e, "第");
                if (!eat_num(&q, e, &n) || !eat(&q, e, "季度") || !eat_end(&q, e))
                        return false;
                if (n >= 1 && n <= QUARTERS)
                        found_add(f, y, last_month[n - 1],
                                  date_days_in_month(y, last_month[n - 1]));
                else
                        found_add(f, y, 0, 0);
        }
        *p = q;
        return true;
}

static bool half_year(const char **p, const char *e, int y, struct found *f) {
        if (eat(p, e, "上半年"))
                found_add(f, y, 6, 30);
        else if (eat(p, e, "下半年"))
                found_add(f, y, 12, 31);
        else
                return false;
        eat_end(p, e);
        return true;
}

/* "2025年", "次年", "翌年", "下一年度", "本年" …, or a bare "年"/"年度" that
 * only 底, 末 or 内 may follow ("年底", "年度内"). */
static enum year_form year_prefix(const char **p, const char *e, int year, int *y) {
        static const char *const next[] = { "次", "翌", "下一", "下", "明", NULL };
        static const char *const same[] = { "本", "今", "当", NULL };
        const char *q = *p;
        enum year_form form = YEAR_NAMED;
        int v, digits;

        *y = year;
        if (ar_number(&q, e, &v, &digits)) {
                if (digits != 4)
                        return YEAR_NONE;
                *y = v;
        } else if (eat_any(&q, e, next))
                *y = year > 9999 ? year : year + 1; /* past 9999 is no date anyway */
        else if (!eat_any(&q, e, same))
                form = YEAR_BARE;
        if (!eat(&q, e, "年")) {
                *y = year;
                return YEAR_NONE;
        }
        eat(&q, e, "度");
        *p = q;
        return form;
}

static bool iso_date(const char **p, const char *e, struct found *f) {
        const char *q = *p;
        int y, m, d, n;
        char sep;

        if (!ar_number(&q, e, &y, &n) || n != 4 || q == e || (*q != '-' && *q != '/'))
                return false;
        sep = *q++;
        if (!ar_number(&q, e, &m, &n) || n > 2 || q == e || *q++ != sep)
                return false;
        if (!ar_number(&q, e, &d, &n) || n > 2)
                return false;
        found_add(f, y, m, d);
        *p = q;
        return true;
}

static bool year_body(const char **p, const char *e, int year, struct found *f) {
        int y;
        enum year_form form = year_prefix(p, e, year, &y);

        if (form != YEAR_NONE && (eat_end(p, e) || eat(p, e, "内"))) {
                found_add(f, y, 12, 31);
                return true;
        }
        if (form == YEAR_BARE)
                return false;
        return half_year(p, e, y, f) || quarter(p, e, y, f) || month(p, e, y, f);
}

/* A date expression and its suffix at *p, which is moved past them. */
static bool date_expr(const char **p, const char *e, int year, struct found *f) {
        static const char *const by[] = { "之前", "以前", "为止", "前", "止", NULL };
        const char *q = *p;

        memset(f, 0, sizeof *f);
        if (!iso_date(&q, e, f) && !year_body(&q, e, year, f))
                return false;
        eat_any(&q, e, by);
        eat(&q, e, "完成");
        *p = q;
        return true;
}

/* ---- parts ------------------------------------------------------------------ */

/* "分别为4月10日前": the connector is no label. */
static void label_trim(const char **s, const char **e) {
        static const char *const lead[] = { "分别为", "分别是", "分别于", "分别在",
                                            "分别", "其中", NULL };
        static const char *const trail[] = { "分别为", "分别是", "分别于", "分别在", "截止到",
                                             "截至", "截止", "为", "于", "在", "到", ":", NULL };

        while (eat_any(s, *e, lead))
                ;
        while (chop_any(*s, e, trail))
                ;
}

static int store(struct parser *ps, const char *ls, const char *le, const struct found *f) {
        struct when_result *out = ps->out;
        char more[32];

        for (int k = 0; k < f->n; k++) {
                struct when_date *w;

                if (out->n_dates == WHEN_MAX_DATES) {
                        snprintf(more, sizeof more, "names more than %d dates", WHEN_MAX_DATES);
                        return fail(out, WHEN_UNKNOWN, more);
                }
                w = &out->dates[out->n_dates];
                more[0] = '\0';
                if (f->quarters)
                        snprintf(more, sizeof more, "第%d季度", k + 1);
                if ((size_t) (le - ls) + strlen(more) >= WHEN_LABEL_MAX)
                        return fail_quote(out, WHEN_UNKNOWN, "label too long:", ls,
                                          (size_t) (le - ls));
                snprintf(w->label, sizeof w->label, "%.*s%s", (int) (le - ls), ls, more);
                w->day = date_from_ymd(f->ymd[k][0], f->ymd[k][1], f->ymd[k][2]);
                out->n_dates++;
        }
        return 0;
}

static bool found_valid(const struct found *f) {
        for (int k = 0; k < f->n; k++)
                if (!date_valid(f->ymd[k][0], f->ymd[k][1], f->ymd[k][2]))
                        return false;
        return true;
}

/* A label must not change the date: one ending in 年 holds a year this
 * parser cannot read ("二〇二五年", "25年"), "次年项目" may or may not move it. */
static bool label_ok(const char *s, const char *e) {
        static const char *const year[] = { "年", "年度", NULL };
        static const char *const shift[] = { "次年", "翌年", "下一年", "下年", "明年", NULL };

        for (const char *const *w = shift; *w; w++)
                if (memmem(s, (size_t) (e - s), *w, strlen(*w)))
                        return false;
        return !chop_any(s, &e, year);
}

/* The label is whatever precedes the first place a date expression starts;
 * that expression must then run to the end of the part. */
static int part_parse(struct parser *ps, const char *s, const char *e) {
        for (const char *p = s; p < e; p++) {
                const char *q = p, *ls = s, *le = p;
                struct found f;

                if (text_utf8_continuation(*p) || !can_start(s, p, e) ||
                    !date_expr(&q, e, ps->year, &f))
                        continue;
                label_trim(&ls, &le);
                if (q != e || !label_ok(ls, le))
                        break;
                if (!found_valid(&f))
                        return fail_quote(ps->out, WHEN_UNKNOWN, "date does not exist:", p,
                                          (size_t) (e - p));
                return store(ps, ls, le, &f);
        }
        return fail_quote(ps->out, WHEN_UNKNOWN, "could not read", s, (size_t) (e - s));
}

/* "年度内报送2次", "报送两次", "共2次": how many dates the rest names. */
static bool count_intro(const char **p, const char *e, int *count) {
        static const char *const scope[] = { "年度内", "年内", "全年", "每年", NULL };
        static const char *const verb[] = { "报送", "上报", "提交", "开展", "完成", NULL };
        const char *q = *p;
        int n;

        eat_any(&q, e, scope);
        eat(&q, e, "共");
        eat_any(&q, e, verb);
        eat(&q, e, "共");
        if (!eat_num(&q, e, &n) || !eat(&q, e, "次"))
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

static int phrase_parse(struct parser *ps, const char *s) {
        bool first = true;

        while (*s) {
                const char *e = strchrnul(s, ' '), *p = s;

                if (e == s) {
                        s++;
                        continue;
                }
                if (first)
                        count_intro(&p, e, &ps->count);
                if (p < e && part_parse(ps, p, e) < 0)
                        return -1;
                first = false;
                s = e;
        }
        return count_check(ps);
}

/* ---- phrases that name no date on purpose ---------------------------------- */

/* -1 with *out filled for a phrase that defers to something else, else 0.
 * "根据2026年部门预算编制时间": the year there is no deadline. But "根据…，
 * 7月底前" defers and dates at once, and picking one would be a guess. */
static int undated(const char *s, struct when_result *out) {
        static const struct {
                const char *word, *why;
        } clue[] = {
                { "根据", "set by another timetable:" }, { "按照", "set by another timetable:" },
                { "依据", "set by another timetable:" }, { "随", "follows another event:" },
                { "详见", "given elsewhere:" },
        };
        static const char *const dated[] = { "月", "季度", "半年", "年底", "年末", NULL };
        size_t len = strlen(s);

        while (len > 0 && s[len - 1] == ' ')
                len--;
        for (size_t i = 0; i < sizeof clue / sizeof clue[0]; i++) {
                if (strncmp(s, clue[i].word, strlen(clue[i].word)) != 0)
                        continue;
                for (const char *const *d = dated; *d; d++)
                        if (strstr(s, *d))
                                return fail_quote(out, WHEN_UNKNOWN,
                                                  "defers elsewhere but names a date:", s, len);
                return fail_quote(out, WHEN_UNDATED, clue[i].why, s, len);
        }
        return 0;
}

void when_parse(const char *phrase, int year, struct when_result *out) {
        char buf[PHRASE_MAX];
        struct parser ps = { .year = year, .count = -1, .out = out };
        const char *s = buf;

        memset(out, 0, sizeof *out);
        out->kind = WHEN_DATED;
        if (normalize(phrase ? phrase : "", buf, out) < 0)
                return;
        while (*s == ' ')
                s++;
        if (*s == '\0') {
                fail(out, WHEN_UNDATED, "no deadline given");
                return;
        }
        if (undated(s, out) == 0)
                phrase_parse(&ps, s);
}

static const char *const when_kind_names[] = {
        [WHEN_DATED] = "dated",
        [WHEN_UNDATED] = "undated",
        [WHEN_UNKNOWN] = "unknown",
};

const char *when_kind_name(enum when_kind kind) {
        return names_get(when_kind_names, NAMES_COUNT(when_kind_names), (int) kind, "invalid");
}
