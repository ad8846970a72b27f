/* SPDX-License-Identifier: MIT */
#pragma once

/* Secrets kept out of ledgerd.conf: the SMTP password, a webhook's signing
 * secret. The configuration only names them; the service reads them when it
 * starts sending (at start and on reload), never per message. Loading the
 * configuration (`ledgerd --check` and a reload) checks each named file with
 * secret_check(), which needs no permission to read it; a credential only
 * where $CREDENTIALS_DIRECTORY is set, as in the service.
 *
 * A secret file must be a regular file that others (not its owner, not its
 * group) cannot read or write: mode 600, or 640 with the service's group.
 *
 * A name ("spec") is either "credential:NAME", a systemd credential
 * (LoadCredential=NAME:/etc/ledgerd/secrets/… in the unit), read from
 * $CREDENTIALS_DIRECTORY/NAME, or the path of a file. */

#include <stdbool.h>
#include <stddef.h>

#define SECRET_CREDENTIAL_PREFIX "credential:"
#define SECRET_MAX (64 * 1024) /* a longer file is not a secret but a wrong path */

/* Whether spec can name a secret: "credential:" and a NAME that is a plain
 * file name (not empty, no '/', not "." or ".."), or a non-empty path. */
bool secret_spec_valid(const char *spec);

/* Reads the secret spec names into *out, a NUL-terminated string without its
 * trailing whitespace (the newline `echo` leaves); free it with
 * secret_free(). 0, or -errno with *out NULL and a reason in error that
 * names the file, never the secret:
 *   -EINVAL  a bad spec, not a regular file, or a NUL byte inside
 *   -EPERM   others may read or write the file
 *   -ENXIO   "credential:…" while $CREDENTIALS_DIRECTORY is not set
 *   -ENODATA the file holds only whitespace
 *   -EFBIG   over SECRET_MAX
 *   else what open() or read() said (-ENOENT, -EACCES, …). */
int secret_read(const char *spec, char **out, char *error, size_t error_size);

/* What can be known of the file spec names without reading it: the errors
 * of secret_read() but a NUL byte and whitespace only (an empty file is
 * -ENODATA), from stat(), with a reason in error that says what to do. */
int secret_check(const char *spec, char *error, size_t error_size);

/* Overwrites the secret, then frees it. NULL is fine. */
void secret_free(char *secret);
