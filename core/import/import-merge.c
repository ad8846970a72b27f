/* SPDX-License-Identifier: MIT */
/* The importer's second pass, over the whole table: merged cells (a blank
 * 任务大类, 工作事项 or 责任主体 takes the text of the merged cell it belongs
 * to), sub-rows, ids, and the deadlines.
 *
 * Merged cells come out of an export with their text in one row and the
 * others blank. Usually the text is in the top row and blanks are carried
 * down. But when the first row of the table is blank, the export put each
 * text in the middle of its cell: then a text takes as many blanks above it
 * as it has below it (up to the previous text), and blanks before the first
 * text take that one. A row without a 序号 is a sub-row: its 序号 cell is
 * merged with the row above, and so are its other blank cells. */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "conf/confread.h"
#include "import/import-internal.h"
#include "ledger/when.h"

/* ---- merged cells ------------------------------------------------------------ */

/* The rows that have their own 序号 (or all rows, in a table without one). */
static size_t *main_rows(struct reader *rd, size_t *n) {
        size_t *idx = calloc(rd->n_rows + 1, sizeof *idx), last = NONE;

        *n = 0;
        for (size_t i = 0; idx && i < rd->n_rows; i++) {
                struct row *r = &rd->rows[i];

                if (r->serial || !r->numbered || last == NONE) {
                        idx[(*n)++] = i;
                        last = i;
                } else
                        r->parent = last;
        }
        return idx;
}

static bool middle_aligned(const enum slot *st, size_t n) {
        size_t i = 0;

        while (i < n && st[i] == SLOT_MISSING)
                i++;
        if (i == n || st[i] != SLOT_BLANK)
                return false;
        for (; i < n; i++)
                if (st[i] == SLOT_LABEL)
                        return true;
        return false;
}

static size_t next_label(const enum slot *st, size_t n, size_t from) {
        for (size_t i = from; i < n; i++)
                if (st[i] == SLOT_LABEL)
                        return i;
        return NONE;
}

static size_t count_blank(const enum slot *st, size_t from, size_t to) {
        size_t n = 0;

        for (size_t i = from; i < to; i++)
                n += st[i] == SLOT_BLANK;
        return n;
}

/* Blank rows between two texts: the later text takes as many of them as it
 * has blank rows below it, the earlier one the rest. */
static void resolve_middle(const enum slot *st, size_t n, size_t *src) {
        size_t prev = NONE, start = 0;

        for (size_t l = next_label(st, n, 0);; l = next_label(st, n, l + 1)) {
                size_t end = l == NONE ? n : l, gap = count_blank(st, start, end), seen = 0;
                size_t after = l == NONE ? NONE : next_label(st, n, l + 1);
                size_t below = l == NONE ? 0 : count_blank(st, l + 1, after == NONE ? n : after);
                size_t take = prev == NONE ? gap : l == NONE ? 0 : below < gap ? below : gap;

                for (size_t k = start; k < end; k++)
                        if (st[k] == SLOT_BLANK)
                                src[k] = seen++ < gap - take ? prev : l;
                if (l == NONE)
                        break;
                prev = l;
                start = l + 1;
        }
}

/* src[i]: the row whose text row i takes (a row with one), or NONE. */
static void resolve(const enum slot *st, size_t n, size_t *src) {
        bool middle = middle_aligned(st, n);
        size_t last = NONE;

        if (middle)
                resolve_middle(st, n, src);
        for (size_t i = 0; i < n; i++) {
                if (st[i] == SLOT_LABEL)
                        last = src[i] = i;
                else if (st[i] == SLOT_MISSING)
                        src[i] = i > 0 ? src[i - 1] : NONE;
                else if (!middle)
                        src[i] = last;
        }
}

static const char *field_name(enum field f) {
        return f == FIELD_CATEGORY ? "任务大类" : f == FIELD_ITEM ? "工作事项" : "责任主体";
}

static char *field_excerpt(const struct row *r, enum field f) {
        char *joined = NULL, *ex;

        if (f == FIELD_CATEGORY)
                return import_excerpt(r->category ? r->category : "");
        if (f == FIELD_ITEM)
                return import_excerpt(r->item ? r->item : "");
        for (size_t i = 0; i < r->n_owners; i++)
                if (!(joined = str_join(joined, "，", r->owners[i])))
                        return NULL;
        ex = import_excerpt(joined ? joined : "");
        free(joined);
        return ex;
}

static void field_copy(struct reader *rd, struct row *to, const struct row *from, enum field f) {
        char **s = f == FIELD_CATEGORY ? &to->category : &to->item;
        const char *v = f == FIELD_CATEGORY ? from->category : from->item;

        if (f == FIELD_OWNERS) {
                for (size_t i = 0; i < from->n_owners; i++)
                        import_fail(rd, strv_push(&to->owners, &to->n_owners, from->owners[i]));
                return;
        }
        free(*s);
        *s = v ? strdup(v) : NULL;
        import_fail(rd, !v || *s ? 0 : -ENOMEM);
        if (f == FIELD_ITEM) {
                free(to->item_head);
                to->item_head = from->item_head ? strdup(from->item_head) : NULL;
        }
}

