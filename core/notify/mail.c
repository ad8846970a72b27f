/* SPDX-License-Identifier: MIT */
#include "notify/mail.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/memstream.h"
#include "basic/rfcdate.h"
#include "basic/sha256.h"
#include "basic/text.h"

#define LINE_MAX_CHARS 76          /* RFC 2047 section 2; and base64 lines, RFC 2045 */
#define WORD_MAX 75                /* one encoded-word */
#define WORD_OVERHEAD 12           /* "=?UTF-8?B?" and "?=" */
#define B64_LINE_BYTES 57          /* 76 base64 characters */

int mail_format_date(time_t t, int utc_offset, char buf[MAIL_DATE_MAX]) {
        return rfcdate_format(t, utc_offset, RFCDATE_NUMERIC, buf, MAIL_DATE_MAX);
}

static int hash_hex(const char *key, char *out, size_t digits) {
        static const char hex[] = "0123456789abcdef";
        uint8_t d[SHA256_DIGEST_SIZE];

        if (sha256(key, strlen(key), d) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < digits; i++)
                out[i] = hex[(d[i / 2] >> (i % 2 ? 0 : 4)) & 15];
        out[digits] = '\0';
        return 0;
}

int mail_message_id(const char *key, const char *from_addr, char *buf, size_t size) {
        const char *at = strrchr(from_addr, '@');
        char hex[33];
        int n;

        if (hash_hex(key, hex, 32) < 0)
                return -ENOMEM;
        n = snprintf(buf, size, "<ledgerd.%s@%s>", hex, at && at[1] ? at + 1 : "localhost");
        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}

bool mail_address_valid(const char *addr) {
        const char *at = strrchr(addr, '@');

        if (!at || at == addr || !at[1] || strlen(addr) > 254)
                return false;
        for (const unsigned char *p = (const unsigned char *) addr; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || strchr("<>,;\"()[]\\", *p))
                        return false;
        return true;
}

/* The most bytes of s (n left) that fit, as whole characters, in one
 * encoded-word of at most room characters. */
static size_t word_bytes(const char *s, size_t n, size_t room) {
        return text_utf8_prefix(s, n, (room - WORD_OVERHEAD) / 4 * 3);
}

/* text as encoded-words from column col on, one per line: a decoder drops
 * the folding whitespace between two encoded-words. Returns the column after
 * the last. */
