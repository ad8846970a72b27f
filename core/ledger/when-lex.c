/* SPDX-License-Identifier: MIT */
/* Words and numbers of deadline phrases: matching at a position, Chinese
 * numerals, and where a number may start. */
#include <string.h>

#include "basic/text.h"
#include "ledger/when-internal.h"

bool when_eat(const char **p, const char *e, const char *word) {
        size_t n = strlen(word);

        if ((size_t) (e - *p) < n || memcmp(*p, word, n) != 0)
                return false;
        *p += n;
        return true;
}

bool when_eat_any(const char **p, const char *e, const char *const *words) {
        for (; *words; words++)
                if (when_eat(p, e, *words))
                        return true;
        return false;
}

/* UTF-8 lead bytes never pass for continuation bytes, so a match is always
 * a whole character. */
bool when_chop_any(const char *s, const char **e, const char *const *words) {
        for (; *words; words++) {
                size_t n = strlen(*words);

                if ((size_t) (*e - s) >= n && memcmp(*e - n, *words, n) == 0) {
                        *e -= n;
                        return true;
                }
        }
        return false;
}

bool when_has(const char *s, const char *e, const char *word) {
        return e > s && memmem(s, (size_t) (e - s), word, strlen(word)) != NULL;
}

bool when_has_any(const char *s, const char *e, const char *const *words) {
        for (; *words; words++)
                if (when_has(s, e, *words))
                        return true;
        return false;
}

/* 0-9 for 〇一…九, 10 for 十, 11 for 两 (a count: "报送两次"), 12 for 零; else -1. */
static int cn_symbol(const char **p, const char *e) {
        static const char *const sym[] = { "〇", "一", "二", "三", "四", "五", "六",
                                           "七", "八", "九", "十", "两", "零" };

        for (int i = 0; i < (int) (sizeof sym / sizeof sym[0]); i++)
                if (when_eat(p, e, sym[i]))
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

bool when_number(const char **p, const char *e, int *val, int *digits) {
        *digits = 0;
        return ar_number(p, e, val, digits) || cn_number(p, e, val);
}

bool when_eat_num(const char **p, const char *e, int *val) {
        int digits;

        return when_number(p, e, val, &digits);
}

/* "二〇二六", "二零二六": digit by digit, as years are read aloud. */
static bool cn_year(const char **p, const char *e, int *year) {
        const char *q = *p;
        int y = 0;

        for (int i = 0; i < 4; i++) {
                int v = cn_symbol(&q, e);

                if (v == 12)
                        v = 0;
                if (v < 0 || v > 9)
                        return false;
                y = y * 10 + v;
        }
        if (cn_symbol(&(const char *) { q }, e) >= 0)
                return false;
        *year = y;
        *p = q;
        return true;
}

bool when_year_digits(const char **p, const char *e, int *year) {
        const char *q = *p;
        int digits;

        if (ar_number(&q, e, year, &digits)) {
                if (digits != 4)
                        return false;
                *p = q;
                return true;
        }
        return cn_year(p, e, year);
}

/* A Chinese numeral counts only before a unit of time: "逐一", "一次" and
 * "一式两份" name none. */
static bool cn_time(const char *s, const char *e) {
        static const char *const units[] = { "月", "日", "号", "年", "季", "周", "天", "旬",
                                             "个", NULL };

        for (const char *p = s; p < e; p++) {
                const char *q = p;
                int v;

                if (when_eat_num(&q, e, &v) && q > p && when_eat_any(&q, e, units))
                        return true;
        }
        return false;
}

bool when_has_time(const char *s, const char *e) {
        static const char *const words[] = {
                "月", "日", "号", "年", "季", "周", "旬", "天", "前", "后", "内", "底", "末",
                "初", "节", "星期", NULL,
        };

        for (const char *q = s; q < e; q++)
                if (*q >= '0' && *q <= '9')
                        return true;
        return cn_time(s, e) || when_has_any(s, e, words);
}

/* 1 for an arabic digit at p, 2 for a Chinese numeral, 0 otherwise. */
static int digit_kind(const char *p, const char *e) {
        if (p < e && *p >= '0' && *p <= '9')
                return 1;
        return cn_symbol(&p, e) >= 0 ? 2 : 0;
}

bool when_can_start(const char *s, const char *p, const char *e) {
        const char *prev = p;
        int kind = digit_kind(p, e);

        if (kind == 0 || p == s)
                return true;
        do
                prev--;
        while (prev > s && text_utf8_continuation(*prev));
        if (kind == 1 && *prev == '.') /* "6.30" is not "30" */
                return false;
        return digit_kind(prev, e) != kind;
}
