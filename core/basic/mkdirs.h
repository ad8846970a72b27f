/* SPDX-License-Identifier: MIT */
#pragma once

/* mkdir -p: a trial run's state and runtime directories may be nested
 * anywhere (systemd creates the real ones). */

#include <sys/types.h>

/* Creates path and its missing parents with mode; an existing directory is
 * fine. 0 or -errno. */
int mkdirs(const char *path, mode_t mode);
