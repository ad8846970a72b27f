/* SPDX-License-Identifier: MIT */
#include "feeds/feeds.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/atomicfile.h"
#include "basic/strv.h"
#include "feeds/feed-server.h"
#include "feeds/feed-snapshot.h"
#include "feeds/render-job.h"
#include "common/health.h"
#include "marks/marks.h"
#include "ledger/zone.h"
#include "common/clock.h"
#include "ledger/model.h"
#include "common/log.h"

/* In the state directory: when each feed's current bytes first appeared, so
 * that Last-Modified does not jump to the time of a restart. */
#define STAMPS_FILE "feeds.stamps"

struct feeds {
        sd_event *event;
        const struct service_clock *clock;
        char *state_directory;
        const struct config *config;
        struct marks *marks;
        struct health *health;
        struct web *web;
        struct feed_server *server;
        struct feed_snapshot *current;
        struct feed_snapshot *retired; /* replaced; freed when the loop is idle */
        sd_event_source *retiring;
        struct feed_stamp *stamps; /* from the previous run; dropped after the first render */
        size_t n_stamps;
        sd_event_source *rebuild;
        struct render_job *job; /* the render under way, off the loop */
        sd_event_source *midnight; /* a new day: the index page's days left change */
        bool again;             /* what the feeds show changed since it started */
        char **listen; /* feed.listen when the server started */
        size_t n_listen;
        char *written_to; /* the directory the current files are in */
};

static bool active(const struct feeds *f) {
        return f->server || f->config->feed.directory;
}

/* The links' prefix: base_url, else the first socket served. */
static const char *base_url(const struct feeds *f, char *buf, size_t size) {
        const char *address = feed_server_address(f->server, 0);

        if (f->config->feed.base_url)
                return f->config->feed.base_url;
        if (!address)
                return NULL;
        snprintf(buf, size, "http://%s", address);
        return buf;
}

/* ---- stamps ------------------------------------------------------------------ */

static char *stamps_path(const struct feeds *f) {
        char *path = NULL;

        return asprintf(&path, "%s/%s", f->state_directory, STAMPS_FILE) < 0 ? NULL : path;
}

static bool parse_digest(const char *hex, uint8_t digest[SHA256_DIGEST_SIZE]) {
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                unsigned v;

                if (sscanf(hex + 2 * i, "%2x", &v) != 1)
                        return false;
                digest[i] = (uint8_t) v;
        }
        return strlen(hex) == 2 * SHA256_DIGEST_SIZE;
}

/* "<sha256 hex> <unix time> <path>" a line. A missing or odd file only costs
 * a Last-Modified of now. */
static void load_stamps(struct feeds *f) {
        char *path = stamps_path(f), hex[65], file_path[300];
        long long when;
        FILE *in = path ? fopen(path, "re") : NULL;

        while (in && fscanf(in, "%64s %lld %299s", hex, &when, file_path) == 3) {
                struct feed_stamp *s = realloc(f->stamps, (f->n_stamps + 1) * sizeof *s);

                if (!s)
                        break;
                f->stamps = s;
                s = &f->stamps[f->n_stamps];
                if (!parse_digest(hex, s->digest) || file_path[0] != '/' ||
                    !(s->path = strdup(file_path)))
                        continue;
                s->modified = (time_t) when;
                f->n_stamps++;
        }
        if (in)
                fclose(in);
        free(path);
}

static void free_stamps(struct feeds *f) {
        for (size_t i = 0; i < f->n_stamps; i++)
                free(f->stamps[i].path);
        free(f->stamps);
        f->stamps = NULL;
        f->n_stamps = 0;
}

static void save_stamps(const struct feeds *f, const struct feed_snapshot *snap) {
        char *path = stamps_path(f);
        struct atomic_file af;
        int r = path ? atomic_file_open(&af, path) : -ENOMEM;

        for (size_t i = 0; r >= 0 && i < snap->n_docs; i++) {
                const struct feed_doc *d = snap->docs[i];

                for (size_t j = 0; j < SHA256_DIGEST_SIZE; j++)
                        fprintf(af.f, "%02x", d->digest[j]);
                fprintf(af.f, " %lld %s\n", (long long) d->modified, d->path);
        }
        if (r >= 0)
                r = atomic_file_commit(&af);
        if (r < 0)
                log_warning_errno(r, "%s: cannot save when the feeds changed: %m",
                                  path ? path : STAMPS_FILE);
        free(path);
}

