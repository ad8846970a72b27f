/* SPDX-License-Identifier: MIT */
#include "http/link.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/hmac.h"

#define LINK_VERSION "1"
/* 128 bits of the MAC: enough against forgery, short enough for a URL. */
#define LINK_MAC_SIZE 16
#define LINK_CLAIM_MAX (6 * LINK_FIELD_MAX)

static const char *const action_names[LINK_ACTION_MAX] = {
        [LINK_DONE] = "done", [LINK_SNOOZE_1] = "snooze1", [LINK_SNOOZE_3] = "snooze3",
        [LINK_SNOOZE_7] = "snooze7", [LINK_PAGE] = "page",
};

const char *link_action_name(enum link_action a) {
        return (unsigned) a < LINK_ACTION_MAX ? action_names[a] : NULL;
}

unsigned link_snooze_days(enum link_action a) {
        return a == LINK_SNOOZE_1 ? 1 : a == LINK_SNOOZE_3 ? 3 : a == LINK_SNOOZE_7 ? 7 : 0;
}

/* ---- base64url ---------------------------------------------------------------- */

/* Standard base64, then the URL-safe alphabet and no padding. */
static size_t b64url_encode(const void *data, size_t size, char *out) {
        size_t n = base64_encode(data, size, out);

        while (n > 0 && out[n - 1] == '=')
                out[--n] = '\0';
        for (size_t i = 0; i < n; i++)
                out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
        return n;
}

/* The strict decoder of base64.h after the way back: one encoding only. */
static ssize_t b64url_decode(const char *s, size_t len, uint8_t *out, size_t size) {
        char std[LINK_TOKEN_MAX + 4];

        if (len % 4 == 1 || len + 4 > sizeof std)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '+' || s[i] == '/' || s[i] == '=')
                        return -EINVAL;
                std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
        }
        while (len % 4)
                std[len++] = '=';
        return base64_decode(std, len, out, size);
}

/* ---- claims ------------------------------------------------------------------- */

/* The text signed: "1\n<action>\n<ledger>\n<milestone>\n<owner>\n<expires>\n<generation>".
 * The strings are copied, not printed: a burst signs a dozen thousand. */
static int claim_text(const struct link_claim *c, char *out, size_t size) {
        const char *fields[] = { LINK_VERSION, link_action_name(c->action), c->ledger, c->milestone,
                                 c->owner };
        char *p = out;
        int n;

        if (!fields[1] || size < LINK_CLAIM_MAX)
                return -EINVAL;
        for (size_t i = 2; i < 5; i++)
                if (strchr(fields[i], '\n') || strnlen(fields[i], LINK_FIELD_MAX) >= LINK_FIELD_MAX)
                        return -EINVAL;
        /* Five fields under LINK_FIELD_MAX each leave a field's room for the numbers. */
        for (size_t i = 0; i < 5; i++) {
                p = stpcpy(p, fields[i]);
                *p++ = '\n';
        }
        n = snprintf(p, size - (size_t) (p - out), "%lld\n%" PRId64, (long long) c->expires,
                     c->generation);
        return n > 0 && (size_t) n < size - (size_t) (p - out) ? (int) (p - out) + n : -EINVAL;
}

/* Copies the next line of *s (up to LF or the end) into field. */
static int next_field(const char **s, const char *end, char *field) {
        const char *lf = memchr(*s, '\n', (size_t) (end - *s));
        size_t n = (size_t) ((lf ? lf : end) - *s);

        if (n >= LINK_FIELD_MAX)
                return -EBADMSG;
        memcpy(field, *s, n);
        field[n] = '\0';
        *s = lf ? lf + 1 : end;
        return lf ? 1 : 0;
}

static int number_of(const char *text, long long *out) {
        char *end;

        errno = 0;
        *out = strtoll(text, &end, 10);
        return text[0] && !*end && errno == 0 ? 0 : -EBADMSG;
}

