/* SPDX-License-Identifier: MIT */
#include "http/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "basic/rfcdate.h"

int http_date_format(time_t t, char buf[HTTP_DATE_MAX]) {
        return rfcdate_format(t, 0, RFCDATE_GMT, buf, HTTP_DATE_MAX);
}

/* Whether s is exactly of the shape given: '0' a digit, 'A' an upper-case
 * and 'a' a lower-case letter, '_' a space or a digit, anything else itself. */
static bool shaped(const char *s, const char *shape) {
        for (; *shape; s++, shape++) {
                bool ok = *shape == '0' ? *s >= '0' && *s <= '9'
                        : *shape == 'A' ? *s >= 'A' && *s <= 'Z'
                        : *shape == 'a' ? *s >= 'a' && *s <= 'z'
                        : *shape == '_' ? *s == ' ' || (*s >= '0' && *s <= '9')
                                        : *s == *shape;

                if (!ok)
                        return false;
        }
        return *s == '\0';
}

/* The shape of each form, after its day name; libcurl reads the values.
 * curl_getdate() alone reads far more than HTTP-dates (a missing zone, one-
 * digit days, lower-case names, trailing words), so the forms of RFC 9110
 * 5.6.7 are checked here first. The day name is not passed on: it adds
 * nothing and was never checked. */
#define FIXDATE_SHAPE "00 Aaa 0000 00:00:00 GMT"   /* after "Sun, " */
#define RFC850_SHAPE "00-Aaa-00 00:00:00 GMT"      /* after "Sunday, " */
#define ASCTIME_SHAPE "Aaa _0 00:00:00 0000"       /* after "Sun " */

/* An RFC 850 date's two-digit year as RFC 9110 5.6.7 asks: more than 50
 * years ahead means the previous century (libcurl pivots on 1970 instead).
 * Rewritten with four digits into out, for curl_getdate(). */
static void rfc850_full_year(const char *s, char out[sizeof "00 Aaa 0000 00:00:00 GMT"]) {
        time_t now = time(NULL);
        struct tm today;
        int this_year, year = (s[7] - '0') * 10 + (s[8] - '0');

        gmtime_r(&now, &today);
        this_year = today.tm_year + 1900;
        year += this_year / 100 * 100;
        if (year > this_year + 50)
                year -= 100;
        snprintf(out, sizeof "00 Aaa 0000 00:00:00 GMT", "%.2s %.3s %04d%s", s, s + 3, year, s + 9);
}

/* The four-digit year at s. libcurl refuses years before the Gregorian
 * calendar (1583) and would read "0094" as 1994: such dates are refused. */
static bool year_readable(const char *s) {
        return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') >= 1583;
}

int http_date_parse(const char *s, time_t *out) {
        const char *comma = strchr(s, ',');
        char full[sizeof FIXDATE_SHAPE];
        const char *date = NULL, *year = NULL;
        time_t t;

        if (comma && comma - s == 3 && shaped(comma + 1, " " FIXDATE_SHAPE))
                date = comma + 2, year = date + 7;
        else if (comma && comma - s != 3 && shaped(comma + 1, " " RFC850_SHAPE)) {
                rfc850_full_year(comma + 2, full);
                date = full, year = date + 7;
        } else if (!comma && strlen(s) > 4 && s[3] == ' ' && shaped(s + 4, ASCTIME_SHAPE))
                date = s + 4, year = date + 16;
        /* -1 is curl_getdate()'s failure: libcurl never returns it for a date. */
        if (!date || !year_readable(year) || (t = curl_getdate(date, NULL)) == -1)
                return -EINVAL;
        *out = t;
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
