/* SPDX-License-Identifier: MIT */
#pragma once

/* The running service's core: the configuration in force and its reload,
 * the reminder plan and the one timer armed at its next instant, and the
 * marks people make. It drives the parts the service made (marks, courier,
 * feeds) and tells the service what happened through hooks (the bus turns
 * them into signals); it knows nothing of the bus itself. */

#include <stdbool.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "marks/marks.h"

struct config;
struct courier;
struct feeds;
struct health;
struct manager;
struct web;
struct service_clock;

struct reload_result {
        bool ok;
        time_t when;
        char *message; /* what changed, or why the new configuration was refused */
};

/* What happened, for whoever listens (the bus). Each may be NULL. */
struct manager_hooks {
        void (*reloaded)(const struct reload_result *r, void *userdata);
        void (*marked)(enum state_action action, const char *ledger, const char *id,
                       const char *user, const char *note, void *userdata);
        void *userdata;
};

int manager_new(const char *config_path, sd_event *event, const struct service_clock *clock,
                struct manager **out);
void manager_free(struct manager *m);

/* Loads the configuration for the first time; the directory options win
 * over the configuration's (NULL: the configuration's). 0 or -errno, with
 * every message logged. */
int manager_load(struct manager *m, const char *state_directory, const char *runtime_directory);

const struct config *manager_config(const struct manager *m);
const char *manager_config_path(const struct manager *m);
const char *manager_state_directory(const struct manager *m);
const char *manager_runtime_directory(const struct manager *m);
const struct reload_result *manager_last_reload(const struct manager *m);

/* The parts the plan drives, made by the service; courier, feeds and health
 * may be NULL. */
struct manager_parts {
        struct marks *marks;
        struct courier *courier;
        struct feeds *feeds;
        struct web *web;
        struct health *health;
        struct manager_hooks hooks;
};
void manager_attach(struct manager *m, const struct manager_parts *parts);

/* Every reminder at or before t is recorded (the delivery log's
 * handled_until): the plan goes on from after it. A clock that jumps
 * forward leaves the instants it skips after this mark, so they are sent,
 * late; one that jumps back cannot move it, so nothing is sent twice. */
void manager_set_handled(struct manager *m, time_t t);

/* Loads and validates the whole new configuration on a thread of its own
 * (a large ledger takes seconds, and a path may be anything: the loop goes
 * on meanwhile); only then replaces the old one, in every part, from the
 * loop. On any error the old one stays in force. The result is kept
 * (manager_last_reload()), told to the hooks, and to done (NULL: nobody
 * waits) with the reload's outcome. A reload asked for while one runs runs
 * once more after it. 0, or -errno when it could not even start (then done
 * is not called). */
typedef void (*manager_reload_fn)(const struct reload_result *r, void *userdata);
int manager_reload(struct manager *m, manager_reload_fn done, void *userdata);

/* Rebuilds the plan from now on (after a reload, a mark, a clock change)
 * and arms the timer at its first instant. */
int manager_replan(struct manager *m);
/* The instant of the next reminder, 0 when there is none. */
time_t manager_next_reminder(const struct manager *m);

/* Records a mark by who; a done milestone's pending messages are cancelled,
 * the plan follows, and the hooks hear of it. -EALREADY when there is
 * nothing to change; other errors are logged. */
int manager_mark(struct manager *m, enum state_action action, const char *ledger, const char *id,
                 const struct state_author *who, const char *note, time_t until);

/* sd_notify STATUS= text: "33 milestones (1 done, 0 overdue), 14 undated, next reminder …". */
void manager_notify_status(const struct manager *m);
