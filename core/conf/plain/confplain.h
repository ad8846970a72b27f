/* SPDX-License-Identifier: MIT */
#pragma once

/* libconfig's syntax, the plain part of it that ledgers are written in,
 * read without libconfig's scanner: flex spends 25 ns a byte on it, half of
 * loading a big ledger. The tree is built with libconfig's own API, so that
 * the loaders cannot tell the two readers apart, and libconfig stays the
 * judge of everything else: any text this reader does not vouch for is left
 * to config_read_string(), which reads it or says what is wrong with it.
 *
 * The plain part: settings `name = value` or `name : value`, ended by ';',
 * ',' or nothing; names [A-Za-z][-A-Za-z0-9_]* (not true or false); values
 * "strings" without backslashes (and not followed by another string, which
 * libconfig would join), decimal ints of at most 9 digits (an optional '-',
 * no leading zero), true and false in lower case, groups { }, arrays [ ] of
 * scalars of one type and lists ( ) of values, without trailing commas;
 * blanks (space, tab, CR, LF, FF) and #, // and block comments between
 * tokens. No @include, no floats, no 64-bit or hex ints, no escapes. */

#include <libconfig.h>
#include <stddef.h>

/* Parses text[0, len) (a C string: text[len] is NUL) into cfg, which
 * config_init() has made and which holds nothing yet, as config_read_string()
 * would: the same names, types, values, element order and lines (a setting's
 * line is its name's; an element's, its first token's, except that a string
 * element takes the line of the token after it, as libconfig's parser,
 * which looks one token ahead there, does).
 * 1: cfg holds that tree. 0: the text goes beyond the plain part (or is not
 * valid); -ENOMEM. On 0 and -ENOMEM cfg is empty again, with what the
 * caller set on it (such as its include directory) kept, ready for
 * config_read_string(). */
int confplain_read(config_t *cfg, const char *text, size_t len);

/* The end of the comment at p, in text that ends at end: the newline that
 * ends a # or // comment (libconfig needs to see it, so it is not past it),
 * or just past the star-slash of a block comment. NULL when p starts no
 * comment or one that does not end. */
const char *confplain_comment_end(const char *p, const char *end);
/* Past the blanks and comments at p (libconfig's: space, tab, CR, LF, FF,
 * and comments as above): where the next token starts, end when none does,
 * with the newlines passed added to *lines. NULL at a comment that does not
 * end, or a lone slash. */
const char *confplain_blanks_end(const char *p, const char *end, unsigned *lines);
