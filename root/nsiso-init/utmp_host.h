/* The host's copies of the logins recorded in the environment's own utmp
 * (utmp_host.c). host_fd is the host's /run/utmp, opened by the helper on
 * the host (struct init_state's host_utmp_fd), -1 without one: then every
 * call does nothing. */
#ifndef NSISO_UTMP_HOST_H
#define NSISO_UTMP_HOST_H

#include "utmp_rec.h"

/* u, a login's record as the host's who must see it (sshd's as sshd
 * wrote it, before the init adopts it; login(1)'s with the pid login
 * registered with), which lies at env_off of the environment's file with
 * pid env_pid there: the same record goes into the host's file, where
 * pututline(3) would have put it (the slot of the same ut_id, else the
 * end). */
void utmp_host_add(int host_fd, long long env_off, const struct glibc_utmp *u,
		   int32_t env_pid);

/* After the environment's file changed (env_fd locked by the caller): the
 * copy of each login whose record there is no longer the live one it was
 * (its writer's logout, the end of its registration, the init's sweep, a
 * reused slot) is marked dead in the host's file. */
void utmp_host_follow(int host_fd, int env_fd);

/* The environment ends: every copy still live is marked dead. Returns how
 * many. */
unsigned utmp_host_end(int host_fd);

#endif
