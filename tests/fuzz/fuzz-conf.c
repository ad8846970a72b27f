/* SPDX-License-Identifier: MIT */
/* Fuzzes the configuration loader. An input is a ledger file; or, when it
 * holds a form feed, a ledgerd.conf before it and the ledger after it. The
 * loader must either load (and then free cleanly) or report at least one
 * error: never crash, leak or accept with errors. And a ledger read in slices
 * (of one task, or of the default size) must read exactly as read whole:
 * the same messages, tasks, lines and milestones. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/confread.h"

static const char default_main[] =
        "ledgers = [ \"ledger.conf\" ];\n"
        "owners = ( { id = \"czj\"; name = \"县财政局\"; },\n"
        "           { id = \"bumen\"; name = \"各相关部门单位\"; } );\n";

static char dir[64];

static void write_file(const char *name, const uint8_t *data, size_t size) {
        char path[128];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "w");
        if (!f)
                abort();
        fwrite(data, 1, size, f);
        fclose(f);
}

static void dump_task(FILE *f, const struct task *t) {
        fprintf(f, "%s|%s|%s|%s|%s|%s:%d|%d|%s|%d|%zu|%d\n", t->id ? t->id : "-",
                t->category ? t->category : "-", t->item ? t->item : "-",
                t->detail ? t->detail : "-", t->deadline ? t->deadline : "-",
                t->source.file ? t->source.file : "-", t->source.line, (int) t->when,
                t->when_reason ? t->when_reason : "-", t->dates_override, t->n_owners,
                t->policy != NULL);
        for (size_t i = 0; i < t->n_owners; i++)
                fprintf(f, " owner %s\n", t->owners[i]->id);
        for (size_t i = 0; i < t->n_milestones; i++)
                fprintf(f, " %s %s %d %d\n", t->milestones[i].id, t->milestones[i].label,
                        (int) t->milestones[i].due, (int) t->milestones[i].origin);
}

/* Loads the configuration, reading ledgers in slices of slice_bytes (0:
 * whole); returns the messages and what was read, as text. */
static char *load(const char *path, size_t slice_bytes) {
        struct diagnostics d = {};
        struct config *c = NULL;
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        int r;

        if (!f)
                abort();
        confread_slice_bytes = slice_bytes;
        r = conf_load(path, &c, &d);
        if ((r == 0) != (d.n_errors == 0) || (r == 0) != (c != NULL))
                abort();
        fprintf(f, "%d %zu %zu\n", r, d.n_errors, d.n_warnings);
        diag_print(&d, f);
        for (size_t i = 0; c && i < c->n_ledgers; i++) {
                const struct ledger *l = &c->ledgers[i];

                fprintf(f, "ledger %s %s %d %s:%d %zu\n", l->id, l->title, l->year, l->source.file,
                        l->source.line, l->n_tasks);
                for (size_t k = 0; k < l->n_tasks; k++)
                        dump_task(f, &l->tasks[k]);
        }
        fclose(f);
        config_free(c);
        diag_clear(&d);
        return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *split = memchr(data, '\f', size);
        const size_t slices[] = { 1, 256 * 1024 };
        char path[128], *whole;

        if (!dir[0]) {
                snprintf(dir, sizeof dir, "/tmp/ledgerd-fuzz-conf-%d", (int) getpid());
                mkdir(dir, 0700);
        }
        if (split) {
                write_file("ledgerd.conf", data, (size_t) (split - data));
                write_file("ledger.conf", split + 1, size - (size_t) (split - data) - 1);
        } else {
                write_file("ledgerd.conf", (const uint8_t *) default_main, strlen(default_main));
                write_file("ledger.conf", data, size);
        }
        snprintf(path, sizeof path, "%s/ledgerd.conf", dir);
        whole = load(path, 0);
        for (size_t i = 0; i < sizeof slices / sizeof *slices; i++) {
                char *sliced = load(path, slices[i]);

                if (strcmp(sliced, whole) != 0) {
                        fprintf(stderr, "read whole:\n%s\nread in slices of %zu:\n%s\n", whole,
                                slices[i], sliced);
                        abort();
                }
                free(sliced);
        }
        free(whole);
        return 0;
}
