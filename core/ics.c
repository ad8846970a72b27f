/* SPDX-License-Identifier: MIT */
#include "ics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>

#include "schedule.h"
#include "text.h"
#include "zone.h"

/* Every timed value in the feed is UTC with a trailing Z (DTSTAMP,
 * LAST-MODIFIED, TRIGGER) and the deadlines are all-day DATE values, so the
 * feed names no TZID and needs no VTIMEZONE: X-WR-TIMEZONE only tells apps
 * which zone to show the calendar in. */

#define ICS_FOLD_OCTETS 75
#define ICS_MAX_ALARMS 16
/* Longer runs of spaces are layout, not content; capping them keeps every
 * folded line able to hold a character that is not a space. */
#define ICS_MAX_BLANKS 64

/* schedule_milestone_alarms() looks the zone up among libical's hundreds on
 * every conversion, which made it a fifth of the render time. Its answer
 * depends only on the due date and the task's policy (leads, time of day),
 * which repeat across a ledger, so recent answers are kept, by due date: a
 * slot for each day of more than a year. */
#define ICS_ALARM_MEMO 512

struct ics_alarm_memo {
        bool valid;
        day_t due;
        int minute_of_day;
        size_t n_leads;
        struct offset leads[POLICY_MAX_OFFSETS];
        size_t n;
        time_t at[ICS_MAX_ALARMS];
};

/* A growable byte string whose allocation failure is sticky: callers append
 * freely and check failed once. */
struct ics_buf {
        char *data;
        size_t len, cap;
        bool failed;
};

struct ics_ctx {
        const struct ics_options *opts;
        FILE *out;
        bool attachment; /* ics_render_events(): no feed, so no refresh interval */
        icalproperty_method method; /* ICAL_METHOD_NONE: none, as in a feed */
        struct ics_buf text; /* the serialised event, unfolded: canonical lines */
        struct ics_buf summary; /* also the calendar's name, for the head */
        struct ics_buf description;
        struct ics_buf category;
        struct ics_buf page; /* folded output not yet written */
        struct ics_alarm_memo *alarms; /* ICS_ALARM_MEMO of them */
};

/* ---- buffers --------------------------------------------------------------- */

static void buf_reserve(struct ics_buf *b, size_t n) {
        size_t cap = b->cap ? b->cap : 1024;
        char *p;

        if (b->failed || b->len + n + 1 <= b->cap)
                return;
        while (cap < b->len + n + 1)
                cap *= 2;
        p = realloc(b->data, cap);
        if (!p) {
                b->failed = true;
                return;
        }
        b->data = p;
        b->cap = cap;
}

static void buf_put(struct ics_buf *b, const char *s, size_t n) {
        buf_reserve(b, n);
        if (b->failed)
                return;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
}

static void buf_puts(struct ics_buf *b, const char *s) {
        buf_put(b, s, strlen(s));
}

static void buf_clear(struct ics_buf *b) {
        b->len = 0;
        b->failed = false;
        if (b->data)
                b->data[0] = '\0';
}

/* "" rather than NULL for an empty buffer, as libical wants a string. */
static const char *buf_str(const struct ics_buf *b) {
        return b->data ? b->data : "";
}

/* ---- text from the ledger ----------------------------------------------- */

static void buf_trim_blanks(struct ics_buf *b, size_t start) {
        while (b->len > start && b->data[b->len - 1] == ' ')
                b->data[--b->len] = '\0';
}

/* The length of the character at s if it goes into a TEXT value as it is:
 * printable ASCII other than the space, or a valid UTF-8 sequence that is no
 * control character. 0 when it needs a look of its own. */
static size_t text_plain_len(const char *s, size_t n) {
        unsigned char c = (unsigned char) s[0];
        unsigned cp;
        size_t len;

        if (c < 0x80)
                return c > 0x20 && c < 0x7f;
        len = text_utf8_decode(s, n, &cp);
        return len > 0 && cp >= 0xa0 ? len : 0;
}

/* Appends the character at s that text_plain_len() refused and returns how
 * many bytes it took. *blanks counts the current run of spaces. */
