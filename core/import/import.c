/* SPDX-License-Identifier: MIT */
/* A 台账 table into a ledger, in two passes. This first one reads row by
 * row: the title, each page's header row, and each data row's cells placed
 * under their headers, or by content where they do not stand there (the
 * owners found where they are, and the cells before them counted against the
 * header: one more is a sub-item after 工作事项, one fewer a missing
 * 任务大类). The second pass (import-merge.c) needs the whole table. */
#include "import/import.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "basic/text.h"
#include "conf/confread.h"
#include "import/import-internal.h"

#define SHIFT_MAX 2        /* more cells out of place than this: read by the header */
#define HEADER_CELL_MAX 12 /* code points: no column name is longer */
#define EXCERPT_MAX 24 /* code points of a cell quoted in a message */

static bool serial_like(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_';
}

/* A data row's cells, trimmed, with what their content looks like. */
struct cells {
        char **text;
        bool *owner, *phrase;
        size_t n;
};

/* ---- messages ------------------------------------------------------------------ */

char *import_excerpt(const char *s) {
        size_t len = strlen(s), n = 0, i = 0;
        char *out = malloc(len + sizeof "…");

        if (!out)
                return NULL;
        for (; i < len && n < EXCERPT_MAX; n++) {
                size_t k = 1;

                while (i + k < len && text_utf8_continuation(s[i + k]))
                        k++;
                memcpy(out + i, s + i, k);
                for (size_t j = i; j < i + k; j++)
                        if ((unsigned char) out[j] < 0x20 || out[j] == 0x7F)
                                out[j] = ' ';
                i += k;
        }
        strcpy(out + i, i < len ? "…" : "");
        return out;
}

void import_fail(struct reader *rd, int r) {
        if (r < 0 && rd->r == 0)
                rd->r = r;
}

void import_warn(struct reader *rd, struct row *row, int line, const char *fmt, ...) {
        char *msg = NULL, *note = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg || asprintf(&note, "line %d: %s", line, msg) < 0) {
                free(msg);
                import_fail(rd, -ENOMEM);
                return;
        }
        diag_add(rd->d, DIAG_WARNING, rd->file, line, "%s", msg);
        import_fail(rd, row ? strv_push(&row->notes, &row->n_notes, note)
                    : strv_push(&rd->pending, &rd->n_pending, note));
        free(note);
        free(msg);
}

/* ---- the header row ------------------------------------------------------------- */

static void header_free(struct header *h) {
        free(h->roles);
        free(h->left);
        *h = (struct header) { 0 };
}

static bool is_text_role(enum col_role r) {
        return r != ROLE_NONE && r != ROLE_ID && r != ROLE_OWNERS && r != ROLE_COOWNERS;
}

/* The positions that placing cells by content needs. */
static int header_index(struct header *h) {
        h->id_col = h->first_owner = NONE;
        for (size_t i = 0; i < h->n; i++) {
                if (h->roles[i] == ROLE_ID && h->id_col == NONE)
                        h->id_col = i;
                if ((h->roles[i] == ROLE_OWNERS || h->roles[i] == ROLE_COOWNERS) &&
                    h->first_owner == NONE)
                        h->first_owner = i;
        }
        h->left_start = h->id_col == 0 ? 1 : 0;
        h->left = calloc(h->n + 1, sizeof *h->left);
        if (!h->left)
                return -ENOMEM;
        for (size_t i = h->left_start; h->first_owner != NONE && i < h->first_owner; i++)
                if (is_text_role(h->roles[i]))
                        h->left[h->n_left++] = h->roles[i];
        return 0;
}

/* A header names at least two columns, one of them the work itself, and
 * holds no cell longer than a column name. */
