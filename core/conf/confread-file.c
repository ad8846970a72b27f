/* SPDX-License-Identifier: MIT */
/* The text of a configuration file as both readers get it (confread.h): read
 * only from a regular file, never from something that blocks; UTF-8 without
 * NUL bytes; a byte order mark dropped. For a whole read, the @include
 * directives are replaced by the files they name, so that libconfig gets one
 * string and never opens a file: it would block on a FIFO, exit the process
 * on a directory, and choke on a byte order mark. */
#include "conf/confread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/prefault.h"
#include "basic/readfile.h"
#include "basic/threads.h"
#include "basic/text.h"

/* libconfig's own limit: deeper is a file that includes itself. */
#define INCLUDE_DEPTH_MAX 10
#define BOM "\xef\xbb\xbf"

/* ---- a regular file, read without blocking ------------------------------------- */

/* For "X is a FIFO (named pipe), not a regular file". */
static const char *file_kind(mode_t mode) {
        switch (mode & S_IFMT) {
        case S_IFDIR: return "a directory";
        case S_IFIFO: return "a FIFO (named pipe)";
        case S_IFCHR: return "a character device";
        case S_IFBLK: return "a block device";
        case S_IFSOCK: return "a socket";
        default: return "something else";
        }
}

/* The open fd of path, a regular file: stat() first, for opening a device
 * may already do something; then O_NONBLOCK, which opening a FIFO needs not
 * to wait for a writer, and fstat() again, so that what was put there
 * meanwhile is never read. -EINVAL when it is not a regular file (*st says
 * what it is), or -errno. */
static int open_regular(const char *path, struct stat *st) {
        int fd;

        if (stat(path, st) < 0)
                return -errno;
        if (!S_ISREG(st->st_mode))
                return -EINVAL;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
                int r = S_ISREG(st->st_mode) ? -errno : -EINVAL;

                close(fd);
                return r;
        }
        return fd;
}

/* Above this, a file's second half is read by a thread of its own. */
#define SPLIT_READ_MIN (4u << 20)

struct half {
        int fd;
        char *buf;
        size_t size;
        off_t offset;
        ssize_t got;
};

static void *read_half(void *arg) {
        struct half *h = arg;

        prefault(h->buf, h->size);
        h->got = readfile_at(h->fd, h->buf, h->size, h->offset);
        return NULL;
}

/* Whether the size bytes of fd, and nothing after them, are now in buf,
 * read by two threads: on a virtual machine, copying into pages never
 * written before is slow (50 ms for a 33 MB ledger), and the other
 * processor has nothing to do until the text is in. False: read it as
 * usual (a small file, no thread, or one that changed meanwhile). */
static bool read_split(int fd, char *buf, size_t size) {
        struct half first = { .fd = fd, .buf = buf, .size = size / 2 };
        struct half second = { .fd = fd, .buf = buf + size / 2, .size = size - size / 2,
                               .offset = (off_t) (size / 2) };
        pthread_t thread;
        char after;

        if (size < SPLIT_READ_MIN || threads_start(&thread, read_half, &second) < 0)
                return false;
        read_half(&first);
        pthread_join(thread, NULL);
        return first.got == (ssize_t) first.size && second.got == (ssize_t) second.size &&
               readfile_at(fd, &after, 1, (off_t) size) == 0;
}

/* The whole file, NUL-terminated; size is what fstat() said, a hint. */
static int read_fd(int fd, size_t size, char **text, size_t *len) {
        size_t cap = size + 2 > 4096 ? size + 2 : 4096, n = 0;
        char *buf = malloc(cap);
        int r = 0;

        if (!buf)
                return -ENOMEM;
        if (read_split(fd, buf, size))
                n = size;
        else {
                prefault(buf, cap);
                r = readfile_fd_all(fd, SIZE_MAX, &buf, &cap, &n);
        }
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[n] = '\0';
        *text = buf;
        *len = n;
        return 0;
}

static int read_regular(const char *path, struct stat *st, char **text, size_t *len) {
        int fd = open_regular(path, st), r;

        if (fd < 0)
                return fd;
        r = read_fd(fd, (size_t) st->st_size, text, len);
        close(fd);
        return r;
}