static size_t text_clean_special(struct ics_buf *b, size_t start, const char *s, size_t n,
                                 size_t *blanks) {
        unsigned cp;
        size_t len;

        if (s[0] == '\r' || s[0] == '\n') {
                buf_trim_blanks(b, start);
                buf_put(b, "\n", 1);
                *blanks = 0;
                return s[0] == '\r' && n > 1 && s[1] == '\n' ? 2 : 1;
        }
        if (s[0] == ' ' || s[0] == '\t') {
                if (++*blanks <= ICS_MAX_BLANKS)
                        buf_put(b, " ", 1);
                return 1;
        }
        *blanks = 0;
        /* Controls (C0, DEL, C1) are dropped: RFC 5545 TEXT has no room for them. */
        if ((unsigned char) s[0] < 0x80)
                return 1;
        len = text_utf8_decode(s, n, &cp);
        if (len > 0)
                return len;
        buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
        return 1;
}

/* Appends s as text a calendar can carry: valid UTF-8, "\n" for every line
 * break (CRLF, CR or LF), tabs as spaces, no control characters, no blanks
 * at the end of a line. libical escapes the result. */
static void text_clean(struct ics_buf *b, const char *s) {
        size_t start = b->len, blanks = 0, n, i = 0, run;

        if (!s)
                return;
        n = strlen(s);
        while (i < n) {
                for (run = i; i < n;) {
                        size_t len = text_plain_len(s + i, n - i);

                        if (len == 0)
                                break;
                        i += len;
                }
                if (i > run) {
                        buf_put(b, s + run, i - run);
                        blanks = 0;
                }
                if (i < n)
                        i += text_clean_special(b, start, s + i, n - i, &blanks);
        }
        buf_trim_blanks(b, start);
}

static void ics_summary(struct ics_buf *b, const struct task *t, const struct milestone *m) {
        buf_clear(b);
        if (t->item && *t->item)
                text_clean(b, t->item);
        else if (t->category && *t->category)
                text_clean(b, t->category);
        else {
                buf_puts(b, "第");
                text_clean(b, t->id);
                buf_puts(b, "项");
        }
        if (m->label && *m->label) {
                buf_puts(b, "（");
                text_clean(b, m->label);
                buf_puts(b, "）");
        }
}

static void description_line(struct ics_buf *b, const char *head) {
        if (b->len > 0)
                buf_put(b, "\n", 1);
        buf_puts(b, head);
}

/* The detail, then who is responsible, the deadline as the ledger words it,
 * and where the task is. */
static void ics_description(struct ics_buf *b, const struct task *t) {
        buf_clear(b);
        text_clean(b, t->detail);
        if (t->n_owners > 0) {
                description_line(b, "责任主体：");
                for (size_t i = 0; i < t->n_owners; i++) {
                        if (i > 0)
                                buf_puts(b, "、");
                        text_clean(b, t->owners[i]->name);
                }
        }
        if (t->deadline && *t->deadline) {
                description_line(b, "完成时间：");
                text_clean(b, t->deadline);
        }
        description_line(b, "台账：");
        text_clean(b, t->ledger->title);
        buf_puts(b, " 第");
        text_clean(b, t->id);
        buf_puts(b, "项");
}

/* ---- libical's output, made canonical ------------------------------------- */

/* libical 3.0.16 folds wrongly when the text after the last ':', ';' or space
 * is 73 or 74 bytes (a bare CR, a continuation line of one space), so its
 * folding is removed and done again by ics_fold_line(). No logical line
 * starts with a space, so every CRLF + space is one of libical's folds.
 * Returns the new length. */
static size_t ics_unfold(char *s, size_t len) {
        char *w = s, *r = s, *end = s + len;

        for (;;) {
                char *cr = memchr(r, '\r', (size_t) (end - r));
                size_t n = (size_t) ((cr ? cr : end) - r);

                memmove(w, r, n);
                w += n;
                r += n;
                if (!cr)
                        break;
                if (end - r >= 3 && r[1] == '\n' && r[2] == ' ')
                        r += 3;
                else
                        *w++ = *r++;
        }
        *w = '\0';
        return (size_t) (w - s);
}

