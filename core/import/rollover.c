/* SPDX-License-Identifier: MIT */
/* The ledger file is first read with libconfig, to know it is one and its
 * year; then rewritten by a small lexer of libconfig's syntax that tracks
 * the setting each string belongs to (ledger.title, a task's detail, a date
 * in a task's dates list), copying everything else byte for byte. */
#include "import/rollover.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/text.h"
#include "conf/confread.h"
#include "ledger/date.h"
#include "ledger/when.h"

#define DEPTH_MAX 8
#define KEY_MAX 32

enum context { CTX_OTHER, CTX_LEDGER_ID, CTX_TEXT, CTX_DEADLINE, CTX_DATE, CTX_YEAR };

struct roll {
        const struct rollover_options *o;
        struct diagnostics *d;
        int from, delta;
        const char *p, *e;
        int line;
        FILE *out;
        char path[DEPTH_MAX][KEY_MAX]; /* the settings the lexer is inside */
        size_t depth;
        char name[KEY_MAX]; /* the last name read */
        char key[KEY_MAX];  /* the setting whose value is being read; "" none */
        int book;           /* 《 open in the current value */
        char *old_phrase, *new_phrase; /* a deadline's value, before and after */
        int phrase_line;
        int r;
};

static void __attribute__((format(printf, 3, 4)))
check_item(struct roll *r, int line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_addv(r->d, DIAG_WARNING, r->o->file, line, fmt, ap);
        va_end(ap);
}

/* s (n bytes) for a message: one line, cut on a character to about 40 bytes. */
static char *one_line(const char *s, size_t n) {
        size_t k = n > 40 ? 40 : n;
        char *out;

        while (k < n && k > 0 && text_utf8_continuation(s[k]))
                k--;
        out = malloc(k + sizeof "…");
        if (!out)
                return NULL;
        for (size_t i = 0; i < k; i++)
                out[i] = (unsigned char) s[i] < 0x20 || s[i] == 0x7F ? ' ' : s[i];
        strcpy(out + k, k < n ? "…" : "");
        return out;
}

static void emit(struct roll *r, const char *s, size_t n) {
        fwrite(s, 1, n, r->out);
        for (size_t i = 0; i < n; i++)
                r->line += s[i] == '\n';
}

/* ---- where the lexer is ---------------------------------------------------------- */

static bool at(const struct roll *r, size_t depth, const char *const *names) {
        if (r->depth != depth)
                return false;
        for (size_t i = 0; i < depth; i++)
                if (strcmp(r->path[i], names[i]) != 0)
                        return false;
        return true;
}

static enum context context(const struct roll *r) {
        static const char *const ledger[] = { "ledger" };
        static const char *const task[] = { "ledger", "tasks", "" };
        static const char *const date[] = { "ledger", "tasks", "", "dates", "" };
        const char *k = r->key;

        if (at(r, 1, ledger))
                return strcmp(k, "id") == 0      ? CTX_LEDGER_ID
                       : strcmp(k, "title") == 0 ? CTX_TEXT
                       : strcmp(k, "year") == 0  ? CTX_YEAR
                                                 : CTX_OTHER;
        if (at(r, 3, task))
                return strcmp(k, "deadline") == 0 ? CTX_DEADLINE
                       : strcmp(k, "category") == 0 || strcmp(k, "item") == 0 ||
                                       strcmp(k, "detail") == 0
                               ? CTX_TEXT
                               : CTX_OTHER;
        if (at(r, 5, date))
                return strcmp(k, "date") == 0 ? CTX_DATE : strcmp(k, "label") == 0 ? CTX_TEXT
                                                                                  : CTX_OTHER;
        return CTX_OTHER;
}

/* ---- texts ------------------------------------------------------------------------ */

static bool digit(char c) {
        return c >= '0' && c <= '9';
}

/* The number the n digits at s write: the text is not NUL-terminated. */
static int digits_value(const char *s, size_t n) {
        int v = 0;

        for (size_t i = 0; i < n; i++)
                v = v * 10 + (s[i] - '0');
        return v;
}

