/* The environment's cgroup directory at its end (cgroup.c makes it):
 * shared by the helper (a failed build) and nsiso-init (teardown), so it
 * compiles with glibc and musl. */
#include "cgroup_teardown.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "policy.h"

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
	 * after its pipe closed. If it does not, the next build sweeps the
	 * directory (cgroup.c): its socket is gone by then. */
	if (remove_dir(st, 100) < 0)
		helper_error(errno, "remove cgroup %s", st->cgroup_dir);
}

/* 1 while cgroup.events says "populated 1", 0 once it says 0, -1 when it
 * cannot be read (the directory was removed: swept). */
static int populated(int fd)
{
	char buf[128];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (char *line = buf; line != NULL; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "populated ", 10) == 0)
			return line[10] != '0';
	}
	return errno = EPROTO, -1;
}

/* share = session: waits, with no deadline, until nothing is left in the
 * directory. What can still be in it after the kill are processes outside
 * the PID namespace that joined it: the PAM callers (su, sshd's session
 * process), which leave when they exit after closing their session. The
 * user may stop their su (its real uid is theirs) for as long as they
 * like; giving up after a fixed time left one directory per login.
 *
 * Moving those callers out instead is not possible from here: this
 * process is PID 1 of the environment's PID namespace, where
 * cgroup.procs lists every outside process as pid 0 and a pid written
 * to the root's cgroup.procs is looked up in this namespace.
 *
 * Waiting costs only this process: the socket is gone (no login finds
 * the environment), the network is taken down, and a session environment
 * has no build lock; its name is used once, so no later build waits for
 * it or reuses the directory. A stopped caller already holds the
 * environment's namespaces itself (it joined them). */
static int wait_empty(const struct init_state *st)
{
	char name[sizeof(st->cgroup_name) + 16];
	int fd, p, saved;

	snprintf(name, sizeof(name), "%s/cgroup.events", st->cgroup_name);
	fd = openat(st->cgroup_parent_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	while ((p = populated(fd)) == 1) {
		struct pollfd pf = { .fd = fd, .events = POLLPRI };

		/* Every change of cgroup.events wakes POLLPRI; the timeout
		 * is no deadline, only a recount that does not rely on the
		 * notification. */
		if (poll(&pf, 1, 1000) < 0 && errno != EINTR)
			break;
		/* A login that had its reply before the socket went may
		 * still join the PID namespace: it goes the same way. */
		if (st->reply.namespaces & NSISO_NS_PID)
			(void)kill(-1, SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return p == 1 ? -1 : 0;
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
	/* Only with a PID namespace: then what is left are the PAM callers,
	 * which end. Without one, the user's own processes stay as long as
	 * they like, and an init waiting for each would be a root process
	 * per login that nsiso list cannot show: the short wait below, and
	 * the sweep of a later build, cover that case. */
	if (st->reply.share == SHARE_SESSION &&
	    (st->reply.namespaces & NSISO_NS_PID)) {
		if (wait_empty(st) < 0 || remove_dir(st, 100) < 0)
			helper_error(errno, "remove cgroup %s", st->cgroup_dir);
		return;
	}
	/* share = user: the build lock is held until the directory is gone
	 * (the next build of the user waits for it), so the wait is short.
	 * share = session without a PID namespace: see above.
	 * A login that is still open (nsiso stop during it) keeps the
	 * directory; the next environment of the user reuses it with fresh
	 * limits, and any later build sweeps it once empty (cgroup.c). */
	if (remove_dir(st, 500) < 0)
		helper_error(errno,
			     "remove cgroup %s (a login that is still open keeps it; the next environment of this user reuses it, a later build removes it once empty)",
			     st->cgroup_dir);
}