static bool header_parse(const struct table_row *tr, struct header *h) {
        size_t known = 0, filled = 0;
        bool work = false, long_cell = false;

        *h = (struct header) { .n = tr->n_cells, .line = tr->line };
        h->roles = calloc(tr->n_cells + 1, sizeof *h->roles);
        if (!h->roles)
                return false;
        for (size_t i = 0; i < tr->n_cells; i++) {
                bool k;

                h->roles[i] = cell_header_role(tr->cells[i], &k);
                filled += h->roles[i] != ROLE_NONE;
                known += k;
                work |= k && (h->roles[i] == ROLE_ITEM || h->roles[i] == ROLE_DETAIL);
                long_cell |= cell_length(tr->cells[i]) > HEADER_CELL_MAX;
        }
        if (!long_cell && known >= 2 && work && known * 2 >= filled && header_index(h) == 0)
                return true;
        header_free(h);
        return false;
}

static void warn_ignored_columns(struct reader *rd, const struct table_row *tr) {
        for (size_t i = 0; i < rd->h.n; i++) {
                char *name;

                if (rd->h.roles[i] != ROLE_OTHER ||
                    strv_contains(rd->ignored_columns, rd->n_ignored_columns, tr->cells[i]))
                        continue;
                import_fail(rd, strv_push(&rd->ignored_columns, &rd->n_ignored_columns,
                                          tr->cells[i]));
                name = import_excerpt(tr->cells[i]);
                if (name)
                        import_warn(rd, NULL, tr->line, "column %zu (%s) is not imported: ledgerd "
                                    "keeps no such field", i + 1, name);
                free(name);
        }
}

/* The ledger's year, once: --year, else the title's. */
static int settle_year(struct reader *rd, int line) {
        int titled = rd->title ? cell_year(rd->title) : 0;

        if (rd->year)
                return 0;
        rd->year = rd->o->year ? rd->o->year : titled;
        if (rd->o->year && titled && titled != rd->o->year)
                import_warn(rd, NULL, line, "the title says %d; --year %d is used", titled,
                            rd->o->year);
        if (rd->year)
                return 0;
        diag_add(rd->d, DIAG_ERROR, rd->file, line, "no year: the title names none (such as "
                 "\"2025年度\"); give the ledger's year with --year");
        return -EINVAL;
}

static bool try_header(struct reader *rd, const struct table_row *tr) {
        struct header h;

        if (!header_parse(tr, &h))
                return false;
        header_free(&rd->h);
        rd->h = h;
        if (!rd->have_header && !rd->title)
                import_warn(rd, NULL, tr->line, "no title above the header row: the title is taken "
                            "from the file name");
        if (!rd->have_header && rd->n_above > 0)
                import_warn(rd, NULL, tr->line, "%zu row%s between the title and the header "
                            "row %s not imported", rd->n_above, rd->n_above == 1 ? "" : "s",
                            rd->n_above == 1 ? "is" : "are");
        rd->have_header = true;
        import_fail(rd, settle_year(rd, tr->line));
        warn_ignored_columns(rd, tr);
        return true;
}

/* ---- rows of one text ---------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);

        return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_page_title(const struct reader *rd, const char *s) {
        if (rd->title && strncmp(s, rd->title, strlen(rd->title)) == 0)
                return true;
        return strv_contains(rd->pre, rd->n_pre, s) || ends_with(s, "台账") ||
               ends_with(s, "台帐");
}

/* The title, a repeated page title, a line above the header, or a heading
 * ("一、重点工作" alone on its row): true when the row was one of them. */
static bool single_text_row(struct reader *rd, const struct table_row *tr, size_t col,
                            const char *text) {
        char *serial, *ex;

        if (rd->have_header && (serial = cell_serial(text))) {
                free(serial);
                return false;
        }
        if (!rd->have_header && !rd->title) {
                rd->title = strdup(text);
                import_fail(rd, rd->title ? 0 : -ENOMEM);
                return true;
        }
        if (is_page_title(rd, text))
                return true;
        ex = import_excerpt(text);
        if (!rd->have_header) {
                import_fail(rd, strv_push(&rd->pre, &rd->n_pre, text));
                rd->n_above++;
        } else if (col == 0 || col == rd->h.id_col || (col < rd->h.n && rd->h.roles[col] ==
                                                                         ROLE_CATEGORY)) {
                free(rd->heading);
                rd->heading = strdup(text);
                rd->heading_line = tr->line;
                import_fail(rd, rd->heading ? 0 : -ENOMEM);
                import_warn(rd, NULL, tr->line, "\"%s\" alone on its row: read as a heading, the "
                            "任务大类 of the rows below it", ex);
        } else {
                free(ex);
                return false;
        }
        free(ex);
        return true;
}

