/* SPDX-License-Identifier: MIT */
/* What the text of one cell is: a column name, a 序号, a list of units, a
 * deadline phrase, or just text. These are the content rules the importer
 * falls back on when a row's cells do not stand under their headers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "basic/text.h"
#include "import/import-internal.h"
#include "ledger/when.h"

#define HEADER_CELL_MAX 12 /* code points: column names are short */
#define OWNER_NAME_MAX 24
#define OWNERS_CELL_MAX 120
#define PHRASE_CELL_MAX 64

/* ---- text ----------------------------------------------------------------- */

/* Length of the white space at s: ASCII, U+00A0, U+3000; 0 if none. */
static size_t space_at(const char *s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
                return 1;
        if (strncmp(s, "\u00A0", 2) == 0)
                return 2;
        return strncmp(s, "\u3000", 3) == 0 ? 3 : 0;
}

/* Length of the white space ending at e (exclusive), looking back from it. */
static size_t space_before(const char *s, const char *e) {
        if (e - s >= 3 && memcmp(e - 3, "\u3000", 3) == 0)
                return 3;
        if (e - s >= 2 && memcmp(e - 2, "\u00A0", 2) == 0)
                return 2;
        return e > s && space_at(e - 1) == 1 ? 1 : 0;
}

char *cell_trim(const char *s) {
        const char *e = s + strlen(s);
        size_t k;

        while ((k = space_at(s)) > 0)
                s += k;
        while (e > s && (k = space_before(s, e)) > 0)
                e -= k;
        return strndup(s, (size_t) (e - s));
}

size_t cell_length(const char *s) {
        size_t n = 0, len = strlen(s);

        for (size_t i = 0; i < len; n++) {
                unsigned cp;
                size_t k = text_utf8_decode(s + i, len - i, &cp);

                i += k ? k : 1;
        }
        return n;
}

