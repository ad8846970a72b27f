/* SPDX-License-Identifier: MIT */
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basic/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "ledger/model.h"
#include "ledger/schedule.h"
#include "ledger/zone.h"
#include "web/link-key.h"
#include "web/pages.h"
#include "web/ratelimit.h"

/* A POST body is "confirm=1": a longer one is refused unread (413 when its
 * Content-Length says so; a chunked one, once it grows past, by closing the
 * connection). */
#define BODY_MAX 64
#define ADDRESS_MAX INET6_ADDRSTRLEN

struct web {
        const struct service_clock *clock;
        const struct config *config;
        struct marks *marks;
        char *state_directory;
        web_mark_fn mark;
        void *userdata;
        uint8_t key[LINK_KEY_SIZE];
        struct hmac_sha256_key ready; /* key, made ready for the links' tokens */
        struct links links;
        struct ratelimit *ratelimit;
};

/* What one request to these pages keeps between the calls of libmicrohttpd. */
struct web_request {
        char body[BODY_MAX + 1];
        size_t len;
};

/* ---- set-up ---------------------------------------------------------------------------- */

static void update_links(struct web *w) {
        w->links = (struct links) { .config = w->config, .marks = w->marks, .key = w->key,
                                    .ready = w->ready.ctx ? &w->ready : NULL,
                                    .base_url = w->config->feed.base_url };
}

/* w->key made ready anew (start, rotation). Out of memory it is not: the
 * links then sign with the key itself, slower, the same tokens. */
static void ready_key(struct web *w) {
        hmac_sha256_key_done(&w->ready);
        (void) hmac_sha256_key_init(&w->ready, w->key, sizeof w->key);
        update_links(w);
}

DEFINE_CLEANUP_FUNC(struct web, web_free)

int web_new(const struct web_setup *setup, struct web **out) {
        _cleanup_(web_freep) struct web *w = calloc(1, sizeof *w);
        int r;

        if (!w)
                return -ENOMEM;
        *w = (struct web) { .clock = setup->clock, .config = setup->config, .marks = setup->marks,
                            .mark = setup->mark, .userdata = setup->userdata };
        w->state_directory = strdup(setup->state_directory);
        w->ratelimit = ratelimit_new();
        r = w->state_directory && w->ratelimit ? link_key_load(setup->state_directory, w->key)
                                               : -ENOMEM;
        if (r < 0)
                return r;
        ready_key(w);
        *out = TAKE_PTR(w);
        return 0;
}

void web_free(struct web *w) {
        if (!w)
                return;
        explicit_bzero(w->key, sizeof w->key);
        hmac_sha256_key_done(&w->ready);
        ratelimit_free(w->ratelimit);
        free(w->state_directory);
        free(w);
}

void web_set_config(struct web *w, const struct config *config) {
        w->config = config;
        update_links(w);
}

int web_rotate_key(struct web *w) {
        int r = link_key_rotate(w->state_directory, w->key);

        ready_key(w);
        return r;
}

const struct links *web_links(const struct web *w) {
        return &w->links;
}

bool web_handles(const char *url) {
        return strncmp(url, "/act/", 5) == 0 || strncmp(url, "/me/", 4) == 0;
}

/* ---- responses ---------------------------------------------------------------------------- */

/* Pages about one person's work: never cached, never framed, no referrer
 * (the URL holds the token), nothing but their own inline style. */
static const char *const page_headers[][2] = {
        { MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8" },
        { MHD_HTTP_HEADER_CACHE_CONTROL, "no-store" },
        { "Referrer-Policy", "no-referrer" },
        { "X-Content-Type-Options", "nosniff" },
        { "Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'" },
};

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, char *html, size_t len,
                               const char *location) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_FREE);
        enum MHD_Result ret;

        if (!resp) {
                free(html);
                return MHD_NO;
        }
        for (size_t i = 0; i < sizeof page_headers / sizeof *page_headers; i++)
                MHD_add_response_header(resp, page_headers[i][0], page_headers[i][1]);
        if (location)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
        ret = MHD_queue_response(c, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* A page written by fn into memory, then sent. */
typedef int (*page_fn)(FILE *out, const void *arg);

static enum MHD_Result send_page(struct MHD_Connection *c, unsigned status, page_fn fn,
                                 const void *arg, const char *location) {
        char *html = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&html, &len);
        int r = f ? fn(f, arg) : -ENOMEM;

        if (f && fclose(f) != 0 && r >= 0)
                r = -EIO;
        if (r < 0) {
                free(html);
                return MHD_NO;
        }
        return respond(c, status, html, len, location);
}

struct message {
        const char *title, *text, *page_url;
};