/* ---- a data row's cells ---------------------------------------------------- */

static void cells_free(struct cells *c) {
        strv_free_n(c->text, c->n);
        free(c->owner);
        free(c->phrase);
        *c = (struct cells) { 0 };
}

static int cells_load(struct cells *c, const struct table_row *tr, int year) {
        *c = (struct cells) { .n = tr->n_cells };
        c->text = calloc(c->n + 1, sizeof *c->text);
        c->owner = calloc(c->n + 1, sizeof *c->owner);
        c->phrase = calloc(c->n + 1, sizeof *c->phrase);
        if (!c->text || !c->owner || !c->phrase) {
                cells_free(c);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n; i++) {
                c->text[i] = cell_trim(tr->cells[i]);
                if (!c->text[i]) {
                        cells_free(c);
                        return -ENOMEM;
                }
                c->phrase[i] = cell_phrase(c->text[i], year);
                c->owner[i] = !c->phrase[i] && cell_owner_like(c->text[i]);
        }
        return 0;
}

static size_t count_filled(const struct table_row *tr, size_t *last) {
        size_t n = 0;

        for (size_t i = 0; i < tr->n_cells; i++) {
                char *t = cell_trim(tr->cells[i]);

                if (t && *t) {
                        n++;
                        *last = i;
                }
                free(t);
        }
        return n;
}

/* ---- placing cells by content ---------------------------------------------------- */

static bool owners_in_place(const struct header *h, const struct cells *c) {
        for (size_t i = 0; i < h->n && i < c->n; i++)
                if ((h->roles[i] == ROLE_OWNERS || h->roles[i] == ROLE_COOWNERS) && c->owner[i])
                        return true;
        return false;
}

/* A deadline phrase under 完成时间 says the row is not shifted, whatever a
 * unit's name in another cell suggests. */
static bool deadline_in_place(const struct header *h, const struct cells *c, long shift) {
        size_t col = NONE, moved;

        for (size_t i = 0; i < h->n && col == NONE; i++)
                if (h->roles[i] == ROLE_DEADLINE)
                        col = i;
        if (col == NONE || col >= c->n || !c->phrase[col])
                return false;
        moved = (size_t) ((long) col + shift);
        return moved >= c->n || !c->phrase[moved];
}

/* The cell that looks like owners nearest the header's owner column. */
static size_t nearest_owner(const struct header *h, const struct cells *c) {
        for (size_t dist = 0; dist < c->n + h->n; dist++) {
                size_t left = h->first_owner - dist, right = h->first_owner + dist;

                if (dist <= h->first_owner && left >= h->left_start && left != h->id_col &&
                    left < c->n && c->owner[left])
                        return left;
                if (right < c->n && right != h->id_col && c->owner[right])
                        return right;
        }
        return NONE;
}

/* Where extra cells go: after 工作事项, else before the last text column. */
static size_t insertion_point(const struct header *h) {
        for (size_t k = 0; k < h->n_left; k++)
                if (h->left[k] == ROLE_ITEM)
                        return k + 1;
        return h->n_left ? h->n_left - 1 : 0;
}

static void shifted_warning(struct reader *rd, struct row *row, long shift) {
        const struct header *h = &rd->h;
        char missing[128] = "";

        if (shift > 0) {
                import_warn(rd, row, row->line, "%ld cell%s more than the header before 责任主体 "
                            "(cells shifted right): read as a sub-item of 工作事项", shift,
                            shift == 1 ? "" : "s");
                return;
        }
        for (size_t k = 0; k < (size_t) -shift; k++)
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                         k ? ", " : "", role_name(h->left[k]));
        import_warn(rd, row, row->line, "%ld cell%s fewer than the header before 责任主体 (cells "
                    "shifted left): %s missing", -shift, shift == -1 ? "" : "s", missing);
}

