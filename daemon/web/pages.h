/* SPDX-License-Identifier: MIT */
#pragma once

/* The pages the people reminded see on a phone: the confirmation behind a
 * reminder's button, the owner's page of milestones, and the few words that
 * say a link is expired, forged or used. Plain HTML with its CSS inline and
 * no script or outside asset, so that it opens in any in-app browser
 * (WeCom, DingTalk, Feishu) and fits a 390-pixel screen; everything taken
 * from ledgers and the configuration is escaped. Each writes to out and
 * returns 0 or -EIO. */

#include <stdio.h>
#include <time.h>

#include "http/link.h"
#include "ledger/date.h"

struct config;
struct links;
struct marks;
struct milestone;
struct owner;

/* "已完成" or "推迟3天": what a button says. */
const char *page_action_words(enum link_action a);

/* What will happen, with one button whose form POSTs to action_url.
 * page_url: the owner's page (NULL: none). */
int page_confirm(FILE *out, const struct config *c, const struct milestone *ms,
                 const struct owner *o, enum link_action a, const char *action_url,
                 const char *page_url, day_t today, time_t now);

/* The owner's milestones: open ones first, by due date, with days left and
 * their buttons (links made fresh from l); then done ones with who and
 * when. notice: a line to show on top, or NULL. */
struct owner_page {
        const struct config *config;
        const struct marks *marks;
        const struct links *links;
        const struct owner *owner;
        day_t today;
        time_t now;
        const char *notice;
};
int page_owner(FILE *out, const struct owner_page *p);

/* A page that only says something: a title, a line, and the owner's page
 * when known (NULL: none). */
int page_message(FILE *out, const char *title, const char *text, const char *page_url);
