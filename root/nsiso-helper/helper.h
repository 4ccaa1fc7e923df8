/* nsiso-helper internals. */
#ifndef NSISO_HELPER_H
#define NSISO_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "handoff.h"
#include "errmsg.h"
#include "plan.h"

/* Builds the environment; on success prints the socket name on stdout.
 * Returns the exit status. */
int build_environment(const struct env_plan *plan);

/* Before the set-up looks up a policy path that is the user's (per_user:
 * built from %u/%U/%g; or at or under plan->home): whether it lies on a
 * filesystem users can mount (FUSE), from /proc/self/mountinfo only, since
 * a lookup on it could hang (userfs.c). 0 when it may be used, 1 with the
 * reason in why, -1 with errno when mountinfo cannot be read. */
int userfs_check(const struct env_plan *plan, const char *path, bool per_user,
		 char *why, size_t len);

/* Clones parts[i] of a fresh detached mount into trees[i] (detached.c):
 * directly where the kernel allows it (6.15), else through a staging
 * mount (Linux 6.1 cannot clone from a mount that is not attached). */
int clone_detached_parts(int mnt_fd, const char *const parts[], size_t count,
			 int trees[], const char **failed_step);

/* out: the program name installed next to this nsiso-helper (sibling.c).
 * 0, or -1 with the reason in e. */
int sibling_path(const char *name, char *out, size_t len, struct nsiso_err *e);

/* Applies host PID 1's resource limits to this process (as far as they can
 * be raised). Returns 0 or -1 (reported). */
int copy_init_rlimits(void);

#endif
