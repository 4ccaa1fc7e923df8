/* The handoff from nsiso-helper to nsiso-init: the init is a small static
 * (musl) binary that the helper execs in the environment's PID 1 once
 * set-up is done (doc/DESIGN.md, "The init"; the forked helper kept
 * ~1.4 MiB of glibc, libmnl and heap resident). This header compiles with
 * glibc (nsiso-helper) and musl (nsiso-init).
 *
 * The helper writes struct init_state into a sealed memfd and nsiso-init
 * reads it back, so it holds only scalars and fixed arrays of fixed-size
 * types (no pointers), and starts with a magic, a version and the sizes,
 * which nsiso-init checks. The teardown code both sides share takes it
 * too (net_teardown.h, cgroup_teardown.h). */
#ifndef NSISO_HANDOFF_H
#define NSISO_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

#define NSISO_HANDOFF_MAGIC 0x6e73696eu /* "nsin" */
/* Changed whenever struct init_state changes. */
#define NSISO_HANDOFF_VERSION 4u
/* The name nsiso-init has next to nsiso-helper. */
#define NSISO_INIT_NAME "nsiso-init"

struct init_state {
	uint32_t magic;      /* NSISO_HANDOFF_MAGIC */
	uint32_t version;    /* NSISO_HANDOFF_VERSION */
	uint32_t size;       /* sizeof(struct init_state) */
	uint32_t reply_size; /* sizeof(struct nsiso_reply) */
	/* Every reply's fields that never change (fill_reply in the init
	 * adds sessions, processes and the start time). They are also the
	 * one copy of what the loop and teardown take from the plan:
	 * reply.uid, .namespaces (enum nsiso_ns bits), .share (enum
	 * policy_share), .linger, .net_mode (enum net_mode), .user. */
	struct nsiso_reply reply;
	char netns_name[256];
	/* The environment socket: bound by the helper, listened on here. */
	int32_t listen_fd;
	int32_t rundir_fd;
	char socket_name[64];
	uint64_t socket_dev;
	uint64_t socket_ino;
	/* Made by init_prepare: the set-up's report pipe, the signalfd for
	 * SIGCHLD and SIGTERM, the init's own pidfd (handed to logins), the
	 * environment's /proc (-1 without a PID namespace). */
	int32_t status_fd;
	int32_t sig_fd;
	int32_t self_pidfd;
	int32_t proc_fd;
	/* cgroup.c: the environment's own cgroup, "" without cgroup v2 */
	char cgroup_root[1024];   /* the cgroup2 mount point */
	char cgroup_dir[1200];
	char cgroup_name[80];     /* its name in the parent directory */
	int32_t cgroup_parent_fd;     /* for its rmdir at teardown */
	int32_t cgroup_root_procs_fd; /* where the init goes to let it go */
	bool cgroup_systemd;      /* "cgroup" on a systemd host: slice.c */
	/* network (root/nsiso-helper/network.c) */
	int32_t netns_fd;      /* an admin's /run/netns/NAME to join, or -1 */
	int32_t host_netns_fd; /* veth: the host's netns, for the peer */
	int32_t host_mnt_fd;   /* netns_create: to publish/unpublish the name */
	int32_t bridge_index;
	bool veth_created;
	bool netns_published;
	/* The environment's own utmp (root/nsiso-helper/utmp.c): NAME in
	 * NSISO_RUNDIR, bound over /run/utmp inside; utmp_fd -1 when the
	 * environment has none. The init writes its logins' records
	 * through the fd and removes the name at teardown (by device and
	 * inode, as the socket). */
	char utmp_name[96];
	int32_t utmp_fd;
	uint64_t utmp_dev;
	uint64_t utmp_ino;
	/* The host's /run/utmp, which the bind covers only when the policy
	 * left it in place. */
	uint64_t host_utmp_dev;
	uint64_t host_utmp_ino;
	/* The host's /run/utmp, opened on the host: the init copies the
	 * records sshd writes into the environment's file there, for the
	 * host's who (root/nsiso-init/utmp_host.c); -1 without utmp_fd. */
	int32_t host_utmp_fd;
};

/* The fds nsiso-init holds across the exec, in one list for both sides:
 * the helper keeps exactly these open, nsiso-init checks them. The first
 * INIT_FDS_ALWAYS are always open; the rest are -1 when unused. */
#define INIT_FDS_MAX 11
#define INIT_FDS_ALWAYS 5
static inline void init_state_fds(const struct init_state *st,
				  int fds[INIT_FDS_MAX])
{
	const int list[INIT_FDS_MAX] = {
		st->listen_fd, st->rundir_fd, st->status_fd, st->sig_fd,
		st->self_pidfd, st->proc_fd, st->cgroup_parent_fd,
		st->cgroup_root_procs_fd, st->host_mnt_fd, st->utmp_fd,
		st->host_utmp_fd,
	};

	for (int i = 0; i < INIT_FDS_MAX; i++)
		fds[i] = list[i];
}

#endif
