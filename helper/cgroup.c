/* The environment's own cgroup v2 directory, <cgroup2>/nsiso/<env>.
 *
 * The init must not stay in the first login's cgroup (its logind scope):
 * ending that one login (KillUserProcesses, terminate-session) would kill
 * the init and every other login of the user with it. The environment's
 * first process is created directly in its own directory with
 * clone3(CLONE_INTO_CGROUP): moving a running process by writing
 * cgroup.procs waits for an RCU grace period, the largest part of a first
 * login (tests/bench/RESULTS.md); a kernel without it gets fork() and the
 * write. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CGROUP_PARENT "nsiso"

struct found {
	char *out;
	size_t len;
};

static int is_cgroup2(const struct mountinfo_entry *e, void *arg)
{
	struct found *f = arg;

	if (strcmp(e->fstype, "cgroup2") != 0)
		return 0;
	snprintf(f->out, f->len, "%s", e->point);
	return 1;
}

/* Finds the cgroup2 mount point from mountinfo; 0 when found. */
static int find_cgroup2(char *out, size_t len)
{
	struct found f = { out, len };

	return mountinfo_each(is_cgroup2, &f) == 1 ? 0 : -1;
}

int env_cgroup_open(const char *env_name, struct init_state *st)
{
	char root[1024], dir[1200];
	int fd;

	if (find_cgroup2(root, sizeof(root)) < 0)
		return -2; /* no cgroup v2 hierarchy: no scope to leave */
	snprintf(dir, sizeof(dir), "%s/%s", root, CGROUP_PARENT);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		helper_error(errno, "mkdir %s", dir);
		return -1;
	}
	snprintf(st->cgroup_parent, sizeof(st->cgroup_parent), "%s", dir);
	snprintf(dir, sizeof(dir), "%s/%s/%s", root, CGROUP_PARENT, env_name);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			helper_error(errno, "mkdir %s", dir);
			return -1;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* ENOENT: the previous environment of this name removed
		 * it between our mkdir and open; make it once more. */
		if (fd >= 0 || errno != ENOENT)
			break;
	}
	if (fd < 0) {
		helper_error(errno, "open cgroup %s", dir);
		return -1;
	}
	snprintf(st->cgroup_dir, sizeof(st->cgroup_dir), "%s", dir);
	return fd;
}

pid_t env_cgroup_fork(int cgroup_fd, bool *placed)
{
	*placed = false;
	if (cgroup_fd >= 0) {
		struct clone_args args = {
			.flags = CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t)cgroup_fd,
		};
		/* Like fork(): no new stack, the child returns here. Nothing
		 * in the helper relies on pthread_atfork handlers. */
		long pid = syscall(SYS_clone3, &args, sizeof(args));

		if (pid >= 0) {
			*placed = true;
			return (pid_t)pid;
		}
		/* Only a kernel without CLONE_INTO_CGROUP (before 5.7) gets
		 * the old way; ENOENT and the rest are the caller's. */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -1;
	}
	return fork();
}

int env_cgroup_enter(int cgroup_fd, const struct init_state *st)
{
	int fd = openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "0", 1) != 1) {
		helper_error(errno, "join cgroup %s", st->cgroup_dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void env_cgroup_remove(const struct init_state *st)
{
	if (st->cgroup_dir[0] == '\0')
		return;
	/* The failed init may still be exiting: its cgroup empties a moment
	 * after its pipe closed. */
	for (int i = 0; i < 100; i++) {
		if (rmdir(st->cgroup_dir) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		usleep(2000);
	}
	helper_error(errno, "remove cgroup %s", st->cgroup_dir);
}

void env_cgroup_leave_and_remove(const struct init_state *st)
{
	char procs[1300];
	int fd;

	if (st->cgroup_dir[0] == '\0')
		return;
	/* Leave our cgroup so that it can be removed; a failure leaves an
	 * empty directory that the next build of this name reuses. */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", st->cgroup_parent);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "0", 1) == 1)
		(void)rmdir(st->cgroup_dir);
	close(fd);
}
