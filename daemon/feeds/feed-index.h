/* SPDX-License-Identifier: MIT */
#pragma once

/* The page at "/": each public feed with a QR code of its subscription
 * address (so that an official reading it on a PC subscribes on a phone),
 * its webcal:// and http(s):// links, how much of it is still open and its
 * next deadline; and how to subscribe in the common calendar apps. UTF-8
 * HTML; the same bytes for the same configuration, marks and day, so that
 * its ETag is stable between changes. */

#include <stdio.h>

#include "ledger/date.h"

struct config;
struct marks_frozen;
struct qrsvg_memo;

/* base_url: the links' prefix ("http://127.0.0.1:8080"); NULL: relative
 * links only, and no QR codes. marks: what is done (NULL: nothing). today:
 * the local date, for the days left. Private (token) feeds are named
 * without a link. The QR codes are taken from old_codes (the previous
 * page's; NULL: none) when they are there, and kept in *codes. 0, or -EIO /
 * -ENOMEM. */
int feed_index_render(const struct config *c, const struct marks_frozen *marks,
                      const char *base_url, day_t today, const struct qrsvg_memo *old_codes,
                      struct qrsvg_memo **codes, FILE *out);
