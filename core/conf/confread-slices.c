/* SPDX-License-Identifier: MIT */
/* A ledger file read in slices: its tasks list cut at element boundaries
 * found by a small scanner of libconfig's lexical rules, each slice parsed
 * by libconfig on its own (by several threads), so that the parse tree of a
 * huge ledger never exists whole. Anything the scanner does not vouch for
 * makes the caller read the file whole instead (confread.h). */
#include "conf/confread.h"
#include "conf/plain/confplain.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/sha256.h"
#include "basic/threads.h"

/* ---- a file read in slices ------------------------------------------------------ */

/* A slice's text is cut at the first comma between elements past this many
 * bytes: about 800 tasks, a tree of a megabyte or so. */
#define SLICE_BYTES (256 * 1024)
size_t confread_slice_bytes = SLICE_BYTES;
#define SLICE_MAX_THREADS 4
/* Deeper nesting than this in a ledger is not sliced, only read whole. */
#define SCAN_MAX_DEPTH 32

/* A slice of the list: whole elements, from just after the '(' or a comma to
 * just before a comma or the ')'. */
struct slice {
        size_t start, end; /* bytes of the file */
        size_t first, n;   /* its elements, numbered in the whole list */
        int line;          /* of start */
};

struct slice_slot {
        config_t cfg;
        bool parsed; /* cfg holds a tree, destroyed before the slot is reused */
        bool ready;  /* parsed, by whichever thread, and ok says how */
        bool ok;
        struct confread_origin origin;
};

struct parser;

struct confread_slices {
        char *text; /* the file, as it was read once */
        size_t len;
        struct slice *slices; /* n_slices, under the lock while scanning */
        size_t n_slices, cap, n_elements;
        const char *file;
        const char *counted;  /* the scan has counted the lines up to here */
        int line;             /* the line there */
        bool scanning;        /* parsers wait for slices still to be found */

        struct slice_slot *ring; /* slice k in ring[k % ring_size] */
        size_t ring_size;
        pthread_t threads[SLICE_MAX_THREADS];
        struct parser *parsers; /* n_parsers: one a thread, and the caller's */
        size_t n_parsers;
        size_t n_threads;  /* parsers; 0: the caller parses each slice itself */
        size_t n_started;
        bool threaded;     /* lock and changed initialised */
        pthread_mutex_t lock;
        pthread_cond_t changed;
        size_t released;   /* slices the caller is done with */
        size_t next_take;  /* the slice the caller gets next */
        bool stop;

        /* Whether the text is UTF-8 without NUL bytes, and its digest: both
         * by a thread of their own while the scan and the parsers go on. The
         * digest joins the configuration's on close. */
        struct confread *cr;
        pthread_t checker;
        bool checking, valid;
        uint8_t digest[SHA256_DIGEST_SIZE];
        bool digest_ok;
};

/* ---- the scan: libconfig's lexical rules, enough to find the list -------- */

enum scan_token {
        SCAN_END,
        SCAN_BAD, /* something the scan does not vouch for: read the file whole */
        SCAN_OPEN,
        SCAN_CLOSE,
        SCAN_COMMA,
        SCAN_EQUALS,
        SCAN_OTHER, /* ';' and strings */
        SCAN_ATOM,  /* a name, a number, true, false, or garbage for libconfig */
};

struct scan {
        const char *s;
        size_t len, pos;
        char c;            /* the bracket of SCAN_OPEN and SCAN_CLOSE */
        size_t atom, n_atom; /* the text of SCAN_ATOM */
        char stack[SCAN_MAX_DEPTH];
        size_t depth;
};