int confread_check_file(struct confread *cr, const config_setting_t *ref, const char *key,
                        const char *path) {
        struct stat st;

        if (stat(path, &st) < 0) {
                confread_error(cr, ref, "'%s': cannot read %s: %s", key, path, strerror(errno));
                return -EINVAL;
        }
        if (S_ISREG(st.st_mode))
                return 0;
        confread_error(cr, ref, "'%s': %s is %s, not a regular file: name the file itself "
                       "(ledgerd reads its configuration only from regular files)", key, path,
                       file_kind(st.st_mode));
        return -EINVAL;
}

/* ---- text: UTF-8 without NUL bytes ------------------------------------------------ */

/* Whether any of 8 bytes is 0 or has its high bit: then look at each. */
static bool word_unusual(uint64_t w) {
        return ((w - UINT64_C(0x0101010101010101)) | w) & UINT64_C(0x8080808080808080);
}

/* 3 when p starts a valid three-byte character (every Chinese one), else
 * 0: checked here, the rest by text_utf8_decode(). */
static size_t three_bytes(const unsigned char *p, size_t left) {
        if (left < 3 || (p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
                return 0;
        if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))
                return 0; /* overlong, or a surrogate */
        return 3;
}

/* Where s stops being UTF-8 without NUL bytes: the offset of the first byte
 * that is not, or len. ASCII, most of every file, goes 8 bytes at a time;
 * Chinese three bytes at a time without a call. */
static size_t utf8_invalid_at(const char *s, size_t len) {
        size_t i = 0;

        while (i < len) {
                uint64_t w;
                unsigned cp;
                size_t k;

                if (len - i >= 8) {
                        memcpy(&w, s + i, 8);
                        if (!word_unusual(w)) {
                                i += 8;
                                continue;
                        }
                }
                if (s[i] == '\0')
                        return i;
                k = (unsigned char) s[i] < 0x80 ? 1 : three_bytes((const unsigned char *) s + i, len - i);
                if (k == 0 && (unsigned char) s[i] >= 0x80)
                        k = text_utf8_decode(s + i, len - i, &cp);
                if (k == 0)
                        return i;
                i += k;
        }
        return len;
}

/* The line of offset at in text, and which byte of that line it is (from 1). */
static int line_of(const char *text, size_t at, size_t *column) {
        const char *p = text, *end = text + at, *nl;
        int line = 1;

        while ((nl = memchr(p, '\n', (size_t) (end - p)))) {
                line++;
                p = nl + 1;
        }
        *column = (size_t) (end - p) + 1;
        return line;
}

static void report_invalid(struct confread *cr, const char *path, const char *text, size_t at) {
        size_t column;
        int line = line_of(text, at, &column);

        if (at == 0 && ((text[0] == '\xff' && text[1] == '\xfe') ||
                        (text[0] == '\xfe' && text[1] == '\xff')))
                diag_add(cr->diags, DIAG_ERROR, path, 1, "the file is UTF-16 (it starts with a "
                         "UTF-16 byte order mark): save it as UTF-8");
        else if (text[at] == '\0')
                diag_add(cr->diags, DIAG_ERROR, path, line, "a NUL byte (byte %zu of the line): "
                         "a configuration file is UTF-8 text, which holds none", column);
        else
                diag_add(cr->diags, DIAG_ERROR, path, line, "not UTF-8: byte 0x%02X (byte %zu of "
                         "the line); save the file as UTF-8 (from GBK or GB18030: iconv -f "
                         "GB18030 -t UTF-8)", (unsigned char) text[at], column);
}

static void drop_bom(char *text, size_t *len) {
        if (*len >= 3 && memcmp(text, BOM, 3) == 0) {
                memmove(text, text + 3, *len - 3 + 1);
                *len -= 3;
        }
}

/* Drops a byte order mark; 0, or -EINVAL when the text is not UTF-8 without
 * NUL bytes, reported at path. */
static int check_text(struct confread *cr, const char *path, char *text, size_t *len) {
        size_t at;

        drop_bom(text, len);
        at = utf8_invalid_at(text, *len);
        if (at == *len)
                return 0;
        report_invalid(cr, path, text, at);
        return -EINVAL;
}

