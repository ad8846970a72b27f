/* SPDX-License-Identifier: MIT */
/* One or more tries of the daemon's senders (daemon/courier/send-*.c over
 * curl-loop.c) in an sd-event loop, for test_send.py to run against
 * real peers. Usage:
 *   send-driver [OPTIONS] mail URL FROM RCPT... < message
 *   send-driver [OPTIONS] webhook FORMAT URL [HEADER...] < body
 * OPTIONS: --tls=none|required (default required), --user=U,
 * --password=P, --ca-file=F, --timeout=SECONDS (default 10),
 * --repeat=N (N tries one after the other, each started from the end of
 * the one before, as the daemon's queues do), --idle=MS (then run the idle
 * loop that long and count the wakeups), --abort-after=MS (free the loop
 * then, with the transfer still running: no verdict is printed),
 * --tick=MS (a timer in the same loop, every MS while the tries run: prints
 * "ticks:" and "tick-max-gap-ms:", the longest time between two ticks, to
 * show that a try never holds the loop up), --webhook-too=URL (a json POST
 * of "{}" to URL started with the first try: prints "webhook-verdict:" and
 * "webhook-elapsed-ms:" when it ends), --worker-idle=MS (how long the
 * worker keeps an idle SMTP connection).
 * Prints, per try, "verdict:", "code:", "delay:", "reason:", "answer:",
 * "elapsed-ms:" lines and a blank line; at the end "free-ms:", the time
 * curl_loop_free() took. Exits 0 when the last try was delivered, 1 retry,
 * 2 permanent, 3 for a usage or setup error.
 * Compiled by that test against the build's daemon objects and libledger.a. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "courier/curl-loop.h"
#include "courier/send.h"

struct run {
        sd_event *event;
        struct curl_loop *loop;
        bool webhook;
        struct mail_transport mail;
        const char *from;
        const char *const *rcpt;
        size_t n_rcpt;
        enum channel_format format;
        struct webhook_request request;
        long timeout;
        char *input;
        size_t input_size;
        int repeat, done;
        bool finished, aborted;
        enum send_verdict last;
        struct timespec started;
        /* --tick */
        long tick_ms, tick_max_gap;
        int ticks;
        struct timespec last_tick;
        /* --webhook-too */
        struct webhook_request extra;
        bool extra_running;
        struct timespec extra_started;
};

static long elapsed_ms(const struct timespec *since) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static int start(struct run *r);

static void on_done(const struct send_result *res, void *userdata) {
        struct run *r = userdata;

        printf("verdict: %s\ncode: %ld\ndelay: %ld\nreason: %s\nanswer: %s\nelapsed-ms: %ld\n\n",
               send_verdict_name(res->verdict), res->code, res->delay, res->reason, res->answer,
               elapsed_ms(&r->started));
        fflush(stdout);
        r->last = res->verdict;
        if (++r->done < r->repeat && start(r) == 0)
                return;
        r->finished = !r->extra_running;
}

static void on_extra_done(const struct send_result *res, void *userdata) {
        struct run *r = userdata;

        printf("webhook-verdict: %s\nwebhook-elapsed-ms: %ld\n\n", send_verdict_name(res->verdict),
               elapsed_ms(&r->extra_started));
        fflush(stdout);
        r->extra_running = false;
        r->finished = r->done >= r->repeat;
}

