/* SPDX-License-Identifier: MIT */
#pragma once

/* Text into HTML: what the pages show comes from ledgers and
 * configurations that others write, so every piece of it goes through
 * here. */

#include <stdio.h>

/* Writes s with &, <, >, " and ' as character references, so that it is
 * safe in element content and in quoted attribute values; control
 * characters other than tab and line breaks are dropped. */
void html_escape(FILE *out, const char *s);
