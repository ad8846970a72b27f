/* SPDX-License-Identifier: MIT */
#include "basic/mkdirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int mkdir_one(const char *path, mode_t mode) {
        return mkdir(path, mode) < 0 && errno != EEXIST ? -errno : 0;
}

int mkdirs(const char *path, mode_t mode) {
        char *copy = strdup(path);
        int r = 0;

        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; r == 0 && *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        r = mkdir_one(copy, mode);
                        *p = '/';
                }
        if (r == 0)
                r = mkdir_one(copy, mode);
        free(copy);
        return r;
}
