/* SPDX-License-Identifier: MIT */
#pragma once

/* Long output through a pager, as systemctl pages it: only when stdout is a
 * terminal; $PAGER when set (empty or "cat": none), else "less -FRSXK" —
 * less quits at once when everything fits on the screen (-F), passes colour
 * (-R), cuts long lines rather than folding them (-S), leaves the text on
 * the screen (-X) and quits on Ctrl-C (-K). */

#include <stdbool.h>

/* From here on, stdout goes to the pager (not when disabled: --no-pager).
 * Whether stdout was a terminal and its width are remembered first, for the
 * tables (columns.h). Without a pager to run, stdout stays as it is. */
void pager_open(bool disabled);
/* Flushes stdout and waits for the pager to end: before exiting. */
void pager_close(void);
