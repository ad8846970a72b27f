/* SPDX-License-Identifier: MIT */
/* Fuzzes the configuration loader. An input is a ledger file; or, when it
 * holds a form feed, a ledgerd.conf before it and the ledger after it. The
 * loader must either load (and then free cleanly) or report at least one
 * error: never crash, leak or accept with errors. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *split = memchr(data, '\f', size);
        struct diagnostics d = {};
        struct config *c = NULL;
        char path[128];
        int r;

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
        r = conf_load(path, &c, &d);
        if ((r == 0) != (d.n_errors == 0) || (r == 0) != (c != NULL))
                abort();
        config_free(c);
        diag_clear(&d);
        return 0;
}
