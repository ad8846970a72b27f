/* SPDX-License-Identifier: MIT */
#pragma once

/* Building json-c objects without an error branch per key: each helper
 * takes ownership of the value it is given (freeing it when it cannot be
 * added) and answers whether it went in, so a builder ands its steps and
 * ends with jsonb_done(). A NULL value is out of memory upstream: false. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* o when ok; else NULL, o freed. */
struct json_object *jsonb_done(struct json_object *o, bool ok);
/* A string; "" for NULL. */
struct json_object *jsonb_string(const char *s);
/* An array of the strings v[0..n). */
struct json_object *jsonb_strings(const char *const *v, size_t n);
/* Adds v under k. */
bool jsonb_add(struct json_object *o, const char *k, struct json_object *v);
/* Adds s under k, or null for NULL. */
bool jsonb_add_nullable(struct json_object *o, const char *k, const char *s);
/* Appends v to a. */
bool jsonb_push(struct json_object *a, struct json_object *v);
/* {"tag"/"type": tag, key: text}: the small text objects Feishu and Slack
 * nest everywhere ({"tag":"plain_text","content":"已完成"}). */
struct json_object *jsonb_text(const char *tag_key, const char *tag, const char *key,
                               const char *text);
/* The string at a dotted path ("markdown.content"), or NULL. */
const char *jsonb_path_string(struct json_object *o, const char *path);
