/* SPDX-License-Identifier: MIT */
#pragma once

/* The parts of HTTP (RFC 9110) that the feed server decides on itself, as
 * pure functions over header values: dates, entity-tag lists, content
 * codings, and comparing a secret path token in constant time. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL. */
#define HTTP_DATE_MAX 30

/* IMF-fixdate, in English whatever the locale (basic/rfcdate.h). 0, or
 * -EOVERFLOW for a year outside 0…9999. */
int http_date_format(time_t t, char buf[HTTP_DATE_MAX]);
/* An HTTP-date in any of its three forms (IMF-fixdate, RFC 850, asctime),
 * exactly as RFC 9110 5.6.7 writes them, read by libcurl's curl_getdate().
 * 0, or -EINVAL (also for a year before 1583): a date that cannot be read
 * is ignored by the caller. */
int http_date_parse(const char *s, time_t *out);

/* Whether an If-None-Match value ("*", or a list of entity tags, weak or
 * strong) names etag (quoted, as sent in ETag). Weak comparison, as RFC 9110
 * 13.1.2 asks for If-None-Match. A malformed list matches nothing. */
bool http_etag_listed(const char *if_none_match, const char *etag);

/* Whether an Accept-Encoding value allows gzip: "gzip" or "x-gzip" with a
 * q-value above 0, or "*" when gzip is not named. NULL (no header): no. */
bool http_accepts_gzip(const char *accept_encoding);

/* Whether given (of given_len bytes) equals secret, in a time that depends on
 * secret's length only, never on where the first difference is. */
bool http_token_equal(const char *given, size_t given_len, const char *secret);
