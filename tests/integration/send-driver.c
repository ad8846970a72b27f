/* SPDX-License-Identifier: MIT */
/* One or more tries of the daemon's senders (daemon/send-*.c over
 * daemon/curl-loop.c) in an sd-event loop, for test_send.py to run against
 * real peers. Usage:
 *   send-driver [OPTIONS] mail URL FROM RCPT... < message
 *   send-driver [OPTIONS] webhook FORMAT URL [HEADER...] < body
 * OPTIONS: --tls=none|required (default required), --user=U,
 * --password=P, --ca-file=F, --timeout=SECONDS (default 10),
 * --repeat=N (N tries one after the other, each started from the end of
 * the one before, as the daemon's queues do), --idle=MS (then run the idle
 * loop that long and count the wakeups), --abort-after=MS (free the loop
 * then, with the transfer still running: no verdict is printed).
 * Prints, per try, "verdict:", "code:", "delay:", "reason:", "answer:",
 * "elapsed-ms:" lines and a blank line; exits 0 when the last try was
 * delivered, 1 retry, 2 permanent, 3 for a usage or setup error.
 * Compiled by that test against the build's daemon objects and libledger.a. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curl-loop.h"
#include "send.h"

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
        r->finished = true;
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

static int parse_args(int argc, char **argv, struct run *r, long *idle, long *abort_ms) {
        static const struct option options[] = {
                { "tls", required_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "password", required_argument, NULL, 'p' },
                { "ca-file", required_argument, NULL, 'c' },
                { "timeout", required_argument, NULL, 'T' },
                { "repeat", required_argument, NULL, 'r' },
                { "idle", required_argument, NULL, 'i' },
                { "abort-after", required_argument, NULL, 'a' },
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
        long idle = 0, abort_ms = 0;
        int k;

        if (parse_args(argc, argv, &r, &idle, &abort_ms) < 0)
                return usage();
        if (read_all(stdin, &r.input, &r.input_size) < 0)
                return 3;
        r.request.body = r.input;
        r.request.body_size = r.input_size;
        if (sd_event_new(&r.event) < 0 || curl_loop_new(r.event, &r.loop) < 0 || start(&r) < 0)
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
        if (k >= 0 && idle > 0) {
                printf("running: %zu\n", curl_loop_running(r.loop));
                printf("idle-wakeups: %d\n", idle_wakeups(r.event, idle));
        }
        curl_loop_free(r.loop);
        sd_event_unref(r.event);
        free(r.input);
        if (k < 0)
                return 3;
        if (r.aborted)
                return 0;
        return r.last == SEND_DELIVERED ? 0 : r.last == SEND_RETRY ? 1 : 2;
}
