/* SPDX-License-Identifier: MIT */
#include "basic/lasterror.h"

#include <stdio.h>
#include <stdlib.h>

int last_error_setv(char **slot, int r, const char *fmt, va_list ap) {
        char *msg = NULL;

        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        free(*slot);
        *slot = msg;
        return r;
}

int last_error_set(char **slot, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        r = last_error_setv(slot, r, fmt, ap);
        va_end(ap);
        return r;
}