static void mark_missing(struct row *row, enum col_role r) {
        if (r == ROLE_CATEGORY)
                row->slots[FIELD_CATEGORY] = SLOT_MISSING;
        else if (r == ROLE_ITEM)
                row->slots[FIELD_ITEM] = SLOT_MISSING;
}

/* Roles when the owners stand in cells [a, b] and the cells before them
 * number shift more than the header's. */
static void relayout(const struct header *h, enum col_role *roles, size_t n, size_t a,
                     size_t b, long shift, struct row *row) {
        size_t ins = insertion_point(h), k = 0;

        for (size_t i = h->left_start; i < a; i++) {
                if (i == h->id_col)
                        continue;
                if (shift >= 0)
                        roles[i] = k < ins ? h->left[k] : k < ins + (size_t) shift
                                                              ? ROLE_SUBITEM
                                                              : h->left[k - (size_t) shift];
                else
                        roles[i] = h->left[k + (size_t) -shift];
                k++;
        }
        for (size_t i = a; i <= b; i++)
                roles[i] = ROLE_OWNERS;
        for (size_t i = b + 1; i < n; i++) {
                size_t src = (size_t) ((long) i - shift);

                roles[i] = src < h->n && src >= h->first_owner ? h->roles[src] : ROLE_NONE;
                if (!is_text_role(roles[i]) || roles[i] == ROLE_DEADLINE || roles[i] == ROLE_NOTE)
                        continue;
                roles[i] = ROLE_NONE;
        }
        for (size_t j = 0; shift < 0 && j < (size_t) -shift; j++)
                mark_missing(row, h->left[j]);
}

/* The role of each cell: the header's, unless the owners stand elsewhere. */
static enum col_role *layout(struct reader *rd, const struct cells *c, struct row *row,
                             size_t *n) {
        const struct header *h = &rd->h;
        enum col_role *roles;
        size_t j, a, b;
        long shift;

        *n = c->n > h->n ? c->n : h->n;
        roles = calloc(*n + 1, sizeof *roles);
        if (!roles)
                return NULL;
        for (size_t i = 0; i < h->n; i++)
                roles[i] = h->roles[i];
        if (h->first_owner == NONE || owners_in_place(h, c) || (j = nearest_owner(h, c)) == NONE)
                return roles;
        for (a = j; a > h->left_start && a - 1 != h->id_col && c->owner[a - 1];)
                a--;
        for (b = j; b + 1 < c->n && c->owner[b + 1];)
                b++;
        shift = (long) (a - h->left_start) - (long) h->n_left -
                (h->id_col != NONE && h->id_col > h->left_start && h->id_col < a);
        if (deadline_in_place(h, c, shift))
                return roles;
        if (shift > SHIFT_MAX || shift < -SHIFT_MAX || (long) h->n_left + shift < 0) {
                import_warn(rd, row, row->line, "the cells do not line up with the header on "
                            "line %d: read by the header", h->line);
                return roles;
        }
        relayout(h, roles, *n, a, b, shift, row);
        if (shift != 0)
                shifted_warning(rd, row, shift);
        return roles;
}

/* ---- a data row's fields --------------------------------------------------- */

struct parts {
        char **item; /* 工作事项 and sub-items, in column order */
        size_t n_item;
        char **phrases; /* deadline phrases outside 完成时间 */
        size_t n_phrases;
        char *note;
};

static void add_owners(struct reader *rd, struct row *row, const char *text) {
        import_fail(rd, cell_split_owners(text, &row->owners, &row->n_owners));
}

/* "<before>"text" in column N<after> is not imported". */
static void warn_not_imported(struct reader *rd, struct row *row, const struct cells *c, size_t i,
                              const char *before, const char *after) {
        char *ex = import_excerpt(c->text[i]);

        import_warn(rd, row, row->line, "%s\"%s\" in column %zu%s is not imported", before, ex,
                    i + 1, after);
        free(ex);
}

static void assign_deadline(struct reader *rd, struct row *row, const struct cells *c,
                            size_t i) {
        if (c->owner[i]) { /* owners written again one column on */
                add_owners(rd, row, c->text[i]);
                return;
        }
        if (!row->deadline) {
                row->deadline = strdup(c->text[i]);
                import_fail(rd, row->deadline ? 0 : -ENOMEM);
                return;
        }
        if (strcmp(row->deadline, c->text[i]) != 0)
                warn_not_imported(rd, row, c, i, "a second 完成时间 ", "");
}

