/* Registering with a live environment and joining it: the one sequence the
 * module, `nsiso enter` and `nsiso-helper enter` all use, so the checks
 * that keep a join on the right environment exist once. */
#ifndef NSISO_ENVJOIN_H
#define NSISO_ENVJOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"
#include "proto.h"

struct env_join {
	int sock;                 /* the registration: keep it for the session */
	int pidfd;                /* the init's */
	pid_t init_pid;           /* in the caller's PID namespace */
	struct nsiso_reply reply;
};

/* Connects to NSISO_RUNDIR/name, registers, and checks that the pidfd is
 * the answering process's (SO_PEERCRED) and the environment is uid's.
 * Returns 0, or -1 with errno and the error in e:
 *   ENOENT, ECONNREFUSED  no live environment there
 *   ECONNRESET, EPIPE     it was ending: build anew
 *   EPERM                 wrong process or another uid's: never join
 *   anything else         the connect or the registration failed */
int env_register(const char *name, uid_t uid, struct env_join *j,
		 struct nsiso_err *e);
/* The same for a PAM login, with its PAM_TTY and PAM_RHOST (NULL:
 * unset) and the caller's pid: the init records it in the environment's
 * own utmp and ends the caller's utmp records with the registration. */
int env_register_login(const char *name, uid_t uid, const char *tty,
		       const char *rhost, struct env_join *j,
		       struct nsiso_err *e);

/* One setns() on the pidfd into every namespace of the environment (for
 * the PID namespace: the caller's next children). 0, or -1 with errno. */
int env_setns(const struct env_join *j);

/* Whether the clocks plus these offsets stay at or above zero (the kernel
 * refuses the offsets otherwise). 0, or -1 with errno ERANGE and a
 * message naming the key. */
int env_check_time_offsets(long long boottime, long long monotonic,
			   struct nsiso_err *e);

/* Everything a joining process does, in this order: a time namespace of
 * its own for its children with the environment's offsets (never setns
 * into one: that moves the caller's own clocks; and before setns(mnt),
 * after which /proc/self no longer resolves for the caller), on a host
 * without systemd a move into the environment's cgroup directory, then
 * env_setns(), on a systemd host a cgroup namespace of its own rooted at
 * its logind scope, then the policy's capability bounding set and
 * no_new_privs, which the caller keeps and every child inherits (not with
 * a user namespace: nsiso-shell applies them inside it). 0, or -1
 * with errno and "verb object: reason" in e. */
int env_enter(const struct env_join *j, struct nsiso_err *e);

/* The session's limits, in the calling process: every capability not in
 * keep leaves the bounding and inheritable sets (when bound), then
 * PR_SET_NO_NEW_PRIVS (when nnp). Needs CAP_SETPCAP for caps. 0, or -1
 * with errno and a message naming the capability or call. */
int env_limit_privileges(bool bound, uint64_t keep, bool nnp,
			 struct nsiso_err *e);

/* systemd host, environment with limits: they are the user's slice's, so
 * the calling process must be inside it (not the slice of another user,
 * not a system service such as cron). 0, or -1 with errno EPERM and a
 * message naming both cgroups. */
int env_check_limited_login(const struct env_join *j, struct nsiso_err *e);
/* A policy with a user namespace works only through nsiso-shell as the
 * login shell: it is named nsiso-shell, a regular file, root-owned,
 * setuid, not group/world writable. 0, or -1 with a message. */
int env_check_login_shell(const char *shell, struct nsiso_err *e);

/* Closes the pidfd (the registration socket stays open). */
void env_join_done(struct env_join *j);

#endif
