/* SPDX-License-Identifier: MIT */
#pragma once

/* A QR code (libqrencode) as inline SVG: a phone's camera reads a feed's
 * subscription address off a PC's screen. One <path> of the dark modules,
 * with the quiet zone the standard asks for; sized by CSS. */

#include <stdio.h>

/* text: what to encode (a URL). 0, -EINVAL when it cannot be encoded, or
 * -ENOMEM. label: the SVG's accessible name (escaped here). */
int qrsvg_write(FILE *out, const char *text, const char *label);

/* The codes of one page, kept for the next: a page of a hundred codes, made
 * again on every change of its feeds, spent ten milliseconds encoding the
 * same addresses each time. */
struct qrsvg_memo;
void qrsvg_memo_free(struct qrsvg_memo *m);

/* As qrsvg_write(), but the SVG is taken from old (NULL: none) when it has
 * one of the same text and label, and is kept in *kept (made on first use)
 * for the next page. */
int qrsvg_write_kept(FILE *out, const char *text, const char *label,
                     const struct qrsvg_memo *old, struct qrsvg_memo **kept);