/* libical escapes only backslash and newline in CATEGORIES (a list to it)
 * and in X- properties; these carry one TEXT value, so a comma or semicolon
 * that no backslash escapes is escaped here. */
static bool ics_value_needs_escapes(const char *line, size_t len) {
        static const char *const names[] = { "CATEGORIES:", "X-WR-CALNAME:", "X-WR-TIMEZONE:" };

        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
                size_t n = strlen(names[i]);

                if (len >= n && memcmp(line, names[i], n) == 0)
                        return true;
        }
        return false;
}

static void ics_put_line_slow(struct ics_buf *b, const char *line, size_t len, bool escape) {
        bool in_value = false;

        for (size_t i = 0; i < len; i++) {
                char c = line[i];

                if (c == '\r' || c == '\n') /* never content: libical escapes newlines */
                        continue;
                if (escape && in_value && c == '\\' && i + 1 < len) {
                        buf_put(b, line + i, 2);
                        i++;
                        continue;
                }
                if (escape && in_value && (c == ',' || c == ';'))
                        buf_put(b, "\\", 1);
                if (c == ':')
                        in_value = true;
                buf_put(b, &c, 1);
        }
}

static void ics_put_line(struct ics_buf *b, const char *line, size_t len) {
        bool escape = ics_value_needs_escapes(line, len);

        if (escape || memchr(line, '\r', len) || memchr(line, '\n', len))
                ics_put_line_slow(b, line, len, escape);
        else
                buf_put(b, line, len);
        buf_put(b, "\r\n", 2);
}

/* The end of the logical line at p: its CRLF, or end. */
static const char *ics_line_end(const char *p, const char *end) {
        for (const char *q = p; (q = memchr(q, '\r', (size_t) (end - q))); q++)
                if (q + 1 < end && q[1] == '\n')
                        return q;
        return end;
}

/* Serialises c into b as unfolded CRLF lines, in which every CR is part of a
 * CRLF. 0 or -ENOMEM. */
static int ics_serialise(icalcomponent *c, struct ics_buf *b) {
        char *s = icalcomponent_as_ical_string_r(c);
        const char *p, *end;

        if (!s)
                return -ENOMEM;
        end = s + ics_unfold(s, strlen(s));
        buf_clear(b);
        for (p = s; p < end;) {
                const char *eol = ics_line_end(p, end);

                ics_put_line(b, p, (size_t) (eol - p));
                p = eol + (eol < end ? 2 : 0);
        }
        free(s);
        return b->failed ? -ENOMEM : 0;
}

/* ---- output ---------------------------------------------------------------- */

static bool utf8_continuation(char c) {
        return ((unsigned char) c & 0xc0) == 0x80;
}

/* Where the physical line that starts at pos, with room octets, ends: never
 * inside a UTF-8 character, and never just before a space, so that no
 * continuation line starts with a space and none is only whitespace. */
static size_t ics_fold_cut(const char *line, size_t len, size_t pos, size_t room) {
        size_t cut;

        if (len - pos <= room)
                return len;
        cut = pos + room;
        while (cut > pos + 1 && (utf8_continuation(line[cut]) || line[cut] == ' '))
                cut--;
        if (cut > pos + 1)
                return cut;
        /* Only spaces fit: a boundary between characters still does. */
        for (cut = pos + room; cut > pos + 1 && utf8_continuation(line[cut]);)
                cut--;
        return cut;
}

/* Appends one logical line folded at ICS_FOLD_OCTETS, each part ending in CRLF. */
static void ics_fold_line(struct ics_buf *o, const char *line, size_t len) {
        size_t pos = 0, room = ICS_FOLD_OCTETS;

        for (;;) {
                size_t cut = ics_fold_cut(line, len, pos, room);

                buf_put(o, line + pos, cut - pos);
                if (cut == len)
                        break;
                buf_put(o, "\r\n ", 3);
                pos = cut;
                room = ICS_FOLD_OCTETS - 1;
        }
        buf_put(o, "\r\n", 2);
}

