/* SPDX-License-Identifier: MIT */
#pragma once

/* Text from ledgerd shown on a terminal. Notes, ledger texts and the answers
 * of mail servers and webhooks come from other people: their control
 * characters are escaped, as systemd's cescape() writes them, so that none
 * can move the cursor, recolour the screen or retitle the window. And long
 * values are wrapped to the terminal's width by display width: a Chinese
 * character takes two columns and a line may break before or after one,
 * words of other scripts break at spaces. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Where a field's value starts: "%14s: ", as systemctl status aligns them. */
#define DISPLAY_LABEL_WIDTH 14
#define DISPLAY_VALUE_COLUMN (DISPLAY_LABEL_WIDTH + 2)

/* s with every C0 control, DEL and C1 control escaped: \a \b \t \n \v \f \r,
 * else \xNN for each of its bytes (ESC is \x1b); a byte that is not UTF-8 is
 * \xNN too. With keep_newlines, '\n' stays (the wrapping below breaks the
 * line there). Free it; NULL on ENOMEM. */
char *display_escape(const char *s, bool keep_newlines);

/* s escaped as above (newlines kept), written in lines of at most width
 * columns (0: no limit). The first line continues one the caller began at
 * column start; the others are indented by indent spaces. Ends with '\n'. */
void display_wrap(FILE *out, const char *s, size_t start, size_t indent, size_t width);

/* The same for text of our own, not escaped: its colour sequences (ESC [ …
 * m, columns.h) take no columns. */
void display_wrap_coloured(FILE *out, const char *s, size_t start, size_t indent, size_t width);

/* "      Label: value", the value wrapped to width under itself; nothing when
 * value is NULL or empty. */
void display_field(FILE *out, const char *label, const char *value, size_t width);
/* The same for text of our own, with colour (display_wrap_coloured). */
void display_field_coloured(FILE *out, const char *label, const char *value, size_t width);
