/* SPDX-License-Identifier: MIT */
/* confplain_read against libconfig, on any text. When the reader takes a
 * text, libconfig must read it too, into the same tree: the same names,
 * types, formats, lines, files, values and order. When it leaves one, the
 * config must be empty, and libconfig must then read the text into it just as
 * into a config of its own (the same tree, or the same error). An input is
 * read up to its first NUL, as libconfig reads a C string, and checked both
 * as a text and as a ledger's slice. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/confdump.h"
#include "conf/plain/confplain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump_config(const config_t *cfg) {
        char *out = confdump(cfg);

        if (!out)
                abort();
        return out;
}

/* What libconfig made of the text, in full: the tree, or the error. */
static char *libconfig_outcome(config_t *cfg, const char *text) {
        char *out = NULL;

        if (config_read_string(cfg, text) == CONFIG_TRUE)
                return dump_config(cfg);
        if (asprintf(&out, "error %d line %d: %s\n", (int) config_error_type(cfg),
                     config_error_line(cfg), config_error_text(cfg)) < 0)
                abort();
        return out;
}

static void differ(const char *what, const char *text, const char *want, const char *got) {
        fprintf(stderr, "%s\ntext:\n%s\nlibconfig:\n%s\nconfplain_read:\n%s\n", what, text, want,
                got);
        abort();
}

/* One text, in a block of exactly len + 1 bytes: AddressSanitizer sees a
 * read past the NUL. */
static void check(const char *text, size_t len) {
        char *want, *got;
        config_t lc, pc;
        int r;

        config_init(&lc);
        want = libconfig_outcome(&lc, text);
        config_init(&pc);
        r = confplain_read(&pc, text, len);
        if (r == 1) {
                got = dump_config(&pc);
                if (strcmp(want, got) != 0)
                        differ("taken, but not as libconfig reads it", text, want, got);
        } else if (r == 0 || r == -ENOMEM) {
                if (config_setting_length(config_root_setting(&pc)) != 0 ||
                    config_setting_type(config_root_setting(&pc)) != CONFIG_TYPE_GROUP) {
                        got = dump_config(&pc);
                        differ("left, but the config is not empty", text, want, got);
                }
                got = libconfig_outcome(&pc, text);
                if (strcmp(want, got) != 0)
                        differ("left, and libconfig then reads it otherwise", text, want, got);
        } else {
                fprintf(stderr, "confplain_read returned %d\n", r);
                abort();
        }
        free(got);
        free(want);
        config_destroy(&pc);
        config_destroy(&lc);
}

/* The input as a text; and as the list of a ledger's slice ("l=(" and the
 * slice and ")", as confread-slices.c reads it), where most of the reader's
 * texts come from. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t len = strnlen((const char *) data, size);
        char *text = malloc(len + 1), *slice = malloc(len + 5);

        if (text && slice) {
                memcpy(text, data, len);
                text[len] = '\0';
                check(text, len);
                memcpy(slice, "l=(", 3);
                memcpy(slice + 3, data, len);
                memcpy(slice + 3 + len, ")", 2);
                check(slice, len + 4);
        }
        free(text);
        free(slice);
        return 0;
}
