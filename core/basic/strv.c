/* SPDX-License-Identifier: MIT */
#include "basic/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t strv_length(char *const *v) {
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

void strv_free(char **v) {
        strv_free_n(v, strv_length(v));
}

void strv_free_n(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

int strv_push(char ***v, size_t *n, const char *s) {
        char **grown = realloc(*v, (*n + 2) * sizeof *grown);
        char *copy = strdup(s);

        if (grown)
                *v = grown;
        if (!grown || !copy) {
                free(copy);
                return -ENOMEM;
        }
        grown[(*n)++] = copy;
        grown[*n] = NULL;
        return 0;
}

bool strv_contains(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

char *strv_join(char *const *v, const char *sep) {
        size_t len = 1, n = strv_length(v);
        char *s, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(v[i]) + strlen(sep);
        s = p = malloc(len);
        if (!s)
                return NULL;
        *p = '\0';
        for (size_t i = 0; i < n; i++)
                p = stpcpy(stpcpy(p, i ? sep : ""), v[i]);
        return s;
}
