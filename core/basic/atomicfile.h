/* SPDX-License-Identifier: MIT */
#pragma once

/* Replacing a file so that a reader sees the old content or the new, never
 * a mix or a truncated file: write a temporary file beside it, flush it to
 * disk, then rename it over the target. */

#include <stdio.h>

struct atomic_writer;

struct atomic_file {
        FILE *f; /* write here */
        char *target;
        char *temporary;
        struct atomic_writer *writer; /* behind f */
};

/* 0 or -errno. */
int atomic_file_open(struct atomic_file *af, const char *path);
/* Flushes, syncs and renames; 0 or -errno (the target is then untouched). */
int atomic_file_commit(struct atomic_file *af);
/* The temporary file's descriptor (af->f is not a plain stdio stream, so
 * fileno() does not give it), for futimens() and the like before commit. */
int atomic_file_fd(const struct atomic_file *af);
/* Removes the temporary file; the target is untouched. */
void atomic_file_abort(struct atomic_file *af);
