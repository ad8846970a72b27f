/* SPDX-License-Identifier: MIT */
/* Any bytes as a table export: the reader and the importer must either give
 * a ledger or say why not (an error, never an empty ledger), never crash or
 * leak; and the ledger written must read back through libconfig as exactly
 * the texts imported, with ids ledgerd accepts. */
#include <libconfig.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/confread.h"
#include "import/import.h"
#include "import/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_string(const config_setting_t *g, const char *key, const char *want) {
        const char *got;

        if (!config_setting_lookup_string(g, key, &got) || strcmp(got, want) != 0)
                abort();
}

static void check_task(const config_setting_t *g, const struct import_task *t) {
        const config_setting_t *owners = config_setting_get_member(g, "owners");

        same_string(g, "id", t->id);
        same_string(g, "category", t->category);
        same_string(g, "item", t->item);
        same_string(g, "detail", t->detail);
        same_string(g, "deadline", t->deadline);
        if (!confread_id_valid(t->id, CONF_TASK_ID_MAX) || !owners ||
            config_setting_length(owners) != (int) t->n_owners)
                abort();
        for (size_t i = 0; i < t->n_owners; i++) {
                if (strcmp(config_setting_get_string_elem(owners, (int) i), t->owners[i]) != 0)
                        abort();
                for (size_t j = 0; j < i; j++)
                        if (strcmp(t->owners[i], t->owners[j]) == 0)
                                abort();
        }
}

static void check_written(const struct import_ledger *l) {
        const config_setting_t *tasks;
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        config_t cfg;

        if (!f || import_write(l, f) != 0)
                abort();
        fclose(f);
        config_init(&cfg);
        if (!config_read_string(&cfg, buf))
                abort();
        same_string(config_lookup(&cfg, "ledger"), "id", l->id);
        same_string(config_lookup(&cfg, "ledger"), "title", l->title);
        tasks = config_lookup(&cfg, "ledger.tasks");
        if (!tasks || config_setting_length(tasks) != (int) l->n_tasks)
                abort();
        for (size_t i = 0; i < l->n_tasks; i++) {
                check_task(config_setting_get_elem(tasks, (unsigned) i), &l->tasks[i]);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(l->tasks[i].id, l->tasks[j].id) == 0)
                                abort();
        }
        config_destroy(&cfg);
        free(buf);
}

/* Messages go to a terminal as "file:line: warning: …": one line each. */
static void check_messages(const struct diagnostics *d) {
        for (size_t i = 0; i < d->n_items; i++)
                for (const char *p = d->items[i].message; *p; p++)
                        if ((unsigned char) *p < 0x20)
                                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const struct import_options o = { .file = "fuzz-2025.tsv" };
        struct import_ledger l = { 0 };
        struct diagnostics d = { 0 };
        struct table t;
        int r = table_read(data, size, o.file, &t, &d);

        if (r == 0) {
                r = import_table(&t, &o, &l, &d);
                if (r == 0 && (l.n_tasks == 0 || d.n_errors != 0))
                        abort();
                if (r != 0 && (d.n_errors == 0 || l.n_tasks != 0))
                        abort();
                if (r == 0)
                        check_written(&l);
                import_ledger_free(&l);
                table_free(&t);
        }
        check_messages(&d);
        diag_clear(&d);
        return 0;
}
