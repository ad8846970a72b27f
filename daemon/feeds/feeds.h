/* SPDX-License-Identifier: MIT */
#pragma once

/* The service's calendar feeds: when to render a new snapshot, where it goes
 * (the HTTP server, the feed directory), and the addresses to publish.
 *
 * A snapshot is rendered once at start, before the service is ready; then
 * after each change of what the feeds show (a reload, a done mark, a
 * reopening, a snooze) on a thread of its own (render-job.h), while the
 * loop serves the previous one, which the new one replaces once whole. */

#include <stdbool.h>
#include <systemd/sd-event.h>

struct config;
struct feeds;
struct health;
struct marks;
struct owner;
struct service_clock;
struct web;

/* What the feeds work with. The pointers must outlive them; config is the
 * configuration in force (feeds_set_config() after a reload). */
struct feeds_setup {
        sd_event *event;
        const struct service_clock *clock;
        const char *state_directory; /* state.db (event revisions), feeds.stamps */
        const struct config *config; /* a render off the loop holds a reference */
        struct marks *marks;         /* what the feeds show as done; NULL: nothing */
        struct health *health;       /* told when a render fails; may be NULL */
        struct web *web;             /* the pages of links, on the same server; NULL: none */
};

int feeds_new(const struct feeds_setup *setup, struct feeds **out);
void feeds_free(struct feeds *f);

/* Starts the HTTP server (socket activation, else feed.listen) and renders
 * the first snapshot. Nothing at all when there is neither a server nor a
 * feed directory. 0 or -errno. */
int feeds_start(struct feeds *f);
/* After a reload: a new snapshot is rendered soon, off the loop. */
void feeds_set_config(struct feeds *f, const struct config *config);
/* What the feeds show may have changed (a mark, a new day): a new snapshot
 * is rendered soon, off the loop. */
void feeds_changed(struct feeds *f);

/* Whether a render is due or under way (then the feeds served are about to
 * change). */
bool feeds_rendering(const struct feeds *f);

/* The addresses served, "127.0.0.1:8080", in order; NULL past the last. */
const char *feeds_address(const struct feeds *f, size_t i);

/* The feed URLs to publish (FeedURLs): base/ledger.ics, then one per owner,
 * private ones with the literal "<token>" in place of the secret. A
 * NULL-terminated array (free each and it), empty when nothing is served or
 * no address is known; NULL when out of memory. */
char **feeds_urls(const struct feeds *f);
/* The first of them, base/ledger.ics, the link a reminder carries; NULL
 * when nothing is served, no address is known or memory is out. */
char *feeds_url_ledger(const struct feeds *f);
/* The owner's own feed as "webcal://…" (its token in it when private: for
 * the owner's eyes), for the owner's reminders; NULL as above. */
char *feeds_url_owner(const struct feeds *f, const struct owner *o);
/* The page at "/" (QR codes, how to subscribe): the link a group's
 * reminder carries; NULL when nothing is served over HTTP. */
char *feeds_url_index(const struct feeds *f);
