/* SPDX-License-Identifier: MIT */
/* Any answer from a webhook peer: the first byte picks the format, the next
 * two the HTTP status, then the Retry-After value up to a newline, then the
 * body. The verdict is always one of three, the same every time, and the
 * reason is clean UTF-8 that fits a log line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/text.h"
#include "notify/webhook-reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8 without control characters. */
static bool clean(const char *s) {
        size_t n = strlen(s);

        while (n > 0) {
                unsigned cp;
                size_t len = text_utf8_decode(s, n, &cp);

                if (len == 0 || cp < 0x20 || cp == 0x7f)
                        return false;
                s += len, n -= len;
        }
        return true;
}

static void check(const struct webhook_reply *r) {
        if (r->verdict != WEBHOOK_DELIVERED && r->verdict != WEBHOOK_RETRY &&
            r->verdict != WEBHOOK_PERMANENT)
                abort();
        if (r->delay < 0 || r->delay > WEBHOOK_DELAY_MAX ||
            (r->delay && r->verdict != WEBHOOK_RETRY))
                abort();
        if (memchr(r->reason, '\0', sizeof r->reason) == NULL || !clean(r->reason))
                abort();
        if ((r->verdict == WEBHOOK_DELIVERED) != (r->reason[0] == '\0'))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct webhook_reply r, again;
        const uint8_t *nl;
        char *after = NULL, *body;
        size_t off;
        int status;

        if (size < 3)
                return 0;
        status = (data[1] << 8 | data[2]) % 700;
        nl = memchr(data + 3, '\n', size - 3);
        if (nl) {
                after = strndup((const char *) data + 3, (size_t) (nl - data - 3));
                if (!after)
                        return 0;
        }
        off = nl ? (size_t) (nl - data) + 1 : 3;
        body = malloc(size - off + 1);

        if (!body) {
                free(after);
                return 0;
        }
        memcpy(body, data + off, size - off); /* no NUL: the size alone must bound it */
        webhook_reply_classify((enum channel_format)(data[0] % 5), status, after, 1759798800, body,
                               size - off, &r);
        check(&r);
        webhook_reply_classify((enum channel_format)(data[0] % 5), status, after, 1759798800, body,
                               size - off, &again);
        if (memcmp(&r, &again, sizeof r) != 0)
                abort();
        free(body);
        free(after);
        return 0;
}
