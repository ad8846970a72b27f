/* SPDX-License-Identifier: MIT */
#include "basic/threads.h"

#include <sched.h>
#include <sys/resource.h>
#include <signal.h>
#include <unistd.h>

size_t threads_cpus(void) {
        cpu_set_t set;
        long n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                            : sysconf(_SC_NPROCESSORS_ONLN);

        return n > 1 ? (size_t) n : 1;
}

int threads_start(pthread_t *thread, void *(*fn)(void *), void *arg) {
        sigset_t all, old;
        int r;

        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = pthread_create(thread, NULL, fn, arg);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -r;
}

void threads_yield_to_loop(void) {
        /* nice is per thread on Linux, and threads made later inherit it. */
        (void) setpriority(PRIO_PROCESS, (id_t) gettid(), THREADS_BACKGROUND_NICE);
}
