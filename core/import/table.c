/* SPDX-License-Identifier: MIT */
/* Spreadsheets exported as text. Excel and WPS quote a field only when it
 * holds the delimiter, a quote or a line break, and then double its quotes.
 * A hand-written file may instead start a field with a quote that is just
 * text ("全覆盖"工作): a field is read as quoted only when its closing quote
 * is followed by the delimiter or the end of the line, else literally, as a
 * person would read it. */
#include "import/table.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/greedy.h"
#include "basic/strv.h"
#include "basic/text.h"

/* ---- encodings -------------------------------------------------------------- */

/* Control characters other than tab, line and page breaks mark binary data;
 * a DOS end-of-file mark (^Z) at the very end is dropped. */
static int check_text(char *s, size_t *len) {
        if (*len > 0 && s[*len - 1] == 0x1A)
                s[--*len] = '\0';
        for (size_t i = 0; i < *len; i++) {
                unsigned char c = (unsigned char) s[i];

                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ||
                    c == 0x7F)
                        return -EILSEQ;
        }
        return 0;
}

/* glibc's iconv, all or nothing: a byte it cannot convert means the text is
 * not in that encoding, never a character silently dropped. */
static int convert(const char *from, const char *data, size_t size, char **out, size_t *len) {
        iconv_t cd = iconv_open("UTF-8", from);
        size_t cap = size * 2 + 16, in_left = size, out_left = cap;
        _cleanup_free_ char *buf = NULL;
        char *in = (char *) data, *o;
        int r = 0;

        if (cd == (iconv_t) -1)
                return -errno;
        buf = malloc(cap + 1);
        if (!buf) {
                iconv_close(cd);
                return -ENOMEM;
        }
        o = buf;
        /* UTF-16 and GB18030 never take more than 2 bytes of UTF-8 per input byte. */
        if (iconv(cd, &in, &in_left, &o, &out_left) == (size_t) -1 ||
            iconv(cd, NULL, NULL, &o, &out_left) == (size_t) -1)
                r = -EILSEQ;
        iconv_close(cd);
        if (r < 0)
                return r;
        *o = '\0';
        *len = (size_t) (o - buf);
        *out = TAKE_PTR(buf);
        return 0;
}

static int copy_text(const char *data, size_t size, char **out, size_t *len) {
        *out = malloc(size + 1);
        if (!*out)
                return -ENOMEM;
        memcpy(*out, data, size);
        (*out)[size] = '\0';
        *len = size;
        return 0;
}

static int decode_any(const char *d, size_t size, char **text, size_t *len, const char **enc) {
        if (size >= 2 && (memcmp(d, "\xFF\xFE", 2) == 0 || memcmp(d, "\xFE\xFF", 2) == 0)) {
                *enc = "UTF-16";
                return convert("UTF-16", d, size, text, len); /* the BOM says which end */
        }
        if (memchr(d, '\0', size))
                return -EILSEQ;
        if (size >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
                *enc = "UTF-8 with BOM";
                return text_utf8_valid(d + 3, size - 3) ? copy_text(d + 3, size - 3, text, len)
                                                   : -EILSEQ;
        }
        if (text_utf8_valid(d, size)) {
                *enc = "UTF-8";
                return copy_text(d, size, text, len);
        }
        *enc = "GB18030"; /* a superset of GBK and GB2312 */
        return convert("GB18030", d, size, text, len);
}

int table_decode(const void *data, size_t size, char **text, size_t *len,
                 const char **encoding) {
        const char *enc = NULL;
        int r;

        if (size > TABLE_SIZE_MAX)
                return -EFBIG;
        r = decode_any(data, size, text, len, &enc);
        if (r == 0 && (memchr(*text, '\0', *len) || check_text(*text, len) < 0)) {
                free(*text);
                r = -EILSEQ;
        }
        if (r < 0) {
                *text = NULL;
                *len = 0;
                return r;
        }
        *encoding = enc;
        return 0;
}

/* ---- rows and cells ------------------------------------------------------- */

struct buf {
        char *s;
        size_t len, cap;
};

struct parser {
        const char *p, *e;
        char delim;
        int line; /* of p */
        const char *file;
        struct table *t;
        struct diagnostics *d;
        struct buf field;
        char **cells;
        size_t n_cells, cap_cells;
        size_t cap_rows; /* room in t->rows */
};

static int buf_put(struct buf *b, const char *s, size_t n) {
        if (GREEDY_REALLOC(b->s, b->cap, b->len + n + 1) < 0)
                return -ENOMEM;
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
        return 0;
}

static bool at_end_of_field(const struct parser *ps, const char *q) {
        return q == ps->e || *q == ps->delim || *q == '\n' || *q == '\r';
}

/* A line break at q: "\r\n", "\n" or a lone "\r"; its length, or 0. */
static size_t line_break(const char *q, const char *e) {
        if (q < e && *q == '\r')
                return q + 1 < e && q[1] == '\n' ? 2 : 1;
        return q < e && *q == '\n' ? 1 : 0;
}

/* Past the closing quote of the quoted field at ps->p, or NULL when it is no
 * quoted field (never closed, or text follows its closing quote). */
