/* SPDX-License-Identifier: MIT */
/* ledgerd --print-ics: one feed, to stdout or atomically into a file. The
 * event revisions live in the state database so that DTSTAMP and SEQUENCE
 * move only when an event changes. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/atomicfile.h"
#include "ics/ics.h"
#include "ledgerd.h"
#include "basic/mkdirs.h"
#include "store/revisions.h"

static int open_revisions(const struct config *c, const struct options *o, struct revisions **rev) {
        const char *dir = o->state_directory ? o->state_directory : c->state_directory;
        char *path = NULL, *error = NULL;
        int r = mkdirs(dir, 0750);

        if (r < 0) {
                fprintf(stderr, "ledgerd: cannot create the state directory %s: %s (choose "
                        "another with --state-dir)\n", dir, strerror(-r));
                return r;
        }
        if (asprintf(&path, "%s/state.db", dir) < 0)
                return -ENOMEM;
        r = revisions_open(path, o->now, rev, &error);
        if (r < 0)
                fprintf(stderr, "ledgerd: %s: %s\n", path, error ? error : strerror(-r));
        free(error);
        free(path);
        return r;
}

static int render(const struct config *c, const struct options *o, struct revisions *rev,
                  FILE *out) {
        struct ics_options io = {
                .config = c, .revision = revisions_lookup, .userdata = rev,
        };

        if (o->owner && !(io.owner = config_find_owner(c, o->owner))) {
                fprintf(stderr, "ledgerd: --owner: no owner \"%s\" in %s\n", o->owner, c->path);
                return -ENOENT;
        }
        return ics_render(&io, out);
}

static int render_to_file(const struct config *c, const struct options *o, struct revisions *rev) {
        struct atomic_file af;
        int r = atomic_file_open(&af, o->output);

        if (r < 0) {
                fprintf(stderr, "ledgerd: %s: %s\n", o->output, strerror(-r));
                return r;
        }
        r = render(c, o, rev, af.f);
        if (r < 0) {
                atomic_file_abort(&af);
                return r;
        }
        r = atomic_file_commit(&af);
        if (r < 0)
                fprintf(stderr, "ledgerd: %s: %s\n", o->output, strerror(-r));
        return r;
}

int command_print_ics(const struct config *c, const struct options *o) {
        struct revisions *rev;
        int r = open_revisions(c, o, &rev);

        if (r < 0)
                return EXIT_FAILURE;
        r = o->output ? render_to_file(c, o, rev) : render(c, o, rev, stdout);
        if (r == 0 && !o->output && fflush(stdout) != 0)
                r = -errno;
        /* Remember the revisions only once the feed is out, so a failed render
         * does not make the next one look unchanged. */
        if (r == 0 && (r = revisions_commit(rev)) < 0)
                fprintf(stderr, "ledgerd: cannot save the event revisions: %s\n", strerror(-r));
        revisions_close(rev);
        if (r == -EIO)
                fprintf(stderr, "ledgerd: write error\n");
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