/* ---- the feed directory -------------------------------------------------------- */

/* Atomically, with the file's time set to when its content changed, so that
 * a web server serving the directory sends the same Last-Modified. */
static int write_file(const char *path, const char *data, size_t size, time_t modified) {
        const struct timespec times[2] = { { .tv_sec = modified }, { .tv_sec = modified } };
        struct atomic_file af;
        int r = atomic_file_open(&af, path);

        if (r < 0)
                return r;
        if (fwrite(data, 1, size, af.f) != size || fflush(af.f) != 0 ||
            futimens(atomic_file_fd(&af), times) < 0) {
                r = -errno;
                atomic_file_abort(&af);
                return r < 0 ? r : -EIO;
        }
        return atomic_file_commit(&af);
}

static int write_doc(const char *dir, const struct feed_doc *d) {
        char *path = NULL, *gz = NULL;
        int r = 0;

        if (asprintf(&path, "%s/%s", dir, d->file) < 0 || asprintf(&gz, "%s.gz", path) < 0) {
                free(path);
                return -ENOMEM;
        }
        if (d->token) {
                char *slash = strrchr(path, '/');

                /* 0755 whatever the umask (the unit's is 0027): a web server
                 * serving the directory must get in. */
                *slash = '\0';
                if (mkdir(path, 0755) < 0 ? errno != EEXIST : chmod(path, 0755) < 0)
                        r = -errno;
                *slash = '/';
        }
        if (r >= 0)
                r = write_file(path, feed_doc_data(d, FEED_IDENTITY), feed_doc_size(d, FEED_IDENTITY),
                               d->modified);
        /* Beside it, its gzip copy, for nginx's gzip_static. */
        if (r >= 0 && feed_doc_data(d, FEED_GZIP))
                r = write_file(gz, feed_doc_data(d, FEED_GZIP), feed_doc_size(d, FEED_GZIP),
                               d->modified);
        else if (r >= 0)
                (void) unlink(gz);
        if (r < 0)
                log_warning_errno(r, "%s: cannot write the feed: %m", path);
        free(path);
        free(gz);
        return r;
}

static bool holds_file(const struct feed_snapshot *snap, const char *file) {
        for (size_t i = 0; snap && i < snap->n_docs; i++)
                if (strcmp(snap->docs[i]->file, file) == 0)
                        return true;
        return false;
}

static bool holds_doc(const struct feed_snapshot *snap, const struct feed_doc *d) {
        for (size_t i = 0; snap && i < snap->n_docs; i++)
                if (snap->docs[i] == d)
                        return true;
        return false;
}

/* A feed no longer served: its files go, and a private feed's folder. */
static void remove_doc(const char *dir, const struct feed_doc *d) {
        char *path = NULL, *gz = NULL;

        if (asprintf(&path, "%s/%s", dir, d->file) >= 0 && asprintf(&gz, "%s.gz", path) >= 0) {
                (void) unlink(path);
                (void) unlink(gz);
                if (d->token) {
                        *strrchr(path, '/') = '\0';
                        (void) rmdir(path); /* only when empty */
                }
        }
        free(path);
        free(gz);
}

/* Our own folder: others may traverse it to a file they know the name of,
 * but not list it, which would give away private feeds' tokens. */
static int make_directory(const char *dir) {
        if (mkdir(dir, 0711) < 0)
                return errno == EEXIST ? 0 : -errno;
        return chmod(dir, 0711) < 0 ? -errno : 0;
}

/* Writes what changed since the current snapshot (everything, into a new
 * directory) and removes what is gone. */
static void write_directory(struct feeds *f, const struct feed_snapshot *snap) {
        const char *dir = f->config->feed.directory;
        bool fresh = !f->written_to || strcmp(f->written_to, dir) != 0;
        int r = make_directory(dir);

        if (r < 0) {
                log_warning_errno(r, "%s: cannot create the feed directory: %m", dir);
                return;
        }
        for (size_t i = 0; i < snap->n_docs; i++) {
                const struct feed_doc *d = snap->docs[i];

                if ((fresh || !holds_doc(f->current, d)) && write_doc(dir, d) < 0)
                        r = -EIO;
        }
        for (size_t i = 0; !fresh && f->current && i < f->current->n_docs; i++)
                if (!holds_file(snap, f->current->docs[i]->file))
                        remove_doc(dir, f->current->docs[i]);
        /* After a failed write, the next change rewrites every file. */
        free(f->written_to);
        f->written_to = r < 0 ? NULL : strdup(dir);
}

