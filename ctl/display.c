/* SPDX-License-Identifier: MIT */
#include "display.h"

#include <stdlib.h>
#include <string.h>

#include "basic/text.h"

/* ---- escaping ---------------------------------------------------------------- */

static const char *named_escape(unsigned char c) {
        switch (c) {
        case '\a': return "\\a";
        case '\b': return "\\b";
        case '\t': return "\\t";
        case '\n': return "\\n";
        case '\v': return "\\v";
        case '\f': return "\\f";
        case '\r': return "\\r";
        default: return NULL;
        }
}

static char *escape_bytes(char *o, const char *s, size_t n) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                const char *name = named_escape(c);

                if (name) {
                        memcpy(o, name, 2);
                        o += 2;
                        continue;
                }
                *o++ = '\\';
                *o++ = 'x';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
        }
        return o;
}

/* The length of the character at s that may be shown as it is, or 0 when
 * its bytes must be escaped (*n then says how many). */
static size_t shown_as_is(const char *s, size_t left, bool keep_newlines, size_t *n) {
        unsigned char c = (unsigned char) *s;
        unsigned cp;
        size_t len;

        if (c < 0x80) {
                *n = 1;
                return (c >= 0x20 && c != 0x7f) || (keep_newlines && c == '\n') ? 1 : 0;
        }
        len = text_utf8_decode(s, left, &cp);
        *n = len ? len : 1;
        /* C1 controls (U+0080 to U+009F): U+009B is a CSI, as ESC [ is. */
        return len && (cp < 0x80 || cp > 0x9f) ? len : 0;
}

char *display_escape(const char *s, bool keep_newlines) {
        size_t size = strlen(s), i = 0;
        /* The worst case: every byte as \xNN. */
        char *out = malloc(size * 4 + 1), *o = out;

        if (!out)
                return NULL;
        while (i < size) {
                size_t n, keep = shown_as_is(s + i, size - i, keep_newlines, &n);

                if (keep) {
                        memcpy(o, s + i, keep);
                        o += keep;
                } else
                        o = escape_bytes(o, s + i, n);
                i += n;
        }
        *o = '\0';
        return out;
}

/* ---- wrapping ---------------------------------------------------------------- */

/* Chinese punctuation that may not begin a line, and that may not end one. */
static bool closing_punctuation(unsigned cp) {
        static const unsigned closing[] = { 0xff0c, 0x3002, 0x3001, 0xff1b, 0xff1a, 0xff1f,
                                            0xff01, 0xff09, 0x300b, 0x300d, 0x300f, 0x3011,
                                            0x3009, 0x201d, 0x2019, 0x2026 };

        for (size_t i = 0; i < sizeof closing / sizeof *closing; i++)
                if (cp == closing[i])
                        return true;
        return false;
}

static bool opening_punctuation(unsigned cp) {
        return cp == 0xff08 || cp == 0x300a || cp == 0x300c || cp == 0x300e || cp == 0x3010 ||
               cp == 0x3008 || cp == 0x201c || cp == 0x2018;
}

/* Whether a line may begin with cp when prev ends the line before. */
static bool break_before(unsigned prev, unsigned cp) {
        if (cp == ' ')
                return false;
        if (prev == ' ')
                return true;
        if (closing_punctuation(cp) || opening_punctuation(prev))
                return false;
        return text_cp_width(cp) == 2 || text_cp_width(prev) == 2;
}

struct wrap {
        FILE *out;
        const char *s;
        size_t indent, width;
        size_t line;  /* where the line being filled starts in s */
        size_t col;   /* its width so far, indent or start included */
        size_t brk;   /* a place it may break, or 0: none yet */
        size_t brk_col; /* col at brk */
};

static void emit(struct wrap *w, size_t end) {
        while (end > w->line && w->s[end - 1] == ' ')
                end--;
        fwrite(w->s + w->line, 1, end - w->line, w->out);
        fputc('\n', w->out);
        for (size_t i = 0; i < w->indent; i++)
                fputc(' ', w->out);
}

/* The line is full before the character at i: it ends at the last place it
 * may break, else here. */
static void wrap_before(struct wrap *w, size_t i) {
        if (w->brk > w->line) {
                emit(w, w->brk);
                w->line = w->brk;
                w->col = w->indent + (w->col - w->brk_col);
        } else {
                emit(w, i);
                w->line = i;
                w->col = w->indent;
        }
        w->brk = 0;
}

/* The length of a colour sequence at s (ESC [ digits and ';' m), or 0. */
static size_t colour_sequence(const char *s) {
        size_t n = 2;

        if (s[0] != '\033' || s[1] != '[')
                return 0;
        while ((s[n] >= '0' && s[n] <= '9') || s[n] == ';')
                n++;
        return s[n] == 'm' ? n + 1 : 0;
}

/* Ends the line at i, the character there (a newline, a space) dropped;
 * where the next line starts. */
static size_t end_line(struct wrap *w, size_t i) {
        emit(w, i);
        w->line = i + 1;
        w->col = w->indent;
        w->brk = 0;
        return i + 1;
}

static void wrap_text(struct wrap *w) {
        size_t n = strlen(w->s), i = w->line;
        unsigned prev = ' ';

        while (i < n) {
                unsigned cp;
                size_t len = colour_sequence(w->s + i), cw;

                if (len > 0) { /* takes no room, and is no place to break */
                        i += len;
                        continue;
                }
                len = text_utf8_decode(w->s + i, n - i, &cp);

                if (len == 0) /* escaped already: does not happen */
                        len = 1, cp = '?';
                if (cp == '\n') {
                        i = end_line(w, i);
                        prev = ' ';
                        continue;
                }
                cw = (size_t) text_cp_width(cp);
                if (i > w->line && break_before(prev, cp)) {
                        w->brk = i;
                        w->brk_col = w->col;
                }
                if (w->width && w->col + cw > w->width && i > w->line && cp == ' ') {
                        i = end_line(w, i); /* the space that does not fit ends the line */
                        prev = ' ';
                        continue;
                }
                if (w->width && w->col + cw > w->width && i > w->line)
                        wrap_before(w, i);
                w->col += cw;
                prev = cp;
                i += len;
        }
        fwrite(w->s + w->line, 1, n - w->line, w->out);
        fputc('\n', w->out);
}

void display_wrap_coloured(FILE *out, const char *s, size_t start, size_t indent, size_t width) {
        struct wrap w = { .out = out, .s = s, .indent = indent, .width = width, .col = start };

        /* Too narrow to wrap sensibly: one long line is better than a column. */
        if (width && width < indent + 8)
                w.width = 0;
        wrap_text(&w);
}

void display_wrap(FILE *out, const char *s, size_t start, size_t indent, size_t width) {
        char *shown = display_escape(s, true);

        display_wrap_coloured(out, shown ? shown : "", start, indent, width);
        free(shown);
}

void display_field(FILE *out, const char *label, const char *value, size_t width) {
        if (!value || !*value)
                return;
        fprintf(out, "%*s: ", DISPLAY_LABEL_WIDTH, label);
        display_wrap(out, value, DISPLAY_VALUE_COLUMN, DISPLAY_VALUE_COLUMN, width);
}

void display_field_coloured(FILE *out, const char *label, const char *value, size_t width) {
        if (!value || !*value)
                return;
        fprintf(out, "%*s: ", DISPLAY_LABEL_WIDTH, label);
        display_wrap_coloured(out, value, DISPLAY_VALUE_COLUMN, DISPLAY_VALUE_COLUMN, width);
}
