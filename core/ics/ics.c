/* SPDX-License-Identifier: MIT */
/* The calendar's head and the lines of each event: libical's properties,
 * with the ones that repeat (dates, TRANSP, a task's DESCRIPTION,
 * CATEGORIES) made once and the alarms written by hand. ics-render.c puts
 * the events in order, ics-lines.c folds them. */
#include "ics/ics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>

#include "ics/ics-internal.h"
#include "ledger/schedule.h"
#include "basic/text.h"
#include "ledger/zone.h"

/* Every timed value in the feed is UTC with a trailing Z (DTSTAMP,
 * LAST-MODIFIED, TRIGGER) and the deadlines are all-day DATE values, so the
 * feed names no TZID and needs no VTIMEZONE: X-WR-TIMEZONE only tells apps
 * which zone to show the calendar in. */

#define ICS_MAX_ALARMS 16
/* Longer runs of spaces are layout, not content; capping them keeps every
 * folded line able to hold a character that is not a space. */
#define ICS_MAX_BLANKS 64

/* schedule_milestone_alarms() looks the zone up among libical's hundreds on
 * every conversion, which made it a fifth of the render time. Its answer
 * depends only on the due date and the task's policy (leads, time of day),
 * which repeat across a ledger, so recent answers are kept, by due date: a
 * slot for each day of more than a year. The DTSTART and DTEND lines of a
 * date are kept the same way. */
#define ICS_DAY_MEMO 512

struct ics_alarm_memo {
        bool valid;
        day_t due;
        int minute_of_day;
        size_t n_leads;
        struct offset leads[POLICY_MAX_OFFSETS];
        size_t n;
        time_t at[ICS_MAX_ALARMS];
        char stamps[ICS_MAX_ALARMS][17]; /* at[], as TRIGGER writes them */
};

/* "DTSTART;VALUE=DATE:20250731\r\nDTEND;VALUE=DATE:20250801\r\n", as
 * libical writes them. */
struct ics_date_memo {
        bool valid;
        day_t due;
        size_t len;
        char lines[96];
};

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
        /* Chinese text is three-byte characters: decided here, no overlong
         * form or surrogate among them, without the general decoder. */
        if ((c & 0xf0) == 0xe0 && n >= 3 && ((unsigned char) s[1] & 0xc0) == 0x80 &&
            ((unsigned char) s[2] & 0xc0) == 0x80 && (c != 0xe0 || (unsigned char) s[1] >= 0xa0) &&
            (c != 0xed || (unsigned char) s[1] < 0xa0))
                return 3;
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

/* A done milestone keeps its event, its summary saying so first. */
#define ICS_DONE_PREFIX "【已完成】"