/* Exactly four digits at s[i], not inside a longer number. */
static bool four_digits(const char *s, size_t i, size_t n) {
        if (i > 0 && digit(s[i - 1]))
                return false;
        for (size_t k = 0; k < 4; k++)
                if (i + k >= n || !digit(s[i + k]))
                        return false;
        return i + 4 >= n || !digit(s[i + 4]);
}

/* "2025-07-31" or "2025/7/31" at s[i]: its length, and the date's parts. */
static size_t full_date(const char *s, size_t i, size_t n, int ymd[3]) {
        size_t k = i + 4;
        char sep;

        if (!four_digits(s, i, n) || k >= n || (s[k] != '-' && s[k] != '/'))
                return 0;
        sep = s[k];
        ymd[0] = digits_value(s + i, 4);
        for (int part = 1; part < 3; part++) {
                size_t start = ++k;

                while (k < n && digit(s[k]) && k - start < 2)
                        k++;
                if (k == start || (k < n && digit(s[k])))
                        return 0;
                ymd[part] = digits_value(s + start, k - start);
                if (part == 1 && (k >= n || s[k] != sep))
                        return 0;
        }
        return k - i;
}

/* The date a year on; Feb 29 becomes Feb 28. False when it had to change. */
static bool move_date(int ymd[3], int delta) {
        ymd[0] += delta;
        if (date_valid(ymd[0], ymd[1], ymd[2]))
                return true;
        if (ymd[1] >= 1 && ymd[1] <= 12 && ymd[2] > date_days_in_month(ymd[0], ymd[1]))
                ymd[2] = date_days_in_month(ymd[0], ymd[1]);
        return false;
}

/* A date written in full inside a text or phrase: "2025-07-31前". */
static void move_full_date(struct roll *r, const char *s, size_t len, int ymd[3]) {
        char sep = s[4];

        if (ymd[0] + r->delta < 1000 || ymd[0] + r->delta > 9999 || ymd[1] < 1 || ymd[1] > 12) {
                check_item(r, r->line, "%.*s cannot move by %d years: kept", (int) len, s,
                           r->delta);
                fwrite(s, 1, len, r->out);
                return;
        }
        if (!move_date(ymd, r->delta))
                check_item(r, r->line, "%.*s has no day like it in %d: written as "
                           "%04d%c%02d%c%02d; check it", (int) len, s, ymd[0], ymd[0], sep,
                           ymd[1], sep, ymd[2]);
        fprintf(r->out, "%04d%c%02d%c%02d", ymd[0], sep, ymd[1], sep, ymd[2]);
}

static void move_year(struct roll *r, const char *s) {
        int y = digits_value(s, 4) + r->delta;

        if (r->book > 0) {
                check_item(r, r->line, "%.4s年 in a document's name (《…》) is kept: check it", s);
                fwrite(s, 1, 4, r->out);
        } else if (y < 1000 || y > 9999) {
                check_item(r, r->line, "%.4s年 cannot move by %d years: kept", s, r->delta);
                fwrite(s, 1, 4, r->out);
        } else
                fprintf(r->out, "%04d", y);
}

/* The raw text of a string literal with its year references moved. */
static void move_text(struct roll *r, const char *s, size_t n) {
        for (size_t i = 0; i < n;) {
                int ymd[3];
                size_t k;

                if (s[i] == '\\') { /* an escape: \x41 is no year */
                        k = i + 1 < n && s[i + 1] == 'x' ? 4 : 2;
                        k = i + k > n ? n - i : k;
                } else if (i + 3 <= n && (memcmp(s + i, "《", 3) == 0 ||
                                          memcmp(s + i, "》", 3) == 0)) {
                        r->book += s[i + 2] == "《"[2] ? 1 : r->book > 0 ? -1 : 0;
                        k = 3;
                } else if (four_digits(s, i, n) && i + 7 <= n && memcmp(s + i + 4, "年", 3) == 0) {
                        move_year(r, s + i);
                        i += 4;
                        continue;
                } else if ((k = full_date(s, i, n, ymd)) > 0) {
                        move_full_date(r, s + i, k, ymd);
                        i += k;
                        continue;
                } else
                        k = 1;
                fwrite(s + i, 1, k, r->out);
                i += k;
        }
}

/* ---- settings that are not texts ---------------------------------------------------- */