/* Appends canonical lines (each CR starts a CRLF), folded. */
static void ics_fold_text(struct ics_buf *o, const char *text, size_t len) {
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *cr = memchr(p, '\r', (size_t) (end - p));

                if (!cr)
                        cr = end;
                ics_fold_line(o, p, (size_t) (cr - p));
                p = cr + 2;
        }
}

/* Writes the page, an event or the head, in one go rather than as many small
 * writes. 0, -ENOMEM or -EIO. */
static int ics_flush(struct ics_ctx *ctx) {
        int r = 0;

        if (ctx->page.failed)
                r = -ENOMEM;
        else if (ctx->page.len > 0 &&
                 fwrite(ctx->page.data, 1, ctx->page.len, ctx->out) != ctx->page.len)
                r = -EIO;
        buf_clear(&ctx->page);
        return r;
}

/* ---- the calendar ------------------------------------------------------------ */

static void calendar_add_x(icalcomponent *cal, const char *name, const char *value) {
        icalproperty *p = icalproperty_new_x(value);

        icalproperty_set_x_name(p, name);
        icalcomponent_add_property(cal, p);
}

/* REFRESH-INTERVAL and X-PUBLISHED-TTL, both from feed.refresh. 0 or -EINVAL. */
static int calendar_add_refresh(icalcomponent *cal, const char *refresh) {
        struct icaldurationtype d;
        char *s;

        if (!refresh || !*refresh)
                return 0;
        d = icaldurationtype_from_string(refresh);
        if (icaldurationtype_is_bad_duration(d) || icaldurationtype_is_null_duration(d))
                return -EINVAL;
        icalcomponent_add_property(cal, icalproperty_new_refreshinterval(d));
        s = icaldurationtype_as_ical_string_r(d);
        if (!s)
                return -ENOMEM;
        calendar_add_x(cal, "X-PUBLISHED-TTL", s);
        free(s);
        return 0;
}

/* "<feed name>", or "<feed name> · <owner name>" for one owner's feed. */
static void calendar_name(struct ics_buf *b, const struct ics_options *opts) {
        const struct feed_settings *f = &opts->config->feed;

        buf_clear(b);
        text_clean(b, f->name && *f->name ? f->name : "ledgerd");
        if (opts->owner) {
                buf_puts(b, " · ");
                text_clean(b, opts->owner->name);
        }
}

/* Everything up to the first event: the VCALENDAR with its properties, whose
 * END line ics_render_all() writes after the events. A feed has no METHOD:
 * with it, DTSTAMP would have to be the time of rendering (RFC 5546), and the
 * feed would change on every render. An attachment has one and, being no
 * feed, no refresh interval. */
static int ics_write_head(struct ics_ctx *ctx) {
        const struct config *c = ctx->opts->config;
        icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
        const size_t end_len = strlen("END:VCALENDAR\r\n");
        int r;

        if (!cal)
                return -ENOMEM;
        calendar_name(&ctx->summary, ctx->opts);
        icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
        icalcomponent_add_property(cal, icalproperty_new_prodid("-//ledgerd//ledgerd//ZH"));
        icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
        if (ctx->method != ICAL_METHOD_NONE)
                icalcomponent_add_property(cal, icalproperty_new_method(ctx->method));
        calendar_add_x(cal, "X-WR-CALNAME", buf_str(&ctx->summary));
        icalcomponent_add_property(cal, icalproperty_new_name(buf_str(&ctx->summary)));
        calendar_add_x(cal, "X-WR-TIMEZONE", c->timezone);
        r = ctx->attachment ? 0 : calendar_add_refresh(cal, c->feed.refresh);
        if (r >= 0)
                r = ctx->summary.failed ? -ENOMEM : ics_serialise(cal, &ctx->text);
        icalcomponent_free(cal);
        if (r < 0)
                return r;
        ics_fold_text(&ctx->page, ctx->text.data, ctx->text.len - end_len);
        return ics_flush(ctx);
}

/* ---- one event ---------------------------------------------------------------- */

static struct icaltimetype ics_date(day_t day) {
        struct icaltimetype t = icaltime_null_date();
        int y, m, d;

