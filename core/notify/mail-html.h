/* SPDX-License-Identifier: MIT */
#pragma once

/* The HTML part of a reminder e-mail: one column that reads on a phone, a
 * row per item (due date, days left, item, owners, holiday note) with its
 * buttons as plain links, the links to the recipient's page and feed at
 * the end. Inline CSS only and no remote images: mail clients drop style
 * sheets and block images, and a reminder must read the same everywhere. */

#include "notify/card.h"

/* The document, UTF-8; NULL when out of memory. Free it. */
char *mail_html(const struct card *c);