/* Counts the ticks while the tries run, and the longest gap between two. */
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        struct run *r = userdata;
        long gap = elapsed_ms(&r->last_tick);

        (void) usec;
        if (r->done >= r->repeat)
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        r->ticks++;
        if (gap > r->tick_max_gap)
                r->tick_max_gap = gap;
        clock_gettime(CLOCK_MONOTONIC, &r->last_tick);
        if (sd_event_source_set_time_relative(s, (uint64_t) r->tick_ms * 1000) < 0)
                return -EIO;
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int start_extras(struct run *r) {
        int k;

        /* 1 ms accuracy: sd-event's default of 250 ms would blur the gaps. */
        if (r->tick_ms > 0) {
                clock_gettime(CLOCK_MONOTONIC, &r->last_tick);
                k = sd_event_add_time_relative(r->event, NULL, CLOCK_MONOTONIC,
                                               (uint64_t) r->tick_ms * 1000, 1000, on_tick, r);
                if (k < 0)
                        return k;
        }
        if (r->extra.url) {
                clock_gettime(CLOCK_MONOTONIC, &r->extra_started);
                k = send_webhook(r->loop, CHANNEL_JSON, &r->extra, r->timeout, on_extra_done, r);
                if (k < 0)
                        return k;
                r->extra_running = true;
        }
        return 0;
}

static int start(struct run *r) {
        int k;

        clock_gettime(CLOCK_MONOTONIC, &r->started);
        if (r->webhook)
                k = send_webhook(r->loop, r->format, &r->request, r->timeout, on_done, r);
        else
                k = send_mail(r->loop, &r->mail, r->from, r->rcpt, r->n_rcpt, r->input,
                              r->input_size, on_done, r);
        if (k < 0)
                fprintf(stderr, "send: %s\n", strerror(-k));
        return k;
}

static int on_abort_time(sd_event_source *s, uint64_t usec, void *userdata) {
        struct run *r = userdata;

        (void) s;
        (void) usec;
        r->finished = r->aborted = true;
        return 0;
}

static int read_all(FILE *f, char **out, size_t *size) {
        size_t n = 0, cap = 4096;
        char *buf = malloc(cap + 1);

        while (buf) {
                size_t got = fread(buf + n, 1, cap - n, f);
                char *b;

                n += got;
                if (n < cap)
                        break;
                b = realloc(buf, 2 * cap + 1);
                if (!b)
                        free(buf);
                buf = b, cap *= 2;
        }
        if (!buf || ferror(f)) {
                free(buf);
                return -EIO;
        }
        buf[n] = '\0';
        *out = buf;
        *size = n;
        return 0;
}

static int usage(void) {
        fputs("usage: send-driver [--tls=none|required] [--user=U] [--password=P] "
              "[--ca-file=F] [--timeout=S] [--repeat=N] [--idle=MS]\n"
              "                   [--abort-after=MS] [--tick=MS] [--webhook-too=URL] "
              "[--worker-idle=MS]\n"
              "         mail URL FROM RCPT... < message\n"
              "       send-driver [...] webhook FORMAT URL [HEADER...] < body\n",
              stderr);
        return 3;
}

/* Runs the loop idle for ms milliseconds; the number of events it had. */
static int idle_wakeups(sd_event *e, long ms) {
        struct timespec since;
        int n = 0;

        clock_gettime(CLOCK_MONOTONIC, &since);
        for (long left = ms; left > 0; left = ms - elapsed_ms(&since)) {
                int k = sd_event_run(e, (uint64_t) left * 1000);

                if (k < 0)
                        return k;
                n += k > 0;
        }
        return n;
}