static int message_page(FILE *out, const void *arg) {
        const struct message *m = arg;

        return page_message(out, m->title, m->text, m->page_url);
}

static enum MHD_Result send_message(struct MHD_Connection *c, unsigned status, const char *title,
                                    const char *text, const char *page_url) {
        const struct message m = { title, text, page_url };

        return send_page(c, status, message_page, &m, NULL);
}

/* 303 See Other to location, with a page for clients that do not follow it. */
static enum MHD_Result send_redirect(struct MHD_Connection *c, const char *location) {
        const struct message m = { "已记录", "已记录。", location };

        return send_page(c, MHD_HTTP_SEE_OTHER, message_page, &m, location);
}

/* ---- who asks ---------------------------------------------------------------------------- */

static bool is_loopback(const struct sockaddr *sa) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *) sa)->sin6_addr;

        if (sa->sa_family == AF_INET)
                return (ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24) == 127;
        /* ::ffff:127.0.0.1 is how a dual-stack socket sees the IPv4 loopback. */
        return sa->sa_family == AF_INET6 &&
               (IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127));
}

static enum MHD_Result keep_last(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
        (void) kind;
        if (strcasecmp(key, "X-Forwarded-For") == 0)
                *(const char **) cls = value;
        return MHD_YES;
}

/* The last address of the last X-Forwarded-For: the one the proxy itself
 * saw. A proxy appends its own header after any the client sent, and what
 * is not an address is no answer. */
static bool forwarded_for(struct MHD_Connection *c, char out[ADDRESS_MAX]) {
        const char *v = NULL, *last;
        unsigned char binary[sizeof(struct in6_addr)];
        char address[ADDRESS_MAX];
        size_t n;

        MHD_get_connection_values(c, MHD_HEADER_KIND, keep_last, &v);
        if (!v)
                return false;
        last = strrchr(v, ',');
        last = last ? last + 1 : v;
        last += strspn(last, " \t");
        n = strcspn(last, " \t");
        if (n == 0 || n >= ADDRESS_MAX)
                return false;
        memcpy(address, last, n);
        address[n] = '\0';
        if (inet_pton(AF_INET, address, binary) != 1 && inet_pton(AF_INET6, address, binary) != 1)
                return false;
        memcpy(out, address, n + 1);
        return true;
}

/* The client's address; a proxy on this machine may name the real one. */
static void client_address(struct MHD_Connection *c, char out[ADDRESS_MAX]) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = info ? info->client_addr : NULL;

        snprintf(out, ADDRESS_MAX, "?");
        if (!sa)
                return;
        if (is_loopback(sa) && forwarded_for(c, out))
                return;
        if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, out, ADDRESS_MAX);
        else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, out, ADDRESS_MAX);
}

/* Whose bucket of the rate limit a request takes from: an IPv6 client's
 * /64, which is one network (a phone's, an office's) and hands its hosts
 * any address in it; an IPv4 client's address. */
static void limit_key(const char *address, char out[ADDRESS_MAX]) {
        struct in6_addr a;

        snprintf(out, ADDRESS_MAX, "%s", address);
        if (inet_pton(AF_INET6, address, &a) != 1 || IN6_IS_ADDR_V4MAPPED(&a))
                return;
        memset(&a.s6_addr[8], 0, 8);
        inet_ntop(AF_INET6, &a, out, ADDRESS_MAX);
}

/* ---- what a token names ---------------------------------------------------------------- */

/* A token's claim, found in the configuration in force. */
struct target {
        struct link_claim claim;
        const struct ledger *ledger;
        const struct task *task;
        const struct milestone *ms; /* NULL for the owner's page */
        const struct owner *owner;
        char page_url[LINKS_URL_MAX]; /* the owner's page, a fresh link */
};

/* The owner's page links last this long from the moment they are made. */
#define PAGE_LINK_DAYS 30

static enum MHD_Result refuse_token(struct MHD_Connection *c, int r) {
        if (r == -ETIME)
                return send_message(c, MHD_HTTP_GONE, "链接已过期",
                                    "这个链接已经过期，没有做任何改动。请使用最新一条提醒中的按钮。", NULL);
        return send_message(c, MHD_HTTP_NOT_FOUND, "链接无效",
                            "这个链接无效或已被停用，没有做任何改动。请使用最新一条提醒中的按钮。", NULL);
}

