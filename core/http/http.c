/* SPDX-License-Identifier: MIT */
#include "http/http.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static char *put_number(char *p, int v, int width) {
        for (int i = width - 1; i >= 0; i--, v /= 10)
                p[i] = (char) ('0' + v % 10);
        return p + width;
}

static char *put_text(char *p, const char *s) {
        size_t n = strlen(s);

        memcpy(p, s, n);
        return p + n;
}

int http_date_format(time_t t, char buf[HTTP_DATE_MAX]) {
        struct tm tm;
        char *p = buf;

        if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
                return -EOVERFLOW;
        p = put_text(p, days[tm.tm_wday]);
        p = put_number(put_text(p, ", "), tm.tm_mday, 2);
        p = put_text(put_text(p, " "), months[tm.tm_mon]);
        p = put_number(put_text(p, " "), tm.tm_year + 1900, 4);
        p = put_number(put_text(p, " "), tm.tm_hour, 2);
        p = put_number(put_text(p, ":"), tm.tm_min, 2);
        p = put_number(put_text(p, ":"), tm.tm_sec, 2);
        strcpy(p, " GMT");
        return 0;
}

static int month_index(const char *s) {
        for (int i = 0; i < 12; i++)
                if (strncmp(s, months[i], 3) == 0)
                        return i;
        return -1;
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, int *out) {
        int v = 0;

        for (int i = 0; i < n; i++, (*p)++) {
                if (**p < '0' || **p > '9')
                        return false;
                v = v * 10 + (**p - '0');
        }
        *out = v;
        return true;
}

static bool literal(const char **p, const char *s) {
        size_t n = strlen(s);

        if (strncmp(*p, s, n) != 0)
                return false;
        *p += n;
        return true;
}

static bool read_month(const char **p, int *mon) {
        if (strlen(*p) < 3 || (*mon = month_index(*p)) < 0)
                return false;
        *p += 3;
        return true;
}

static bool read_clock(const char **p, struct tm *tm) {
        return digits(p, 2, &tm->tm_hour) && literal(p, ":") && digits(p, 2, &tm->tm_min) &&
               literal(p, ":") && digits(p, 2, &tm->tm_sec);
}

/* "06 Nov 1994 08:49:37 GMT", after "Sun, ". */
static bool parse_fixdate(const char *p, struct tm *tm) {
        return digits(&p, 2, &tm->tm_mday) && literal(&p, " ") && read_month(&p, &tm->tm_mon) &&
               literal(&p, " ") && digits(&p, 4, &tm->tm_year) && literal(&p, " ") &&
               read_clock(&p, tm) && literal(&p, " GMT") && *p == '\0';
}

/* "06-Nov-94 08:49:37 GMT", after "Sunday, ". Two-digit years are read as
 * RFC 9110 5.6.7 asks: more than 50 years ahead means the previous century. */
static bool parse_rfc850(const char *p, struct tm *tm, int this_year) {
        if (!(digits(&p, 2, &tm->tm_mday) && literal(&p, "-") && read_month(&p, &tm->tm_mon) &&
              literal(&p, "-") && digits(&p, 2, &tm->tm_year) && literal(&p, " ") &&
              read_clock(&p, tm) && literal(&p, " GMT") && *p == '\0'))
                return false;
        tm->tm_year += this_year / 100 * 100;
        if (tm->tm_year > this_year + 50)
                tm->tm_year -= 100;
        return true;
}

/* "Nov  6 08:49:37 1994", after "Sun ": the day is padded with a space. */
static bool parse_asctime(const char *p, struct tm *tm) {
        if (!(read_month(&p, &tm->tm_mon) && literal(&p, " ")))
                return false;
        if (!(*p == ' ' ? (p++, digits(&p, 1, &tm->tm_mday)) : digits(&p, 2, &tm->tm_mday)))
                return false;
        return literal(&p, " ") && read_clock(&p, tm) && literal(&p, " ") &&
               digits(&p, 4, &tm->tm_year) && *p == '\0';
}

