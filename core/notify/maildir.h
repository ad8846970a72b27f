/* SPDX-License-Identifier: MIT */
#pragma once

/* Delivery into a Maildir (https://cr.yp.to/proto/maildir.html): the
 * outbox used when no SMTP server is configured, so that the messages are
 * real files any mail reader opens. A message appears in new/ whole or not
 * at all: it is written and synced in tmp/, then linked into new/. */

#include <stddef.h>

/* Creates dir and dir/{tmp,new,cur} (mode 0700) when missing, and delivers
 * message (size bytes, as they are) into dir/new under a name no other
 * delivery uses: "<seconds>.M<microseconds>P<pid>Q<count>R<random>.<host>".
 * 0 and, when name_out is not NULL, the file's name in dir/new (free it);
 * or -errno, with nothing left behind in tmp/. */
int maildir_deliver(const char *dir, const char *message, size_t size, char **name_out);
