/* SPDX-License-Identifier: MIT */
#include "pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/readfile.h"
#include "columns.h"

static pid_t pager_pid;

/* No pager program at all: pass the text through, so nothing is lost. */
_Noreturn static void copy_through(void) {
        char buf[65536];
        ssize_t n;

        while ((n = readfile_fd(STDIN_FILENO, buf, sizeof buf)) > 0)
                if (write(STDOUT_FILENO, buf, (size_t) n) != n)
                        break;
        _exit(EXIT_SUCCESS);
}

_Noreturn static void exec_pager(const char *pager, int fd) {
        if (dup2(fd, STDIN_FILENO) < 0)
                _exit(EXIT_FAILURE);
        close(fd);
        /* Our output is UTF-8 whatever the locale says: Chinese, not <E5><8E>. */
        setenv("LESSCHARSET", "utf-8", 0);
        if (pager)
                execl("/bin/sh", "sh", "-c", pager, (char *) NULL);
        else {
                execlp("less", "less", "-FRSXK", (char *) NULL);
                execlp("more", "more", (char *) NULL);
        }
        copy_through();
}

void pager_open(bool disabled) {
        const char *pager = getenv("PAGER");
        int fd[2];
        pid_t pid;

        columns_remember_stdout();
        if (disabled || pager_pid > 0 || !isatty(STDOUT_FILENO))
                return;
        if (pager && (!*pager || strcmp(pager, "cat") == 0))
                return;
        if (pipe2(fd, O_CLOEXEC) < 0)
                return;
        fflush(stdout);
        pid = fork();
        if (pid == 0)
                exec_pager(pager, fd[0]);
        if (pid > 0) {
                pager_pid = pid;
                /* Quitting the pager early is no error of ours: what is left
                 * to write fails quietly instead of killing us. */
                if (dup2(fd[1], STDOUT_FILENO) >= 0)
                        signal(SIGPIPE, SIG_IGN);
        }
        close(fd[0]);
        close(fd[1]);
}

void pager_close(void) {
        int null;

        if (pager_pid <= 0)
                return;
        fflush(stdout);
        /* The pager sees the end of its input only when no copy of the pipe's
         * writing end is left open. */
        null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
                dup2(null, STDOUT_FILENO);
                close(null);
        } else
                close(STDOUT_FILENO);
        while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        pager_pid = 0;
}
