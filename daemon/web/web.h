/* SPDX-License-Identifier: MIT */
#pragma once

/* The pages behind the links of reminders, on the feed server:
 *
 *     GET  /act/<token>  what the button will do, and the button (a form)
 *     POST /act/<token>  does it (body "confirm=1"), then 303 to the owner's page
 *     GET  /me/<token>   the owner's page
 *
 * Mail scanners and chat apps fetch links to preview them: a GET never
 * changes anything. No cookie and no session: the form carries the token.
 * A token that is forged, expired, or older than the milestone's last done
 * or reopen mark gets a page that says so, and changes nothing. Requests
 * are limited per client address (ratelimit.h). A mark made here is
 * recorded with the owner the link was made for, "via link", and the
 * client's address (behind a proxy on this machine, the address it names
 * in X-Forwarded-For). */

#include <microhttpd.h>
#include <stdbool.h>

#include "marks/marks.h"
#include "web/links.h"

struct config;
struct service_clock;
struct web;

/* Records a mark made through a link: the manager's, so that the courier
 * and the plan hear of it. 0, -EALREADY, or -errno. */
typedef int (*web_mark_fn)(enum state_action action, const char *ledger, const char *id,
                           const struct state_author *who, time_t until, void *userdata);

struct web_setup {
        const struct service_clock *clock;
        const struct config *config; /* web_set_config() after a reload */
        struct marks *marks;
        const char *state_directory; /* the key of links is there */
        web_mark_fn mark;
        void *userdata;
};

/* Loads (or makes) the key. 0 or -errno, the reason logged. */
int web_new(const struct web_setup *setup, struct web **out);
void web_free(struct web *w);
void web_set_config(struct web *w, const struct config *config);
/* A new key: every link sent so far stops working. */
int web_rotate_key(struct web *w);

/* The links of reminders, as web makes them (for the courier). */
const struct links *web_links(const struct web *w);

/* Whether url is one of these pages. */
bool web_handles(const char *url);
/* The access handler's part for those URLs (microhttpd.h's arguments). */
enum MHD_Result web_request(struct web *w, struct MHD_Connection *c, const char *url,
                            const char *method, const char *upload_data, size_t *upload_data_size,
                            void **request);
/* Frees what web_request() kept for a request (MHD_OPTION_NOTIFY_COMPLETED). */
void web_request_done(void *request);
