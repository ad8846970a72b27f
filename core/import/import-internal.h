/* SPDX-License-Identifier: MIT */
#pragma once

/* The parts of import_table(): the rows one by one (import.c), what needs
 * the whole table (import-merge.c), what a cell's text is (import-cells.c),
 * and growing strings and lists (import-util.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/diag.h"
#include "import/import.h"

enum col_role {
        ROLE_NONE, /* a column without a name */
        ROLE_ID,
        ROLE_CATEGORY,
        ROLE_ITEM,
        ROLE_SUBITEM, /* an extra cell after 工作事项; never from a header */
        ROLE_DETAIL,
        ROLE_OWNERS,
        ROLE_COOWNERS,
        ROLE_DEADLINE,
        ROLE_NOTE,
        ROLE_OTHER, /* named, but nothing ledgerd keeps (完成情况) */
};

#define NONE SIZE_MAX

struct header {
        enum col_role *roles;
        size_t n;
        int line;
        size_t id_col, first_owner, left_start;
        enum col_role *left; /* named columns from left_start to the owners */
        size_t n_left;
};

/* A 任务大类, 工作事项 or 责任主体 cell: text, blank (a merged cell), or missing
 * (the row's cells are shifted: there is no such cell). */
enum slot { SLOT_BLANK, SLOT_LABEL, SLOT_MISSING };
enum field { FIELD_CATEGORY, FIELD_ITEM, FIELD_OWNERS, N_FIELDS };

/* A data row as the first pass read it. */
struct row {
        int line;
        char *serial;  /* NULL: no 序号 */
        bool numbered; /* the header has a 序号 column */
        char *category, *item, *item_head, *detail;
        char *deadline; /* NULL: none found */
        bool subitem;   /* 工作事项 has a sub-item: "事项：子项" */
        enum slot slots[N_FIELDS];
        char **owners;
        size_t n_owners;
        char **notes;
        size_t n_notes;
        size_t parent; /* index of the row a sub-row belongs to; NONE for others */
        char *id;
};

struct reader {
        const struct import_options *o;
        struct diagnostics *d;
        const char *file;
        int year;
        char *title;
        char **pre; /* texts above the first header: repeated on every page */
        size_t n_pre;
        size_t n_above; /* rows between the title and the first header */
        char **ignored_columns;
        size_t n_ignored_columns;
        struct header h;
        bool have_header;
        char *heading;
        int heading_line;
        struct row *rows;
        size_t n_rows;
        char **pending; /* notes of rows that were no task, for the next task */
        size_t n_pending;
        int r; /* -ENOMEM once memory ran out */
};

/* ---- messages (import.c) ---------------------------------------------------------- */

/* A cell's text for a message: one line, at most a few words. */
char *import_excerpt(const char *s);
/* Remembers the first error (-ENOMEM) in rd->r. */
void import_fail(struct reader *rd, int r);
/* A warning with its line, and the same words as a note for the task's
 * comment (or for the next task when row is NULL). */
void import_warn(struct reader *rd, struct row *row, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* ---- the second pass (import-merge.c) ---------------------------------------------- */

/* Merged cells, sub-rows, ids and deadlines, once every row is read. */
void import_second_pass(struct reader *rd);

/* ---- cells (import-cells.c) ---------------------------------------------- */

/* A copy of s without the white space around it (ASCII, U+3000, U+00A0). */
char *cell_trim(const char *s);
/* Code points in s (invalid bytes count one each). */
size_t cell_length(const char *s);
/* The role a header cell's text names; ROLE_NONE when blank, ROLE_OTHER when
 * it names something else. *known: a name from the list or a keyword rule. */
enum col_role cell_header_role(const char *text, bool *known);
const char *role_name(enum col_role r);
/* "12", "12.", "１２、", "12.0" → "12"; "34b" stays. NULL when not a 序号. */
char *cell_serial(const char *text);
/* The first "2025年" in s, or 0. */
int cell_year(const char *s);
/* Looks like a list of units: every name ends as unit names end (局, 单位,
 * 股…) and holds no sentence punctuation. */
bool cell_owner_like(const char *s);
/* A deadline phrase: short, no sentence, dated or undated by when_parse. */
bool cell_phrase(const char *s, int year);
/* Splits owners on ， 、 / , ; ； and white space, drops "（牵头）" and the
 * like, and appends the names not yet in *names. -ENOMEM or 0. */
int cell_split_owners(const char *s, char ***names, size_t *n);

/* ---- strings (import-util.c) ----------------------------------------------------- */

/* a + sep + b, freeing a; a may be NULL (then a copy of b). NULL on ENOMEM. */
char *str_join(char *a, const char *sep, const char *b);
