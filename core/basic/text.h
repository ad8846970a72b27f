/* SPDX-License-Identifier: MIT */
#pragma once

/* Text in terminal columns: Chinese characters take two, so tables line up
 * only when padding counts display width, not bytes or code points. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Decodes one UTF-8 character at s (n bytes available); returns its length
 * and stores the code point, or returns 0 for an invalid or cut sequence. */
size_t text_utf8_decode(const char *s, size_t n, unsigned *cp);
/* Whether c continues a UTF-8 sequence (10xxxxxx), so that no character
 * starts there: where text may not be cut. Inline: folding asks per octet. */
static inline bool text_utf8_continuation(char c) {
        return ((unsigned char) c & 0xc0) == 0x80;
}
/* Whether the n bytes at s are valid UTF-8 (NUL bytes are, as U+0000). */
bool text_utf8_valid(const char *s, size_t n);
/* The longest start of s (n bytes) of at most max bytes that ends between
 * two characters, for cutting text to a limit: a byte that is not UTF-8
 * counts as a character of its own, so that nothing is lost but the tail. */
size_t text_utf8_prefix(const char *s, size_t n, size_t max);
/* The bytes of the first chars characters of s (n bytes; a byte that is
 * not UTF-8 counts as one). */
size_t text_utf8_chars(const char *s, size_t n, size_t chars);
/* A copy of s, or when it has more than chars characters its first
 * chars - 1 and "…": chars in all. NULL when out of memory. */
char *text_ellipsize(const char *s, size_t chars);
/* vasprintf()'s text, or NULL when out of memory: one line in a function
 * that takes a format of its own. */
char *text_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Copies n bytes of s into buf (size bytes, NUL-terminated) whole characters
 * at a time, controls as spaces and invalid bytes as '?', so that a peer's
 * words can go into a log line or a terminal safely. Stops at the last
 * character that fits. */
void text_clean_copy(char *buf, size_t size, const char *s, size_t n);
/* Columns of one code point: 0 (combining, controls), 1 or 2 (East Asian wide). */
int text_cp_width(unsigned cp);
/* Columns of a UTF-8 string; an invalid byte counts as one column. */
size_t text_width(const char *s);
/* Writes s, then spaces up to width columns (nothing extra when s is wider). */
void text_pad(FILE *out, const char *s, size_t width);
/* Whether s has only ASCII letters, digits and the bytes of extra ("" for
 * none; true for ""): ids, file names and header words that go out
 * unquoted. Not isalnum(), which follows the locale. */
bool text_ascii_word(const char *s, const char *extra);
