/* nsiso-helper internals. */
#ifndef NSISO_HELPER_H
#define NSISO_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan.h"

/* Prints "nsiso-helper: <msg>" (with ": <strerror>" when errnum != 0) to
 * stderr, which the module forwards to syslog. */
void helper_error(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Remembers where argv lives so the init can rename itself. */
void proctitle_init(int argc, char **argv);
/* Sets what ps shows for this process (and comm "nsiso-init"). */
void proctitle_set(const char *title);

/* The first thing main() does: a process the invoker set up (fds, env,
 * signals, limits, umask, cwd) becomes one we set up. */
void sanitize_process(void);

/* Builds the environment; on success prints the socket name on stdout.
 * Returns the exit status. */
int build_environment(const struct env_plan *plan);

/* Mounts the plan's mounts inside the new mount namespace. Returns 0, or
 * -1 with "path:line: what: object: errno" in err. */
int apply_mounts(const struct env_plan *plan, char *err, size_t errlen);

/* Covers NSISO_RUNDIR with a read-only tmpfs holding the marker file. */
int mount_marker(const struct env_plan *plan, char *err, size_t errlen);

/* systemctl --user inside a PID namespace (user_manager.c). The relay
 * socket is made in the marker tmpfs (dir fd) before it turns read-only. */
int user_manager_listen(const struct env_plan *plan, int marker_fd, char *err,
			size_t len);
/* The relay's listening socket, or -1 without one. */
int user_manager_fd(void);
/* After each registration: cover the user manager's private socket. */
void user_manager_refresh(void);
/* The listening socket is readable: a relay per connection. */
void user_manager_accept(void);
/* A child was reaped: a relay slot may be free. */
void user_manager_reaped(pid_t pid);
/* One line of /proc/self/mountinfo (mountinfo.c). */
struct mountinfo_entry {
	int id, parent;
	const char *root, *point, *fstype;
};
/* Calls fn for each mount until it returns non-zero; returns that value,
 * 0 after the last mount, or -1 when mountinfo cannot be read. */
int mountinfo_each(int (*fn)(const struct mountinfo_entry *e, void *arg),
		   void *arg);

/* Copies one D-Bus connection, message by message (dbus_relay.c). */
void dbus_relay(int client, int manager);

/* Clones parts[i] of a fresh detached mount into trees[i] (detached.c):
 * Linux 6.1 cannot clone from a mount that is not attached. */
int clone_detached_parts(int mnt_fd, const char *const parts[], size_t count,
			 int trees[], const char **failed_step);

/* What the init needs after set-up. */
struct init_state {
	const struct env_plan *plan;
	int listen_fd;
	int rundir_fd;
	char socket_name[64];
	dev_t socket_dev;
	ino_t socket_ino;
	long long policy_mtime;
	/* cgroup.c: the environment's own cgroup, "" without cgroup v2 */
	char cgroup_root[1024];   /* the cgroup2 mount point */
	char cgroup_dir[1200];
	char cgroup_name[80];     /* its name in the parent directory */
	int cgroup_parent_fd;     /* for its rmdir at teardown */
	int cgroup_root_procs_fd; /* where the init goes to let it go */
	bool cgroup_systemd;      /* "cgroup" on a systemd host: slice.c */
	/* network (helper/network.c) */
	int netns_fd;         /* an admin's /run/netns/NAME to join, or -1 */
	int host_netns_fd;    /* veth: the host's netns, for the peer */
	int host_mnt_fd;      /* netns_create: to publish/unpublish the name */
	int bridge_index;
	bool veth_created;
	bool netns_published;
};

/* Helper, host side: opens the admin's netns, checks the bridge, removes
 * a stale host end. Returns 0, or -1 with a message in err. */
int net_prepare_host(const struct env_plan *plan, struct init_state *st,
		     char *err, size_t len);
/* C, before forking the init: join the admin's netns (setns) or make a
 * new one (unshare). */
int net_enter(const struct env_plan *plan, const struct init_state *st,
	      char *err, size_t len);
/* The init: lo up, the veth, sysfs and /etc/netns binds. On failure it
 * removes what it made. */
int net_setup_inside(const struct env_plan *plan, struct init_state *st,
		     char *err, size_t len);
/* The init, at teardown: delete the veth now (not when the kernel frees
 * the namespace, a second later). */
void net_teardown_inside(const struct env_plan *plan, struct init_state *st);
/* netns_create: make the environment's netns visible as /run/netns/NAME
 * while it lives, and remove that name at teardown. */
int net_publish(const struct env_plan *plan, struct init_state *st,
		char *err, size_t len);
void net_unpublish(const struct env_plan *plan, struct init_state *st);

/* Copies host PID 1's resource limits, resets the loginuid and, unless
 * cgroup_fd is -1 (already there), moves the process into the
 * environment's cgroup, so the init carries nothing of the first login
 * that created it. Returns 0 or -1 (reported). */
int shed_login_identity(int cgroup_fd, const struct init_state *st);

/* The environment's own cgroup v2 directory (cgroup.c). open: makes
 * <cgroup2>/<cgroup_parent>/ENV (with "cgroup" and no systemd: the
 * controllers and limits too), fills st's cgroup fields and returns its
 * fd; -2 without cgroup v2 (and no "cgroup"), -1 on error (reported).
 * close: the fds open kept for teardown. fork: a child born in that
 * cgroup when the kernel can (*placed), else plain fork(). enter: moves
 * the caller there. remove: the helper, after a failed build.
 * leave_and_remove: the init, at teardown. */
int env_cgroup_open(const char *env_name, struct init_state *st);
void env_cgroup_close(struct init_state *st);
pid_t env_cgroup_fork(int cgroup_fd, bool *placed);
int env_cgroup_enter(int cgroup_fd, const struct init_state *st);
void env_cgroup_remove(const struct init_state *st);
void env_cgroup_leave_and_remove(const struct init_state *st);

/* "cgroup" on a systemd host (slice.c): the policy's limits become the
 * runtime properties of the user's slice (systemctl set-property), after
 * checking that the login building the environment is in that slice.
 * 0, or -1 (reported). */
int slice_apply_limits(const struct env_plan *plan);

/* nsiso-helper enter: the caller's own live environment, as the caller.
 * cmd: NULL for a login shell. term: a checked TERM value or NULL.
 * Returns the exit status. */
int helper_enter(char **cmd, const char *term);

/* Everything the init needs before it reports ready (signals, pidfd,
 * memory, /proc): a failure here is a set-up error the login sees. */
int init_prepare(struct init_state *st, char *err, size_t errlen);

/* The ready report could not be delivered: end the environment at once. */
__attribute__((noreturn)) void init_abort(void);

/* PID 1 of the environment: serves the socket, reaps, counts, and exits
 * when nothing is left (plus linger). Never returns. */
__attribute__((noreturn)) void init_main(void);

/* Applies host PID 1's resource limits to this process (as far as they can
 * be raised). Returns 0 or -1 (reported). */
int copy_init_rlimits(void);

#endif
