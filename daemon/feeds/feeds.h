/* SPDX-License-Identifier: MIT */
#pragma once

/* The service's calendar feeds: when to render a new snapshot, where it goes
 * (the HTTP server, the feed directory), and the addresses to publish.
 *
 * A snapshot is rendered once at start, then after each change of what the
 * feeds show, in the event loop but never while answering a request. The
 * feeds show the configuration and the ledgers, not the done marks (yet):
 * a reload re-renders, a done mark, a reopening, a snooze or a new day need
 * not. */

#include <systemd/sd-event.h>

struct config;
struct feeds;
struct service_clock;

/* What the feeds work with. The pointers must outlive them; config is the
 * configuration in force (feeds_set_config() after a reload). */
struct feeds_setup {
        sd_event *event;
        const struct service_clock *clock;
        const char *state_directory; /* state.db (event revisions), feeds.stamps */
        const struct config *config;
};

int feeds_new(const struct feeds_setup *setup, struct feeds **out);
void feeds_free(struct feeds *f);

/* Starts the HTTP server (socket activation, else feed.listen) and renders
 * the first snapshot. Nothing at all when there is neither a server nor a
 * feed directory. 0 or -errno. */
int feeds_start(struct feeds *f);
/* After a reload: a new snapshot is rendered soon, from the event loop. */
void feeds_set_config(struct feeds *f, const struct config *config);
/* What the feeds show may have changed (a mark, a new day): a new snapshot
 * when the feeds show it. */
void feeds_changed(struct feeds *f);

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