/* 0 and *t; or an answer already queued in *answer (the token is no good). */
static int resolve(struct web *w, struct MHD_Connection *c, const char *token, bool page,
                   struct target *t, enum MHD_Result *answer) {
        time_t now = clock_now(w->clock);
        int r = link_token_read(w->key, token, now, &t->claim), found = -ENOENT;

        if (r >= 0 && (t->claim.action == LINK_PAGE) != page)
                r = -EBADMSG; /* a page's token at /act/, or the other way round */
        if (r >= 0 && !(t->owner = config_find_owner(w->config, t->claim.owner)))
                r = -EBADMSG; /* the owner left the configuration */
        if (r >= 0 && !page) {
                char name[2 * LINK_FIELD_MAX];

                snprintf(name, sizeof name, "%s/%s", t->claim.ledger, t->claim.milestone);
                found = config_find_named(w->config, name, &t->ledger, &t->task, &t->ms);
                if (found < 0 || !t->ms || !task_reaches(w->config, t->task, t->owner))
                        r = -EBADMSG;
        }
        if (r >= 0 && links_page(&w->links, t->owner, now + PAGE_LINK_DAYS * 86400, t->page_url) < 0)
                t->page_url[0] = '\0';
        if (r < 0) {
                *answer = refuse_token(c, r);
                return r;
        }
        return 0;
}

/* The milestone was marked done or reopened since the link was made. */
static enum MHD_Result refuse_used(struct web *w, struct MHD_Connection *c, const struct target *t) {
        struct state_mark m;
        char text[512], when[32];

        if (!marks_get(w->marks, t->ledger->id, t->ms->id, &m))
                m = (struct state_mark) { .status = STATE_REOPENED, .by.user = "" };
        zone_format_local(w->config->timezone, m.when, when, sizeof when);
        snprintf(text, sizeof text, "这个链接已经用过或已失效，没有做任何改动：此事项已于%s由%s%s。",
                 when, m.by.user, m.status == STATE_DONE ? "标记为已完成" : "重新打开");
        return send_message(c, MHD_HTTP_CONFLICT, "链接已失效", text,
                            t->page_url[0] ? t->page_url : NULL);
}

/* ---- the three requests ------------------------------------------------------------------ */

struct confirm {
        const struct web *w;
        const struct target *t;
        char action_url[LINKS_URL_MAX];
};

static int confirm_page(FILE *out, const void *arg) {
        const struct confirm *x = arg;
        const struct web *w = x->w;
        time_t now = clock_now(w->clock);

        return page_confirm(out, w->config, x->t->ms, x->t->owner, x->t->claim.action, x->action_url,
                            x->t->page_url[0] ? x->t->page_url : NULL,
                            clock_today(w->clock, w->config->timezone), now);
}

/* GET /act/<token>: what will happen, and the one button that does it. */
static enum MHD_Result show_confirm(struct web *w, struct MHD_Connection *c, const struct target *t,
                                    const char *token) {
        struct confirm x = { w, t, "" };

        if (link_generation(w->marks, t->ms) != t->claim.generation)
                return refuse_used(w, c, t);
        snprintf(x.action_url, sizeof x.action_url, "%s/act/%s", w->links.base_url, token);
        return send_page(c, MHD_HTTP_OK, confirm_page, &x, NULL);
}

/* The body of the button's form, exactly; anything else is no button of ours. */
static bool body_ok(struct MHD_Connection *c, const struct web_request *rq) {
        const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

        return type && strncmp(type, "application/x-www-form-urlencoded", 33) == 0 &&
               (type[33] == '\0' || type[33] == ';') && rq->len == 9 && memcmp(rq->body, "confirm=1", 9) == 0;
}

/* POST /act/<token>: done or snoozed, as from address (the client), then
 * the owner's page says so. */
static enum MHD_Result do_action(struct web *w, struct MHD_Connection *c, const struct target *t,
                                 const struct web_request *rq, const char *address) {
        unsigned days = link_snooze_days(t->claim.action);
        char location[LINKS_URL_MAX + 96];
        const struct state_author who = { .uid = (uid_t) -1, .user = t->owner->name, .via = "link",
                                         .address = address };
        time_t until = days ? clock_now(w->clock) + (time_t) days * 86400 : 0;
        int r;

        if (!body_ok(c, rq))
                return send_message(c, MHD_HTTP_BAD_REQUEST, "请求无效",
                                    "请在页面上按按钮操作。没有做任何改动。", NULL);
        if (link_generation(w->marks, t->ms) != t->claim.generation)
                return refuse_used(w, c, t);
        r = w->mark(days ? STATE_SNOOZED : STATE_DONE, t->ledger->id, t->ms->id, &who, until, w->userdata);
        if (r == -EALREADY)
                return refuse_used(w, c, t);
        if (r < 0)
                return send_message(c, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法记录",
                                    "服务暂时无法记录，没有做任何改动。请稍后再试。", t->page_url[0] ? t->page_url : NULL);
        snprintf(location, sizeof location, "%s?%s=%s/%s", t->page_url, days ? "snoozed" : "done",
                 t->ledger->id, t->ms->id);
        return send_redirect(c, location);
}

