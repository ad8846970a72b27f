/* SPDX-License-Identifier: MIT */
#pragma once

/* Listening addresses as the configuration writes them: "127.0.0.1:8080",
 * "[::1]:8080", "0.0.0.0:8080", "[::]:8080". Numeric only, so that starting
 * never waits for a name server. */

#include <stdbool.h>
#include <sys/socket.h>

/* "[ffff:…:ffff]:65535" and its NUL. */
#define NETADDR_MAX 56

/* 0, or -EINVAL (not ADDRESS:PORT, or a port outside 1…65535). */
int netaddr_parse(const char *s, struct sockaddr_storage *out, socklen_t *len);
/* The same notation back: "127.0.0.1:8080", "[::1]:8080". 0 or -EAFNOSUPPORT. */
int netaddr_format(const struct sockaddr *sa, char buf[NETADDR_MAX]);
/* 0.0.0.0 or ::, which no client can use in a link. */
bool netaddr_is_wildcard(const struct sockaddr *sa);