static void assign_unnamed(struct reader *rd, struct row *row, const struct cells *c, size_t i,
                           struct parts *p) {
        if (c->owner[i])
                add_owners(rd, row, c->text[i]);
        else if (c->phrase[i])
                import_fail(rd, strv_push(&p->phrases, &p->n_phrases, c->text[i]));
        else
                warn_not_imported(rd, row, c, i, "", ", which has no name,");
}

static void assign_cell(struct reader *rd, struct row *row, const struct cells *c, size_t i,
                        enum col_role role, struct parts *p) {
        const char *t = c->text[i];

        switch (role) {
        case ROLE_CATEGORY:
                row->category = str_join(row->category, "：", t);
                import_fail(rd, row->category ? 0 : -ENOMEM);
                break;
        case ROLE_ITEM:
        case ROLE_SUBITEM:
                row->subitem |= role == ROLE_SUBITEM;
                import_fail(rd, strv_push(&p->item, &p->n_item, t));
                break;
        case ROLE_DETAIL:
                row->detail = str_join(row->detail, "\n", t);
                import_fail(rd, row->detail ? 0 : -ENOMEM);
                break;
        case ROLE_OWNERS:
        case ROLE_COOWNERS:
                if (c->phrase[i])
                        import_fail(rd, strv_push(&p->phrases, &p->n_phrases, t));
                else
                        add_owners(rd, row, t);
                break;
        case ROLE_DEADLINE:
                assign_deadline(rd, row, c, i);
                break;
        case ROLE_NOTE:
                p->note = str_join(p->note, "；", t);
                import_fail(rd, p->note ? 0 : -ENOMEM);
                break;
        case ROLE_NONE:
                assign_unnamed(rd, row, c, i, p);
                break;
        case ROLE_ID:
        case ROLE_OTHER:
                break;
        }
}

/* 工作事项 "事项：子项"; a cell repeating the one before it is read once. */
static void join_item(struct reader *rd, struct row *row, const struct parts *p) {
        for (size_t k = 0; k < p->n_item; k++) {
                if (k > 0 && strcmp(p->item[k], p->item[k - 1]) == 0)
                        continue;
                row->item = str_join(row->item, "：", p->item[k]);
                import_fail(rd, row->item ? 0 : -ENOMEM);
        }
        if (p->n_item > 0) {
                row->item_head = strdup(p->item[0]);
                import_fail(rd, row->item_head ? 0 : -ENOMEM);
        }
}

/* No 完成时间: a phrase in another column, or a 明细任务 that is one (row 41). */
static void find_deadline(struct reader *rd, struct row *row, const struct parts *p) {
        char *ex;

        if (row->deadline)
                return;
        if (p->n_phrases > 0) {
                row->deadline = strdup(p->phrases[0]);
                import_fail(rd, row->deadline ? 0 : -ENOMEM);
                ex = import_excerpt(p->phrases[0]);
                import_warn(rd, row, row->line, "完成时间 is empty: \"%s\", a deadline phrase in "
                            "another column, read as the deadline", ex);
                free(ex);
        } else if (row->detail && cell_phrase(row->detail, rd->year)) {
                row->deadline = row->detail;
                row->detail = strdup("");
                import_fail(rd, row->detail ? 0 : -ENOMEM);
                ex = import_excerpt(row->deadline);
                import_warn(rd, row, row->line, "完成时间 is empty and 明细任务 \"%s\" is a "
                            "deadline phrase: read as the deadline, 明细任务 left empty", ex);
                free(ex);
        }
}

static void add_note(struct reader *rd, struct row *row, const char *note) {
        char *n = NULL;

        if (asprintf(&n, "（备注：%s）", note) < 0) {
                import_fail(rd, -ENOMEM);
                return;
        }
        row->detail = str_join(row->detail, "", n);
        import_fail(rd, row->detail ? 0 : -ENOMEM);
        free(n);
}

