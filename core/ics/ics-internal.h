/* SPDX-License-Identifier: MIT */
#pragma once

/* What the files of the iCalendar writer share: ics.c makes an event's
 * lines, ics-lines.c makes libical's output canonical and folds it,
 * ics-render.c renders events in chunks on several threads and writes them
 * in order with their revisions. */

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>

#include "basic/greedy.h"
#include "ics/ics.h"

#define ICS_FOLD_OCTETS 75

/* A growable byte string whose allocation failure is sticky: callers append
 * freely and check failed once. */
struct ics_buf {
        char *data;
        size_t len, cap;
        bool failed;
};

static inline void buf_grow(struct ics_buf *b, size_t n) {
        if (GREEDY_REALLOC(b->data, b->cap, b->len + n + 1) < 0)
                b->failed = true;
}

/* Room for n more octets and a NUL; the common case inline, as it is asked
 * for on every few octets of output. */
static inline void buf_reserve(struct ics_buf *b, size_t n) {
        if (!b->failed && b->len + n + 1 > b->cap)
                buf_grow(b, n);
}

static inline void buf_put(struct ics_buf *b, const char *s, size_t n) {
        buf_reserve(b, n);
        if (b->failed)
                return;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
}

static inline void buf_puts(struct ics_buf *b, const char *s) {
        buf_put(b, s, strlen(s));
}

static inline void buf_clear(struct ics_buf *b) {
        b->len = 0;
        b->failed = false;
        if (b->data)
                b->data[0] = '\0';
}

static inline void buf_free(struct ics_buf *b) {
        free(b->data);
        *b = (struct ics_buf) { 0 };
}

/* "" rather than NULL for an empty buffer, as libical wants a string. */
static inline const char *buf_str(const struct ics_buf *b) {
        return b->data ? b->data : "";
}

/* What every thread reads; the scheduling fields under lock. */
struct ics_job {
        const struct ics_options *opts;
        FILE *out;
        bool attachment; /* ics_render_events(): no feed, so no refresh interval */
        icalproperty_method method; /* ICAL_METHOD_NONE: none, as in a feed */
        const struct milestone *const *ms;
        size_t n_ms, n_chunks;
        /* A feed's: ledger i's milestones are ms[ledger_start[i],
         * ledger_start[i + 1]); NULL for an attachment, whose are any. */
        const size_t *ledger_start;
        size_t written; /* octets written to out */
        struct ics_chunk *ring; /* chunk k in ring[k % ring_size] */
        size_t ring_size;
        struct ics_buf page;    /* folded output not yet written */
        bool stamp_valid;       /* stamp is stamp_of, formatted */
        time_t stamp_of;
        char stamp[17];

        pthread_mutex_t lock;
        pthread_cond_t changed;
        size_t next_claim; /* the first chunk no thread has taken */
        size_t next_emit;  /* the first chunk not written */
        bool stop;
};

/* One thread's scratch buffers and memos: threads share nothing they write
 * but the chunks they claim. */
struct ics_worker {
        struct ics_job *job;
        struct ics_buf summary, description, category, text;
        struct ics_alarm_memo *alarms; /* ICS_DAY_MEMO of each */
        struct ics_alarm_memo *kept;   /* the alarms a marked milestone keeps */
        struct ics_date_memo *dates;
        struct ics_buf transp;             /* the TRANSP line, once made */
        struct ics_buf category_key;       /* the last CATEGORIES value, cleaned */
        struct ics_buf category_line;      /* and its line */
        const struct task *description_of; /* the last DESCRIPTION's task */
        struct ics_buf description_line;   /* and its line */
};

/* ---- ics.c ---------------------------------------------------------------- */

int ics_worker_init(struct ics_worker *w, struct ics_job *j);
void ics_worker_free(struct ics_worker *w);
/* The unfolded text of m's VEVENT in w->text, without its revision lines,
 * which go after the UID line, at *uid_end. 0 or -errno. */
int ics_event_text(struct ics_worker *w, const struct milestone *m, const char *uid,
                   size_t *uid_end);
/* t as "20250731T010000Z" (UTC). 0, or -EINVAL outside years 1…9999. */
int ics_format_utc(time_t t, char buf[static 17]);

/* ---- ics-lines.c ------------------------------------------------------------ */

/* Appends libical's serialisation s as unfolded CRLF lines and frees s. */
int ics_put_serialised(struct ics_buf *b, char *s);
/* Appends the property p, serialised by libical, and frees it. */
int ics_put_property(struct ics_buf *b, icalproperty *p);
/* Appends canonical lines (each CR starts a CRLF), folded at ICS_FOLD_OCTETS. */
void ics_fold_text(struct ics_buf *o, const char *text, size_t len);

/* ---- ics-render.c ----------------------------------------------------------- */

/* Writes the page. 0, -ENOMEM or -EIO. */
int ics_flush(struct ics_job *j);
/* Renders the job's milestones and writes them to its page, in order. */
int ics_render_events_of(struct ics_job *j);
/* The same for a feed, ledger by ledger: those the options give the bytes
 * of are copied, the others rendered. */
int ics_render_ledgers(struct ics_job *j);
