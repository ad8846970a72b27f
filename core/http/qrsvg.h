/* SPDX-License-Identifier: MIT */
#pragma once

/* A QR code (libqrencode) as inline SVG: a phone's camera reads a feed's
 * subscription address off a PC's screen. One <path> of the dark modules,
 * with the quiet zone the standard asks for; sized by CSS. */

#include <stdio.h>

/* text: what to encode (a URL). 0, -EINVAL when it cannot be encoded, or
 * -ENOMEM. label: the SVG's accessible name (escaped here). */
int qrsvg_write(FILE *out, const char *text, const char *label);
