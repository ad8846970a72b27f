/* SPDX-License-Identifier: MIT */
#pragma once

/* A reminder e-mail as the bytes of an RFC 5322 message, ready to upload
 * over SMTP as it is (libcurl's CURLOPT_READFUNCTION, not its MIME API, which
 * would add headers of its own) or to drop into a Maildir. CRLF line ends
 * throughout, no line over 76 characters but for long addresses.
 *
 * Headers: Date, From, To, Reply-To and List-Id when given, Subject,
 * Message-ID, Auto-Submitted: auto-generated, Content-Language (zh-CN: what
 * ledgerd writes), MIME-Version. Text that is not plain ASCII (a Chinese
 * subject, a display name) goes in RFC 2047 encoded-words "=?UTF-8?B?…?=",
 * each at most 75 characters, each on its own folded line, and each holding
 * whole UTF-8 characters only, so that each decodes to valid UTF-8 alone.
 * Body: text/plain; charset=UTF-8 in base64 (lines of 76); with an HTML
 * version, multipart/alternative of the text and text/html (the text
 * first: clients show the last they can); and when a calendar is given,
 * multipart/mixed of that and the calendar as a text/calendar;
 * charset=UTF-8; method=PUBLISH attachment. The calendar's own METHOD
 * property must match: the caller renders it with METHOD:PUBLISH. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct mail_address {
        const char *name; /* display name, any UTF-8; NULL or "": none */
        const char *addr; /* "czj@example.org": ASCII, no blanks or <>,;"()[]\ */
};

struct mail_input {
        time_t date;
        int utc_offset; /* seconds east of UTC of the local time, for Date (28800) */
        struct mail_address from;
        const struct mail_address *to;
        size_t n_to;
        const char *subject;
        const char *body; /* UTF-8 text; '\n' line ends (sent as CRLF) */
        const char *html; /* the same as an HTML document, UTF-8; NULL: text only */
        struct mail_address reply_to; /* addr NULL: none */
        /* List-Id (RFC 2919): the ledger's title and "<ledger>.ledgerd.<domain>";
         * id NULL: none. Mail filters sort by it. */
        struct mail_address list;
        /* Names the message: the same key gives the same Message-ID (on every
         * retry, so receivers can drop a duplicate) and the same bytes. */
        const char *key;
        const char *calendar;      /* iCalendar text with METHOD:PUBLISH; NULL: none */
        const char *calendar_name; /* file name, [A-Za-z0-9._-]; NULL: "reminder.ics" */
};

/* The whole message into a new buffer (NUL-terminated; size without the
 * NUL). 0, -EINVAL (a bad address or file name, no recipient, no key) or
 * -ENOMEM. Free *out with free(). */
int mail_build(const struct mail_input *in, char **out, size_t *size);

/* "Tue, 07 Oct 2025 09:00:00 +0800", in English whatever the locale. */
#define MAIL_DATE_MAX 32
int mail_format_date(time_t t, int utc_offset, char buf[MAIL_DATE_MAX]);

/* "<ledgerd.<32 hex digits of SHA-256(key)>@<domain of from_addr>>";
 * "localhost" when from_addr has no domain. 0, -ENOBUFS, or -ENOMEM (hashing). */
int mail_message_id(const char *key, const char *from_addr, char *buf, size_t size);

/* "Name: text\r\n", text as it is when it is short printable ASCII, else as
 * folded encoded-words. NULL when out of memory. */
char *mail_header(const char *name, const char *text);

/* Whether addr is an address mail_build() takes. */
bool mail_address_valid(const char *addr);