static void move_explicit_date(struct roll *r, const char *s, size_t n) {
        char *v = strndup(s, n), buf[DATE_ISO_LEN];
        int ymd[3];
        day_t day;

        if (!v || date_parse_iso(v, &day) < 0) {
                char *shown = one_line(s, n);

                check_item(r, r->line, "\"%s\" is not a date: kept", shown ? shown : "");
                fwrite(s, 1, n, r->out);
                free(shown);
                free(v);
                return;
        }
        date_to_ymd(day, &ymd[0], &ymd[1], &ymd[2]);
        if (!move_date(ymd, r->delta))
                check_item(r, r->line, "explicit date %s has no day like it in %d: written as "
                           "%04d-%02d-%02d; check it", v, ymd[0], ymd[0], ymd[1], ymd[2]);
        else
                check_item(r, r->line, "explicit date %s moved to %04d-%02d-%02d: check it "
                           "against the new year's timetable", v, ymd[0], ymd[1], ymd[2]);
        date_format_iso(date_from_ymd(ymd[0], ymd[1], ymd[2]), buf);
        fputs(buf, r->out);
        free(v);
}

static void move_ledger_id(struct roll *r, const char *s, size_t n) {
        char *old = strndup(s, n), *id = NULL;
        size_t at_year = n;

        for (size_t i = 0; i < n; i++)
                if (four_digits(s, i, n) && digits_value(s + i, 4) == r->from) {
                        at_year = i;
                        break;
                }
        if (!old)
                r->r = -ENOMEM;
        else if (at_year < n && asprintf(&id, "%.*s%04d%s", (int) at_year, old, r->o->to,
                                         old + at_year + 4) < 0)
                id = NULL;
        else if (at_year == n && asprintf(&id, "%s-%d", old, r->o->to) < 0)
                id = NULL;
        if (id && !confread_id_valid(id, CONF_LEDGER_ID_MAX)) {
                char *shown = one_line(id, strlen(id));

                check_item(r, r->line, "the ledger id cannot become \"%s\": kept; give the new "
                           "ledger an id of its own", shown ? shown : "");
                free(shown);
                free(id);
                id = NULL;
        } else if (id)
                check_item(r, r->line, "ledger id %s is now %s: the calendar events of the new "
                           "year are new events", old, id);
        fputs(id ? id : old ? old : "", r->out);
        free(id);
        free(old);
}

static void keep_phrase(struct roll *r, char **acc, const char *s, size_t n) {
        char *more = strndup(s, n), *joined = NULL;

        if (more && asprintf(&joined, "%s%s", *acc ? *acc : "", more) < 0)
                joined = NULL;
        free(more);
        free(*acc);
        *acc = joined;
        if (!joined)
                r->r = -ENOMEM;
}

/* Backslash escapes undone, enough for a phrase: \" \\ \n \t. */
static void unescape(char *s) {
        char *o = s;

        for (; *s; s++)
                *o++ = *s == '\\' && s[1] ? (++s, *s == 'n' || *s == 't' || *s == 'r' ? ' ' : *s)
                                          : *s;
        *o = '\0';
}

/* A deadline that read in the old year and does not in the new one. */
static void check_phrase(struct roll *r) {
        struct when_result before, after;

        if (!r->old_phrase || !r->new_phrase)
                return;
        unescape(r->old_phrase);
        unescape(r->new_phrase);
        when_parse(r->old_phrase, r->from, &before);
        when_parse(r->new_phrase, r->o->to, &after);
        if (before.kind != WHEN_UNKNOWN && after.kind == WHEN_UNKNOWN) {
                char *shown = one_line(r->new_phrase, strlen(r->new_phrase));

                check_item(r, r->phrase_line, "deadline \"%s\" does not read in %d: %s; fix it "
                           "or give dates", shown ? shown : "", r->o->to, after.reason);
                free(shown);
        }
}

static void end_value(struct roll *r) {
        check_phrase(r);
        free(r->old_phrase);
        free(r->new_phrase);
        r->old_phrase = r->new_phrase = NULL;
        r->key[0] = '\0';
        r->book = 0;
}

/* ---- the lexer ------------------------------------------------------------------- */

