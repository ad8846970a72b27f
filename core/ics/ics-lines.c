/* SPDX-License-Identifier: MIT */
/* libical's serialisation made canonical (unfolded, every value escaped as
 * RFC 5545 wants), and lines folded at 75 octets on character boundaries. */
#include <errno.h>

#include "basic/text.h"
#include "ics/ics-internal.h"

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

/* Appends libical's serialisation s as unfolded CRLF lines, in which every
 * CR is part of a CRLF, and frees s. 0 or -ENOMEM. */
int ics_put_serialised(struct ics_buf *b, char *s) {
        const char *p, *end;

        if (!s)
                return -ENOMEM;
        end = s + ics_unfold(s, strlen(s));
        for (p = s; p < end;) {
                const char *eol = ics_line_end(p, end);

                ics_put_line(b, p, (size_t) (eol - p));
                p = eol + (eol < end ? 2 : 0);
        }
        free(s);
        return b->failed ? -ENOMEM : 0;
}

/* Appends the property p, serialised by libical, and frees it. */
int ics_put_property(struct ics_buf *b, icalproperty *p) {
        char *s;

        if (!p)
                return -ENOMEM;
        s = icalproperty_as_ical_string_r(p);
        icalproperty_free(p);
        return ics_put_serialised(b, s);
}

/* ---- output ---------------------------------------------------------------- */

/* Where the physical line that starts at pos, with room octets, ends: never
 * inside a UTF-8 character, and never just before a space, so that no
 * continuation line starts with a space and none is only whitespace. */
static size_t ics_fold_cut(const char *line, size_t len, size_t pos, size_t room) {
        size_t cut;

        if (len - pos <= room)
                return len;
        cut = pos + room;
        while (cut > pos + 1 && (text_utf8_continuation(line[cut]) || line[cut] == ' '))
                cut--;
        if (cut > pos + 1)
                return cut;
        /* Only spaces fit: a boundary between characters still does. */
        for (cut = pos + room; cut > pos + 1 && text_utf8_continuation(line[cut]);)
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

/* Appends canonical lines (each CR starts a CRLF), folded. Most lines need
 * no fold: the runs of them between long lines are copied in one go. */
void ics_fold_text(struct ics_buf *o, const char *text, size_t len) {
        const char *p = text, *run = text, *end = text + len;

        while (p < end) {
                const char *cr = memchr(p, '\r', (size_t) (end - p));

                if (!cr)
                        cr = end;
                if (cr - p > ICS_FOLD_OCTETS || cr == end) {
                        buf_put(o, run, (size_t) (p - run));
                        ics_fold_line(o, p, (size_t) (cr - p));
                        run = cr + 2;
                }
                p = cr + 2;
        }
        if (run < end)
                buf_put(o, run, (size_t) (end - run));
}
