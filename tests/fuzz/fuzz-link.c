/* SPDX-License-Identifier: MIT */
/* Any bytes as a link token from a URL: none may crash, none may read as
 * valid unless it is the exact token of its claim (forging one by chance
 * would take 2^128 tries), and a token made again from what was read must
 * be the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[LINK_KEY_SIZE] = "fuzzing key, fixed for the run.";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char token[LINK_TOKEN_MAX + 16], again[LINK_TOKEN_MAX];
        struct link_claim c;
        int r;

        if (size >= sizeof token)
                return 0;
        memcpy(token, data, size);
        token[size] = '\0';
        r = link_token_read(key, token, 0, &c);
        if (r == -EBADMSG || r == -ETIME)
                return 0;
        if (r != 0 || link_token_make(key, &c, again) != 0 || strcmp(again, token) != 0)
                abort();
        return 0;
}