/* ---- rendering ----------------------------------------------------------------- */

static size_t count_new(const struct feed_snapshot *snap, const struct feed_snapshot *old) {
        size_t n = 0;

        for (size_t i = 0; i < snap->n_docs; i++)
                n += !holds_doc(old, snap->docs[i]);
        return n;
}

/* What a render reads, as of now: the marks are frozen into *marks. */
static int build_inputs(struct feeds *f, struct feed_build *b, char *buf, size_t size,
                        char **state, struct marks_frozen **marks) {
        int r = f->marks ? marks_freeze(f->marks, marks) : 0;

        if (r < 0)
                return r;
        if (asprintf(state, "%s/state.db", f->state_directory) < 0) {
                marks_frozen_free(*marks);
                return -ENOMEM;
        }
        *b = (struct feed_build) {
                .config = f->config, .marks = *marks, .state_path = *state,
                .base_url = base_url(f, buf, size), .now = clock_now(f->clock),
                .previous = f->current, .stamps = f->stamps, .n_stamps = f->n_stamps,
        };
        return 0;
}

/* ---- the snapshot replaced --------------------------------------------------------- */

static int on_retired(sd_event_source *s, void *userdata) {
        struct feeds *f = userdata;

        (void) s;
        feed_snapshot_unref(f->retired);
        f->retired = NULL;
        return 0;
}

/* The snapshot replaced is let go when the loop has nothing else to do:
 * freeing a province's (its 14 MB mapping, the configuration it was
 * rendered from) takes milliseconds that the first requests for the new
 * one need not wait for. One waits at most: the next one retired frees it. */
static void retire(struct feeds *f, struct feed_snapshot *old) {
        feed_snapshot_unref(f->retired);
        f->retired = old;
        if (!old)
                return;
        if (!f->retiring && f->event &&
            sd_event_add_defer(f->event, &f->retiring, on_retired, f) >= 0) {
                (void) sd_event_source_set_priority(f->retiring, SD_EVENT_PRIORITY_IDLE);
                (void) sd_event_source_set_description(f->retiring, "feed-retire");
        }
        if (!f->retiring || sd_event_source_set_enabled(f->retiring, SD_EVENT_ONESHOT) < 0)
                on_retired(NULL, f); /* no loop to wait for: at once */
}

/* The new snapshot goes to the server, then to the feed directory; what
 * only a restart reads (the stamps) is saved after. */
static void install(struct feeds *f, struct feed_snapshot *snap) {
        struct feed_snapshot *old = f->current;
        size_t changed = count_new(snap, old);

        if (f->server)
                feed_server_set_snapshot(f->server, snap);
        if (f->config->feed.directory)
                write_directory(f, snap); /* what changed since f->current */
        f->current = snap;
        if (changed > 0)
                save_stamps(f, snap);
        free_stamps(f);
        retire(f, old);
        if (changed > 0)
                log_info("feeds: %zu of %zu changed (%zu rendered, with %zu ledgers' events "
                         "copied)", changed, snap->n_docs, snap->n_rendered, snap->n_copied);
}

static void failed(struct feeds *f, int r) {
        if (f->health)
                health_fail(f->health, HEALTH_FEEDS, "cannot render the feeds: %s; the previous "
                            "ones are still served", strerror(-r));
        else
                log_error_errno(r, "the feeds were not rendered anew (%m); the previous ones are "
                                "still served");
}

/* The first render, before the service is ready: there is no loop yet to
 * keep going, and the feeds must be served from the start. */
static int render_now(struct feeds *f) {
        struct marks_frozen *marks = NULL;
        struct feed_snapshot *snap = NULL;
        struct feed_build b;
        char buf[128], *state = NULL;
        int r = build_inputs(f, &b, buf, sizeof buf, &state, &marks);

        if (r >= 0 && (r = feed_snapshot_build(&b, &snap)) >= 0)
                feed_snapshot_hold_config(snap, f->config);
        free(state);
        marks_frozen_free(marks);
        if (r < 0) {
                failed(f, r);
                return r;
        }
        install(f, snap);
        return 0;
}

static void start_render(struct feeds *f);