/* A deadline's new text, kept beside its old one to read both. */
static void move_phrase(struct roll *r, const char *s, size_t n, int line) {
        FILE *main = r->out;
        char *moved = NULL;
        size_t size = 0;

        r->out = open_memstream(&moved, &size);
        if (!r->out) {
                r->out = main;
                r->r = -ENOMEM;
                return;
        }
        move_text(r, s, n);
        fclose(r->out);
        r->out = main;
        fwrite(moved, 1, size, main);
        if (!r->old_phrase)
                r->phrase_line = line;
        keep_phrase(r, &r->old_phrase, s, n);
        keep_phrase(r, &r->new_phrase, moved ? moved : "", size);
        free(moved);
}

/* A string literal at r->p: the raw text between its quotes. */
static void lex_string(struct roll *r) {
        const char *s = r->p + 1, *q = s;
        enum context ctx = context(r);
        size_t n;

        while (q < r->e && *q != '"')
                q += *q == '\\' && q + 1 < r->e ? 2 : 1;
        n = (size_t) (q - s);
        fputc('"', r->out);
        if (ctx == CTX_DEADLINE)
                move_phrase(r, s, n, r->line);
        else if (ctx == CTX_TEXT)
                move_text(r, s, n);
        else if (ctx == CTX_DATE)
                move_explicit_date(r, s, n);
        else if (ctx == CTX_LEDGER_ID)
                move_ledger_id(r, s, n);
        else
                fwrite(s, 1, n, r->out);
        for (const char *c = s; c < q; c++)
                r->line += *c == '\n';
        if (q < r->e)
                fputc('"', r->out);
        r->p = q < r->e ? q + 1 : q;
}

/* The first year reference in s: "2025年" or a date in full; its length. */
static const char *find_year(const char *s, size_t n, size_t *len) {
        for (size_t i = 0; i < n; i++) {
                int ymd[3];

                if (four_digits(s, i, n) && i + 7 <= n && memcmp(s + i + 4, "年", 3) == 0) {
                        *len = 7;
                        return s + i;
                }
                if ((*len = full_date(s, i, n, ymd)) > 0)
                        return s + i;
        }
        return NULL;
}

static void lex_comment(struct roll *r) {
        const char *s = r->p, *q, *year;
        size_t len;

        if (*s == '#' || s[1] == '/')
                q = memchr(s, '\n', (size_t) (r->e - s));
        else
                q = (q = memmem(s + 2, (size_t) (r->e - s - 2), "*/", 2)) ? q + 2 : NULL;
        q = q ? q : r->e;
        year = find_year(s, (size_t) (q - s), &len);
        if (year)
                check_item(r, r->line, "a comment names %.*s: comments are not changed",
                           (int) len, year);
        emit(r, s, (size_t) (q - s));
        r->p = q;
}

static bool name_char(char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*' ||
               (!first && (digit(c) || c == '_' || c == '-'));
}

static void lex_name(struct roll *r) {
        const char *q = r->p + 1;

        while (q < r->e && name_char(*q, false))
                q++;
        snprintf(r->name, sizeof r->name, "%.*s", (int) (q - r->p), r->p);
        emit(r, r->p, (size_t) (q - r->p));
        r->p = q;
}

static void lex_number(struct roll *r) {
        const char *q = r->p + 1;

        while (q < r->e && (digit(*q) || name_char(*q, true) || *q == '.' || *q == '+' ||
                            *q == '-'))
                q++;
        if (context(r) == CTX_YEAR)
                fprintf(r->out, "%d", r->o->to);
        else
                emit(r, r->p, (size_t) (q - r->p));
        r->p = q;
}

static void lex_punct(struct roll *r) {
        char c = *r->p;

        if (c == '=' || c == ':')
                snprintf(r->key, sizeof r->key, "%s", r->name);
        else if (c == '{' || c == '(' || c == '[') {
                if (r->depth < DEPTH_MAX)
                        snprintf(r->path[r->depth], KEY_MAX, "%s", r->key);
                r->depth++;
                r->key[0] = '\0';
        } else if (c == '}' || c == ')' || c == ']') {
                end_value(r);
                r->depth -= r->depth > 0;
        } else if (c == ';' || c == ',')
                end_value(r);
        emit(r, r->p++, 1);
}

