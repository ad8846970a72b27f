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

struct manager;

/* Starts the HTTP server (socket activation, else feed.listen) and renders
 * the first snapshot. Nothing at all when there is neither a server nor a
 * feed directory. 0 or -errno. */
int feeds_start(struct manager *m);
/* Called after every change of state (from manager_replan): schedules a new
 * snapshot when the feeds' content may have changed. */
void feeds_changed(struct manager *m);
void feeds_stop(struct manager *m);

/* The feed URLs to publish (FeedURLs): base/ledger.ics, then one per owner,
 * private ones with the literal "<token>" in place of the secret. A
 * NULL-terminated array (free each and it), empty when nothing is served or
 * no address is known; NULL when out of memory. */
char **feeds_urls(const struct manager *m);
/* The first of them, base/ledger.ics, the link a reminder carries; NULL
 * when nothing is served, no address is known or memory is out. */
char *feeds_url_ledger(const struct manager *m);