/* "已将「…」标记为已完成。" for ?done=LEDGER/ID, when that names a milestone of
 * the owner; nothing for anything else (a query is not signed). */
static bool notice_of(const struct web *w, struct MHD_Connection *c, const struct owner *o,
                      char *buf, size_t size) {
        const char *done = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "done");
        const char *snoozed = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "snoozed");
        const struct ledger *l;
        const struct task *t;
        const struct milestone *ms;
        const char *name = done ? done : snoozed;

        if (!name || !strchr(name, '/') || config_find_named(w->config, name, &l, &t, &ms) < 0 || !ms ||
            !task_reaches(w->config, t, o))
                return false;
        snprintf(buf, size, "已将「%s%s%s%s」%s。", *t->item ? t->item : t->id, *ms->label ? "（" : "",
                 ms->label, *ms->label ? "）" : "", done ? "标记为已完成" : "推迟提醒");
        return true;
}

static int owner_page(FILE *out, const void *arg) {
        return page_owner(out, arg);
}

/* GET /me/<token>: the owner's milestones and their buttons. */
static enum MHD_Result show_owner(struct web *w, struct MHD_Connection *c, const struct target *t) {
        char notice[512];
        const struct owner_page p = {
                .config = w->config, .marks = w->marks, .links = &w->links, .owner = t->owner,
                .today = clock_today(w->clock, w->config->timezone), .now = clock_now(w->clock),
                .notice = notice_of(w, c, t->owner, notice, sizeof notice) ? notice : NULL,
        };

        return send_page(c, MHD_HTTP_OK, owner_page, &p, NULL);
}

/* ---- libmicrohttpd's calls ------------------------------------------------------------------ */

/* The body, kept until the request is complete: false past BODY_MAX. */
static bool take_body(struct web_request *rq, const char *data, size_t n) {
        if (n > BODY_MAX - rq->len)
                return false;
        memcpy(rq->body + rq->len, data, n);
        rq->len += n;
        return true;
}

static bool announces_too_long(struct MHD_Connection *c) {
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);

        return length && strtoull(length, NULL, 10) > BODY_MAX;
}

static enum MHD_Result answer(struct web *w, struct MHD_Connection *c, const char *url,
                              const char *method, const struct web_request *rq) {
        bool page = strncmp(url, "/me/", 4) == 0, post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
        const char *token = url + (page ? 4 : 5);
        char address[ADDRESS_MAX], key[ADDRESS_MAX];
        enum MHD_Result refused;
        struct target t = {};

        client_address(c, address);
        limit_key(address, key);
        if (!ratelimit_take(w->ratelimit, key, clock_real_now()))
                return send_message(c, MHD_HTTP_TOO_MANY_REQUESTS, "请求过于频繁",
                                    "请求过于频繁，请一分钟后再试。", NULL);
        if (!w->links.base_url)
                return send_message(c, MHD_HTTP_NOT_FOUND, "未启用", "此服务没有设置 feed.base_url，"
                                    "提醒中的按钮未启用。", NULL);
        if (resolve(w, c, token, page, &t, &refused) < 0)
                return refused;
        if (page)
                return show_owner(w, c, &t);
        return post ? do_action(w, c, &t, rq, address) : show_confirm(w, c, &t, token);
}

static bool method_allowed(const char *url, const char *method) {
        if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
                return true;
        return strcmp(method, MHD_HTTP_METHOD_POST) == 0 && strncmp(url, "/act/", 5) == 0;
}

enum MHD_Result web_request(struct web *w, struct MHD_Connection *c, const char *url,
                            const char *method, const char *upload_data, size_t *upload_data_size,
                            void **request) {
        struct web_request *rq = *request;

        if (!rq) {
                if (!method_allowed(url, method))
                        return send_message(c, MHD_HTTP_METHOD_NOT_ALLOWED, "不支持的请求",
                                            "不支持这种请求方式。", NULL);
                if (announces_too_long(c))
                        return send_message(c, MHD_HTTP_CONTENT_TOO_LARGE, "请求无效",
                                            "请在页面上按按钮操作。没有做任何改动。", NULL);
                rq = calloc(1, sizeof *rq);
                if (!rq)
                        return MHD_NO;
                *request = rq;
                return MHD_YES; /* the headers are in: wait for the body, if any */
        }
        if (*upload_data_size > 0) {
                if (!take_body(rq, upload_data, *upload_data_size))
                        return MHD_NO; /* chunked, past BODY_MAX: not worth an answer */
                *upload_data_size = 0;
                return MHD_YES;
        }
        return answer(w, c, url, method, rq);
}

void web_request_done(void *request) {
        free(request);
}