static void assign_all(struct reader *rd, struct row *row, const struct cells *c,
                       const enum col_role *roles, size_t n) {
        struct parts p = { 0 };

        for (size_t i = 0; i < c->n && i < n; i++)
                if (*c->text[i])
                        assign_cell(rd, row, c, i, roles[i], &p);
        join_item(rd, row, &p);
        find_deadline(rd, row, &p);
        if (p.note)
                add_note(rd, row, p.note);
        if (row->slots[FIELD_CATEGORY] != SLOT_MISSING)
                row->slots[FIELD_CATEGORY] = row->category ? SLOT_LABEL : SLOT_BLANK;
        if (row->slots[FIELD_ITEM] != SLOT_MISSING)
                row->slots[FIELD_ITEM] = row->item ? SLOT_LABEL : SLOT_BLANK;
        row->slots[FIELD_OWNERS] = row->n_owners ? SLOT_LABEL : SLOT_BLANK;
        strv_free_n(p.item, p.n_item);
        strv_free_n(p.phrases, p.n_phrases);
        free(p.note);
}

/* ---- data rows ---------------------------------------------------------------- */

static void row_free(struct row *r) {
        free(r->serial);
        free(r->category);
        free(r->item);
        free(r->item_head);
        free(r->detail);
        free(r->deadline);
        free(r->id);
        strv_free_n(r->owners, r->n_owners);
        strv_free_n(r->notes, r->n_notes);
        *r = (struct row) { 0 };
}

static void read_serial(struct reader *rd, struct row *row, const struct cells *c) {
        size_t col = rd->h.id_col;
        char *ex;

        row->numbered = col != NONE;
        if (col == NONE || col >= c->n || !*c->text[col])
                return;
        row->serial = cell_serial(c->text[col]);
        if (row->serial)
                return;
        if (asprintf(&row->serial, "L%d", row->line) < 0) {
                row->serial = NULL;
                import_fail(rd, -ENOMEM);
                return;
        }
        ex = import_excerpt(c->text[col]);
        import_warn(rd, row, row->line, "序号 \"%s\" is not a number: the task's id is %s", ex,
                    row->serial);
        free(ex);
}

static bool row_empty(const struct row *r) {
        return !r->item && !r->deadline && !r->n_owners && (!r->detail || !*r->detail) &&
               !r->category;
}

/* Notes of rows that were no task go with the next task. */
static void take_pending(struct reader *rd, struct row *row) {
        char **notes = rd->pending;
        size_t n = rd->n_pending;

        for (size_t i = 0; i < row->n_notes; i++)
                import_fail(rd, strv_push(&notes, &n, row->notes[i]));
        strv_free_n(row->notes, row->n_notes);
        row->notes = notes;
        row->n_notes = n;
        rd->pending = NULL;
        rd->n_pending = 0;
}

static void use_heading(struct reader *rd, struct row *row) {
        if (!rd->heading || row->slots[FIELD_CATEGORY] != SLOT_BLANK)
                return;
        row->category = rd->heading;
        row->slots[FIELD_CATEGORY] = SLOT_LABEL;
        rd->heading = NULL;
        import_warn(rd, row, row->line, "任务大类 is blank: the heading on line %d",
                    rd->heading_line);
}

static void push_row(struct reader *rd, struct row *row) {
        struct row *rows = realloc(rd->rows, (rd->n_rows + 1) * sizeof *rows);

        if (!rows) {
                import_fail(rd, -ENOMEM);
                row_free(row);
                return;
        }
        rd->rows = rows;
        take_pending(rd, row);
        rows[rd->n_rows++] = *row;
}

static void data_row(struct reader *rd, const struct table_row *tr) {
        struct row row = { .line = tr->line, .parent = NONE };
        enum col_role *roles;
        struct cells c;
        size_t n;

        if (cells_load(&c, tr, rd->year) < 0) {
                import_fail(rd, -ENOMEM);
                return;
        }
        read_serial(rd, &row, &c);
        roles = layout(rd, &c, &row, &n);
        if (roles)
                assign_all(rd, &row, &c, roles, n);
        import_fail(rd, roles ? 0 : -ENOMEM);
        free(roles);
        cells_free(&c);
        if (row_empty(&row)) {
                if (row.serial)
                        import_warn(rd, NULL, row.line, "only a 序号 (%s) and nothing else: "
                                    "not a task", row.serial);
                row_free(&row);
                return;
        }
        use_heading(rd, &row);
        push_row(rd, &row);
}

