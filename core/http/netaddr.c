/* SPDX-License-Identifier: MIT */
#include "http/netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static int parse_port(const char *s, in_port_t *port) {
        unsigned v = 0;

        if (!*s || strlen(s) > 5)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (*s - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *port = htons((in_port_t) v);
        return 0;
}

static int parse_v6(const char *s, struct sockaddr_storage *out, socklen_t *len) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *) out;
        const char *close = strchr(s, ']');
        char host[INET6_ADDRSTRLEN];

        if (!close || close[1] != ':' || (size_t) (close - s - 1) >= sizeof host)
                return -EINVAL;
        memcpy(host, s + 1, (size_t) (close - s - 1));
        host[close - s - 1] = '\0';
        *sa = (struct sockaddr_in6) { .sin6_family = AF_INET6 };
        if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1 || parse_port(close + 2, &sa->sin6_port) < 0)
                return -EINVAL;
        *len = sizeof *sa;
        return 0;
}

static int parse_v4(const char *s, struct sockaddr_storage *out, socklen_t *len) {
        struct sockaddr_in *sa = (struct sockaddr_in *) out;
        const char *colon = strrchr(s, ':');
        char host[INET_ADDRSTRLEN];

        if (!colon || (size_t) (colon - s) >= sizeof host)
                return -EINVAL;
        memcpy(host, s, (size_t) (colon - s));
        host[colon - s] = '\0';
        *sa = (struct sockaddr_in) { .sin_family = AF_INET };
        if (inet_pton(AF_INET, host, &sa->sin_addr) != 1 || parse_port(colon + 1, &sa->sin_port) < 0)
                return -EINVAL;
        *len = sizeof *sa;
        return 0;
}

int netaddr_parse(const char *s, struct sockaddr_storage *out, socklen_t *len) {
        memset(out, 0, sizeof *out);
        return s[0] == '[' ? parse_v6(s, out, len) : parse_v4(s, out, len);
}

int netaddr_format(const struct sockaddr *sa, char buf[NETADDR_MAX]) {
        char host[INET6_ADDRSTRLEN];

        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

                inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
                snprintf(buf, NETADDR_MAX, "%s:%u", host, (unsigned) ntohs(in->sin_port));
                return 0;
        }
        if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
                snprintf(buf, NETADDR_MAX, "[%s]:%u", host, (unsigned) ntohs(in6->sin6_port));
                return 0;
        }
        return -EAFNOSUPPORT;
}

bool netaddr_is_wildcard(const struct sockaddr *sa) {
        if (sa->sa_family == AF_INET)
                return ((const struct sockaddr_in *) sa)->sin_addr.s_addr == htonl(INADDR_ANY);
        if (sa->sa_family == AF_INET6)
                return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *) sa)->sin6_addr);
        return false;
}
