/* SPDX-License-Identifier: MIT */
#pragma once

/* A libconfig tree as text, with everything a loader can see: for the tests
 * and the fuzzer that compare confplain_read() with libconfig. Included by
 * both; static, as the tests link no shared test library. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libconfig.h>

static inline void dump_setting(FILE *f, const config_t *cfg, const config_setting_t *s,
                         const config_setting_t *parent, int depth);

static inline void dump_value(FILE *f, const config_t *cfg, const config_setting_t *s, int depth) {
        const char *str;

        switch (config_setting_type(s)) {
        case CONFIG_TYPE_INT:
                fprintf(f, " =%d\n", config_setting_get_int(s));
                break;
        case CONFIG_TYPE_INT64:
                fprintf(f, " =%lldL\n", config_setting_get_int64(s));
                break;
        case CONFIG_TYPE_FLOAT:
                fprintf(f, " =%a\n", config_setting_get_float(s));
                break;
        case CONFIG_TYPE_BOOL:
                fprintf(f, " =%s\n", config_setting_get_bool(s) ? "true" : "false");
                break;
        case CONFIG_TYPE_STRING:
                /* The length first: a string may hold newlines, as may a dump. */
                str = config_setting_get_string(s);
                if (str)
                        fprintf(f, " =%zu\"%s\"\n", strlen(str), str);
                else
                        fprintf(f, " =NULL\n");
                break;
        case CONFIG_TYPE_GROUP:
        case CONFIG_TYPE_ARRAY:
        case CONFIG_TYPE_LIST:
                fprintf(f, " #%d\n", config_setting_length(s));
                for (int i = 0; i < config_setting_length(s); i++)
                        dump_setting(f, cfg, config_setting_get_elem(s, (unsigned) i), s,
                                     depth + 1);
                break;
        default:
                fprintf(f, " ?\n");
        }
}

/* One setting a line: depth (not indentation, which would grow as the square
 * of a deep tree), name, type, format, line, file, value. Links that libconfig
 * keeps and loaders follow (parent, config, index, lookup by name) are checked
 * too, and a broken one is written into the dump, where libconfig's has none. */
static inline void dump_setting(FILE *f, const config_t *cfg, const config_setting_t *s,
                         const config_setting_t *parent, int depth) {
        const char *name = config_setting_name(s), *file = config_setting_source_file(s);

        fprintf(f, "%d %s t%d f%d l%u %s", depth, name ? name : "-", config_setting_type(s),
                config_setting_get_format(s), config_setting_source_line(s), file ? file : "-");
        if (config_setting_parent(s) != parent)
                fprintf(f, " BAD-PARENT");
        if (s->config != cfg)
                fprintf(f, " BAD-CONFIG");
        if (parent && (config_setting_index(s) < 0 ||
                       config_setting_get_elem(parent, (unsigned) config_setting_index(s)) != s))
                fprintf(f, " BAD-INDEX");
        if (parent && name && config_setting_get_member(parent, name) != s)
                fprintf(f, " BAD-MEMBER");
        dump_value(f, cfg, s, depth);
}

/* The whole tree of cfg, malloc'ed; NULL when out of memory. */
static inline char *confdump(const config_t *cfg) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        if (!f)
                return NULL;
        dump_setting(f, cfg, config_root_setting(cfg), NULL, 0);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}