/* Bytes that end an atom: libconfig's names and numbers hold none of them. */
static const bool scan_special[256] = {
        ['\0'] = true, [' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true,
        ['\f'] = true, ['"'] = true,  ['#'] = true,  ['/'] = true,  ['{'] = true,
        ['}'] = true,  ['('] = true,  [')'] = true,  ['['] = true,  [']'] = true,
        [','] = true,  [';'] = true,  ['='] = true,  [':'] = true,  ['@'] = true,
};

/* Past a "..." string, whose opening quote is at pos: a backslash always
 * takes the next byte with it, so \" and \\ are the only escapes that matter.
 * Most strings hold no backslash: memchr() finds their end. */
static enum scan_token scan_string(struct scan *sc) {
        const char *p = sc->s + sc->pos + 1, *end = sc->s + sc->len;

        for (;;) {
                const char *quote = memchr(p, '"', (size_t) (end - p)), *slash;

                if (!quote)
                        return SCAN_BAD; /* unterminated */
                slash = memchr(p, '\\', (size_t) (quote - p));
                if (!slash) {
                        sc->pos = (size_t) (quote - sc->s) + 1;
                        return SCAN_OTHER;
                }
                if (slash + 1 >= end)
                        return SCAN_BAD;
                p = slash + 2;
        }
}

/* Past a comment at pos. libconfig's # and // comments need the newline that
 * ends them; a block comment ends at the first star-slash. */
static bool scan_comment(struct scan *sc) {
        const char *end = confplain_comment_end(sc->s + sc->pos, sc->s + sc->len);

        if (!end)
                return false; /* unterminated, or a lone slash: garbage to libconfig */
        sc->pos = (size_t) (end - sc->s);
        return true;
}

static enum scan_token scan_next(struct scan *sc) {
        unsigned lines = 0; /* the scan has no use for them */
        const char *s = sc->s, *next = confplain_blanks_end(s + sc->pos, s + sc->len, &lines);
        char c;

        if (!next)
                return SCAN_BAD; /* a comment that is garbage to libconfig */
        sc->pos = (size_t) (next - s);
        if (sc->pos == sc->len)
                return SCAN_END;
        c = s[sc->pos];
        switch (c) {
        case '"':
                return scan_string(sc);
        case '{':
        case '(':
        case '[':
        case '}':
        case ')':
        case ']':
                sc->c = c;
                sc->pos++;
                return c == '{' || c == '(' || c == '[' ? SCAN_OPEN : SCAN_CLOSE;
        case ',':
                sc->pos++;
                return SCAN_COMMA;
        case '=':
        case ':':
                sc->pos++;
                return SCAN_EQUALS;
        case ';':
                sc->pos++;
                return SCAN_OTHER;
        case '@':
        case '\0':
                return SCAN_BAD; /* @include, or a byte a C string cannot hold */
        default:
                sc->atom = sc->pos;
                while (sc->pos < sc->len && !scan_special[(unsigned char) s[sc->pos]])
                        sc->pos++;
                sc->n_atom = sc->pos - sc->atom;
                return SCAN_ATOM;
        }
}

/* Keeps the bracket stack; false on a mismatch or nesting too deep. */
static bool scan_bracket(struct scan *sc, enum scan_token t) {
        char open;

        if (t == SCAN_OPEN) {
                if (sc->depth == SCAN_MAX_DEPTH)
                        return false;
                sc->stack[sc->depth++] = sc->c;
                return true;
        }
        if (sc->depth == 0)
                return false;
        open = sc->stack[--sc->depth];
        return (open == '{' && sc->c == '}') || (open == '(' && sc->c == ')') ||
               (open == '[' && sc->c == ']');
}

static bool scan_atom_is(const struct scan *sc, const char *name) {
        return sc->n_atom == strlen(name) && memcmp(sc->s + sc->atom, name, sc->n_atom) == 0;
}

/* Past one group element, whose '{' was just read. Inside it only brackets,
 * strings and comments matter (and '@', which the scan does not vouch for):
 * the bytes between them are skipped without making tokens. */
static bool scan_group(struct scan *sc) {
        static const bool stop[256] = {
                ['\0'] = true, ['"'] = true, ['#'] = true, ['/'] = true, ['@'] = true,
                ['{'] = true,  ['}'] = true, ['('] = true, [')'] = true, ['['] = true,
                [']'] = true,
        };
        const char *s = sc->s;
        size_t base = sc->depth, i = sc->pos;

        sc->stack[sc->depth++] = '{';
        while (sc->depth > base) {
                while (i < sc->len && !stop[(unsigned char) s[i]])
                        i++;
                if (i == sc->len)
                        return false;
                sc->pos = i;
                switch (s[i]) {
                case '"':
                        if (scan_string(sc) == SCAN_BAD)
                                return false;
                        break;
                case '#':
                case '/':
                        if (!scan_comment(sc))
                                return false;
                        break;
                case '@':
                case '\0':
                        return false;
                default:
                        sc->c = s[i];
                        sc->pos++;
                        if (!scan_bracket(sc, s[i] == '{' || s[i] == '(' || s[i] == '['
                                                      ? SCAN_OPEN : SCAN_CLOSE))
                                return false;
                }
                i = sc->pos;
        }
        return true;
}

/* Adds a slice found, numbering its line, for the parsers to start on. */
static bool slices_add(struct confread_slices *x, const struct slice *s) {
        const char *start = x->text + s->start;
        bool ok = true;

        for (; (x->counted = memchr(x->counted, '\n', (size_t) (start - x->counted)));
             x->counted++)
                x->line++;
        x->counted = start;
        if (x->threaded)
                pthread_mutex_lock(&x->lock);
        if (x->n_slices == x->cap) {
                size_t n = x->cap ? x->cap * 2 : 64;
                struct slice *p = realloc(x->slices, n * sizeof *p);

                if (p) {
                        x->slices = p;
                        x->cap = n;
                }
                ok = p != NULL;
        }
        if (ok) {
                x->slices[x->n_slices] = *s;
                x->slices[x->n_slices++].line = x->line;
        }
        if (x->threaded) {
                pthread_cond_broadcast(&x->changed);
                pthread_mutex_unlock(&x->lock);
        }
        return ok;
}

/* The inside of the list, whose '(' was just read: only groups, separated by
 * commas, cut into slices. Leaves pos at the ')'. */
static int scan_list(struct scan *sc, struct confread_slices *x) {
        struct slice cur = { .start = sc->pos };
        enum scan_token t = scan_next(sc);

        if (t == SCAN_CLOSE && sc->c == ')') {
                sc->pos--;
                return 1; /* empty */
        }
        for (;;) {
                if (t != SCAN_OPEN || sc->c != '{' || !scan_group(sc))
                        return 0; /* not a group: the reader reports it */
                cur.n++;
                x->n_elements++;
                t = scan_next(sc);
                if (t == SCAN_CLOSE && sc->c == ')') {
                        cur.end = sc->pos - 1;
                        sc->pos--;
                        return slices_add(x, &cur) ? 1 : -ENOMEM;
                }
                if (t != SCAN_COMMA)
                        return 0;
                if (sc->pos - cur.start >= confread_slice_bytes) {
                        cur.end = sc->pos - 1;
                        if (!slices_add(x, &cur))
                                return -ENOMEM;
                        cur = (struct slice) { .start = sc->pos, .first = x->n_elements };
                }
                t = scan_next(sc);
        }
}

/* Finds group = { … list = ( … ) … } at the top of the file and cuts the
 * list into slices; checks the whole file for what the scan cannot vouch
 * for. 1 when found, 0 when not (or the file is unusual), -ENOMEM. On 1,
 * *open and *close are where the list's brackets are. */
static int scan_file(struct confread_slices *x, const char *group, const char *list,
                     size_t *open, size_t *close) {
        struct scan sc = { .s = x->text, .len = x->len };
        enum scan_token t, prev = SCAN_END, prev2 = SCAN_END;
        bool in_group = false, found = false, name = false, name2 = false;
        int k;

        while ((t = scan_next(&sc)) != SCAN_END) {
                if (t == SCAN_BAD)
                        return 0;
                if (!found && t == SCAN_OPEN && prev == SCAN_EQUALS && prev2 == SCAN_ATOM &&
                    name2 && in_group && sc.depth == 1 && sc.c == '(') {
                        *open = sc.pos - 1;
                        k = scan_list(&sc, x);
                        if (k <= 0)
                                return k;
                        *close = sc.pos;
                        sc.pos++; /* the ')' */
                        found = true;
                        t = SCAN_OTHER; /* the list, a value */
                } else if (t == SCAN_OPEN || t == SCAN_CLOSE) {
                        if (!found && t == SCAN_OPEN && prev == SCAN_EQUALS &&
                            prev2 == SCAN_ATOM && name2 && sc.depth == 0 && sc.c == '{')
                                in_group = true;
                        if (!scan_bracket(&sc, t))
                                return 0;
                        if (sc.depth == 0)
                                in_group = false;
                }
                name2 = name;
                name = t == SCAN_ATOM && scan_atom_is(&sc, sc.depth == 0 ? group : list);
                prev2 = prev;
                prev = t;
        }
        return found && sc.depth == 0;
}

/* ---- parsing slices, by several threads ------------------------------------------ */

/* Each parser thread takes every n_threads-th slice and its slots, so that a
 * tree is freed by the thread that made it: frees across threads' malloc
 * arenas contend for their locks, which cost more than a third thread gained.
 * The caller only builds from the trees, in order. */

static struct slice_slot *slot_of(const struct confread_slices *x, size_t k) {
        return &x->ring[k % x->ring_size];
}

/* Parses the text as libconfig would a file, the settings told where they
 * come from: libconfig counts lines from the text's start and knows no file.
 * Plain text is read without libconfig's scanner, which is slow (confplain.h). */
static bool parse_text(config_t *cfg, const char *text, size_t len,
                       struct confread_origin *origin) {
        bool ok;

        config_init(cfg);
        ok = confplain_read(cfg, text, len) == 1 || config_read_string(cfg, text) == CONFIG_TRUE;
        config_setting_set_hook(config_root_setting(cfg), origin);
        return ok;
}

struct parser {
        struct confread_slices *x;
        size_t first;   /* parses slices first, first + n_threads, … */
        char *text;     /* the text of the slice parsed last, kept for the next */
        size_t cap;
};

/* "l=(" and the slice's text and ")": the slice's first byte stays on the
 * text's first line, so that its lines are the file's less line - 1. */
static void parse_slice(struct parser *p, size_t k, const struct slice *s) {
        struct confread_slices *x = p->x;
        struct slice_slot *slot = slot_of(x, k);
        size_t n = s->end - s->start;
        char *text = p->text;

        if (slot->parsed)
                config_destroy(&slot->cfg);
        slot->origin = (struct confread_origin) { .file = x->file, .line_offset = s->line - 1 };
        if (n + 6 > p->cap && (text = realloc(p->text, n + 6))) {
                p->text = text;
                p->cap = n + 6;
        }
        if (text) {
                memcpy(text, "l=(", 3);
                memcpy(text + 3, x->text + s->start, n);
                memcpy(text + 3 + n, ")", 2);
        }
        slot->ok = text && parse_text(&slot->cfg, text, n + 4, &slot->origin);
        if (!text)
                config_init(&slot->cfg);
        slot->parsed = true;
}

static void *slices_parser(void *arg) {
        struct parser *p = arg;
        struct confread_slices *x = p->x;

        pthread_mutex_lock(&x->lock);
        for (size_t k = p->first; !x->stop; k += x->n_threads) {
                struct slice s;

                while (!x->stop && (k >= x->released + x->ring_size ||
                                    (k >= x->n_slices && x->scanning)))
                        pthread_cond_wait(&x->changed, &x->lock);
                if (x->stop || k >= x->n_slices)
                        break;
                s = x->slices[k]; /* the array may move while the scan goes on */
                pthread_mutex_unlock(&x->lock);
                parse_slice(p, k, &s);
                pthread_mutex_lock(&x->lock);
                slot_of(x, k)->ready = true;
                pthread_cond_broadcast(&x->changed);
        }
        pthread_mutex_unlock(&x->lock);
        return NULL;
}

/* As many parsers as processors, when there are (by the file's size) more
 * slices than one and more processors than one; else the caller parses as it
 * goes. */
static size_t slices_parsers_wanted(size_t n_slices) {
        size_t cpus = threads_cpus(), n = cpus > 1 ? cpus : 0;

        if (n > SLICE_MAX_THREADS)
                n = SLICE_MAX_THREADS;
        if (n > n_slices)
                n = n_slices;
        return n_slices > 1 ? n : 0;
}

static void slices_stop(struct confread_slices *x) {
        pthread_mutex_lock(&x->lock);
        x->stop = true;
        pthread_cond_broadcast(&x->changed);
        pthread_mutex_unlock(&x->lock);
        for (size_t i = 0; i < x->n_started; i++)
                pthread_join(x->threads[i], NULL);
        x->n_started = 0;
}

/* Parsers start with every signal blocked: those are the caller's. The ring
 * holds two slices a parser: one being built from, one parsed ahead. When a
 * thread cannot start, the caller parses every slice itself. */
static int slices_start(struct confread_slices *x) {
        size_t want = slices_parsers_wanted(x->len / confread_slice_bytes + 1);

        x->ring_size = want ? 2 * want : 1;
        x->ring = calloc(x->ring_size, sizeof *x->ring);
        x->parsers = calloc(want + 1, sizeof *x->parsers);
        if (!x->ring || !x->parsers)
                return -ENOMEM;
        x->n_parsers = want + 1;
        for (size_t i = 0; i <= want; i++)
                x->parsers[i] = (struct parser) { .x = x, .first = i };
        pthread_mutex_init(&x->lock, NULL);
        pthread_cond_init(&x->changed, NULL);
        x->threaded = true;
        x->scanning = true;
        x->n_threads = want;
        for (size_t i = 0; i < want; i++) {
                if (threads_start(&x->threads[i], slices_parser, &x->parsers[i]) < 0) {
                        slices_stop(x);
                        x->n_threads = 0;
                        break;
                }
                x->n_started = i + 1;
        }
        return 0;
}

/* The newlines between the list's brackets: the scan has counted them up to
 * its last slice (the first starts on the line of the '('), the rest are
 * counted here. */
static size_t list_newlines(const struct confread_slices *x, size_t open, size_t close) {
        const char *q = x->n_slices ? x->counted : x->text + open;
        size_t n = x->n_slices ? (size_t) (x->line - x->slices[0].line) : 0;

        for (; (q = memchr(q, '\n', (size_t) (x->text + close - q))); q++)
                n++;
        return n;
}

/* The file with the list left empty, its lines kept: a newline for each the
 * list held. */
static char *skeleton_text(const struct confread_slices *x, size_t open, size_t close) {
        size_t newlines = list_newlines(x, open, close), tail = x->len - close;
        char *text, *p;

        text = malloc(open + 1 + newlines + tail + 1);
        if (!text)
                return NULL;
        memcpy(text, x->text, open + 1);
        p = memset(text + open + 1, '\n', newlines);
        memcpy(p + newlines, x->text + close, tail);
        p[newlines + tail] = '\0';
        return text;
}

/* ---- the file's check and digest ------------------------------------------------ */

static void *check_text(void *arg) {
        struct confread_slices *x = arg;

        x->valid = confread_text_valid(x->text, x->len);
        x->digest_ok = sha256(x->text, x->len, x->digest) == 0;
        return NULL;
}

/* A 33 MB ledger takes 25 ms to check and 30 to hash: on the thread that
 * reads the tasks, which everything waits for, that is a fifth of a reload.
 * A file of one slice (a county's ledger, a province's hundred) is checked
 * here: a thread would cost more than it saves. Text that turns out not to
 * be UTF-8 makes the slices' reading void (as a slice that does not parse
 * does): the file is read whole, which says why. */
static void check_start(struct confread *cr, struct confread_slices *x) {
        x->cr = cr;
        x->checking = x->len > confread_slice_bytes &&
                      threads_start(&x->checker, check_text, x) == 0;
        if (!x->checking)
                check_text(x);
}

static bool check_wait(struct confread_slices *x) {
        if (x->checking)
                pthread_join(x->checker, NULL);
        x->checking = false;
        return x->valid;
}

static void check_finish(struct confread_slices *x) {
        check_wait(x);
        if (x->text) /* read, and so checked */
                confread_file_digest(x->cr, x->file, x->digest_ok ? x->digest : NULL, x->len);
}

int confread_slices_open(struct confread *cr, const char *path, const char *group,
                         const char *list, config_t *skeleton, struct confread_origin *origin,
                         struct confread_slices **out) {
        struct confread_slices *x = calloc(1, sizeof *x);
        size_t open = 0, close = 0;
        char *text;
        int k;

        *out = NULL;
        if (confread_slice_bytes == 0) {
                free(x);
                return 0;
        }
        if (!x)
                return -ENOMEM;
        x->file = confread_intern_file(cr, path);
        /* A file that cannot be read is read whole, which says why. */
        k = x->file ? confread_text(path, &x->text, &x->len) : -ENOMEM;
        if (k == -ENOMEM) {
                confread_slices_close(x);
                return k;
        }
        /* The parsers start on the slices as the scan finds them. */
        if (k == 0) {
                check_start(cr, x);
                x->counted = x->text;
                x->line = 1;
                k = slices_start(x);
        }
        if (k == 0)
                k = scan_file(x, group, list, &open, &close);
        if (x->threaded) {
                pthread_mutex_lock(&x->lock);
                x->scanning = false;
                pthread_cond_broadcast(&x->changed);
                pthread_mutex_unlock(&x->lock);
        }
        if (k <= 0) {
                confread_slices_close(x);
                return k == -ENOMEM ? k : 0; /* read whole: its messages are the reader's */
        }
        text = skeleton_text(x, open, close);
        if (!text) {
                confread_slices_close(x);
                return -ENOMEM;
        }
        *origin = (struct confread_origin) { .file = x->file, .line_offset = 0 };
        if (!parse_text(skeleton, text, strlen(text), origin)) {
                free(text);
                config_destroy(skeleton);
                confread_slices_close(x);
                return 0;
        }
        free(text);
        *out = x;
        return 1;
}

size_t confread_slices_elements(const struct confread_slices *x) {
        return x->n_elements;
}

int confread_slices_next(struct confread_slices *x, const config_setting_t **list,
                         size_t *first) {
        size_t k = x->next_take;
        const struct slice *s;
        struct slice_slot *slot;

        if (k == x->n_slices)
                return 0;
        if (x->n_threads == 0)
                parse_slice(&x->parsers[0], k, &x->slices[k]);
        else {
                pthread_mutex_lock(&x->lock);
                x->released = k; /* the slice handed over last is done with */
                pthread_cond_broadcast(&x->changed);
                while (!slot_of(x, k)->ready)
                        pthread_cond_wait(&x->changed, &x->lock);
                slot_of(x, k)->ready = false;
                pthread_mutex_unlock(&x->lock);
        }
        x->next_take = k + 1;
        s = &x->slices[k];
        slot = slot_of(x, k);
        *list = slot->ok ? config_lookup(&slot->cfg, "l") : NULL;
        if (!*list || config_setting_type(*list) != CONFIG_TYPE_LIST ||
            (size_t) config_setting_length(*list) != s->n)
                return -EINVAL;
        *first = s->first;
        return 1;
}

int confread_slices_finish(struct confread_slices *x) {
        const config_setting_t *list;
        size_t first;
        int k;

        while ((k = confread_slices_next(x, &list, &first)) > 0)
                ;
        return k == 0 && !check_wait(x) ? -EINVAL : k;
}

void confread_slices_close(struct confread_slices *x) {
        if (!x)
                return;
        check_finish(x);
        if (x->threaded) {
                slices_stop(x);
                pthread_cond_destroy(&x->changed);
                pthread_mutex_destroy(&x->lock);
        }
        for (size_t i = 0; x->ring && i < x->ring_size; i++)
                if (x->ring[i].parsed)
                        config_destroy(&x->ring[i].cfg);
        free(x->ring);
        for (size_t i = 0; i < x->n_parsers; i++)
                free(x->parsers[i].text);
        free(x->parsers);
        free(x->slices);
        free(x->text);
        free(x);
}