int confread_text(const char *path, char **text, size_t *len) {
        struct stat st;
        int r = read_regular(path, &st, text, len);

        if (r == 0)
                drop_bom(*text, len);
        return r;
}

bool confread_text_valid(const char *text, size_t len) {
        return utf8_invalid_at(text, len) == len;
}

/* ---- @include, done before libconfig sees the text ------------------------------- */

/* A text put together from files: the lines of each part are told by
 * spans. */
struct expansion {
        struct confread *cr;
        char *dir;        /* include names are relative to the first file's directory */
        char *out;        /* NUL-terminated */
        size_t len, cap;
        int line;         /* the line of out its end is on */
        struct confread_span *spans;
        size_t n_spans;
        bool failed;      /* a problem was reported: libconfig is not asked */
};

static int append(struct expansion *x, const char *s, size_t n) {
        if (x->len + n + 1 > x->cap) {
                size_t cap = x->cap ? x->cap : 4096;
                char *p;

                while (cap < x->len + n + 1)
                        cap *= 2;
                p = realloc(x->out, cap);
                if (!p)
                        return -ENOMEM;
                x->out = p;
                x->cap = cap;
        }
        memcpy(x->out + x->len, s, n);
        x->len += n;
        x->out[x->len] = '\0';
        for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t) (end - p))); p++)
                x->line++;
        return 0;
}

/* From the line out is on, the lines are file's from line on. */
static int add_span(struct expansion *x, const char *file, int line) {
        struct confread_span *s;

        if (x->n_spans > 0 && x->spans[x->n_spans - 1].first == x->line)
                x->n_spans--; /* an included file that was empty */
        s = realloc(x->spans, (x->n_spans + 1) * sizeof *s);
        if (!s)
                return -ENOMEM;
        x->spans = s;
        x->spans[x->n_spans++] = (struct confread_span) { .first = x->line, .file = file,
                                                          .line = line };
        return 0;
}

/* How a text ended, for an included file must not leave its string or
 * comment open into the file that includes it. */
enum text_end {
        END_CLEAN,
        END_IN_STRING,
        END_IN_COMMENT,
};

/* Past the "…" string whose quote is at p, where a backslash takes the next
 * byte with it, as libconfig's scanner reads it; NULL when it does not end. */
static const char *string_end(const char *p, const char *end) {
        for (p++; p < end; p++) {
                if (*p == '\\' && ++p == end)
                        return NULL;
                if (*p == '"')
                        return p + 1;
        }
        return NULL;
}

/* libconfig's directive: `@include "name"` at a line's start, after blanks.
 * In the name, \\ and \" are a backslash and a quote; another backslash is
 * dropped, as libconfig's scanner drops it. 1 and *name (to free) and
 * *after, past the closing quote; 0 when p starts no directive; -EINVAL when
 * its quote does not close; -ENOMEM. */
static int directive_at(const char *p, const char *end, char **name, const char **after) {
        const char *q = p + strspn(p, " \t");
        size_t k = 0;
        char *n;

        if (end - q < 10 || memcmp(q, "@include", 8) != 0 || (q[8] != ' ' && q[8] != '\t'))
                return 0;
        q += 8 + strspn(q + 8, " \t");
        if (q == end || *q != '"')
                return 0;
        n = malloc((size_t) (end - q));
        if (!n)
                return -ENOMEM;
        for (q++; q < end && *q != '"'; q++) {
                if (*q == '\\' && (q + 1 == end || (q[1] != '\\' && q[1] != '"')))
                        continue;
                if (*q == '\\')
                        q++;
                n[k++] = *q;
        }
        n[k] = '\0';
        if (q == end) {
                free(n);
                return -EINVAL;
        }
        *name = n;
        *after = q + 1;
        return 1;
}

static int expand_text(struct expansion *x, const char *file, const char *text, size_t len,
                       int depth, enum text_end *ended);

/* The included file, read and checked, in place of its directive at
 * file:line; then file again from after_line on. */