        date_to_ymd(day, &y, &m, &d);
        t.year = y;
        t.month = m;
        t.day = d;
        return t;
}

/* The VEVENT of m without its alarms and without DTSTAMP, LAST-MODIFIED and
 * SEQUENCE, which depend on its hash. */
static icalcomponent *ics_event_new(struct ics_ctx *ctx, const struct milestone *m,
                                    const char *uid) {
        icalcomponent *e = icalcomponent_new(ICAL_VEVENT_COMPONENT);

        if (!e)
                return NULL;
        icalcomponent_add_property(e, icalproperty_new_uid(uid));
        icalcomponent_add_property(e, icalproperty_new_dtstart(ics_date(m->due)));
        icalcomponent_add_property(e, icalproperty_new_dtend(ics_date(m->due + 1)));
        icalcomponent_add_property(e, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
        icalcomponent_add_property(e, icalproperty_new_summary(buf_str(&ctx->summary)));
        icalcomponent_add_property(e, icalproperty_new_description(buf_str(&ctx->description)));
        if (ctx->category.len > 0)
                icalcomponent_add_property(e, icalproperty_new_categories(buf_str(&ctx->category)));
        return e;
}

static char *put_digits(char *p, int v, int width) {
        for (int i = width - 1; i >= 0; i--, v /= 10)
                p[i] = (char) ('0' + v % 10);
        return p + width;
}

/* "20250731T010000Z". By hand: gmtime_r() with strftime() or snprintf() cost
 * more than all the rest of an alarm. 0, or -EINVAL outside years 1…9999. */
static int ics_format_utc(time_t t, char buf[static 17]) {
        time_t days = t / 86400, secs = t % 86400;
        int y, m, d;

        if (secs < 0) {
                secs += 86400;
                days--;
        }
        if (days < date_from_ymd(1, 1, 1) || days > date_from_ymd(9999, 12, 31))
                return -EINVAL;
        date_to_ymd((day_t) days, &y, &m, &d);
        buf = put_digits(put_digits(put_digits(buf, y, 4), m, 2), d, 2);
        *buf++ = 'T';
        buf = put_digits(buf, (int) (secs / 3600), 2);
        buf = put_digits(buf, (int) (secs / 60 % 60), 2);
        buf = put_digits(buf, (int) (secs % 60), 2);
        buf[0] = 'Z';
        buf[1] = '\0';
        return 0;
}

/* The escaped value of the canonical line that starts with key
 * ("\r\nSUMMARY:"), or NULL. */
static const char *ics_find_value(const struct ics_buf *text, const char *key, size_t *len) {
        const char *v = strstr(buf_str(text), key), *eol;

        if (!v)
                return NULL;
        v += strlen(key);
        eol = strstr(v, "\r\n");
        if (!eol)
                return NULL;
        *len = (size_t) (eol - v);
        return v;
}

/* Adds one VALARM per instant before END:VEVENT. They are written here rather
 * than built as libical objects: three objects more per alarm took longer than
 * all the rest of the event, and the only text in them, the DESCRIPTION,
 * repeats the SUMMARY that libical has escaped already. 0, -EINVAL, -ENOMEM. */
static int ics_add_alarms(struct ics_buf *text, const time_t *at, size_t n) {
        static const char end[] = "END:VEVENT\r\n";
        size_t len, off;
        const char *summary = ics_find_value(text, "\r\nSUMMARY:", &len);
        char stamp[17];

        if (!summary || text->len < strlen(end))
                return -EINVAL;
        off = (size_t) (summary - text->data);
        text->len -= strlen(end);
        buf_reserve(text, n * (len + 128) + strlen(end)); /* so the copies below never move it */
        for (size_t i = 0; i < n && !text->failed; i++) {
                if (ics_format_utc(at[i], stamp) < 0)
                        return -EINVAL;
                buf_puts(text, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:");
                buf_put(text, text->data + off, len);
                buf_puts(text, "\r\nTRIGGER;VALUE=DATE-TIME:");
                buf_puts(text, stamp);
                buf_puts(text, "\r\nEND:VALARM\r\n");
        }
        buf_puts(text, end);
        return text->failed ? -ENOMEM : 0;
}

static bool alarm_memo_matches(const struct ics_alarm_memo *e, day_t due,
                               const struct policy *p) {
        return e->valid && e->due == due && e->minute_of_day == p->minute_of_day &&
               e->n_leads == p->n_leads &&
               memcmp(e->leads, p->leads, p->n_leads * sizeof *p->leads) == 0;
}

/* The alarm instants of m, from the memo or from the schedule. */
static int ics_alarms(struct ics_ctx *ctx, const struct milestone *m,
                      const struct ics_alarm_memo **out) {
        const struct config *c = ctx->opts->config;
        struct ics_alarm_memo *e = &ctx->alarms[(uint32_t) m->due % ICS_ALARM_MEMO];
        struct policy p;
        int n;

        policy_resolve(c, m->task, NULL, &p);
        if (!alarm_memo_matches(e, m->due, &p)) {
                n = schedule_milestone_alarms(c, m, e->at, ICS_MAX_ALARMS);
                if (n < 0)
                        return n;
                e->valid = true;
                e->due = m->due;
                e->minute_of_day = p.minute_of_day;
                e->n_leads = p.n_leads;
                memcpy(e->leads, p.leads, p.n_leads * sizeof *p.leads);
                e->n = (size_t) n;
        }
        *out = e;
        return 0;
}

/* 64-bit FNV-1a: small, fast, and stable across platforms and releases. */
static uint64_t ics_hash(const char *s, size_t n) {
        uint64_t h = UINT64_C(14695981039346656037);

        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char) s[i];
                h *= UINT64_C(1099511628211);
        }
        return h;
}

