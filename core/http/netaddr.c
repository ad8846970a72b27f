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

/* "[host]:port" (six) or "host:port" into a copy of host and the port's text. */
static int split(const char *s, bool six, char host[INET6_ADDRSTRLEN], const char **port) {
        const char *end = six ? strchr(s, ']') : strrchr(s, ':');

        if (!end || (six && end[1] != ':'))
                return -EINVAL;
        s += six;
        *port = end + 1 + six;
        if ((size_t) (end - s) >= INET6_ADDRSTRLEN)
                return -EINVAL;
        memcpy(host, s, (size_t) (end - s));
        host[end - s] = '\0';
        return 0;
}

int netaddr_parse(const char *s, struct sockaddr_storage *out, socklen_t *len) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) out;
        struct sockaddr_in *v4 = (struct sockaddr_in *) out;
        char host[INET6_ADDRSTRLEN];
        bool six = s[0] == '[';
        const char *port;

        memset(out, 0, sizeof *out);
        if (split(s, six, host, &port) < 0)
                return -EINVAL;
        out->ss_family = six ? AF_INET6 : AF_INET;
        if (inet_pton(out->ss_family, host,
                      six ? (void *) &v6->sin6_addr : (void *) &v4->sin_addr) != 1 ||
            parse_port(port, six ? &v6->sin6_port : &v4->sin_port) < 0)
                return -EINVAL;
        *len = six ? sizeof *v6 : sizeof *v4;
        return 0;
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
