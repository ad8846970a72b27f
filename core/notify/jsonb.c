/* SPDX-License-Identifier: MIT */
#include "notify/jsonb.h"

#include <string.h>

struct json_object *jsonb_done(struct json_object *o, bool ok) {
        if (ok)
                return o;
        json_object_put(o);
        return NULL;
}

struct json_object *jsonb_string(const char *s) {
        return json_object_new_string(s ? s : "");
}

bool jsonb_add(struct json_object *o, const char *k, struct json_object *v) {
        if (o && v && json_object_object_add(o, k, v) == 0)
                return true;
        json_object_put(v);
        return false;
}

bool jsonb_add_nullable(struct json_object *o, const char *k, const char *s) {
        return s ? jsonb_add(o, k, jsonb_string(s)) : o && json_object_object_add(o, k, NULL) == 0;
}

bool jsonb_push(struct json_object *a, struct json_object *v) {
        if (a && v && json_object_array_add(a, v) == 0)
                return true;
        json_object_put(v);
        return false;
}

struct json_object *jsonb_strings(const char *const *v, size_t n) {
        struct json_object *a = json_object_new_array();
        bool ok = a != NULL;

        for (size_t i = 0; ok && i < n; i++)
                ok = jsonb_push(a, jsonb_string(v[i]));
        return jsonb_done(a, ok);
}

struct json_object *jsonb_text(const char *tag_key, const char *tag, const char *key,
                               const char *text) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add(o, tag_key, jsonb_string(tag)) &&
                                     jsonb_add(o, key, jsonb_string(text)));
}

const char *jsonb_path_string(struct json_object *o, const char *path) {
        char key[64];

        while (o && *path) {
                size_t n = strcspn(path, ".");

                if (n >= sizeof key)
                        return NULL;
                memcpy(key, path, n);
                key[n] = '\0';
                if (!json_object_object_get_ex(o, key, &o))
                        return NULL;
                path += n + (path[n] == '.');
        }
        return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}
