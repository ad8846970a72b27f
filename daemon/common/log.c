/* SPDX-License-Identifier: MIT */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool journal_prefix;

void log_setup(void) {
        journal_prefix = getenv("JOURNAL_STREAM") != NULL;
        setvbuf(stderr, NULL, _IOLBF, 0);
}

int log_full(int priority, int error, const char *fmt, ...) {
        int saved_errno = errno;
        va_list ap;

        if (priority == LOG_DEBUG && !getenv("LEDGERD_DEBUG"))
                return error < 0 ? error : -error;
        flockfile(stderr);
        if (journal_prefix)
                fprintf(stderr, "<%d>", priority);
        /* "%m" says why: the error given, as systemd's log functions do. */
        errno = error < 0 ? -error : error;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        funlockfile(stderr);
        errno = saved_errno;
        return error < 0 ? error : -error;
}