static void on_rendered(struct render_job *job, struct feed_snapshot *snap, int r, void *userdata) {
        struct feeds *f = userdata;

        render_job_free(job);
        f->job = NULL;
        if (r < 0)
                failed(f, r);
        else {
                if (f->health)
                        health_ok(f->health, HEALTH_FEEDS);
                install(f, snap);
        }
        if (f->again)
                start_render(f);
}

/* A render off the loop; one at a time: a change during a render renders
 * again once it is over. */
static void start_render(struct feeds *f) {
        struct marks_frozen *marks = NULL;
        struct feed_build b;
        char buf[128], *state = NULL;
        int r;

        if (f->job) {
                f->again = true;
                return;
        }
        f->again = false;
        /* The render thread counts references to the documents snapshots
         * share, without a lock: the snapshot replaced goes now, on the
         * loop, not while the thread runs. */
        on_retired(NULL, f);
        r = build_inputs(f, &b, buf, sizeof buf, &state, &marks);
        if (r >= 0)
                r = render_job_start(f->event, &b, f->config, marks, on_rendered, f, &f->job);
        free(state);
        if (r < 0) {
                marks_frozen_free(marks);
                failed(f, r);
        }
}

static int on_rebuild(sd_event_source *s, void *userdata) {
        (void) s;
        start_render(userdata);
        return 0;
}

static bool same_listen(const struct feeds *f, const struct feed_settings *fs) {
        if (f->n_listen != fs->n_listen)
                return false;
        for (size_t i = 0; i < f->n_listen; i++)
                if (strcmp(f->listen[i], fs->listen[i]) != 0)
                        return false;
        return true;
}

/* Whether there is anything to render: the feeds have started, and are
 * served or written somewhere. */
static bool renders(const struct feeds *f) {
        return f->rebuild && active(f);
}

/* A render soon, from the event loop: never while a request is answered. */
static void schedule_rebuild(struct feeds *f) {
        if (renders(f))
                sd_event_source_set_enabled(f->rebuild, SD_EVENT_ONESHOT);
}

bool feeds_rendering(const struct feeds *f) {
        int enabled = SD_EVENT_OFF;

        if (f->rebuild)
                sd_event_source_get_enabled(f->rebuild, &enabled);
        return f->job || enabled != SD_EVENT_OFF;
}

void feeds_changed(struct feeds *f) {
        schedule_rebuild(f);
}

/* The next local midnight, when the index page's "days left" change. */
static int arm_midnight(struct feeds *f);

static int on_midnight(sd_event_source *s, uint64_t usec, void *userdata) {
        struct feeds *f = userdata;

        (void) s, (void) usec;
        schedule_rebuild(f);
        return arm_midnight(f);
}

static int arm_midnight(struct feeds *f) {
        day_t today = clock_today(f->clock, f->config->timezone);
        time_t next = 0;
        uint64_t usec;
        int r = zone_local_to_utc(f->config->timezone, today + 1, 0, &next);

        if (r < 0)
                return r;
        usec = clock_timer_usec(f->clock, next);
        if (!f->midnight) {
                r = sd_event_add_time(f->event, &f->midnight, CLOCK_REALTIME, usec, 1000000,
                                      on_midnight, f);
                if (r >= 0)
                        sd_event_source_set_description(f->midnight, "feed-midnight");
                return r;
        }
        r = sd_event_source_set_time(f->midnight, usec);
        return r < 0 ? r : sd_event_source_set_enabled(f->midnight, SD_EVENT_ONESHOT);
}

void feeds_set_config(struct feeds *f, const struct config *config) {
        if (!same_listen(f, &config->feed))
                log_notice("feed.listen changed: restart ledgerd to serve on the new addresses");
        f->config = config;
        /* At once, not from the loop: the render runs on its thread while
         * the loop replans the reminders of the same configuration. */
        if (renders(f))
                start_render(f);
}

static int copy_listen(struct feeds *f, const struct feed_settings *fs) {
        f->listen = calloc(fs->n_listen + 1, sizeof *f->listen);
        if (!f->listen)
                return -ENOMEM;
        for (; f->n_listen < fs->n_listen; f->n_listen++)
                if (!(f->listen[f->n_listen] = strdup(fs->listen[f->n_listen])))
                        return -ENOMEM;
        return 0;
}