static const char *quoted_end(const struct parser *ps, bool *unclosed) {
        const char *q = ps->p + 1;

        *unclosed = false;
        for (;;) {
                q = memchr(q, '"', (size_t) (ps->e - q));
                if (!q) {
                        *unclosed = true;
                        return NULL;
                }
                if (q + 1 < ps->e && q[1] == '"') {
                        q += 2;
                        continue;
                }
                return at_end_of_field(ps, q + 1) ? q + 1 : NULL;
        }
}

/* The quoted field's text: "" becomes ", line breaks are counted. */
static int read_quoted(struct parser *ps, const char *end) {
        const char *q = ps->p + 1, *stop = end - 1;

        while (q < stop) {
                size_t lb = line_break(q, stop);

                if (*q == '"') { /* a doubled quote: quoted_end() checked it */
                        if (buf_put(&ps->field, "\"", 1) < 0)
                                return -ENOMEM;
                        q += 2;
                        continue;
                }
                if (lb)
                        ps->line++;
                if (buf_put(&ps->field, q, lb ? lb : 1) < 0)
                        return -ENOMEM;
                q += lb ? lb : 1;
        }
        ps->p = end;
        return 0;
}

static int read_plain(struct parser *ps) {
        const char *q = ps->p;

        while (!at_end_of_field(ps, q))
                q++;
        if (buf_put(&ps->field, ps->p, (size_t) (q - ps->p)) < 0)
                return -ENOMEM;
        ps->p = q;
        return 0;
}

static int read_field(struct parser *ps) {
        const char *end;
        bool unclosed;

        ps->field.len = 0;
        if (buf_put(&ps->field, "", 0) < 0)
                return -ENOMEM;
        if (ps->p == ps->e || *ps->p != '"')
                return read_plain(ps);
        end = quoted_end(ps, &unclosed);
        if (end)
                return read_quoted(ps, end);
        if (unclosed)
                diag_add(ps->d, DIAG_WARNING, ps->file, ps->line,
                         "a quote opens a field here and never closes: read as text");
        return read_plain(ps);
}

static int push_cell(struct parser *ps) {
        char *cell = strdup(ps->field.s ? ps->field.s : "");

        if (!cell)
                return -ENOMEM;
        if (GREEDY_REALLOC(ps->cells, ps->cap_cells, ps->n_cells + 1) < 0) {
                free(cell);
                return -ENOMEM;
        }
        ps->cells[ps->n_cells++] = cell;
        return 0;
}

static int push_row(struct parser *ps, int line) {
        struct table *t = ps->t;

        if (GREEDY_REALLOC(t->rows, ps->cap_rows, t->n_rows + 1) < 0)
                return -ENOMEM;
        t->rows[t->n_rows++] = (struct table_row) { ps->cells, ps->n_cells, line };
        ps->cells = NULL;
        ps->n_cells = ps->cap_cells = 0;
        return 0;
}

static int read_row(struct parser *ps) {
        int line = ps->line;

        for (;;) {
                size_t lb;

                if (read_field(ps) < 0 || push_cell(ps) < 0)
                        return -ENOMEM;
                if (ps->p < ps->e && *ps->p == ps->delim) {
                        ps->p++;
                        continue;
                }
                lb = line_break(ps->p, ps->e);
                ps->p += lb;
                ps->line += lb ? 1 : 0;
                return push_row(ps, line);
        }
}

/* The tab when one stands outside quotes; otherwise ';' when more lines hold
 * one than a comma (as Excel writes CSV where the comma is a decimal mark). */
static char guess_delimiter(const char *s, size_t len) {
        size_t comma_lines = 0, semi_lines = 0;
        bool quoted = false, comma = false, semi = false;

        for (size_t i = 0; i <= len; i++) {
                char c = i < len ? s[i] : '\n';

                if (c == '"')
                        quoted = !quoted;
                else if (c == '\t' && !quoted)
                        return '\t';
                else if (c == ',' && !quoted)
                        comma = true;
                else if (c == ';' && !quoted)
                        semi = true;
                else if (c == '\n' && !quoted) {
                        comma_lines += comma;
                        semi_lines += semi;
                        comma = semi = false;
                }
        }
        return semi_lines > comma_lines ? ';' : ',';
}

int table_parse(const char *text, size_t len, const char *file, struct table *out,
                struct diagnostics *d) {
        struct parser ps = {
                .p = text, .e = text + len, .line = 1, .file = file, .t = out, .d = d,
        };
        int r = 0;

        *out = (struct table) { .encoding = "UTF-8" };
        out->delimiter = ps.delim = guess_delimiter(text, len);
        while (ps.p < ps.e && r == 0)
                r = read_row(&ps);
        strv_free_n(ps.cells, ps.n_cells);
        free(ps.field.s);
        if (r < 0)
                table_free(out);
        return r;
}

int table_read(const void *data, size_t size, const char *file, struct table *out,
               struct diagnostics *d) {
        const char *encoding;
        char *text;
        size_t len;
        int r = table_decode(data, size, &text, &len, &encoding);

        if (r < 0) {
                *out = (struct table) { 0 };
                return r;
        }
        r = table_parse(text, len, file, out, d);
        if (r == 0)
                out->encoding = encoding;
        free(text);
        return r;
}

void table_free(struct table *t) {
        for (size_t i = 0; i < t->n_rows; i++) {
                for (size_t j = 0; j < t->rows[i].n_cells; j++)
                        free(t->rows[i].cells[j]);
                free(t->rows[i].cells);
        }
        free(t->rows);
        *t = (struct table) { 0 };
}
