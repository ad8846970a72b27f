/* SPDX-License-Identifier: MIT */
#pragma once

/* The "what failed last" message that a handle keeps for its caller to
 * show (state_last_error(), ledgerctl's connection to ledgerd): a failing
 * function records why and returns its error in one statement. */

#include <stdarg.h>

/* Replaces *slot (freed; NULL is fine) with the message fmt makes, or NULL
 * when out of memory, and returns r. The message is made before the old one
 * is freed, so the arguments may include *slot itself. */
int last_error_set(char **slot, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int last_error_setv(char **slot, int r, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));
