/* SPDX-License-Identifier: MIT */
#pragma once

/* Logging to stderr. Under systemd ($JOURNAL_STREAM set) every line starts
 * with its syslog priority, "<3>", which the journal turns into the priority
 * of the entry; in a terminal the lines are plain. */

#include <errno.h>
#include <syslog.h>

void log_setup(void);
/* Logs and returns -abs(error), so that "return log_error_errno(r, …)" reads
 * well. The format's "%m" is the reason of error (errno is set to it while
 * the line is written), so "cannot open %s: %m" says why. */
int log_full(int priority, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_full(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, 0, __VA_ARGS__)
#define log_oom() log_full(LOG_ERR, -ENOMEM, "out of memory")
#define log_error_errno(error, ...) log_full(LOG_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full(LOG_WARNING, (error), __VA_ARGS__)