/* Appends the folded event with the revision lines after its UID: the hash,
 * and so the revision, covers everything else the event says. */
static int ics_fold_event(struct ics_ctx *ctx, const char *uid) {
        const struct ics_options *o = ctx->opts;
        const struct ics_buf *t = &ctx->text;
        struct ics_revision rev = { .sequence = 0, .modified = o->fallback_modified };
        const char *rest;
        char stamp[17], line[128];
        size_t uid_len;
        int n;

        if (o->revision)
                rev = o->revision(uid, ics_hash(t->data, t->len), o->userdata);
        if (ics_format_utc(rev.modified, stamp) < 0)
                return -EINVAL;
        rest = ics_find_value(t, "\r\nUID:", &uid_len);
        if (!rest)
                return -EINVAL;
        rest += uid_len + 2;
        n = snprintf(line, sizeof line,
                     "DTSTAMP:%s\r\nLAST-MODIFIED:%s\r\nSEQUENCE:%" PRIu32 "\r\n", stamp, stamp,
                     rev.sequence);
        if (n < 0 || (size_t) n >= sizeof line)
                return -EINVAL;
        ics_fold_text(&ctx->page, t->data, (size_t) (rest - t->data));
        ics_fold_text(&ctx->page, line, (size_t) n);
        ics_fold_text(&ctx->page, rest, t->len - (size_t) (rest - t->data));
        return 0;
}

static int ics_event_text(struct ics_ctx *ctx, const struct milestone *m, const char *uid) {
        icalcomponent *e;
        int r;

        ics_summary(&ctx->summary, m->task, m);
        ics_description(&ctx->description, m->task);
        buf_clear(&ctx->category);
        text_clean(&ctx->category, m->task->category);
        if (ctx->summary.failed || ctx->description.failed || ctx->category.failed)
                return -ENOMEM;
        e = ics_event_new(ctx, m, uid);
        if (!e)
                return -ENOMEM;
        r = ics_serialise(e, &ctx->text);
        icalcomponent_free(e);
        return r;
}

/* Builds, serialises, frees and writes one event: the feed never holds more
 * than one event's tree, however large the ledger. */
static int ics_render_milestone(struct ics_ctx *ctx, const struct milestone *m) {
        const struct ics_alarm_memo *alarms;
        char uid[ICS_UID_MAX];
        int r;

        r = ics_milestone_uid(m, uid);
        if (r < 0)
                return r;
        r = ics_alarms(ctx, m, &alarms);
        if (r < 0)
                return r;
        r = ics_event_text(ctx, m, uid);
        if (r < 0)
                return r;
        r = ics_add_alarms(&ctx->text, alarms->at, alarms->n);
        if (r < 0)
                return r;
        r = ics_fold_event(ctx, uid);
        if (r < 0)
                return r;
        return ics_flush(ctx);
}