static int parse_args(int argc, char **argv, struct run *r, long *idle, long *abort_ms,
                      long *worker_idle) {
        static const struct option options[] = {
                { "tls", required_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "password", required_argument, NULL, 'p' },
                { "ca-file", required_argument, NULL, 'c' },
                { "timeout", required_argument, NULL, 'T' },
                { "repeat", required_argument, NULL, 'r' },
                { "idle", required_argument, NULL, 'i' },
                { "abort-after", required_argument, NULL, 'a' },
                { "tick", required_argument, NULL, 'k' },
                { "webhook-too", required_argument, NULL, 'w' },
                { "worker-idle", required_argument, NULL, 'W' },
                {},
        };
        int c;

        r->mail.tls_required = true;
        r->timeout = 10;
        r->repeat = 1;
        while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1)
                switch (c) {
                case 't':
                        r->mail.tls_required = strcmp(optarg, "none") != 0;
                        break;
                case 'u':
                        r->mail.user = optarg;
                        break;
                case 'p':
                        r->mail.password = optarg;
                        break;
                case 'c':
                        r->mail.ca_file = optarg;
                        break;
                case 'T':
                        r->timeout = atol(optarg);
                        break;
                case 'r':
                        r->repeat = atoi(optarg);
                        break;
                case 'i':
                        *idle = atol(optarg);
                        break;
                case 'a':
                        *abort_ms = atol(optarg);
                        break;
                case 'k':
                        r->tick_ms = atol(optarg);
                        break;
                case 'w':
                        r->extra.url = optarg;
                        r->extra.body = "{}";
                        r->extra.body_size = 2;
                        break;
                case 'W':
                        *worker_idle = atol(optarg);
                        break;
                default:
                        return -EINVAL;
                }
        r->mail.timeout = r->timeout;
        argv += optind, argc -= optind;
        if (argc >= 4 && strcmp(argv[0], "mail") == 0) {
                r->mail.url = argv[1];
                r->from = argv[2];
                r->rcpt = (const char *const *) argv + 3;
                r->n_rcpt = (size_t) argc - 3;
                return 0;
        }
        if (argc >= 3 && strcmp(argv[0], "webhook") == 0 &&
            argc - 3 <= WEBHOOK_HEADERS_MAX && channel_format_from_name(argv[1], &r->format) == 0) {
                r->webhook = true;
                r->request.url = argv[2];
                for (int i = 3; i < argc; i++)
                        r->request.headers[r->request.n_headers++] = argv[i];
                return 0;
        }
        return -EINVAL;
}

int main(int argc, char **argv) {
        struct run r = { .last = SEND_RETRY };
        long idle = 0, abort_ms = 0, worker_idle = 0;
        struct timespec freeing;
        int k;

        if (parse_args(argc, argv, &r, &idle, &abort_ms, &worker_idle) < 0)
                return usage();
        if (read_all(stdin, &r.input, &r.input_size) < 0)
                return 3;
        r.request.body = r.input;
        r.request.body_size = r.input_size;
        if (sd_event_new(&r.event) < 0 || curl_loop_new(r.event, &r.loop) < 0)
                return 3;
        if (worker_idle > 0)
                curl_loop_set_worker_idle(r.loop, (unsigned) worker_idle);
        if (start(&r) < 0 || start_extras(&r) < 0)
                return 3;
        if (abort_ms > 0 && sd_event_add_time_relative(r.event, NULL, CLOCK_MONOTONIC,
                                                       (uint64_t) abort_ms * 1000, 0,
                                                       on_abort_time, &r) < 0)
                return 3;
        /* Not sd_event_loop(): the loop is run on, idle, afterwards. */
        for (k = 0; k >= 0 && !r.finished;)
                k = sd_event_run(r.event, UINT64_MAX);
        if (r.aborted)
                printf("running: %zu\naborted: yes\n", curl_loop_running(r.loop));
        if (k >= 0 && r.tick_ms > 0)
                printf("ticks: %d\ntick-max-gap-ms: %ld\n", r.ticks, r.tick_max_gap);
        if (k >= 0 && idle > 0) {
                printf("running: %zu\n", curl_loop_running(r.loop));
                printf("idle-wakeups: %d\n", idle_wakeups(r.event, idle));
        }
        clock_gettime(CLOCK_MONOTONIC, &freeing);
        curl_loop_free(r.loop);
        printf("free-ms: %ld\n", elapsed_ms(&freeing));
        sd_event_unref(r.event);
        free(r.input);
        if (k < 0)
                return 3;
        if (r.aborted)
                return 0;
        return r.last == SEND_DELIVERED ? 0 : r.last == SEND_RETRY ? 1 : 2;
}
