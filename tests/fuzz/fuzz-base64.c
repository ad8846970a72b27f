/* SPDX-License-Identifier: MIT */
/* Any bytes as base64 (a Standard Webhooks secret): decoding never reads or
 * writes out of bounds, and strictness means one encoding per value, so
 * whatever decodes encodes back to exactly the input. Any bytes also encode
 * and decode back to themselves. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const uint8_t *data, size_t size) {
        char *s = base64_encode_alloc(data, size);
        uint8_t *back = malloc(size + 1);

        if (!s || !back)
                abort();
        if (strlen(s) != BASE64_ENCODED_SIZE(size) ||
            base64_decode(s, strlen(s), back, size) != (ssize_t) size ||
            memcmp(back, data, size) != 0)
                abort();
        free(s);
        free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t max = BASE64_DECODED_MAX(size);
        uint8_t *out = malloc(max + 1);
        ssize_t n;

        if (!out)
                return 0;
        n = base64_decode((const char *) data, size, out, max);
        if (n >= 0) {
                char *again = base64_encode_alloc(out, (size_t) n);

                if (!again || strlen(again) != size || memcmp(again, data, size) != 0)
                        abort();
                /* One byte less room must be refused, not overrun. */
                if (n > 0 &&
                    base64_decode((const char *) data, size, out, (size_t) n - 1) != -ENOBUFS)
                        abort();
                free(again);
        }
        round_trip(data, size);
        free(out);
        return 0;
}