static size_t put_words(FILE *f, const char *s, size_t col) {
        size_t n = strlen(s);

        if (col + WORD_OVERHEAD + 12 > LINE_MAX_CHARS) {
                fputs("\r\n ", f);
                col = 1;
        }
        for (bool first = true; n > 0; first = false) {
                size_t room = LINE_MAX_CHARS - (first ? col : 1);
                size_t k = word_bytes(s, n, room < WORD_MAX ? room : WORD_MAX);
                char b64[WORD_MAX];

                col = (first ? col : 1) + WORD_OVERHEAD + base64_encode(s, k, b64);
                fprintf(f, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
                s += k, n -= k;
        }
        return col;
}

/* Printable ASCII that cannot be mistaken for an encoded-word. */
static bool plain_ascii(const char *s) {
        for (; *s; s++)
                if (*s < ' ' || *s > '~')
                        return false;
        return true;
}

static void put_text(FILE *f, const char *text, size_t col) {
        if (plain_ascii(text) && !strstr(text, "=?") && col + strlen(text) <= LINE_MAX_CHARS)
                fputs(text, f);
        else
                put_words(f, text, col);
}

struct header {
        const char *name, *text;
};

static void put_header(FILE *f, const void *arg) {
        const struct header *h = arg;

        fprintf(f, "%s: ", h->name);
        put_text(f, h->text, strlen(h->name) + 2);
        fputs("\r\n", f);
}

char *mail_header(const char *name, const char *text) {
        struct header h = { name, text };

        return memstream_run(put_header, &h, NULL);
}

/* Letters, digits and blanks need no quoting in a display name. */
static bool atext_phrase(const char *s) {
        return text_ascii_word(s, " !#$%&'*+-/=?^_`{|}~");
}

/* The display name, quoted or encoded as it needs; the column after it. */
static size_t put_name(FILE *f, const char *name, size_t col) {
        if (atext_phrase(name) && !strstr(name, "=?") &&
            col + strlen(name) <= LINE_MAX_CHARS - 16) {
                fputs(name, f);
                return col + strlen(name);
        }
        if (!plain_ascii(name) || strstr(name, "=?") || col + strlen(name) > LINE_MAX_CHARS - 18)
                return put_words(f, name, col);
        fputc('"', f);
        for (const char *p = name; *p; p++, col++) {
                if (*p == '"' || *p == '\\')
                        fputc('\\', f), col++;
                fputc(*p, f);
        }
        fputc('"', f);
        return col + 2;
}

/* "Name <addr>", folded before the address when the line would be long. */
static void put_address(FILE *f, const struct mail_address *a, size_t col) {
        if (!a->name || !*a->name) {
                fputs(a->addr, f);
                return;
        }
        col = put_name(f, a->name, col);
        fprintf(f, "%s<%s>", col + strlen(a->addr) + 3 > LINE_MAX_CHARS ? "\r\n " : " ", a->addr);
}

/* data in base64, 76 characters a line. */
static void put_base64(FILE *f, const char *data, size_t n) {
        char line[LINE_MAX_CHARS + 1];

        for (size_t i = 0; i < n; i += B64_LINE_BYTES) {
                base64_encode(data + i, n - i < B64_LINE_BYTES ? n - i : B64_LINE_BYTES, line);
                fprintf(f, "%s\r\n", line);
        }
}

/* s with bare '\n' line ends as CRLF, the canonical form of text (RFC 2045
 * 6.8) that base64 must carry. NULL when out of memory. */
static char *crlf(const char *s, size_t *size) {
        size_t n = strlen(s), extra = 0, o = 0;
        char *out;

        for (size_t i = 0; i < n; i++)
                extra += s[i] == '\n' && (i == 0 || s[i - 1] != '\r');
        out = malloc(n + extra + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
                        out[o++] = '\r';
                out[o++] = s[i];
        }
        out[o] = '\0';
        *size = o;
        return out;
}

/* What the message is made of, prepared before writing it. */
struct parts {
        const struct mail_input *in;
        char date[MAIL_DATE_MAX];
        char id[320];
        char mixed[32], alternative[32]; /* boundaries, neither a start of the other */
        char *body; /* CRLF form */
        size_t body_size;
        char *html; /* CRLF form; NULL: none */
        size_t html_size;
};

static void put_recipients(FILE *f, const struct mail_input *in) {
        fputs("To: ", f);
        for (size_t i = 0; i < in->n_to; i++) {
                if (i > 0)
                        fputs(",\r\n ", f);
                put_address(f, &in->to[i], i == 0 ? 4 : 1);
        }
        fputs("\r\n", f);
}

static void put_headers(FILE *f, const struct parts *p) {
        const struct mail_input *in = p->in;

        fprintf(f, "Date: %s\r\nFrom: ", p->date);
        put_address(f, &in->from, 6);
        fputs("\r\n", f);
        put_recipients(f, in);
        if (in->reply_to.addr) {
                fputs("Reply-To: ", f);
                put_address(f, &in->reply_to, 10);
                fputs("\r\n", f);
        }
        if (in->list.addr) {
                fputs("List-Id: ", f);
                put_address(f, &in->list, 9);
                fputs("\r\n", f);
        }
        put_header(f, &(struct header) { "Subject", in->subject ? in->subject : "" });
        fprintf(f, "Message-ID: %s\r\nAuto-Submitted: auto-generated\r\n"
                   "Content-Language: zh-CN\r\nMIME-Version: 1.0\r\n", p->id);
}

static void put_part(FILE *f, const char *type, const char *data, size_t size) {
        fprintf(f, "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                type);
        put_base64(f, data, size);
}

/* The words: the text alone, or the text and its HTML as alternatives. */
static void put_words_part(FILE *f, const struct parts *p) {
        if (!p->html) {
                put_part(f, "text/plain", p->body, p->body_size);
                return;
        }
        fprintf(f, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n--%s\r\n",
                p->alternative, p->alternative);
        put_part(f, "text/plain", p->body, p->body_size);
        fprintf(f, "--%s\r\n", p->alternative);
        put_part(f, "text/html", p->html, p->html_size);
        fprintf(f, "--%s--\r\n", p->alternative);
}

static void put_message(FILE *f, const void *arg) {
        const struct parts *p = arg;
        const char *cal = p->in->calendar, *name = p->in->calendar_name;

        put_headers(f, p);
        if (!cal) {
                put_words_part(f, p);
                return;
        }
        name = name ? name : "reminder.ics";
        fprintf(f, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n--%s\r\n",
                p->mixed, p->mixed);
        put_words_part(f, p);
        fprintf(f, "--%s\r\nContent-Type: text/calendar; charset=UTF-8; method=PUBLISH;\r\n"
                   " name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n", p->mixed, name, name);
        put_base64(f, cal, strlen(cal));
        fprintf(f, "--%s--\r\n", p->mixed);
}

static bool file_name_valid(const char *s) {
        return *s && *s != '.' && strlen(s) <= 64 && text_ascii_word(s, "._-");
}

/* A List-Id's id: a dot-atom, "label.domain" (RFC 2919). */
static bool list_id_valid(const char *id) {
        return *id && *id != '.' && strchr(id, '.') && strlen(id) <= 250 &&
               text_ascii_word(id, ".-_");
}

static bool input_valid(const struct mail_input *in) {
        if (!in->key || !in->from.addr || !mail_address_valid(in->from.addr) || in->n_to == 0)
                return false;
        for (size_t i = 0; i < in->n_to; i++)
                if (!in->to[i].addr || !mail_address_valid(in->to[i].addr))
                        return false;
        if (in->reply_to.addr && !mail_address_valid(in->reply_to.addr))
                return false;
        if (in->list.addr && !list_id_valid(in->list.addr))
                return false;
        return !in->calendar_name || file_name_valid(in->calendar_name);
}

int mail_build(const struct mail_input *in, char **out, size_t *size) {
        struct parts p = { .in = in };
        char hex[25];
        int r;

        *out = NULL;
        if (!input_valid(in))
                return -EINVAL;
        r = mail_format_date(in->date, in->utc_offset, p.date);
        if (r == 0)
                r = mail_message_id(in->key, in->from.addr, p.id, sizeof p.id);
        if (r < 0)
                return r;
        /* base64 never holds "=_": the boundary cannot occur in a part. */
        if (hash_hex(in->key, hex, 24) < 0)
                return -ENOMEM;
        snprintf(p.mixed, sizeof p.mixed, "=_m%s", hex);
        snprintf(p.alternative, sizeof p.alternative, "=_a%s", hex);
        p.body = crlf(in->body ? in->body : "", &p.body_size);
        p.html = in->html ? crlf(in->html, &p.html_size) : NULL;
        *out = p.body && (p.html || !in->html) ? memstream_run(put_message, &p, size) : NULL;
        free(p.body);
        free(p.html);
        return *out ? 0 : -ENOMEM;
}