static void lex(struct roll *r) {
        while (r->p < r->e && r->r == 0) {
                char c = *r->p;

                if (c == '"')
                        lex_string(r);
                else if (c == '#' || (c == '/' && r->p + 1 < r->e && (r->p[1] == '/' ||
                                                                       r->p[1] == '*')))
                        lex_comment(r);
                else if (name_char(c, true))
                        lex_name(r);
                else if (digit(c) || ((c == '-' || c == '+') && r->p + 1 < r->e &&
                                      digit(r->p[1])))
                        lex_number(r);
                else
                        lex_punct(r);
        }
        end_value(r);
}

/* ---- reading and checking ---------------------------------------------------------- */

/* libconfig's own reading: is it a ledger file, and of which year. */
static int read_ledger(const char *text, size_t len, const char *file, struct diagnostics *d,
                       int *year) {
        config_setting_t *ledger;
        config_t cfg;
        char *copy;
        int r = -EINVAL;

        if (memchr(text, '\0', len)) {
                diag_add(d, DIAG_ERROR, file, 0, "not a ledger file: binary data");
                return -EINVAL;
        }
        if (!(copy = strndup(text, len)))
                return -ENOMEM;
        config_init(&cfg);
        if (!config_read_string(&cfg, copy))
                diag_add(d, DIAG_ERROR, file, config_error_line(&cfg), "%s",
                         config_error_text(&cfg));
        else if (!(ledger = config_lookup(&cfg, "ledger")) ||
                 !config_setting_lookup_int(ledger, "year", year) || *year < 1970 || *year > 9998)
                diag_add(d, DIAG_ERROR, file, 0, "not a ledger file: no ledger = { year = …; }");
        else
                r = 0;
        config_destroy(&cfg);
        free(copy);
        return r;
}

/* @include would make libconfig read another file: roll that one on its own. */
static int no_include(const char *text, size_t len, const char *file, struct diagnostics *d) {
        int line = 1;

        for (const char *p = text, *e = text + len; p < e; line++) {
                const char *nl = memchr(p, '\n', (size_t) (e - p)), *q = p;

                while (q < e && (*q == ' ' || *q == '\t'))
                        q++;
                if ((size_t) (e - q) >= 8 && memcmp(q, "@include", 8) == 0) {
                        diag_add(d, DIAG_ERROR, file, line, "@include: rollover reads one "
                                 "file; roll the included file over on its own");
                        return -EINVAL;
                }
                p = nl ? nl + 1 : e;
        }
        return 0;
}

static int check_result(const char *text, size_t len, const struct rollover_options *o,
                        struct diagnostics *d) {
        struct diagnostics ignored = { 0 };
        int year = 0, r = read_ledger(text, len, o->file, &ignored, &year);

        diag_clear(&ignored);
        if (r == 0 && year == o->to)
                return 0;
        diag_add(d, DIAG_ERROR, o->file, 0, "the rolled-over ledger does not read back as one "
                 "of %d: please report this", o->to);
        return -EINVAL;
}

int rollover_ledger(const char *text, size_t len, const struct rollover_options *o, char **out,
                    struct diagnostics *d) {
        struct roll r = { .o = o, .d = d, .p = text, .e = text + len, .line = 1 };
        size_t size = 0, first = d->n_items;
        int ret;

        *out = NULL;
        if ((ret = no_include(text, len, o->file, d)) < 0 ||
            (ret = read_ledger(text, len, o->file, d, &r.from)) < 0)
                return ret;
        if ((r.delta = o->to - r.from) == 0) {
                diag_add(d, DIAG_ERROR, o->file, 0, "the ledger is of %d already", o->to);
                return -EINVAL;
        }
        if (!(r.out = open_memstream(out, &size)))
                return -ENOMEM;
        lex(&r);
        ret = fclose(r.out) != 0 ? -ENOMEM : r.r;
        if (ret == 0)
                ret = check_result(*out, size, o, d);
        diag_sort(d, first);
        if (ret < 0) {
                free(*out);
                *out = NULL;
        }
        return ret;
}
