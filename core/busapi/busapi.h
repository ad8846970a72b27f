/* SPDX-License-Identifier: MIT */
#pragma once

/* The D-Bus API of ledgerd, shared by the daemon and ledgerctl so that the
 * two cannot drift apart. Times are microseconds since the epoch (t), 0 for
 * "none". Milestones are named "ID" when that is unambiguous across ledgers,
 * or "LEDGER/ID"; an undated task is named by its task id.
 *
 * org.ledgerd.Ledger1 at /org/ledgerd/Ledger1, interface org.ledgerd.Ledger1
 *
 * Properties (read-only)
 *   Version s, ConfigPath s, Timezone s, Ledgers a(ssi) (id, title, year),
 *   Counts (uuuuuuuu) (see BUS_COUNTS_*), NextReminder t,
 *   LastReload (bts) (ok, when, message), FeedURLs as, FeedAddresses as (what
 *   the HTTP server listens on: "127.0.0.1:8080"), OrphanedMarks u,
 *   PendingDeliveries u, FailedDeliveries u, Problems a(sts) (part, since,
 *   reason: what keeps the service from its work now; empty when none;
 *   PropertiesChanged tells when it changes)
 *
 * Methods (anyone local may call the reading ones: ListMilestones, Describe,
 * Preview, Why, ListDeliveries; the rest need root or the configured admin
 * group, else org.freedesktop.DBus.Error.AccessDenied)
 *   ListMilestones(a{sv} filter) -> a BUS_MILESTONE
 *       filter: "owner" s (id or name), "ledger" s, "status" s (one of the
 *       BUS_STATUS_* names), "due_within" t (microseconds from now)
 *   Describe(s id) -> BUS_MILESTONE, a{ss} details, a BUS_HISTORY history
 *       details: category, detail, deadline, reading (how the phrase was read),
 *       snoozed_until (ISO time or ""); history: BUS_HISTORY
 *   Preview(t from, t to) -> a BUS_REMINDER
 *   Why(s id) -> as: lines that explain the milestone's reminders
 *   ListDeliveries(a{sv} filter) -> a BUS_DELIVERY, newest first
 *       filter: "status" s (pending, sent, failed, cancelled, missed), "target"
 *       s (a part of it), "milestone" s, "limit" u (default 100)
 *   MarkDone(s id, s note), Reopen(s id, s note), Snooze(s id, t until, s note),
 *   Reload(), RotateLinkKey() (a new key for the links of reminders: every
 *       link sent so far stops working), SendTest(s owner or channel) -> b all delivered, as one line per
 *       target ("mailto:a@b: delivered: 250 Ok"); answered when every try ended
 *
 * Signals
 *   MilestoneDone(s ledger, s id, s user, s note)
 *   MilestoneReopened(s ledger, s id, s user, s note)
 *   Reloaded(b ok, s message)
 *   ReminderSent(s ledger, s id, s kind, s recipient)
 *   ReminderFailed(s ledger, s id, s recipient, s reason)
 *
 * Errors: org.freedesktop.DBus.Error.InvalidArgs (bad or ambiguous argument,
 * with a message that says what), .AccessDenied, and BUS_ERROR_NOT_FOUND. */

#define BUS_NAME "org.ledgerd.Ledger1"
#define BUS_PATH "/org/ledgerd/Ledger1"
#define BUS_INTERFACE "org.ledgerd.Ledger1"
#define BUS_ERROR_NOT_FOUND "org.ledgerd.Ledger1.Error.NotFound"
#define BUS_PRIVATE_SOCKET "private" /* in the runtime directory */

/* ledger, id, task, label, item, due (YYYY-MM-DD or "" when undated), status,
 * owner names, done at (t), done by (user name), note */
#define BUS_MILESTONE "(sssssssasxss)"
/* at (t), kind, offset, ledger, milestone, owner names */
#define BUS_REMINDER "(tssssas)"
/* A step of a milestone's history: when (t), action ("done", "reopened",
 * "snoozed"), user, note, via ("bus": ledgerctl; "link": a reminder's
 * button), address (a link's client; "" for the bus) */
#define BUS_HISTORY "(tsssss)"
#define BUS_COUNTS "(uuuuuuuu)"
/* id, key, target, at (t), late, status, tries, next try (t), finished (t),
 * via, code, reason, answer, items (ledger, milestone, kind, offset), part
 * and parts (of a digest split to fit its channel: 1 and 1 when whole),
 * steps (of a pending message of several requests, such as WeCom's digest
 * and then its @mention: those already accepted, which a retry skips) */
#define BUS_DELIVERY "(xsstbsuttsxssa(ssss)uuu)"

/* The order of the fields of Counts. */
enum bus_counts {
        BUS_COUNTS_MILESTONES, /* dated milestones */
        BUS_COUNTS_DONE,
        BUS_COUNTS_OVERDUE,    /* due date passed, not done */
        BUS_COUNTS_DUE_SOON,   /* due within BUS_DUE_SOON_DAYS, not done */
        BUS_COUNTS_UPCOMING,   /* due later */
        BUS_COUNTS_UNDATED,    /* tasks whose phrase names no date */
        BUS_COUNTS_UNKNOWN,    /* tasks whose phrase was not understood */
        BUS_COUNTS_ONGOING,    /* standing work ("长期", "常态化"): no date, no reminder */
        BUS_COUNTS_MAX,
};

/* A milestone not done is due soon from this many days before its due date
 * on (BUS_STATUS_DUE_SOON); before that it is upcoming. */
#define BUS_DUE_SOON_DAYS 7

/* Status names, as in BUS_MILESTONE and the "status" filter. */
#define BUS_STATUS_DONE "done"
#define BUS_STATUS_OVERDUE "overdue"
#define BUS_STATUS_DUE_SOON "due-soon"
#define BUS_STATUS_UPCOMING "upcoming"
#define BUS_STATUS_UNDATED "undated"
#define BUS_STATUS_UNKNOWN "unknown"
#define BUS_STATUS_ONGOING "ongoing"