/* One warning for a run of blank rows that take the same merged cell. */
static void report_run(struct reader *rd, const size_t *idx, size_t from, size_t to,
                       enum slot st, size_t src, enum field f) {
        struct row *first = &rd->rows[idx[from]], *last = &rd->rows[idx[to - 1]];
        struct row *label = src == NONE ? NULL : &rd->rows[idx[src]];
        char *ex = label ? field_excerpt(label, f) : NULL, span[48];

        if (first == last)
                snprintf(span, sizeof span, "line %d", first->line);
        else
                snprintf(span, sizeof span, "lines %d–%d", first->line, last->line);
        for (size_t k = from; k < to; k++) {
                struct row *r = &rd->rows[idx[k]];

                if (!label && f != FIELD_CATEGORY)
                        import_warn(rd, r, r->line, "no %s: %s", field_name(f),
                                    f == FIELD_OWNERS
                                            ? "add the owners before ledgerd loads the ledger"
                                            : "left empty");
                else if (label && st == SLOT_MISSING)
                        import_warn(rd, r, r->line, "%s carried down from line %d: \"%s\"",
                                    field_name(f), label->line, ex ? ex : "");
                else if (label && k == from)
                        import_warn(rd, r, r->line, "%s blank on %s: read as the merged cell "
                                    "\"%s\" of line %d%s", field_name(f), span, ex ? ex : "",
                                    label->line,
                                    label->line > first->line
                                    ? " (its text stands in the middle of the cell)" : "");
        }
        free(ex);
}

static void resolve_field(struct reader *rd, const size_t *idx, size_t n, enum field f) {
        enum slot *st = calloc(n + 1, sizeof *st);
        size_t *src = calloc(n + 1, sizeof *src);

        for (size_t k = 0; st && src && k < n; k++)
                st[k] = rd->rows[idx[k]].slots[f];
        if (st && src)
                resolve(st, n, src);
        for (size_t k = 0, end; st && src && k < n; k = end) {
                end = k + 1;
                if (st[k] == SLOT_LABEL)
                        continue;
                while (end < n && st[end] == st[k] && src[end] == src[k])
                        end++;
                report_run(rd, idx, k, end, st[k], src[k], f);
                for (size_t j = k; src[k] != NONE && j < end; j++)
                        field_copy(rd, &rd->rows[idx[j]], &rd->rows[idx[src[j]]], f);
        }
        import_fail(rd, st && src ? 0 : -ENOMEM);
        free(st);
        free(src);
}

/* A 任务大类 that repeats the 工作事项 of the row before, where that row had
 * sub-items: the 工作事项 cell went on over a page break, and the row is one
 * more sub-item of it (the seed's row 13). */
static void item_continues(struct reader *rd, const size_t *idx, size_t n) {
        for (size_t k = 1; k < n; k++) {
                struct row *r = &rd->rows[idx[k]], *p = &rd->rows[idx[k - 1]];
                char *ex, *head, *item;

                if (r->slots[FIELD_CATEGORY] != SLOT_LABEL || !p->subitem || !p->item_head ||
                    strcmp(r->category, p->item_head) != 0)
                        continue;
                free(r->item_head);
                r->item_head = r->category;
                r->category = NULL;
                item = r->item;
                r->item = item ? str_join(strdup(r->item_head), "：", item) : strdup(r->item_head);
                free(item);
                import_fail(rd, r->item ? 0 : -ENOMEM);
                r->subitem = true;
                r->slots[FIELD_CATEGORY] = SLOT_MISSING;
                r->slots[FIELD_ITEM] = SLOT_LABEL;
                ex = import_excerpt(r->item ? r->item : "");
                head = import_excerpt(r->item_head);
                import_warn(rd, r, r->line, "任务大类 \"%s\" is the 工作事项 of line %d, which has "
                            "sub-items: read as one more of them, 工作事项 \"%s\"",
                            head ? head : "", p->line, ex ? ex : "");
                free(head);
                free(ex);
        }
}

/* ---- ids --------------------------------------------------------------------------- */

static char *line_id(const struct row *r) {
        char *id = NULL;

        return asprintf(&id, "L%d", r->line) < 0 ? NULL : id;
}

static char *sub_row_id(const struct row *parent, size_t k) {
        char *id = NULL;

        int n = k <= 25 ? asprintf(&id, "%s%c", parent->id, (char) ('a' + k))
                        : asprintf(&id, "%s-%zu", parent->id, k + 1);

        if (n < 0)
                return NULL;
        return id;
}

