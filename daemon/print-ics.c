/* SPDX-License-Identifier: MIT */
/* ledgerd --print-ics: one feed, to stdout or atomically into a file, as the
 * service serves it: the event revisions live in the state database so that
 * DTSTAMP and SEQUENCE move only when an event changes, and the marks there
 * show which milestones are done or snoozed. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/atomicfile.h"
#include "basic/mkdirs.h"
#include "common/clock.h"
#include "ics/ics.h"
#include "ledgerd.h"
#include "marks/marks.h"
#include "store/revisions.h"
#include "store/state.h"

/* What the feed is rendered from, besides the configuration. */
struct sources {
        struct revisions *revisions;
        struct marks_frozen *marks;
};

/* The marks of the state database at path, frozen. */
static int read_marks(const char *path, struct marks_frozen **out) {
        struct service_clock clock = {};
        struct state *st = NULL;
        struct marks *mk = NULL;
        char *error = NULL;
        int r = state_open(path, &st, &error);

        if (r < 0)
                fprintf(stderr, "ledgerd: %s\n", error ? error : strerror(-r));
        else if ((r = marks_new(st, &clock, &mk)) >= 0)
                r = marks_freeze(mk, out);
        marks_free(mk);
        state_close(st);
        free(error);
        return r;
}

static int open_sources(const struct config *c, const struct options *o, struct sources *src) {
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
        r = read_marks(path, &src->marks);
        if (r >= 0 && (r = revisions_open(path, o->now, &src->revisions, &error)) < 0)
                fprintf(stderr, "ledgerd: %s: %s\n", path, error ? error : strerror(-r));
        free(error);
        free(path);
        return r;
}

static int render(const struct config *c, const struct options *o, const struct sources *src,
                  FILE *out) {
        struct revisions_scope scope = { .revisions = src->revisions };
        struct ics_options io = {
                .config = c, .revision = revisions_lookup_scoped, .userdata = &scope,
                .state = marks_ics_state, .state_userdata = src->marks,
        };

        if (o->owner && !(io.owner = config_find_owner(c, o->owner))) {
                fprintf(stderr, "ledgerd: --owner: no owner \"%s\" in %s\n", o->owner, c->path);
                return -ENOENT;
        }
        scope.scope = io.owner ? io.owner->id : NULL;
        return ics_render(&io, out);
}

static int render_to_file(const struct config *c, const struct options *o,
                          const struct sources *src) {
        struct atomic_file af;
        int r = atomic_file_open(&af, o->output);

        if (r < 0) {
                fprintf(stderr, "ledgerd: %s: %s\n", o->output, strerror(-r));
                return r;
        }
        r = render(c, o, src, af.f);
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
        struct sources src = {};
        int r = open_sources(c, o, &src);

        if (r < 0) {
                marks_frozen_free(src.marks);
                return EXIT_FAILURE;
        }
        r = o->output ? render_to_file(c, o, &src) : render(c, o, &src, stdout);
        if (r == 0 && !o->output && fflush(stdout) != 0)
                r = -errno;
        /* Remember the revisions only once the feed is out, so a failed render
         * does not make the next one look unchanged. */
        if (r == 0 && (r = revisions_commit(src.revisions)) < 0)
                fprintf(stderr, "ledgerd: cannot save the event revisions: %s\n", strerror(-r));
        revisions_close(src.revisions);
        marks_frozen_free(src.marks);
        if (r == -EIO)
                fprintf(stderr, "ledgerd: write error\n");
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
