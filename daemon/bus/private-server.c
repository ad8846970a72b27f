/* SPDX-License-Identifier: MIT */
#include "bus/private-server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/mkdirs.h"
#include "busapi/busapi.h"
#include "common/log.h"

/* A local tool should never need more; a runaway client must not exhaust fds. */
#define PRIVATE_MAX_PEERS 64

struct private_server {
        struct private_server_setup setup;
        gid_t gid;
        int fd;
        bool bound; /* the path is ours: removed at the end */
        char *path;
        sd_event_source *accept_source;
        sd_bus *peers[PRIVATE_MAX_PEERS];
};

void private_server_foreach(struct private_server *ps, void (*fn)(sd_bus *bus, void *userdata),
                            void *userdata) {
        for (size_t i = 0; ps && i < PRIVATE_MAX_PEERS; i++)
                if (ps->peers[i])
                        fn(ps->peers[i], userdata);
}

static int on_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct private_server *ps = userdata;
        sd_bus *bus = sd_bus_message_get_bus(msg);

        (void) error;
        for (size_t i = 0; i < PRIVATE_MAX_PEERS; i++)
                if (ps->peers[i] == bus) {
                        ps->peers[i] = NULL;
                        sd_bus_flush_close_unref(bus);
                }
        return 0;
}

/* A new peer: a server-side bus connection on the accepted socket. Its
 * credentials come from the socket (SO_PEERCRED), so authorization works as
 * on the bus. */
static int start_peer(struct private_server *ps, int fd, sd_bus **out) {
        sd_id128_t id;
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);

        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r < 0) {
                close(fd);
                sd_bus_unref(bus);
                return r;
        }
        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_set_server(bus, 1, id);
        if (r >= 0)
                r = sd_bus_negotiate_creds(bus, 1, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
                                                           SD_BUS_CREDS_SUPPLEMENTARY_GIDS);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, NULL, "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected",
                                        on_disconnected, ps);
        if (r >= 0)
                r = ps->setup.add_object(bus, ps->setup.userdata);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_attach_event(bus, ps->setup.event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                sd_bus_flush_close_unref(bus);
                return r;
        }
        *out = bus;
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct private_server *ps = userdata;
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        size_t slot = 0;
        int r;

        (void) s;
        (void) revents;
        if (cfd < 0)
                return 0; /* EAGAIN or a peer that went away: nothing to do */
        while (slot < PRIVATE_MAX_PEERS && ps->peers[slot])
                slot++;
        if (slot == PRIVATE_MAX_PEERS) {
                log_warning("private socket: %d connections already, refusing one more",
                            PRIVATE_MAX_PEERS);
                close(cfd);
                return 0;
        }
        r = start_peer(ps, cfd, &ps->peers[slot]);
        if (r < 0)
                log_warning_errno(r, "private socket: cannot start a connection: %m");
        return 0;
}

/* 0660, group: the admin group, so its members may connect. */
static void restrict_socket(struct private_server *ps) {
        if (chmod(ps->path, 0660) < 0)
                log_warning_errno(errno, "%s: cannot chmod: %m", ps->path);
        if (ps->gid != (gid_t) -1 && chown(ps->path, (uid_t) -1, ps->gid) < 0)
                log_warning_errno(errno, "%s: cannot give it to group %s: %m (only the daemon's "
                                  "user and root may connect)", ps->path, ps->setup.group);
}

/* Whether a live server accepts on the socket at sa: then it is not ours
 * to remove. */
static bool socket_answers(const struct sockaddr_un *sa) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool answers = fd >= 0 && connect(fd, (const struct sockaddr *) sa, sizeof *sa) == 0;

        if (fd >= 0)
                close(fd);
        return answers;
}

static int listen_at(struct private_server *ps) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (strlen(ps->path) >= sizeof sa.sun_path)
                return log_error_errno(ENAMETOOLONG, "%s: cannot listen: %m (a socket's path has at most %zu bytes)",
                                       ps->path, sizeof sa.sun_path - 1);
        strcpy(sa.sun_path, ps->path);
        ps->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (ps->fd < 0)
                return log_error_errno(errno, "cannot create a socket: %m");
        if (socket_answers(&sa))
                return log_error_errno(EADDRINUSE, "%s: cannot listen: %m: another ledgerd answers "
                                       "there (two services share the runtime directory?)", ps->path);
        (void) unlink(ps->path); /* left over from a daemon that did not exit cleanly */
        if (bind(ps->fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return log_error_errno(errno, "%s: cannot listen: %m", ps->path);
        ps->bound = true;
        if (listen(ps->fd, 16) < 0)
                return log_error_errno(errno, "%s: cannot listen: %m", ps->path);
        restrict_socket(ps);
        return sd_event_add_io(ps->setup.event, &ps->accept_source, ps->fd, EPOLLIN, on_accept, ps);
}

DEFINE_CLEANUP_FUNC(struct private_server, private_server_free)

int private_server_start(const struct private_server_setup *setup, gid_t gid,
                         struct private_server **out) {
        _cleanup_(private_server_freep) struct private_server *ps = calloc(1, sizeof *ps);
        int r;

        if (!ps)
                return -ENOMEM;
        *ps = (struct private_server) { .setup = *setup, .gid = gid, .fd = -1 };
        r = mkdirs(setup->directory, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the runtime directory %s: %m",
                                       setup->directory);
        if (asprintf(&ps->path, "%s/%s", setup->directory, BUS_PRIVATE_SOCKET) < 0) {
                ps->path = NULL; /* undefined after a failure */
                return -ENOMEM;
        }
        r = listen_at(ps);
        ps->setup.directory = ps->setup.group = NULL; /* the caller's strings: not kept */
        if (r < 0)
                return r;
        log_info("listening on %s", ps->path);
        *out = TAKE_PTR(ps);
        return 0;
}

void private_server_free(struct private_server *ps) {
        if (!ps)
                return;
        for (size_t i = 0; i < PRIVATE_MAX_PEERS; i++)
                sd_bus_flush_close_unref(ps->peers[i]);
        sd_event_source_unref(ps->accept_source);
        if (ps->fd >= 0)
                close(ps->fd);
        if (ps->bound)
                unlink(ps->path); /* never another daemon's live socket */
        free(ps->path);
        free(ps);
}
