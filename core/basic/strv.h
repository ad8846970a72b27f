/* SPDX-License-Identifier: MIT */
#pragma once

/* String vectors: char ** arrays of strings the array owns. Those built
 * here end with a NULL after their last string, so that the count may be
 * kept beside them (most of the model does) or found again with
 * strv_length() (what sd-bus hands out). */

#include <stdbool.h>
#include <stddef.h>

/* Strings before the NULL; 0 for a NULL vector. */
size_t strv_length(char *const *v);
/* Frees the strings up to the NULL, then the vector. NULL is fine. */
void strv_free(char **v);
/* Frees the first n strings, then the vector: for vectors counted rather
 * than ended (those the configuration reader builds). NULL is fine. */
void strv_free_n(char **v, size_t n);
/* Appends a copy of s to *v, which holds *n strings, and keeps it ended by
 * a NULL. 0, or -ENOMEM with *v and *n as they were. */
int strv_push(char ***v, size_t *n, const char *s);
/* Whether one of the first n strings of v equals s. */
bool strv_contains(char *const *v, size_t n, const char *s);
/* The strings up to the NULL joined with sep between them ("" for none);
 * NULL when out of memory. Free it. */
char *strv_join(char *const *v, const char *sep);