static size_t first_filled(const struct table_row *tr) {
        size_t i = 0;

        for (; i + 1 < tr->n_cells; i++) {
                char *t = cell_trim(tr->cells[i]);
                bool filled = t && *t;

                free(t);
                if (filled)
                        break;
        }
        return i;
}

static void read_row(struct reader *rd, const struct table_row *tr) {
        size_t last = 0, filled = count_filled(tr, &last);
        char *text;

        if (filled == 0 || try_header(rd, tr))
                return;
        if (filled == 1) {
                bool done;

                text = cell_trim(tr->cells[last]);
                done = !text || single_text_row(rd, tr, last, text);
                import_fail(rd, text ? 0 : -ENOMEM);
                free(text);
                if (done)
                        return;
        }
        if (!rd->have_header && !rd->title) { /* "2025年度…台账 | 单位：…" */
                rd->title = cell_trim(tr->cells[first_filled(tr)]);
                import_fail(rd, rd->title ? 0 : -ENOMEM);
        } else if (!rd->have_header)
                rd->n_above++;
        else
                data_row(rd, tr);
}

/* ---- the ledger ------------------------------------------------------------------- */

static const char *base_name(const char *file) {
        const char *slash = strrchr(file, '/');

        return slash ? slash + 1 : file;
}

/* "yuli-2025.tsv" → "yuli-2025": ASCII letters, digits, - and _ of the file
 * name, cut at a dash to fit, with the year when it is missing. */
static char *default_id(const char *file, int year) {
        const char *b = base_name(file), *dot = strrchr(b, '.');
        size_t n = 0, len = dot && dot != b ? (size_t) (dot - b) : strlen(b);
        char *id = calloc(len + 16, 1), y[16];
        bool letter = false;

        if (!id)
                return NULL;
        for (size_t i = 0; i < len; i++)
                if (serial_like(b[i])) {
                        id[n++] = b[i];
                        letter |= (b[i] | 0x20) >= 'a' && (b[i] | 0x20) <= 'z';
                }
        while (n > CONF_LEDGER_ID_MAX) {
                char *cut = memrchr(id, '-', CONF_LEDGER_ID_MAX);

                n = cut && cut > id ? (size_t) (cut - id) : CONF_LEDGER_ID_MAX;
                id[n] = '\0';
        }
        snprintf(y, sizeof y, "%d", year);
        if (!letter)
                n = (size_t) snprintf(id, len + 16, "ledger");
        if (!strstr(id, y) && n + 1 + strlen(y) <= CONF_LEDGER_ID_MAX)
                snprintf(id + n, len + 16 - n, "-%s", y);
        return id;
}

static int ledger_names(struct reader *rd, struct import_ledger *l) {
        const char *file = rd->o->file ? rd->o->file : "table";

        l->year = rd->year;
        l->title = rd->title ? strdup(rd->title) : strdup(base_name(file));
        if (rd->o->id)
                l->id = strdup(rd->o->id);
        else if ((l->id = default_id(file, rd->year)))
                diag_add(rd->d, DIAG_WARNING, rd->file, 0, "the ledger's id, %s, is made from "
                         "the file name; --id gives another (it is part of every calendar "
                         "UID: keep it)", l->id);
        l->file = strdup(file);
        return l->title && l->id && l->file ? 0 : -ENOMEM;
}

static int count_owner(struct import_ledger *l, const char *name) {
        struct import_owner *o;

        for (size_t i = 0; i < l->n_owners; i++)
                if (strcmp(l->owners[i].name, name) == 0) {
                        l->owners[i].n_tasks++;
                        return 0;
                }
        o = realloc(l->owners, (l->n_owners + 1) * sizeof *o);
        if (!o)
                return -ENOMEM;
        l->owners = o;
        o[l->n_owners] = (struct import_owner) { strdup(name), 1 };
        return o[l->n_owners++].name ? 0 : -ENOMEM;
}

