/* SPDX-License-Identifier: MIT */
/* Listening addresses: what the configuration accepts, and back. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "http/netaddr.h"

/* Parses s and formats it back. */
static void round_trip(const char *s, int family, const char *want) {
        struct sockaddr_storage ss;
        socklen_t len = 0;
        char buf[NETADDR_MAX];

        assert_int_equal(netaddr_parse(s, &ss, &len), 0);
        assert_int_equal(ss.ss_family, family);
        assert_int_equal(len, family == AF_INET ? sizeof(struct sockaddr_in)
                                                : sizeof(struct sockaddr_in6));
        assert_int_equal(netaddr_format((struct sockaddr *) &ss, buf), 0);
        assert_string_equal(buf, want);
}

static void test_parse(void **state) {
        (void) state;
        round_trip("127.0.0.1:8080", AF_INET, "127.0.0.1:8080");
        round_trip("0.0.0.0:1", AF_INET, "0.0.0.0:1");
        round_trip("[::1]:8080", AF_INET6, "[::1]:8080");
        round_trip("[::]:65535", AF_INET6, "[::]:65535");
        round_trip("[2001:DB8:0:0::7]:443", AF_INET6, "[2001:db8::7]:443");
}

static void test_port_byte_order(void **state) {
        struct sockaddr_storage ss;
        socklen_t len;

        (void) state;
        assert_int_equal(netaddr_parse("10.1.2.3:8080", &ss, &len), 0);
        assert_int_equal(ntohs(((struct sockaddr_in *) &ss)->sin_port), 8080);
        assert_int_equal(ntohl(((struct sockaddr_in *) &ss)->sin_addr.s_addr), 0x0a010203);
}

static void test_rejects(void **state) {
        static const char *const bad[] = {
                "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                "127.0.0.1:80a", "127.0.0.1:-80", "127.0.0.1:000080", "localhost:8080",
                "::1:8080", "[::1]8080", "[::1]:", "[::1:8080", "[127.0.0.1]:80", "256.0.0.1:80",
                "*:8080", ":8080", "[]:80", " 127.0.0.1:80",
        };
        struct sockaddr_storage ss;
        socklen_t len;

        (void) state;
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
                if (netaddr_parse(bad[i], &ss, &len) != -EINVAL)
                        fail_msg("\"%s\" was accepted", bad[i]);
}

static void test_wildcard(void **state) {
        struct sockaddr_storage ss;
        socklen_t len;

        (void) state;
        assert_int_equal(netaddr_parse("0.0.0.0:80", &ss, &len), 0);
        assert_true(netaddr_is_wildcard((struct sockaddr *) &ss));
        assert_int_equal(netaddr_parse("[::]:80", &ss, &len), 0);
        assert_true(netaddr_is_wildcard((struct sockaddr *) &ss));
        assert_int_equal(netaddr_parse("127.0.0.1:80", &ss, &len), 0);
        assert_false(netaddr_is_wildcard((struct sockaddr *) &ss));
        assert_int_equal(netaddr_parse("[::1]:80", &ss, &len), 0);
        assert_false(netaddr_is_wildcard((struct sockaddr *) &ss));
}

static void test_format_unknown_family(void **state) {
        struct sockaddr sa = { .sa_family = AF_UNIX };
        char buf[NETADDR_MAX];

        (void) state;
        assert_int_equal(netaddr_format(&sa, buf), -EAFNOSUPPORT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_port_byte_order),
                cmocka_unit_test(test_rejects),
                cmocka_unit_test(test_wildcard),
                cmocka_unit_test(test_format_unknown_family),
        };

        return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