int feeds_new(const struct feeds_setup *setup, struct feeds **out) {
        struct feeds *f = calloc(1, sizeof *f);

        if (!f)
                return -ENOMEM;
        *f = (struct feeds) { .event = setup->event, .clock = setup->clock, .config = setup->config,
                              .marks = setup->marks, .health = setup->health, .web = setup->web };
        f->state_directory = strdup(setup->state_directory);
        if (!f->state_directory || copy_listen(f, &setup->config->feed) < 0) {
                feeds_free(f);
                return -ENOMEM;
        }
        *out = f;
        return 0;
}

int feeds_start(struct feeds *f) {
        int r = feed_server_start(f->event, f->config->feed.listen, f->config->feed.n_listen, f->web,
                                  &f->server);

        if (r >= 0)
                r = sd_event_add_defer(f->event, &f->rebuild, on_rebuild, f);
        if (r >= 0)
                r = sd_event_source_set_enabled(f->rebuild, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "cannot start the feeds: %m");
        sd_event_source_set_description(f->rebuild, "feed-render");
        if (!active(f))
                return 0;
        r = arm_midnight(f);
        if (r < 0)
                return log_error_errno(r, "cannot start the feeds: %m");
        load_stamps(f);
        (void) render_now(f); /* a failure is logged; the reminders go on regardless */
        return 0;
}

void feeds_free(struct feeds *f) {
        if (!f)
                return;
        sd_event_source_disable_unref(f->rebuild);
        sd_event_source_disable_unref(f->midnight);
        render_job_free(f->job); /* waits for a render under way */
        feed_server_free(f->server);
        feed_snapshot_unref(f->current);
        sd_event_source_disable_unref(f->retiring);
        feed_snapshot_unref(f->retired);
        free_stamps(f);
        strv_free_n(f->listen, f->n_listen);
        free(f->written_to);
        free(f->state_directory);
        free(f);
}

/* ---- FeedURLs -------------------------------------------------------------------- */

const char *feeds_address(const struct feeds *f, size_t i) {
        return feed_server_address(f->server, i);
}

static char *ledger_url(const char *base) {
        char *url;

        return base && asprintf(&url, "%s/ledger.ics", base) >= 0 ? url : NULL;
}

char *feeds_url_ledger(const struct feeds *f) {
        char buf[128];

        return ledger_url(active(f) ? base_url(f, buf, sizeof buf) : NULL);
}

char *feeds_url_index(const struct feeds *f) {
        char buf[128], *url;
        const char *base = f->server ? base_url(f, buf, sizeof buf) : NULL;

        return base && asprintf(&url, "%s/", base) >= 0 ? url : NULL;
}

/* "webcal://host/…" for "http(s)://host/…": calendar apps subscribe to it,
 * where a browser would download the file. */
static int webcal(char **url) {
        const char *rest = strstr(*url, "://");
        char *w;

        if (!rest || asprintf(&w, "webcal%s", rest) < 0)
                return -ENOMEM;
        free(*url);
        *url = w;
        return 0;
}

char *feeds_url_owner(const struct feeds *f, const struct owner *o) {
        char buf[128], *url = NULL;
        const char *base = active(f) ? base_url(f, buf, sizeof buf) : NULL;

        if (!base || asprintf(&url, "%s/%s%s%s.ics", base, o->feed_token ? o->feed_token : "",
                              o->feed_token ? "/" : "", o->feed_slug) < 0)
                return NULL;
        if (webcal(&url) < 0) {
                free(url);
                return NULL;
        }
        return url;
}

char **feeds_urls(const struct feeds *f) {
        const struct config *c = f->config;
        char buf[128];
        const char *base = active(f) ? base_url(f, buf, sizeof buf) : NULL;
        size_t n = base ? c->n_owners + 1 : 0;
        char **urls = calloc(n + 1, sizeof *urls);
        bool ok = urls != NULL;

        if (ok && n > 0)
                ok = (urls[0] = ledger_url(base)) != NULL;
        for (size_t i = 0; ok && i + 1 < n; i++) {
                const struct owner *o = &c->owners[i];

                ok = asprintf(&urls[i + 1], "%s/%s%s.ics", base, o->feed_token ? "<token>/" : "",
                              o->feed_slug) >= 0;
                if (!ok)
                        urls[i + 1] = NULL;
        }
        if (!ok && urls) {
                strv_free(urls);
                return NULL;
        }
        return urls;
}