/* Reads the fields of a claim whose signature is already checked. */
static int claim_parse(const char *text, size_t len, struct link_claim *c) {
        const char *s = text, *end = text + len;
        char version[LINK_FIELD_MAX], action[LINK_FIELD_MAX], expires[LINK_FIELD_MAX],
                generation[LINK_FIELD_MAX];
        char *const fields[] = { version, action, c->ledger, c->milestone, c->owner, expires,
                                 generation };
        long long e, g;
        int more = 1;

        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
                if (!more)
                        return -EBADMSG;
                more = next_field(&s, end, fields[i]);
                if (more < 0)
                        return more;
        }
        if (more || strcmp(version, LINK_VERSION) != 0 || number_of(expires, &e) < 0 ||
            number_of(generation, &g) < 0)
                return -EBADMSG;
        c->action = LINK_ACTION_MAX;
        for (size_t i = 0; i < LINK_ACTION_MAX; i++)
                if (strcmp(action, action_names[i]) == 0)
                        c->action = (enum link_action) i;
        c->expires = (time_t) e;
        c->generation = g;
        return c->action < LINK_ACTION_MAX ? 0 : -EBADMSG;
}

/* ---- tokens ------------------------------------------------------------------- */

/* Signs c into out with key, or with ready when not NULL. */
static int token_make(const uint8_t *key, const struct hmac_sha256_key *ready,
                      const struct link_claim *c, char out[LINK_TOKEN_MAX]) {
        char text[LINK_CLAIM_MAX];
        uint8_t mac[HMAC_SHA256_SIZE];
        int n = claim_text(c, text, sizeof text), r;
        size_t len;

        if (n < 0)
                return n;
        if (BASE64_ENCODED_SIZE((size_t) n) + BASE64_ENCODED_SIZE(LINK_MAC_SIZE) + 2 > LINK_TOKEN_MAX)
                return -EINVAL;
        r = ready ? hmac_sha256_keyed(ready, text, (size_t) n, mac)
                  : hmac_sha256(key, LINK_KEY_SIZE, text, (size_t) n, mac);
        if (r < 0)
                return r;
        len = b64url_encode(text, (size_t) n, out);
        out[len++] = '.';
        b64url_encode(mac, LINK_MAC_SIZE, out + len);
        return 0;
}

int link_token_make(const uint8_t key[LINK_KEY_SIZE], const struct link_claim *c,
                    char out[LINK_TOKEN_MAX]) {
        return token_make(key, NULL, c, out);
}

int link_token_make_keyed(const struct hmac_sha256_key *key, const struct link_claim *c,
                          char out[LINK_TOKEN_MAX]) {
        return token_make(NULL, key, c, out);
}

int link_token_read(const uint8_t key[LINK_KEY_SIZE], const char *token, time_t now,
                    struct link_claim *out) {
        const char *dot = strchr(token, '.');
        uint8_t text[LINK_TOKEN_MAX], mac[LINK_MAC_SIZE + 2], want[HMAC_SHA256_SIZE];
        ssize_t n, m;

        if (!dot || strlen(token) >= LINK_TOKEN_MAX)
                return -EBADMSG;
        n = b64url_decode(token, (size_t) (dot - token), text, sizeof text - 1);
        m = b64url_decode(dot + 1, strlen(dot + 1), mac, sizeof mac);
        if (n <= 0 || m != LINK_MAC_SIZE)
                return -EBADMSG;
        if (hmac_sha256(key, LINK_KEY_SIZE, text, (size_t) n, want) < 0)
                return -ENOMEM;
        /* Compared in constant time: the MAC is the secret here. */
        if (CRYPTO_memcmp(mac, want, LINK_MAC_SIZE) != 0)
                return -EBADMSG;
        if (claim_parse((const char *) text, (size_t) n, out) < 0)
                return -EBADMSG;
        return out->expires >= now ? 0 : -ETIME;
}