static int ics_render_ledger(struct ics_ctx *ctx, const struct ledger *l) {
        for (size_t i = 0; i < l->n_tasks; i++) {
                const struct task *t = &l->tasks[i];

                if (ctx->opts->owner && !task_has_owner(t, ctx->opts->owner))
                        continue;
                for (size_t j = 0; j < t->n_milestones; j++) {
                        int r = ics_render_milestone(ctx, &t->milestones[j]);

                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The milestones ms, or with all, every milestone of the ledgers (of the
 * owner, if one is set). */
static int ics_render_all(struct ics_ctx *ctx, bool all, const struct milestone *const *ms,
                          size_t n) {
        const struct config *c = ctx->opts->config;
        int r;

        if (!c->timezone || zone_check(c->timezone) < 0)
                return -ENOENT;
        r = ics_write_head(ctx);
        for (size_t i = 0; r >= 0 && all && i < c->n_ledgers; i++)
                r = ics_render_ledger(ctx, &c->ledgers[i]);
        for (size_t i = 0; r >= 0 && !all && i < n; i++)
                r = ics_render_milestone(ctx, ms[i]);
        if (r < 0)
                return r;
        buf_puts(&ctx->page, "END:VCALENDAR\r\n");
        r = ics_flush(ctx);
        if (r < 0)
                return r;
        /* A buffered stream may report a failed write only when it is flushed. */
        if (fflush(ctx->out) != 0 || ferror(ctx->out))
                return -EIO;
        return 0;
}

static int ics_run(struct ics_ctx *ctx, bool all, const struct milestone *const *ms, size_t n) {
        int r;

        ctx->alarms = calloc(ICS_ALARM_MEMO, sizeof *ctx->alarms);
        r = ctx->alarms ? ics_render_all(ctx, all, ms, n) : -ENOMEM;
        free(ctx->alarms);
        free(ctx->text.data);
        free(ctx->summary.data);
        free(ctx->description.data);
        free(ctx->category.data);
        free(ctx->page.data);
        return r;
}

int ics_render(const struct ics_options *opts, FILE *out) {
        struct ics_ctx ctx = { .opts = opts, .out = out, .method = ICAL_METHOD_NONE };

        if (!opts || !opts->config || !out)
                return -EINVAL;
        return ics_run(&ctx, true, NULL, 0);
}

/* The methods of RFC 5546, which libical knows; not its extensions. */
static icalproperty_method ics_method(const char *name) {
        icalproperty_method m = icalproperty_string_to_method(name);

        return m >= ICAL_METHOD_PUBLISH && m <= ICAL_METHOD_DECLINECOUNTER ? m : ICAL_METHOD_NONE;
}

int ics_render_events(const struct config *c, const struct milestone *const *ms, size_t n,
                      const char *method, time_t stamp, FILE *out) {
        struct ics_options opts = { .config = c, .fallback_modified = stamp };
        struct ics_ctx ctx = {
                .opts = &opts, .out = out, .attachment = true, .method = ICAL_METHOD_NONE,
        };

        if (!c || !out || (n > 0 && !ms))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!ms[i] || !ms[i]->task || !ms[i]->task->ledger)
                        return -EINVAL;
        if (method) {
                ctx.method = ics_method(method);
                if (ctx.method == ICAL_METHOD_NONE)
                        return -EINVAL;
        }
        return ics_run(&ctx, false, ms, n);
}

int ics_milestone_uid(const struct milestone *m, char uid[ICS_UID_MAX]) {
        int n = snprintf(uid, ICS_UID_MAX, "%s@%s.ledgerd", m->id, m->task->ledger->id);

        if (n < 0)
                return -EINVAL;
        if (n >= ICS_UID_MAX)
                return -ENAMETOOLONG;
        return 0;
}