static bool ends_with(const char *s, size_t len, const char *suffix) {
        size_t n = strlen(suffix);

        return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool contains_any(const char *s, const char *const *words) {
        for (; *words; words++)
                if (strstr(s, *words))
                        return true;
        return false;
}

/* s without white space and colons: "完成\n时间：" → "完成时间". */
static char *squeeze(const char *s) {
        char *out = malloc(strlen(s) + 1), *o = out;

        if (!out)
                return NULL;
        while (*s) {
                size_t k = space_at(s);

                if (k == 0 && (*s == ':' || strncmp(s, "：", 3) == 0))
                        k = *s == ':' ? 1 : 3;
                if (k) {
                        s += k;
                        continue;
                }
                *o++ = *s++;
        }
        *o = '\0';
        return out;
}

/* ---- column names ------------------------------------------------------------- */

static const struct {
        const char *name;
        enum col_role role;
} header_names[] = {
        { "序号", ROLE_ID },           { "编号", ROLE_ID },          { "序", ROLE_ID },
        { "No", ROLE_ID },             { "No.", ROLE_ID },           { "NO.", ROLE_ID },
        { "任务大类", ROLE_CATEGORY }, { "大类", ROLE_CATEGORY },   { "类别", ROLE_CATEGORY },
        { "任务类别", ROLE_CATEGORY }, { "分类", ROLE_CATEGORY },   { "类型", ROLE_CATEGORY },
        { "工作类别", ROLE_CATEGORY }, { "板块", ROLE_CATEGORY },   { "工作板块", ROLE_CATEGORY },
        { "工作事项", ROLE_ITEM },     { "事项", ROLE_ITEM },       { "工作任务", ROLE_ITEM },
        { "任务", ROLE_ITEM },         { "任务名称", ROLE_ITEM },   { "重点任务", ROLE_ITEM },
        { "项目", ROLE_ITEM },         { "工作项目", ROLE_ITEM },   { "主要任务", ROLE_ITEM },
        { "明细任务", ROLE_DETAIL },   { "明细", ROLE_DETAIL },     { "任务明细", ROLE_DETAIL },
        { "具体任务", ROLE_DETAIL },   { "工作内容", ROLE_DETAIL }, { "具体内容", ROLE_DETAIL },
        { "主要内容", ROLE_DETAIL },   { "工作措施", ROLE_DETAIL }, { "具体措施", ROLE_DETAIL },
        { "工作要求", ROLE_DETAIL },   { "内容", ROLE_DETAIL },     { "具体工作", ROLE_DETAIL },
        { "责任主体", ROLE_OWNERS },   { "牵头单位", ROLE_OWNERS }, { "责任单位", ROLE_OWNERS },
        { "责任部门", ROLE_OWNERS },   { "牵头部门", ROLE_OWNERS }, { "负责单位", ROLE_OWNERS },
        { "承办单位", ROLE_OWNERS },   { "主办单位", ROLE_OWNERS }, { "责任股室", ROLE_OWNERS },
        { "配合单位", ROLE_COOWNERS }, { "配合部门", ROLE_COOWNERS }, { "协办单位", ROLE_COOWNERS },
        { "完成时间", ROLE_DEADLINE }, { "时间节点", ROLE_DEADLINE }, { "完成时限", ROLE_DEADLINE },
        { "完成期限", ROLE_DEADLINE }, { "时限", ROLE_DEADLINE },   { "时限要求", ROLE_DEADLINE },
        { "截止时间", ROLE_DEADLINE }, { "办结时限", ROLE_DEADLINE }, { "截止日期", ROLE_DEADLINE },
        { "备注", ROLE_NOTE },         { "说明", ROLE_NOTE },
};

/* Names not in the list, by a word they hold: the first rule with one of
 * its words in the name gives the role. The order matters: 配合单位 before
 * 单位, and 责任人 (a person) is no unit. */
static const struct {
        enum col_role role;
        const char *const words[6]; /* NULL-terminated */
} header_keywords[] = {
        { ROLE_OTHER, { "责任人", "联系人", "负责人", "领导" } },
        { ROLE_ID, { "序号" } },
        { ROLE_COOWNERS, { "配合", "协办", "协同", "参与" } },
        { ROLE_OWNERS, { "责任", "牵头", "主体", "承办" } },
        { ROLE_DEADLINE, { "时间", "时限", "期限", "日期", "节点" } },
        { ROLE_NOTE, { "备注" } },
        { ROLE_CATEGORY, { "大类", "类别" } },
        { ROLE_DETAIL, { "明细", "内容", "措施" } },
        { ROLE_ITEM, { "事项", "名称", "任务" } },
};

static enum col_role header_keyword(const char *s) {
        for (size_t i = 0; i < sizeof header_keywords / sizeof *header_keywords; i++)
                if (contains_any(s, header_keywords[i].words))
                        return header_keywords[i].role;
        return ROLE_OTHER;
}

enum col_role cell_header_role(const char *text, bool *known) {
        char *s = squeeze(text);
        enum col_role r = ROLE_OTHER;

        *known = false;
        if (!s || !*s || cell_length(s) > HEADER_CELL_MAX) {
                r = s && !*s ? ROLE_NONE : ROLE_OTHER;
                free(s);
                return r;
        }
        for (size_t i = 0; i < sizeof header_names / sizeof *header_names; i++)
                if (strcmp(s, header_names[i].name) == 0) {
                        free(s);
                        *known = true;
                        return header_names[i].role;
                }
        r = header_keyword(s);
        *known = r != ROLE_OTHER;
        free(s);
        return r;
}

const char *role_name(enum col_role r) {
        static const char *const names[] = {
                [ROLE_NONE] = "(unnamed)", [ROLE_ID] = "序号",       [ROLE_CATEGORY] = "任务大类",
                [ROLE_ITEM] = "工作事项",  [ROLE_SUBITEM] = "子项",  [ROLE_DETAIL] = "明细任务",
                [ROLE_OWNERS] = "责任主体", [ROLE_COOWNERS] = "配合单位",
                [ROLE_DEADLINE] = "完成时间", [ROLE_NOTE] = "备注",  [ROLE_OTHER] = "(other)",
        };

        return names[r];
}

/* ---- serial numbers and years ------------------------------------------------ */

/* s with full-width digits and letters made ASCII. */
static char *fold_ascii(const char *s) {
        char *out = malloc(strlen(s) + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t left = strlen(s); left > 0;) {
                unsigned cp;
                size_t k = text_utf8_decode(s, left, &cp);

                if (k == 3 && cp >= 0xFF01 && cp <= 0xFF5E) {
                        *o++ = (char) (cp - 0xFEE0);
                } else {
                        k = k ? k : 1;
                        memcpy(o, s, k);
                        o += k;
                }
                s += k;
                left -= k;
        }
        *o = '\0';
        return out;
}

static bool serial_char(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_';
}

char *cell_serial(const char *text) {
        char *s = fold_ascii(text);
        size_t n;

        if (!s)
                return NULL;
        n = strlen(s);
        if (ends_with(s, n, ".0"))
                n -= 2;
        if (ends_with(s, n, ".") || ends_with(s, n, ","))
                n -= 1;
        else if (ends_with(s, n, "、"))
                n -= strlen("、");
        s[n] = '\0';
        if (n == 0 || n > 12 || s[0] < '0' || s[0] > '9') {
                free(s);
                return NULL;
        }
        for (size_t i = 0; i < n; i++)
                if (!serial_char(s[i])) {
                        free(s);
                        return NULL;
                }
        return s;
}

int cell_year(const char *text) {
        char *s = fold_ascii(text);
        int year = 0;

        for (const char *p = s; s && *p && !year; p++) {
                const char *q = p;

                if (p > s && p[-1] >= '0' && p[-1] <= '9')
                        continue;
                while (*q >= '0' && *q <= '9')
                        q++;
                if (q - p == 4 && strncmp(q, "年", 3) == 0)
                        year = atoi(p);
        }
        free(s);
        return year >= 1970 && year <= 9998 ? year : 0;
}

/* ---- owners ------------------------------------------------------------------- */

/* How unit names end; a verb-object item ("召开座谈会") ends otherwise. */
static const char *const unit_ends[] = {
        "局", "厅", "委", "办", "部", "处", "科", "股", "室", "所", "站", "队", "院", "校",
        "中心", "单位", "部门", "公司", "政府", "镇", "乡", "村", "社区", "街道", "署",
        "办公室", "集团", "企业", "机构", "小组", "党组", "党委", "银行", "协会", "工会", "人大",
        "政协", "妇联", "团委", "各县市", "县市", NULL,
};

static const char *const not_in_names[] = {
        "。", "；", "！", "？", "“", "”", "《", "》", "：", ":", "\"", NULL,
};

/* "（牵头）", "(配合)": what part the unit plays, not its name. */
static size_t annotation_len(const char *s, size_t len) {
        static const char *const notes[] = {
                "（牵头）", "（配合）", "（负责）", "（主责）", "（协办）",
                "(牵头)", "(配合)", "(负责)", "(主责)", "(协办)", NULL,
        };

        for (const char *const *n = notes; *n; n++)
                if (ends_with(s, len, *n))
                        return strlen(*n);
        return 0;
}

/* The separator at s: its length, or 0. */
static size_t owner_separator(const char *s) {
        static const char *const seps[] = { "，", "、", "／", "；", ",", "/", ";", NULL };
        size_t k = space_at(s);

        for (const char *const *p = seps; *p && !k; p++)
                if (strncmp(s, *p, strlen(*p)) == 0)
                        k = strlen(*p);
        return k;
}

/* Calls fn on every name in s, each [start, start+len). false as soon as fn does. */
static bool each_name(const char *s, bool (*fn)(const char *, size_t, void *), void *data) {
        while (*s) {
                const char *start;
                size_t k;

                while ((k = owner_separator(s)) > 0)
                        s += k;
                if (!*s)
                        break;
                start = s;
                while (*s && owner_separator(s) == 0)
                        s++;
                if (!fn(start, (size_t) (s - start), data))
                        return false;
        }
        return true;
}

static bool name_like(const char *s, size_t len, void *data) {
        char *name = strndup(s, len);
        bool ok = false;

        (void) data;
        if (!name)
                return false;
        len -= annotation_len(name, len);
        name[len] = '\0';
        if (cell_length(name) >= 2 && cell_length(name) <= OWNER_NAME_MAX &&
            !contains_any(name, not_in_names))
                for (const char *const *e = unit_ends; *e && !ok; e++)
                        ok = ends_with(name, len, *e);
        free(name);
        return ok;
}

bool cell_owner_like(const char *s) {
        if (!*s || cell_length(s) > OWNERS_CELL_MAX)
                return false;
        return each_name(s, name_like, NULL);
}

struct owner_list {
        char ***names;
        size_t *n;
        int r;
};

static bool add_name(const char *s, size_t len, void *data) {
        struct owner_list *l = data;
        char *name = strndup(s, len);

        if (!name) {
                l->r = -ENOMEM;
                return false;
        }
        name[len - annotation_len(name, len)] = '\0';
        if (*name && !strv_contains(*l->names, *l->n, name) && strv_push(l->names, l->n, name) < 0)
                l->r = -ENOMEM;
        free(name);
        return l->r == 0;
}

int cell_split_owners(const char *s, char ***names, size_t *n) {
        struct owner_list l = { names, n, 0 };

        each_name(s, add_name, &l);
        return l.r;
}

/* ---- deadline phrases --------------------------------------------------------- */

bool cell_phrase(const char *s, int year) {
        struct when_result w;

        if (!*s || cell_length(s) > PHRASE_CELL_MAX || strstr(s, "。"))
                return false;
        when_parse(s, year, &w);
        return w.kind != WHEN_UNKNOWN;
}
