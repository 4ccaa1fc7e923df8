/* nsiso-helper internals. */
#ifndef NSISO_HELPER_H
#define NSISO_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "handoff.h"
#include "plan.h"

/* Builds the environment; on success prints the socket name on stdout.
 * Returns the exit status. */
int build_environment(const struct env_plan *plan);

/* The set-up's current step ("%s:%u: bind: lookup of /x"), kept where
 * the helper reads it if the set-up does not finish in time (build.c). */
void setup_step_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Mounts the plan's mounts inside the new mount namespace. Returns 0, or
 * -1 with "path:line: what: object: errno" in err. */
int apply_mounts(const struct env_plan *plan, char *err, size_t errlen);

/* Before the set-up looks up a policy path that is the user's (per_user:
 * built from %u/%U/%g; or at or under plan->home): whether it lies on a
 * filesystem users can mount (FUSE), from /proc/self/mountinfo only, since
 * a lookup on it could hang (userfs.c). 0 when it may be used, 1 with the
 * reason in why, -1 with errno when mountinfo cannot be read. */
int userfs_check(const struct env_plan *plan, const char *path, bool per_user,
		 char *why, size_t len);

/* IPC namespace: POSIX message queues are the IPC namespace's, but the
 * host's /dev/mqueue (systemd mounts one) shows the host's. Mounts a fresh
 * mqueue filesystem, which shows this process's IPC namespace, on
 * /dev/mqueue when that is a directory; nothing to do without one. 0, or
 * -1 with "what: object: errno" in err. */
int mount_own_mqueue(char *err, size_t errlen);

/* Covers NSISO_RUNDIR with a read-only tmpfs holding the marker file. */
int mount_marker(const struct env_plan *plan, char *err, size_t errlen);

/* Clones parts[i] of a fresh detached mount into trees[i] (detached.c):
 * Linux 6.1 cannot clone from a mount that is not attached. */
int clone_detached_parts(int mnt_fd, const char *const parts[], size_t count,
			 int trees[], const char **failed_step);

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
/* netns_create: make the environment's netns visible as /run/netns/NAME
 * while it lives, and remove that name at teardown. */
int net_publish(const struct env_plan *plan, struct init_state *st,
		char *err, size_t len);

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
int env_cgroup_open(const struct env_plan *plan, const char *env_name,
		    struct init_state *st);
void env_cgroup_close(struct init_state *st);
pid_t env_cgroup_fork(int cgroup_fd, bool *placed);
int env_cgroup_enter(int cgroup_fd, const struct init_state *st);

/* "cgroup" on a systemd host (slice.c): the policy's limits become the
 * runtime properties of the user's slice (systemctl set-property), after
 * checking that the login building the environment is in that slice.
 * 0, or -1 (reported). */
int slice_apply_limits(const struct env_plan *plan);

/* nsiso-helper digest (digest.c): what the setuid programs need of the
 * user's policy, on stdout (setuid/lib/digest.h). Returns the exit
 * status. */
int helper_digest(uid_t uid, const char *policy_dir);

/* The plan's part of the handoff, and every fd -1: the first step of a
 * build (init.c). */
void init_state_init(struct init_state *st, const struct env_plan *plan);

/* Everything the init needs before it reports ready (signals, pidfd,
 * /proc, the plan's part of the handoff): a failure here is a set-up
 * error the login sees. */
int init_prepare(const struct env_plan *plan, struct init_state *st,
		 char *err, size_t errlen);

/* The nsiso-init binary next to this helper (init.c), opened O_PATH
 * before any namespace or mount changes what the path shows, and checked
 * like a setuid binary's own file: root-owned, not group/world writable.
 * Returns the fd, or -1 (reported). */
int init_open_binary(void);

/* Hands st over in a sealed memfd and execs nsiso-init (exe_fd) in this
 * process: PID 1, the namespaces and the handed-over fds stay. Returns
 * only on failure, with the reason in err. */
void init_exec(int exe_fd, struct init_state *st, char *err, size_t errlen);

/* Applies host PID 1's resource limits to this process (as far as they can
 * be raised). Returns 0 or -1 (reported). */
int copy_init_rlimits(void);

#endif