static int include_file(struct expansion *x, const char *file, int line, const char *name,
                        int depth, int after_line) {
        char *path = confread_resolve_path(x->dir, name), *text = NULL;
        const char *interned = path ? confread_intern_file(x->cr, path) : NULL;
        enum text_end ended = END_CLEAN;
        struct stat st;
        size_t len;
        int r;

        if (!interned) {
                free(path);
                return -ENOMEM;
        }
        /* -ELOOP ends the whole reading, as libconfig's first error did: a
         * file that includes itself twice would be read 2^10 times. */
        if (depth == INCLUDE_DEPTH_MAX) {
                diag_add(x->cr->diags, DIAG_ERROR, file, line, "@include \"%s\": nested more "
                         "than %d deep: does a file include itself?", name, INCLUDE_DEPTH_MAX);
                r = -ELOOP;
        } else if ((r = read_regular(path, &st, &text, &len)) == -EINVAL)
                diag_add(x->cr->diags, DIAG_ERROR, file, line, "@include \"%s\": %s is %s, not "
                         "a regular file: include the file itself", name, path,
                         file_kind(st.st_mode));
        else if (r < 0 && r != -ENOMEM)
                diag_add(x->cr->diags, DIAG_ERROR, file, line, "@include \"%s\": cannot read "
                         "%s: %s", name, path, strerror(-r));
        else if (r == 0 && (r = check_text(x->cr, interned, text, &len)) == 0)
                confread_file_read(x->cr, interned, text, len);
        free(path);
        if (r == 0 && (r = add_span(x, interned, 1)) == 0)
                r = expand_text(x, interned, text, len, depth + 1, &ended);
        if (r == 0 && ended != END_CLEAN) {
                size_t column;

                diag_add(x->cr->diags, DIAG_ERROR, interned, line_of(text, len, &column),
                         "the file ends inside a %s: close it before the end",
                         ended == END_IN_STRING ? "string (a '\"' is missing)"
                                                : "comment (a '*" "/' is missing)");
                r = -EINVAL;
        }
        /* The rest of the directive's line on a line of its own. */
        if (r == 0 && x->len > 0 && x->out[x->len - 1] != '\n')
                r = append(x, "\n", 1);
        free(text);
        if (r == -EINVAL) {
                x->failed = true;
                r = 0; /* reported: the other directives are looked at all the same */
        }
        return r < 0 ? r : add_span(x, file, after_line);
}

/* A directive at p, on line, for the text to go on after it: 0 when there
 * is none, 1 when one was included (*p, *line past it), -ENOMEM. */
static int take_directive(struct expansion *x, const char *file, const char **p,
                          const char *end, int *line, int depth) {
        const char *after = NULL;
        char *name = NULL;
        int r = directive_at(*p, end, &name, &after), after_line = *line;

        if (r == -EINVAL) {
                diag_add(x->cr->diags, DIAG_ERROR, file, *line, "@include: the file name has "
                         "no closing '\"'");
                x->failed = true;
                return 0; /* the rest is read as text: no other problem is said about it */
        }
        if (r <= 0)
                return r;
        for (const char *q = *p; (q = memchr(q, '\n', (size_t) (after - q))); q++)
                after_line++; /* a name may hold a newline */
        r = include_file(x, file, *line, name, depth, after_line);
        free(name);
        *p = after;
        *line = after_line;
        return r < 0 ? r : 1;
}

/* Copies text into out, each directive replaced by its file. Walks the text
 * as libconfig's scanner does, just enough to see which "@include" are
 * directives: at a line's start, outside strings and comments; and for an
 * included file, how it ends. */
