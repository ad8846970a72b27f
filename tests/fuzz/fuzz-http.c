/* SPDX-License-Identifier: MIT */
/* Any bytes as the header values and addresses the feed server reads itself:
 * If-Modified-Since, If-None-Match, Accept-Encoding, a path token, and the
 * listen addresses of the configuration. None may crash, and what they
 * return must keep the promises of http.h and netaddr.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/http.h"
#include "http/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A date read must format back to something that reads as the same date. */
static void check_date(const char *s) {
        char buf[HTTP_DATE_MAX];
        time_t t, again;

        if (http_date_parse(s, &t) < 0 || http_date_format(t, buf) < 0)
                return;
        if (http_date_parse(buf, &again) < 0 || again != t)
                abort();
}

static void check_address(const char *s) {
        struct sockaddr_storage ss;
        socklen_t len;
        char buf[NETADDR_MAX];

        if (netaddr_parse(s, &ss, &len) < 0)
                return;
        if (netaddr_format((struct sockaddr *) &ss, buf) < 0 || strlen(buf) >= NETADDR_MAX)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        check_date(s);
        (void) http_etag_listed(s, "\"0123456789abcdef0123456789abcdef\"");
        (void) http_accepts_gzip(s);
        if (http_token_equal(s, strlen(s), "s3cret-Feed_token-0123456789") !=
            (strcmp(s, "s3cret-Feed_token-0123456789") == 0))
                abort();
        check_address(s);
        free(s);
        return 0;
}