static char *base_id(struct reader *rd, struct row *r, size_t *counter, size_t *subs) {
        char *id = NULL;

        if (r->serial)
                return strdup(r->serial);
        if (r->parent != NONE)
                return sub_row_id(&rd->rows[r->parent], ++subs[r->parent]);
        if (r->numbered)
                return line_id(r);
        return asprintf(&id, "%zu", ++*counter) < 0 ? NULL : id;
}

/* Task ids are unique in a ledger: a 序号 seen again gets "-2", "-3"…. */
static int unique_id(struct reader *rd, struct hsearch_data *seen, struct row *r, char *base) {
        ENTRY e = { 0 }, *found;
        char *id = base;

        for (unsigned k = 2; id; k++) {
                e.key = id;
                if (!hsearch_r(e, FIND, &found, seen))
                        break;
                if (id != base)
                        free(id);
                if (asprintf(&id, "%s-%u", base, k) < 0)
                        id = NULL;
        }
        if (id && id != base)
                import_warn(rd, r, r->line, "id %s is already taken: this task's id is %s", base,
                            id);
        if (id != base)
                free(base);
        if (id && !confread_id_valid(id, CONF_TASK_ID_MAX)) {
                free(id);
                id = line_id(r);
        }
        if (!id)
                return -ENOMEM;
        r->id = e.key = id;
        return hsearch_r(e, ENTER, &found, seen) ? 0 : -ENOMEM;
}

static int assign_ids(struct reader *rd) {
        struct hsearch_data seen = { 0 };
        size_t counter = 0, *subs = calloc(rd->n_rows + 1, sizeof *subs);
        int r = subs && hcreate_r(rd->n_rows * 2 + 16, &seen) ? 0 : -ENOMEM;

        for (size_t i = 0; r == 0 && i < rd->n_rows; i++) {
                char *base = base_id(rd, &rd->rows[i], &counter, subs);

                r = base ? unique_id(rd, &seen, &rd->rows[i], base) : -ENOMEM;
        }
        if (subs)
                hdestroy_r(&seen);
        free(subs);
        return r;
}

/* ---- sub-rows and deadlines ------------------------------------------------------- */

static bool field_has(const struct row *r, enum field f) {
        return f == FIELD_CATEGORY ? r->category != NULL
               : f == FIELD_ITEM   ? r->item != NULL
                                   : r->n_owners > 0;
}

static void fill_sub_row(struct reader *rd, struct row *r) {
        const struct row *p = &rd->rows[r->parent];
        char taken[128] = "";

        for (enum field f = 0; f < N_FIELDS; f++) {
                if (r->slots[f] == SLOT_LABEL || !field_has(p, f))
                        continue;
                field_copy(rd, r, p, f);
                snprintf(taken + strlen(taken), sizeof taken - strlen(taken), "%s%s",
                         taken[0] ? ", " : "", field_name(f));
        }
        if (!r->deadline && p->deadline && *p->deadline) {
                r->deadline = strdup(p->deadline);
                import_fail(rd, r->deadline ? 0 : -ENOMEM);
                snprintf(taken + strlen(taken), sizeof taken - strlen(taken), "%s完成时间",
                         taken[0] ? ", " : "");
        }
        import_warn(rd, r, r->line, "no 序号: read as %s, a sub-row of %s (line %d)%s%s", r->id,
                    p->id, p->line,
                    taken[0] ? "; its blank cells are merged with that row's: " : "", taken);
}

/* The same reading as the daemon's: a phrase it cannot read gets no reminder. */
static void check_phrase(struct reader *rd, struct row *r) {
        struct when_result w;
        char *ex;

        when_parse(r->deadline, rd->year, &w);
        if (w.kind != WHEN_UNKNOWN)
                return;
        ex = import_excerpt(r->deadline);
        import_warn(rd, r, r->line, "deadline \"%s\" of task %s is not understood: %s; "
                    "ledgerd gives it no reminder until it is fixed or dates are given",
                    ex ? ex : "", r->id, w.reason);
        free(ex);
}

static void settle_rows(struct reader *rd) {
        for (size_t i = 0; i < rd->n_rows; i++) {
                struct row *r = &rd->rows[i];

                if (r->parent != NONE)
                        fill_sub_row(rd, r);
                if (!r->deadline) {
                        import_warn(rd, r, r->line, "完成时间 is empty: no date for task %s (if "
                                    "the cell is merged with the row above, give its deadline)",
                                    r->id);
                        r->deadline = strdup("");
                        import_fail(rd, r->deadline ? 0 : -ENOMEM);
                } else
                        check_phrase(rd, r);
        }
}

void import_second_pass(struct reader *rd) {
        size_t n, *idx = main_rows(rd, &n);

        if (!idx) {
                import_fail(rd, -ENOMEM);
                return;
        }
        item_continues(rd, idx, n);
        for (enum field f = 0; f < N_FIELDS; f++)
                resolve_field(rd, idx, n, f);
        free(idx);
        import_fail(rd, assign_ids(rd));
        settle_rows(rd);
}

