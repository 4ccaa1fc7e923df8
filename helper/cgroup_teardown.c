/* The environment's cgroup directory at its end (cgroup.c makes it):
 * shared by the helper (a failed build) and nsiso-init (teardown), so it
 * compiles with glibc and musl. */
#include "initstate.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* rmdir through the parent's fd, opened on the host before any namespace
 * was made: the init's mount namespace may no longer show the host's
 * cgroup2 mount (a fresh sysfs on /sys for the environment's netns). */
static int remove_dir(const struct init_state *st, int tries)
{
	for (int i = 0; i < tries; i++) {
		if (unlinkat(st->cgroup_parent_fd, st->cgroup_name,
			     AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		usleep(2000);
	}
	return -1;
}

void env_cgroup_remove(const struct init_state *st)
{
	if (st->cgroup_dir[0] == '\0' || st->cgroup_parent_fd < 0)
		return;
	/* The failed init may still be exiting: its cgroup empties a moment
	 * after its pipe closed. */
	if (remove_dir(st, 100) < 0)
		helper_error(errno, "remove cgroup %s", st->cgroup_dir);
}

void env_cgroup_leave_and_remove(const struct init_state *st)
{
	if (st->cgroup_dir[0] == '\0' || st->cgroup_root_procs_fd < 0)
		return;
	/* To the root, which alone may hold processes next to children
	 * with controllers enabled. The fd was opened on the host, so the
	 * environment's own cgroup namespace does not hide the root (the
	 * kernel checks the namespace the file was opened in). */
	if (write(st->cgroup_root_procs_fd, "0", 1) != 1) {
		helper_error(errno, "leave cgroup %s", st->cgroup_dir);
		return;
	}
	/* Joining processes outside the PID namespace (the PAM callers)
	 * leave when they exit, a moment after their sessions closed. One
	 * that stays (nsiso stop during a login) keeps the directory, which
	 * the next environment of this name reuses with fresh limits. */
	if (remove_dir(st, 500) < 0)
		helper_error(errno,
			     "remove cgroup %s (a login that is still open keeps it; the next environment of this user reuses it)",
			     st->cgroup_dir);
}
