/* Marks dead the utmp records of processes an environment ended
 * (utmp_dead.c). */
#ifndef NSISO_UTMP_DEAD_H
#define NSISO_UTMP_DEAD_H

#include <stddef.h>
#include <sys/types.h>

/* glibc's paths (musl's <paths.h> has none that work): what utempter,
 * sshd and login write, and what who and last read. */
#define NSISO_UTMP_PATH "/var/run/utmp"
#define NSISO_WTMP_PATH "/var/log/wtmp"

/* The records of utmp_path that say user is logged in (USER_PROCESS)
 * through a process in pids (sorted ascending, this PID namespace's
 * numbers) become DEAD_PROCESS, as logout(3) and utempter make them,
 * and for each a logout record is appended to wtmp_path, so that last
 * shows the logout. Returns how many were marked; a file that is
 * missing counts 0; failures are logged (helper_error) and end the
 * walk. */
unsigned utmp_mark_dead(const char *utmp_path, const char *wtmp_path,
			const char *user, const pid_t *pids, size_t n_pids);

#endif
