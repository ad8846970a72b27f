/* SPDX-License-Identifier: MIT */
/* The imported ledger as a ledger file laid out as conf/ledgers/ are: long
 * texts split into adjacent strings (libconfig joins them) to about 100
 * columns, and what was inferred as comments above each task. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "basic/text.h"

#define LINE_WIDTH 100
#define CHUNK_MIN 24

/* c as it stands inside a libconfig string; returns its length in o. */
static size_t escape_char(char c, char o[5]) {
        static const char from[] = "\"\\\n\r\t\f", to[] = "\"\\nrtf";
        const char *p = c ? strchr(from, c) : NULL;

        if (p) {
                o[0] = '\\';
                o[1] = to[p - from];
                return 2;
        }
        if ((unsigned char) c < 0x20 || c == 0x7F) {
                snprintf(o, 5, "\\x%02X", (unsigned) (unsigned char) c);
                return 4;
        }
        o[0] = c;
        return 1;
}

char *import_quote(const char *s) {
        char *out = malloc(strlen(s) * 4 + 3), *o = out;

        if (!out)
                return NULL;
        *o++ = '"';
        for (; *s; s++)
                o += escape_char(*s, o);
        *o++ = '"';
        *o = '\0';
        return out;
}

/* Columns s[0…] takes in the file (n bytes left), and its length in *len. */
static size_t char_width(const char *s, size_t n, size_t *len) {
        char esc[5];
        unsigned cp;

        *len = text_utf8_decode(s, n, &cp);
        if (*len > 1)
                return (size_t) text_cp_width(cp);
        *len = 1;
        return escape_char(*s, esc);
}

static bool break_after(const char *s, size_t len) {
        static const char *const marks[] = { "，", "。", "、", "；", "：", "）", "》", "”",
                                             "！", "？", ",", ";", " ", NULL };

        for (const char *const *m = marks; *m; m++)
                if (strlen(*m) == len && memcmp(s, *m, len) == 0)
                        return true;
        return false;
}

/* How many bytes of s the next string takes: at most room columns, cut after
 * punctuation where that leaves the line at least two-thirds full, and
 * always after a line break. */
static size_t chunk(const char *s, size_t n, size_t room) {
        size_t width = 0, pos = 0, good = 0, good_width = 0;

        while (pos < n) {
                size_t len, w = char_width(s + pos, n - pos, &len);

                /* Closing punctuation may stand past the edge, never open a line. */
                if (pos > 0 && width + w > room && (width > room || !break_after(s + pos, len)))
                        return good_width * 3 >= room * 2 ? good : pos;
                width += w;
                pos += len;
                if (s[pos - 1] == '\n')
                        return pos;
                if (break_after(s + pos - len, len)) {
                        good = pos;
                        good_width = width;
                }
        }
        return pos;
}

static void write_quoted(FILE *out, const char *s, size_t n) {
        char esc[5];

        fputc('"', out);
        for (size_t i = 0; i < n; i++)
                fwrite(esc, 1, escape_char(s[i], esc), out);
        fputc('"', out);
}

/* key = "…" "…"; with the continued strings under the first. */
static void write_text(FILE *out, const char *indent, const char *key, const char *v) {
        size_t col = strlen(indent) + strlen(key) + 3;
        size_t room = col + 3 + CHUNK_MIN > LINE_WIDTH ? CHUNK_MIN : LINE_WIDTH - col - 3;
        size_t left = strlen(v);
        bool first = true;

        fprintf(out, "%s%s = ", indent, key);
        do {
                size_t n = chunk(v, left, room);

                if (!first)
                        fprintf(out, "\n%*s", (int) col, "");
                write_quoted(out, v, n);
                v += n;
                left -= n;
                first = false;
        } while (left > 0);
        fputs(";\n", out);
}

/* A comment line: control characters would end it early. */
static void write_comment(FILE *out, const char *indent, const char *text) {
        fprintf(out, "%s#%s", indent, *text ? " " : "");
        for (; *text; text++)
                fputc((unsigned char) *text < 0x20 || *text == 0x7F ? ' ' : *text, out);
        fputc('\n', out);
}

static void write_owners(FILE *out, const struct import_task *t) {
        fputs("      owners = [", out);
        for (size_t i = 0; i < t->n_owners; i++) {
                fputs(i ? ", " : " ", out);
                write_quoted(out, t->owners[i], strlen(t->owners[i]));
        }
        fputs(" ];\n", out);
}

static void write_task(FILE *out, const struct import_task *t, bool last) {
        for (size_t i = 0; i < t->n_notes; i++)
                write_comment(out, "    ", t->notes[i]);
        fputs("    {\n", out);
        write_text(out, "      ", "id", t->id);
        write_text(out, "      ", "category", t->category);
        write_text(out, "      ", "item", t->item);
        write_text(out, "      ", "detail", t->detail);
        write_owners(out, t);
        write_text(out, "      ", "deadline", t->deadline);
        fputs(last ? "    }\n" : "    },\n", out);
}

static const char *delimiter_name(char d) {
        return d == '\t' ? "tab-separated" : d == ';' ? "semicolon-separated" : "comma-separated";
}

static void write_owner_block(FILE *out, const struct import_ledger *l) {
        write_comment(out, "", "The owners (责任主体) the table names. ledgerd loads this ledger "
                      "only when");
        write_comment(out, "", "each is defined in the owners of ledgerd.conf, with the name "
                      "exactly as here");
        write_comment(out, "", "and an ASCII id of your choice:");
        write_comment(out, "", "");
        for (size_t i = 0; i < l->n_owners; i++) {
                char *q = import_quote(l->owners[i].name), *line = NULL;

                if (q && asprintf(&line, "  { id = \"unit%zu\"; name = %s; },   # %zu task%s",
                                  i + 1, q, l->owners[i].n_tasks,
                                  l->owners[i].n_tasks == 1 ? "" : "s") >= 0)
                        write_comment(out, "", line);
                free(line);
                free(q);
        }
}

static void write_header(FILE *out, const struct import_ledger *l) {
        char *line = NULL;

        if (asprintf(&line, "%s: imported by ledgerctl import from %s (%s, %s), %zu task%s.",
                     l->title, l->file, l->encoding ? l->encoding : "UTF-8",
                     delimiter_name(l->delimiter), l->n_tasks, l->n_tasks == 1 ? "" : "s") >= 0)
                write_comment(out, "", line);
        free(line);
        write_comment(out, "", "");
        write_comment(out, "", "Texts are verbatim. Every reading ledgerctl had to infer was a "
                      "warning and is a");
        write_comment(out, "", "comment above its task: check those against the table.");
        write_comment(out, "", "");
        write_owner_block(out, l);
        fputc('\n', out);
}

int import_write(const struct import_ledger *l, FILE *out) {
        write_header(out, l);
        fputs("ledger = {\n", out);
        write_text(out, "  ", "id", l->id);
        write_text(out, "  ", "title", l->title);
        fprintf(out, "  year = %d;\n  tasks = (\n", l->year);
        for (size_t i = 0; i < l->n_tasks; i++) {
                fputc('\n', out);
                write_task(out, &l->tasks[i], i + 1 == l->n_tasks);
        }
        if (l->n_trailing_notes)
                fputc('\n', out);
        for (size_t i = 0; i < l->n_trailing_notes; i++)
                write_comment(out, "    ", l->trailing_notes[i]);
        fputs("  );\n};\n", out);
        return ferror(out) ? -EIO : 0;
}
