/* The environment's network at its end (net_teardown.c; glibc and musl). */
#ifndef NSISO_NET_TEARDOWN_H
#define NSISO_NET_TEARDOWN_H

#include "handoff.h"

/* The init, at teardown (and the helper's init after a failed set-up):
 * delete the veth now, not when the kernel frees the namespace a second
 * later (net_teardown.c, raw netlink). */
void net_teardown_inside(struct init_state *st);
/* netns_create: remove the /run/netns/NAME the environment published. */
void net_unpublish(struct init_state *st);
/* Runs fn(arg) in a child that joined the host's mount namespace
 * (st->host_mnt_fd): the init's own must not change. 0, or -1 with the
 * child's errno (EIO when it died without one). */
int net_in_host_mnt(const struct init_state *st, int (*fn)(void *),
		    void *arg);

#endif
