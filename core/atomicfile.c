/* SPDX-License-Identifier: MIT */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void release(struct atomic_file *af) {
        free(af->target);
        free(af->temporary);
        *af = (struct atomic_file) {};
}

int atomic_file_open(struct atomic_file *af, const char *path) {
        int fd;

        *af = (struct atomic_file) {};
        af->target = strdup(path);
        if (!af->target || asprintf(&af->temporary, "%s.tmpXXXXXX", path) < 0) {
                free(af->target);
                af->temporary = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(af->temporary, O_CLOEXEC);
        if (fd < 0) {
                int err = errno;

                release(af); /* no temporary file was made: nothing to remove */
                return -err;
        }
        if (fchmod(fd, 0644) < 0 || !(af->f = fdopen(fd, "w"))) {
                int err = errno;

                close(fd);
                atomic_file_abort(af);
                return -err;
        }
        return 0;
}

int atomic_file_commit(struct atomic_file *af) {
        int err = 0;

        if (fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) < 0)
                err = errno ? errno : EIO;
        if (fclose(af->f) != 0 && !err)
                err = errno;
        af->f = NULL;
        if (!err && rename(af->temporary, af->target) < 0)
                err = errno;
        if (err) {
                atomic_file_abort(af);
                return -err;
        }
        release(af);
        return 0;
}

void atomic_file_abort(struct atomic_file *af) {
        if (af->f)
                fclose(af->f);
        if (af->temporary)
                unlink(af->temporary);
        release(af);
}
