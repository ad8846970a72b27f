/* SPDX-License-Identifier: MIT */
#pragma once

/* Dates as Internet messages write them, in English whatever the locale
 * (strftime's %a and %b follow LC_TIME, so the names come from a table):
 *   RFCDATE_GMT      "Sun, 06 Nov 1994 08:49:37 GMT", HTTP's IMF-fixdate
 *                    (RFC 9110 5.6.7, formerly RFC 7231 7.1.1.1), always UTC;
 *   RFCDATE_NUMERIC  "Tue, 07 Oct 2025 09:00:00 +0800", an e-mail's Date
 *                    (RFC 5322 3.3), in local time with its offset.
 * One formatter for both, so that the two cannot drift apart. */

#include <stddef.h>
#include <time.h>

enum rfcdate_zone {
        RFCDATE_GMT,
        RFCDATE_NUMERIC,
};

/* Room for the longer form and its NUL. */
#define RFCDATE_MAX 32

/* t as seen utc_offset seconds east of UTC (ignored for RFCDATE_GMT) into
 * buf of size bytes. 0; -EOVERFLOW when that local year is outside
 * 0…9999; -ENOBUFS when buf is too small. */
int rfcdate_format(time_t t, int utc_offset, enum rfcdate_zone zone, char *buf, size_t size);