static void ics_summary(struct ics_buf *b, const struct task *t, const struct milestone *m,
                        bool done) {
        buf_clear(b);
        if (done)
                buf_puts(b, ICS_DONE_PREFIX);
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

static int calendar_text(const struct ics_job *j, icalcomponent *cal, struct ics_buf *name,
                         struct ics_buf *text) {
        const struct config *c = j->opts->config;
        int r;

        calendar_name(name, j->opts);
        if (name->failed)
                return -ENOMEM;
        icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
        icalcomponent_add_property(cal, icalproperty_new_prodid("-//ledgerd//ledgerd//ZH"));
        icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
        if (j->method != ICAL_METHOD_NONE)
                icalcomponent_add_property(cal, icalproperty_new_method(j->method));
        calendar_add_x(cal, "X-WR-CALNAME", buf_str(name));
        icalcomponent_add_property(cal, icalproperty_new_name(buf_str(name)));
        calendar_add_x(cal, "X-WR-TIMEZONE", c->timezone);
        r = j->attachment ? 0 : calendar_add_refresh(cal, c->feed.refresh);
        return r < 0 ? r : ics_put_serialised(text, icalcomponent_as_ical_string_r(cal));
}

/* Everything up to the first event: the VCALENDAR with its properties, whose
 * END line ics_render_all() writes after the events. A feed has no METHOD:
 * with it, DTSTAMP would have to be the time of rendering (RFC 5546), and the
 * feed would change on every render. An attachment has one and, being no
 * feed, no refresh interval. */
static int ics_write_head(struct ics_job *j) {
        icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
        const size_t end_len = strlen("END:VCALENDAR\r\n");
        struct ics_buf name = { 0 }, text = { 0 };
        int r;

        if (!cal)
                return -ENOMEM;
        r = calendar_text(j, cal, &name, &text);
        icalcomponent_free(cal);
        if (r >= 0 && text.len < end_len)
                r = -EINVAL;
        if (r >= 0)
                ics_fold_text(&j->page, text.data, text.len - end_len);
        buf_free(&name);
        buf_free(&text);
        return r < 0 ? r : ics_flush(j);
}

/* ---- the lines of an event ------------------------------------------------------- */

static struct icaltimetype ics_date(day_t day) {
        struct icaltimetype t = icaltime_null_date();
        int y, m, d;

        date_to_ymd(day, &y, &m, &d);
        t.year = y;
        t.month = m;
        t.day = d;
        return t;
}

/* DTSTART and DTEND of an all-day event on due, made by libical once per
 * date and render. */
static int ics_put_dates(struct ics_worker *w, day_t due) {
        struct ics_date_memo *e = &w->dates[(uint32_t) due % ICS_DAY_MEMO];
        struct ics_buf lines = { 0 };
        int r;

        if (!e->valid || e->due != due) {
                r = ics_put_property(&lines, icalproperty_new_dtstart(ics_date(due)));
                if (r >= 0)
                        r = ics_put_property(&lines, icalproperty_new_dtend(ics_date(due + 1)));
                if (r >= 0 && lines.len >= sizeof e->lines)
                        r = -EINVAL;
                if (r >= 0) {
                        memcpy(e->lines, lines.data, lines.len);
                        e->len = lines.len;
                        e->due = due;
                        e->valid = true;
                }
                buf_free(&lines);
                if (r < 0)
                        return r;
        }
        buf_put(&w->text, e->lines, e->len);
        return 0;
}

static int ics_put_transp(struct ics_worker *w) {
        int r;

        if (w->transp.len == 0) {
                r = ics_put_property(&w->transp, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
                if (r < 0)
                        return r;
        }
        buf_put(&w->text, w->transp.data, w->transp.len);
        return 0;
}

/* The SUMMARY line; *value and *len get where its escaped value is in the
 * text, which the alarms repeat. */
static int ics_put_summary(struct ics_worker *w, const struct milestone *m, bool done,
                           size_t *value, size_t *len) {
        static const char name[] = "SUMMARY:";
        size_t start = w->text.len;
        int r;

        ics_summary(&w->summary, m->task, m, done);
        if (w->summary.failed)
                return -ENOMEM;
        r = ics_put_property(&w->text, icalproperty_new_summary(buf_str(&w->summary)));
        if (r < 0)
                return r;
        if (w->text.len < start + strlen(name) + 2 ||
            memcmp(w->text.data + start, name, strlen(name)) != 0)
                return -EINVAL;
        *value = start + strlen(name);
        *len = w->text.len - 2 - *value;
        return 0;
}

/* When and by whom it was marked done, after the task's own text. */
static void ics_done_line(struct ics_buf *b, const char *tz, const struct ics_state *st) {
        char when[32];

        zone_format_local(tz, st->done_at, when, sizeof when);
        description_line(b, "已完成：");
        buf_puts(b, when);
        buf_puts(b, "，");
        text_clean(b, st->done_by && *st->done_by ? st->done_by : "（未署名）");
        buf_puts(b, st->done_by_link ? "（经提醒中的链接）" : "（经 ledgerctl）");
}

/* The DESCRIPTION line, the same for every open milestone of a task (made
 * once); a done one's says when and by whom. */
static int ics_put_description(struct ics_worker *w, const struct task *t,
                               const struct ics_state *done) {
        int r;

        if (done) {
                w->description_of = NULL;
                ics_description(&w->description, t);
                ics_done_line(&w->description, w->job->opts->config->timezone, done);
                if (w->description.failed)
                        return -ENOMEM;
                return ics_put_property(&w->text,
                                        icalproperty_new_description(buf_str(&w->description)));
        }
        if (w->description_of != t) {
                w->description_of = NULL;
                buf_clear(&w->description_line);
                ics_description(&w->description, t);
                if (w->description.failed)
                        return -ENOMEM;
                r = ics_put_property(&w->description_line,
                                     icalproperty_new_description(buf_str(&w->description)));
                if (r < 0)
                        return r;
                w->description_of = t;
        }
        buf_put(&w->text, w->description_line.data, w->description_line.len);
        return 0;
}

/* The CATEGORIES line, if the task has a category: tasks in a row share it. */
static int ics_put_category(struct ics_worker *w, const struct task *t) {
        struct ics_buf *c = &w->category;
        int r;

        buf_clear(c);
        text_clean(c, t->category);
        if (c->failed)
                return -ENOMEM;
        if (c->len == 0)
                return 0;
        if (w->category_line.len == 0 || w->category_key.len != c->len ||
            memcmp(w->category_key.data, c->data, c->len) != 0) {
                buf_clear(&w->category_key);
                buf_clear(&w->category_line);
                r = ics_put_property(&w->category_line, icalproperty_new_categories(c->data));
                if (r < 0)
                        return r;
                buf_put(&w->category_key, c->data, c->len);
                if (w->category_key.failed) {
                        buf_clear(&w->category_line);
                        return -ENOMEM;
                }
        }
        buf_put(&w->text, w->category_line.data, w->category_line.len);
        return 0;
}

static char *put_digits(char *p, int v, int width) {
        for (int i = width - 1; i >= 0; i--, v /= 10)
                p[i] = (char) ('0' + v % 10);
        return p + width;
}

/* "20250731T010000Z". By hand: gmtime_r() with strftime() or snprintf() cost
 * more than all the rest of an alarm. 0, or -EINVAL outside years 1…9999. */
int ics_format_utc(time_t t, char buf[static 17]) {
        time_t days = t / 86400, secs = t % 86400;
        int y, m, d;

        if (secs < 0) {
                secs += 86400;
                days--;
        }
        /* date_from_ymd(1, 1, 1) and date_from_ymd(9999, 12, 31) */
        if (days < -719162 || days > 2932896)
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

/* One VALARM per instant. They are written here rather than built as libical
 * objects: three objects more per alarm took longer than all the rest of the
 * event, and the only text in them, the DESCRIPTION, repeats the SUMMARY
 * value that libical has escaped already: text[summary, summary + len).
 * 0, -EINVAL, -ENOMEM. */
static int ics_put_alarms(struct ics_buf *text, const struct ics_alarm_memo *alarms,
                          size_t summary, size_t len) {
        buf_reserve(text, alarms->n * (len + 128)); /* so the copies below never move it */
        for (size_t i = 0; i < alarms->n && !text->failed; i++) {
                buf_puts(text, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:");
                buf_put(text, text->data + summary, len);
                buf_puts(text, "\r\nTRIGGER;VALUE=DATE-TIME:");
                buf_put(text, alarms->stamps[i], 16);
                buf_puts(text, "\r\nEND:VALARM\r\n");
        }
        return text->failed ? -ENOMEM : 0;
}

static bool alarm_memo_matches(const struct ics_alarm_memo *e, day_t due,
                               const struct policy *p) {
        return e->valid && e->due == due && e->minute_of_day == p->minute_of_day &&
               e->n_leads == p->n_leads &&
               memcmp(e->leads, p->leads, p->n_leads * sizeof *p->leads) == 0;
}

/* The alarm instants of m under the policy of the feed's owner (NULL: the
 * task's), from the memo or from the schedule. */
static int ics_alarms(struct ics_worker *w, const struct milestone *m,
                      const struct ics_alarm_memo **out) {
        const struct config *c = w->job->opts->config;
        const struct owner *o = w->job->opts->owner;
        struct ics_alarm_memo *e = &w->alarms[(uint32_t) m->due % ICS_DAY_MEMO];
        struct policy p;
        int n;

        policy_resolve(c, m->task, o, &p);
        if (!alarm_memo_matches(e, m->due, &p)) {
                e->valid = false;
                n = schedule_milestone_alarms(c, m, o, e->at, ICS_MAX_ALARMS);
                if (n < 0)
                        return n;
                for (int i = 0; i < n; i++)
                        if (ics_format_utc(e->at[i], e->stamps[i]) < 0)
                                return -EINVAL;
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

/* The UID line, as libical writes it: UIDs are made of ids ([A-Za-z0-9_-],
 * conf.c checks them), '.' and '@', which a TEXT value never escapes. By
 * hand, it saves libical's three allocations an event; anything else is
 * still left to libical. */
static int ics_put_uid(struct ics_buf *t, const char *uid) {
        if (uid[strcspn(uid, "\\;,\r\n")] != '\0')
                return ics_put_property(t, icalproperty_new_uid(uid));
        buf_puts(t, "UID:");
        buf_puts(t, uid);
        buf_puts(t, "\r\n");
        return 0;
}

/* The unfolded text of m's VEVENT without its revision lines, which go after
 * the UID line, at *uid_end. Every property is libical's; the ones that repeat
 * (dates, TRANSP, a task's DESCRIPTION, CATEGORIES) are made once. */
/* The alarms a milestone keeps: none once done, none before a snooze ends. */
static const struct ics_alarm_memo *alarms_kept(struct ics_worker *w,
                                               const struct ics_alarm_memo *all,
                                               const struct ics_state *st) {
        struct ics_alarm_memo *kept = w->kept;

        if (!st || (!st->done_at && !st->snoozed_until))
                return all;
        *kept = (struct ics_alarm_memo) { .valid = false };
        for (size_t i = 0; i < all->n && !st->done_at; i++)
                if (all->at[i] >= st->snoozed_until) {
                        kept->at[kept->n] = all->at[i];
                        memcpy(kept->stamps[kept->n++], all->stamps[i], sizeof all->stamps[i]);
                }
        return kept;
}

int ics_event_text(struct ics_worker *w, const struct milestone *m, const char *uid,
                          size_t *uid_end) {
        const struct ics_options *o = w->job->opts;
        const struct ics_alarm_memo *alarms;
        struct ics_buf *t = &w->text;
        struct ics_state st;
        bool marked = o->state && o->state(m, &st, o->state_userdata);
        const struct ics_state *done = marked && st.done_at ? &st : NULL;
        size_t summary, summary_len;
        int r;

        r = ics_alarms(w, m, &alarms);
        if (r < 0)
                return r;
        alarms = alarms_kept(w, alarms, marked ? &st : NULL);
        buf_clear(t);
        buf_puts(t, "BEGIN:VEVENT\r\n");
        if ((r = ics_put_uid(t, uid)) < 0)
                return r;
        *uid_end = t->len;
        if ((r = ics_put_dates(w, m->due)) < 0 || (r = ics_put_transp(w)) < 0 ||
            (r = ics_put_summary(w, m, done != NULL, &summary, &summary_len)) < 0 ||
            (r = ics_put_description(w, m->task, done)) < 0 || (r = ics_put_category(w, m->task)) < 0 ||
            (r = ics_put_alarms(t, alarms, summary, summary_len)) < 0)
                return r;
        buf_puts(t, "END:VEVENT\r\n");
        return t->failed ? -ENOMEM : 0;
}

int ics_worker_init(struct ics_worker *w, struct ics_job *j) {
        *w = (struct ics_worker) { .job = j };
        w->alarms = calloc(ICS_DAY_MEMO, sizeof *w->alarms);
        w->dates = calloc(ICS_DAY_MEMO, sizeof *w->dates);
        w->kept = calloc(1, sizeof *w->kept);
        return w->alarms && w->dates && w->kept ? 0 : -ENOMEM;
}

void ics_worker_free(struct ics_worker *w) {
        free(w->alarms);
        free(w->kept);
        free(w->dates);
        buf_free(&w->summary);
        buf_free(&w->description);
        buf_free(&w->category);
        buf_free(&w->text);
        buf_free(&w->transp);
        buf_free(&w->category_key);
        buf_free(&w->category_line);
        buf_free(&w->description_line);
}

/* ---- the whole calendar ------------------------------------------------------------- */

/* Every milestone of the ledgers, of the owner if one is set, in ledger,
 * task and milestone order, and where each ledger's start (the job's
 * ledger_start). Without an owner, the feed is public: a task whose owners
 * all have private feeds is left out. */
static int ics_feed_milestones(const struct ics_options *o, const struct milestone ***out,
                               size_t **starts, size_t *n) {
        const struct config *c = o->config;
        const struct milestone **ms = calloc(config_count_milestones(c) + 1, sizeof *ms);

        *starts = calloc(c->n_ledgers + 1, sizeof **starts);
        if (!ms || !*starts) {
                free(ms);
                free(*starts);
                return -ENOMEM;
        }
        *n = 0;
        for (size_t i = 0; i < c->n_ledgers; i++) {
                for (size_t k = 0; k < c->ledgers[i].n_tasks; k++) {
                        const struct task *t = &c->ledgers[i].tasks[k];

                        if (o->owner ? !task_has_owner(t, o->owner) : task_is_private(t))
                                continue; /* the feed of everything is public */
                        for (size_t m = 0; m < t->n_milestones; m++)
                                ms[(*n)++] = &t->milestones[m];
                }
                (*starts)[i + 1] = *n;
        }
        *out = ms;
        return 0;
}

static int ics_render_all(struct ics_job *j) {
        const struct config *c = j->opts->config;
        int r;

        if (!c->timezone || zone_check(c->timezone) < 0)
                return -ENOENT;
        r = ics_write_head(j);
        if (r >= 0)
                r = j->ledger_start ? ics_render_ledgers(j) : ics_render_events_of(j);
        if (r >= 0) {
                buf_puts(&j->page, "END:VCALENDAR\r\n");
                r = ics_flush(j);
        }
        buf_free(&j->page);
        if (r < 0)
                return r;
        /* A buffered stream may report a failed write only when it is flushed. */
        if (fflush(j->out) != 0 || ferror(j->out))
                return -EIO;
        return 0;
}

int ics_render(const struct ics_options *opts, FILE *out) {
        struct ics_job j = { .opts = opts, .out = out, .method = ICAL_METHOD_NONE };
        const struct milestone **ms = NULL;
        size_t *starts = NULL;
        int r;

        if (!opts || !opts->config || !out)
                return -EINVAL;
        r = ics_feed_milestones(opts, &ms, &starts, &j.n_ms);
        if (r < 0)
                return r;
        j.ms = ms;
        j.ledger_start = starts;
        r = ics_render_all(&j);
        free(ms);
        free(starts);
        return r;
}

/* The methods of RFC 5546, which libical knows; not its extensions. */
static icalproperty_method ics_method(const char *name) {
        icalproperty_method m = icalproperty_string_to_method(name);

        return m >= ICAL_METHOD_PUBLISH && m <= ICAL_METHOD_DECLINECOUNTER ? m : ICAL_METHOD_NONE;
}

int ics_render_events(const struct config *c, const struct milestone *const *ms, size_t n,
                      const char *method, time_t stamp, FILE *out) {
        struct ics_options opts = { .config = c, .fallback_modified = stamp };
        struct ics_job j = {
                .opts = &opts, .out = out, .attachment = true, .method = ICAL_METHOD_NONE,
                .ms = ms, .n_ms = n,
        };

        if (!c || !out || (n > 0 && !ms))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!ms[i] || !ms[i]->task || !ms[i]->task->ledger)
                        return -EINVAL;
        if (method) {
                j.method = ics_method(method);
                if (j.method == ICAL_METHOD_NONE)
                        return -EINVAL;
        }
        return ics_render_all(&j);
}

/* By hand, not snprintf(): it is asked for every event of every render. */
int ics_milestone_uid(const struct milestone *m, char uid[ICS_UID_MAX]) {
        static const char tail[] = ".ledgerd";
        size_t id = strlen(m->id), ledger = strlen(m->task->ledger->id);

        if (id + 1 + ledger + strlen(tail) >= ICS_UID_MAX)
                return -ENAMETOOLONG;
        memcpy(uid, m->id, id);
        uid[id] = '@';
        memcpy(uid + id + 1, m->task->ledger->id, ledger);
        memcpy(uid + id + 1 + ledger, tail, sizeof tail);
        return 0;
}
