/* SPDX-License-Identifier: MIT */
/* Any bytes as a ledger file to roll over: an error in the diagnostics, or a
 * file that libconfig reads back (rollover_ledger checks the year itself);
 * messages of one line each; never a crash or a leak. */
#include <libconfig.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/rollover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const struct rollover_options o = { .file = "fuzz.conf", .to = 2026 };
        struct diagnostics d = { 0 };
        char *out = NULL;
        int r = rollover_ledger((const char *) data, size, &o, &out, &d);
        config_t cfg;

        if ((r == 0) != (out != NULL) || (r != 0 && d.n_errors == 0))
                abort();
        for (size_t i = 0; i < d.n_items; i++) /* one line each */
                for (const char *m = d.items[i].message; *m; m++)
                        if ((unsigned char) *m < 0x20)
                                abort();
        if (r == 0) {
                config_init(&cfg);
                if (!config_read_string(&cfg, out))
                        abort();
                config_destroy(&cfg);
        }
        free(out);
        diag_clear(&d);
        return 0;
}
