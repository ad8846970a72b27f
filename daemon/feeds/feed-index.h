/* SPDX-License-Identifier: MIT */
#pragma once

/* The page at "/": the feeds with their webcal:// and http(s):// links, and
 * how to subscribe in the common calendar apps. UTF-8 HTML, the same bytes
 * for the same configuration (no clock in it), so its ETag is stable. */

#include <stdio.h>

#include "ledger/model.h"

/* base_url: the links' prefix ("http://127.0.0.1:8080"); NULL: relative
 * links only. Private (token) feeds are named without a link. 0 or -EIO. */
int feed_index_render(const struct config *c, const char *base_url, FILE *out);