static char *take(char **s) {
        char *v = *s ? *s : strdup("");

        *s = NULL;
        return v;
}

static int move_task(struct import_ledger *l, struct row *r) {
        struct import_task *t = &l->tasks[l->n_tasks++];

        *t = (struct import_task) {
                .id = take(&r->id), .category = take(&r->category), .item = take(&r->item),
                .detail = take(&r->detail), .deadline = take(&r->deadline),
                .owners = r->owners, .n_owners = r->n_owners,
                .notes = r->notes, .n_notes = r->n_notes, .line = r->line,
        };
        r->owners = r->notes = NULL;
        r->n_owners = r->n_notes = 0;
        for (size_t i = 0; i < t->n_owners; i++)
                if (count_owner(l, t->owners[i]) < 0)
                        return -ENOMEM;
        return t->id && t->category && t->item && t->detail && t->deadline ? 0 : -ENOMEM;
}

static int build(struct reader *rd, struct import_ledger *l) {
        int r = ledger_names(rd, l);

        l->tasks = calloc(rd->n_rows + 1, sizeof *l->tasks);
        if (!l->tasks)
                return -ENOMEM;
        for (size_t i = 0; r == 0 && i < rd->n_rows; i++)
                r = move_task(l, &rd->rows[i]);
        l->trailing_notes = rd->pending;
        l->n_trailing_notes = rd->n_pending;
        rd->pending = NULL;
        rd->n_pending = 0;
        return r;
}

static void reader_free(struct reader *rd) {
        for (size_t i = 0; i < rd->n_rows; i++)
                row_free(&rd->rows[i]);
        free(rd->rows);
        free(rd->title);
        free(rd->heading);
        strv_free_n(rd->pre, rd->n_pre);
        strv_free_n(rd->ignored_columns, rd->n_ignored_columns);
        strv_free_n(rd->pending, rd->n_pending);
        header_free(&rd->h);
}

static int not_a_ledger(struct reader *rd) {
        if (!rd->have_header)
                diag_add(rd->d, DIAG_ERROR, rd->file, 0, "not a ledger table: no header row "
                         "names its columns (序号, 工作事项, 明细任务, 责任主体, 完成时间 or the "
                         "like)");
        else
                diag_add(rd->d, DIAG_ERROR, rd->file, rd->h.line, "no task under the header row");
        return -EINVAL;
}

int import_table(const struct table *t, const struct import_options *o,
                 struct import_ledger *out, struct diagnostics *d) {
        struct reader rd = { .o = o, .d = d, .file = o->file ? o->file : "table" };
        size_t first = d->n_items;
        int r;

        *out = (struct import_ledger) { .encoding = t->encoding, .delimiter = t->delimiter };
        for (size_t i = 0; i < t->n_rows && rd.r == 0; i++)
                read_row(&rd, &t->rows[i]);
        r = rd.r;
        if (r == 0 && rd.n_rows == 0)
                r = not_a_ledger(&rd);
        if (r == 0)
                import_second_pass(&rd);
        if (r == 0 && (r = rd.r) == 0)
                r = build(&rd, out);
        reader_free(&rd);
        diag_sort(d, first);
        if (r < 0)
                import_ledger_free(out);
        return r;
}

void import_ledger_free(struct import_ledger *l) {
        for (size_t i = 0; i < l->n_tasks; i++) {
                struct import_task *t = &l->tasks[i];

                free(t->id);
                free(t->category);
                free(t->item);
                free(t->detail);
                free(t->deadline);
                strv_free_n(t->owners, t->n_owners);
                strv_free_n(t->notes, t->n_notes);
        }
        free(l->tasks);
        for (size_t i = 0; i < l->n_owners; i++)
                free(l->owners[i].name);
        free(l->owners);
        strv_free_n(l->trailing_notes, l->n_trailing_notes);
        free(l->id);
        free(l->title);
        free(l->file);
        *l = (struct import_ledger) { 0 };
}