static bool plausible(const struct tm *tm) {
        return tm->tm_mday >= 1 && tm->tm_mday <= 31 && tm->tm_hour <= 23 && tm->tm_min <= 59 &&
               tm->tm_sec <= 60;
}

int http_date_parse(const char *s, time_t *out) {
        struct tm tm = {};
        const char *comma = strchr(s, ',');
        time_t now = time(NULL);
        struct tm today;
        bool ok;

        gmtime_r(&now, &today);
        if (comma && comma - s == 3)
                ok = comma[1] == ' ' && parse_fixdate(comma + 2, &tm);
        else if (comma)
                ok = comma[1] == ' ' && parse_rfc850(comma + 2, &tm, today.tm_year + 1900);
        else
                ok = strlen(s) > 4 && s[3] == ' ' && parse_asctime(s + 4, &tm);
        if (!ok || !plausible(&tm))
                return -EINVAL;
        tm.tm_year -= 1900;
        *out = timegm(&tm);
        return 0;
}

static const char *skip_space(const char *p) {
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

/* One entity tag at p ("W/" optional): its opaque part, quotes included. */
static const char *read_etag(const char *p, const char **tag, size_t *len) {
        const char *end;

        if (p[0] == 'W' && p[1] == '/')
                p += 2;
        if (*p != '"' || !(end = strchr(p + 1, '"')))
                return NULL;
        *tag = p;
        *len = (size_t) (end + 1 - p);
        return end + 1;
}

bool http_etag_listed(const char *if_none_match, const char *etag) {
        const char *p = skip_space(if_none_match), *tag;
        size_t len, etag_len = strlen(etag);

        if (*p == '*')
                return *skip_space(p + 1) == '\0';
        while (*p) {
                p = read_etag(p, &tag, &len);
                if (!p)
                        return false;
                if (len == etag_len && memcmp(tag, etag, len) == 0)
                        return true;
                p = skip_space(p);
                if (*p && *p != ',')
                        return false;
                while (*p == ',' || *p == ' ' || *p == '\t')
                        p++;
        }
        return false;
}

/* The q-value of the parameters after a coding: 1 unless "q=" says less. */
static bool q_positive(const char *params, size_t n) {
        const char *q = NULL;

        for (size_t i = 0; i + 1 < n; i++)
                if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=')
                        q = params + i + 2;
        if (!q)
                return true;
        /* "0", "0.", "0.0", "0.000": zero; anything else that parses is not. */
        if (*q != '0')
                return *q >= '1' && *q <= '9';
        for (q++, q += *q == '.'; q < params + n && *q >= '0' && *q <= '9'; q++)
                if (*q != '0')
                        return true;
        return false;
}

static bool coding_is(const char *p, size_t n, const char *name) {
        size_t len = strlen(name);

        return n == len && strncasecmp(p, name, len) == 0;
}

bool http_accepts_gzip(const char *accept_encoding) {
        int gzip = -1, star = -1; /* -1 unnamed, 0 refused, 1 accepted */

        for (const char *p = accept_encoding; p && *p;) {
                size_t n = strcspn(p, ",");
                const char *s = skip_space(p);
                size_t name = strcspn(s, ";, \t");
                if (coding_is(s, name, "gzip") || coding_is(s, name, "x-gzip"))
                        gzip = gzip == 1 || q_positive(s + name, n - (size_t) (s - p) - name);
                else if (coding_is(s, name, "*"))
                        star = q_positive(s + name, n - (size_t) (s - p) - name);
                p += n + (p[n] == ',');
        }
        return gzip >= 0 ? gzip == 1 : star == 1;
}

bool http_token_equal(const char *given, size_t given_len, const char *secret) {
        size_t n = strlen(secret);
        bool same_length = given_len == n;

        /* A given token of another length is compared too (the secret with
         * itself), so that the time depends on the secret's length only. */
        return CRYPTO_memcmp(same_length ? given : secret, secret, n) == 0 && same_length;
}
