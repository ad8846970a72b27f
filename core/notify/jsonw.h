/* SPDX-License-Identifier: MIT */
#pragma once

/* Writing JSON straight into a growing buffer, byte for byte as json-c
 * writes the same document with JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE: for a large body (a digest of the json
 * format, some 100 KB) a json-c tree costs an allocation per value and a
 * second pass, character by character, to serialize it; this costs one
 * pass. Same bytes, so the signatures and the tests that pin them hold.
 *
 * No error branch per value: out of memory is kept and reported once, by
 * jsonw_finish(). Commas are the writer's: a value or a key after another
 * in the same object or array gets one. Keys and strings are escaped as
 * json-c does: '"' '\\' and \b \f \n \r \t by name, other bytes below 0x20
 * as \u00xx (lowercase), everything else, UTF-8 and '/' included, as it is. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jsonw {
        char *buf;
        size_t size, allocated;
        bool comma;  /* a value came before in this object or array */
        bool failed; /* out of memory: the rest is dropped */
};

/* '{' or '[', and their ends. */
void jsonw_open(struct jsonw *w, char bracket);
void jsonw_close(struct jsonw *w, char bracket);
/* The key of the next value in an object. */
void jsonw_key(struct jsonw *w, const char *key);
/* A string; "" for NULL, as jsonb_string(). */
void jsonw_string(struct jsonw *w, const char *s);
/* A string, or null for NULL. */
void jsonw_nullable(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
/* An array of the strings v[0..n). */
void jsonw_strings(struct jsonw *w, const char *const *v, size_t n);
/* 0 with the document in *out (NUL-terminated, *size bytes before it), the
 * caller's to free; -ENOMEM. w is emptied either way. */
int jsonw_finish(struct jsonw *w, char **out, size_t *size);