static int expand_text(struct expansion *x, const char *file, const char *text, size_t len,
                       int depth, enum text_end *ended) {
        const char *p = text, *end = text + len, *copied = text, *q;
        bool line_start = true;
        int line = 1, r;

        while (p < end) {
                if (line_start) {
                        const char *start = p;

                        line_start = false;
                        r = append(x, copied, (size_t) (p - copied));
                        copied = p;
                        if (r == 0)
                                r = take_directive(x, file, &p, end, &line, depth);
                        if (r < 0)
                                return r;
                        if (p != start) {
                                copied = p;
                                continue;
                        }
                }
                switch (*p) {
                case '\n':
                        line++;
                        line_start = true;
                        p++;
                        continue;
                case '"':
                        q = string_end(p, end);
                        *ended = q ? END_CLEAN : END_IN_STRING;
                        break;
                case '#':
                        q = memchr(p, '\n', (size_t) (end - p));
                        break;
                case '/':
                        if (p + 1 < end && p[1] == '/')
                                q = memchr(p, '\n', (size_t) (end - p));
                        else if (p + 1 < end && p[1] == '*') {
                                q = memmem(p + 2, (size_t) (end - p - 2), "*/", 2);
                                *ended = q ? END_CLEAN : END_IN_COMMENT;
                                q = q ? q + 2 : NULL;
                        } else
                                q = p + 1;
                        break;
                default:
                        p++;
                        continue;
                }
                q = q ? q : end;
                for (const char *nl = p; (nl = memchr(nl, '\n', (size_t) (q - nl))); nl++)
                        line++;
                p = q;
        }
        return append(x, copied, (size_t) (end - copied));
}

/* ---- a whole file into libconfig ------------------------------------------------- */

/* Hung on the root setting of a configuration read whole, and freed with
 * it (libconfig calls the destructor for each hook). */
static void origin_free(void *hook) {
        struct confread_origin *o = hook;

        free((void *) o->spans);
        free(o);
}

/* libconfig's error, at the file and line of the part it is in. */
static void report_parse_error(struct expansion *x, const config_t *cfg) {
        struct source at = confread_span_source(x->spans, x->n_spans, config_error_line(cfg));

        diag_add(x->cr->diags, DIAG_ERROR, at.file, at.line, "%s", config_error_text(cfg));
}

static int parse(struct expansion *x, config_t *cfg) {
        struct confread_origin *o;

        if (config_read_string(cfg, x->out) != CONFIG_TRUE) {
                report_parse_error(x, cfg);
                return -EINVAL;
        }
        o = malloc(sizeof *o);
        if (!o)
                return -ENOMEM;
        *o = (struct confread_origin) { .spans = x->spans, .n_spans = x->n_spans };
        x->spans = NULL; /* the hook's now */
        config_set_destructor(cfg, origin_free);
        config_setting_set_hook(config_root_setting(cfg), o);
        return 0;
}

/* The first file: a problem in opening it is said at the file itself, as
 * nothing names it but the command line. */
static int read_first(struct confread *cr, const char *path, char **text, size_t *len) {
        struct stat st;
        int r = read_regular(path, &st, text, len);

        if (r == -EINVAL)
                diag_add(cr->diags, DIAG_ERROR, path, 0, "is %s, not a regular file: name the file "
                         "itself (ledgerd reads its configuration only from regular files)",
                         file_kind(st.st_mode));
        else if (r < 0 && r != -ENOMEM)
                diag_add(cr->diags, DIAG_ERROR, path, 0, "cannot read: %s", strerror(-r));
        return r;
}

int confread_file(struct confread *cr, config_t *cfg, const char *path) {
        struct expansion x = { .cr = cr, .line = 1 };
        const char *file = confread_intern_file(cr, path);
        enum text_end ended = END_CLEAN;
        char *text = NULL;
        size_t len;
        int r;

        if (!file)
                return -ENOMEM;
        r = read_first(cr, path, &text, &len);
        if (r < 0)
                return r;
        r = check_text(cr, file, text, &len);
        if (r == 0)
                confread_file_read(cr, file, text, len);
        x.dir = r == 0 ? confread_resolve_path(path, ".") : NULL;
        if (r == 0 && !x.dir)
                r = -ENOMEM;
        if (r == 0)
                r = add_span(&x, file, 1);
        if (r == 0 && !memmem(text, len, "@include", 8)) {
                x.out = text; /* as it is: a big ledger read whole is not copied */
                text = NULL;
        } else if (r == 0)
                r = expand_text(&x, file, text, len, 0, &ended);
        free(text);
        if (r == -ELOOP || (r == 0 && x.failed))
                r = -EINVAL;
        if (r == 0)
                r = parse(&x, cfg);
        free(x.dir);
        free(x.out);
        free(x.spans);
        return r;
}
