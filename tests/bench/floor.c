/* floor: the kernel's own cost of what pam_nsiso does, with nothing else.
 *
 *   floor build N     N times: fork C; C unshare(mnt|uts|ipc|pid), fork I,
 *                     exit; I (PID 1) makes / rslave, mounts /proc, tmpfs
 *                     /tmp and /dev/shm, sethostname, reports ready; then
 *                     I is told to exit and reaped (teardown). One line per
 *                     run, usec: total fork_c unshare fork_i rslave proc
 *                     tmpfs2 hostname ready_ipc teardown
 *   floor join N      builds one such environment, then N times in a fresh
 *                     child: pidfd_open(I) + unshare(CLONE_FS) +
 *                     setns(pidfd, mnt|uts|ipc|pid) + fork/wait of one child
 *                     (which lands in the PID namespace). One line per run,
 *                     usec: setns_total setns_only fork_into_env
 *   floor exec N PATH [ARG...]
 *                     N times fork + execve + waitpid (exit status ignored):
 *                     what starting a helper binary costs. usec per line;
 *                     exit status 3 if any run failed.
 *   floor gone PATH   waits until PATH no longer exists; usec it took
 *   floor mount DIR N N times mount a tmpfs on DIR and unmount it; usec
 *                     per line: mount umount
 * Run as root in a scratch mount namespace (the bench does). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	_exit(1);
}

enum { T_START, T_C, T_UNSHARE, T_FORK_I, T_RSLAVE, T_PROC, T_TMPFS,
       T_HOST, T_READY, T_N };

struct env {
	pid_t init;
	int ready_r, exit_w;
};

/* Builds an environment the way the helper does; ts (shared memory) gets
 * the phase timestamps. */
static int build(struct env *e, volatile long long *ts)
{
	int ready[2], ex[2];
	pid_t c;
	char b;

	if (pipe(ready) < 0 || pipe(ex) < 0)
		die("pipe");
	ts[T_START] = now_ns();
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		pid_t i;

		ts[T_C] = now_ns();
		if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			    CLONE_NEWPID) < 0)
			die("unshare");
		ts[T_UNSHARE] = now_ns();
		i = fork();
		if (i < 0)
			die("fork init");
		if (i > 0)
			_exit(0);
		ts[T_FORK_I] = now_ns();
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			die("rslave");
		ts[T_RSLAVE] = now_ns();
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			die("mount proc");
		ts[T_PROC] = now_ns();
		if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
			  "mode=1777") < 0 ||
		    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
			  "mode=1777,size=64m") < 0)
			die("mount tmpfs");
		ts[T_TMPFS] = now_ns();
		if (sethostname("floor-box", 9) < 0)
			die("sethostname");
		ts[T_HOST] = now_ns();
		close(ready[0]);
		close(ex[1]);
		if (write(ready[1], "K", 1) != 1)
			_exit(1);
		(void)!read(ex[0], &b, 1); /* until told to exit */
		_exit(0);
	}
	close(ready[1]);
	close(ex[0]);
	if (read(ready[0], &b, 1) != 1)
		die("init did not start");
	ts[T_READY] = now_ns();
	(void)waitpid(c, NULL, 0);
	e->ready_r = ready[0];
	e->exit_w = ex[1];
	return 0;
}

/* The init was reparented to us (child subreaper). */
static long long teardown(struct env *e)
{
	long long t0 = now_ns();
	int st;

	close(e->exit_w);
	while (waitpid(-1, &st, 0) > 0)
		;
	close(e->ready_r);
	return now_ns() - t0;
}

static pid_t find_init(void)
{
	/* the only child left after build(): C was reaped */
	char path[64];
	FILE *f;
	pid_t me = getpid(), pid = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", me, me);
	f = fopen(path, "r");
	if (f == NULL || fscanf(f, "%d", &pid) != 1)
		die("find init");
	fclose(f);
	return pid;
}

static int cmd_build(int n)
{
	volatile long long *ts = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (ts == MAP_FAILED)
		die("mmap");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (int k = 0; k < n; k++) {
		struct env e;
		long long td;

		build(&e, ts);
		td = teardown(&e);
		printf("%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld\n",
		       (ts[T_READY] - ts[T_START]) / 1000,
		       (ts[T_C] - ts[T_START]) / 1000,
		       (ts[T_UNSHARE] - ts[T_C]) / 1000,
		       (ts[T_FORK_I] - ts[T_UNSHARE]) / 1000,
		       (ts[T_RSLAVE] - ts[T_FORK_I]) / 1000,
		       (ts[T_PROC] - ts[T_RSLAVE]) / 1000,
		       (ts[T_TMPFS] - ts[T_PROC]) / 1000,
		       (ts[T_HOST] - ts[T_TMPFS]) / 1000,
		       (ts[T_READY] - ts[T_HOST]) / 1000, td / 1000);
	}
	return 0;
}

static int cmd_join(int n)
{
	volatile long long *ts = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct env e;
	pid_t init;

	if (ts == MAP_FAILED)
		die("mmap");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	build(&e, ts);
	init = find_init();
	for (int k = 0; k < n; k++) {
		pid_t p = fork();
		int st;

		if (p == 0) {
			long long t0, t1, t2, t3;
			int pidfd;
			pid_t g;

			t0 = now_ns();
			pidfd = (int)syscall(SYS_pidfd_open, init, 0);
			if (pidfd < 0)
				die("pidfd_open");
			if (unshare(CLONE_FS) < 0)
				die("unshare(CLONE_FS)");
			t1 = now_ns();
			if (setns(pidfd, CLONE_NEWNS | CLONE_NEWUTS |
					  CLONE_NEWIPC | CLONE_NEWPID) < 0)
				die("setns");
			t2 = now_ns();
			g = fork();
			if (g == 0)
				_exit(0);
			waitpid(g, NULL, 0);
			t3 = now_ns();
			printf("%lld %lld %lld\n", (t2 - t0) / 1000,
			       (t2 - t1) / 1000, (t3 - t2) / 1000);
			fflush(stdout);
			_exit(0);
		}
		waitpid(p, &st, 0);
	}
	teardown(&e);
	return 0;
}

static int cmd_exec(int n, char **argv)
{
	int failed = 0;

	for (int k = 0; k < n; k++) {
		long long t0 = now_ns();
		pid_t p = fork();
		int st = 0;

		if (p == 0) {
			int fd = open("/dev/null", O_RDWR);
			dup2(fd, 1);
			dup2(fd, 2);
			execv(argv[0], argv);
			_exit(127);
		}
		waitpid(p, &st, 0);
		printf("%lld\n", (now_ns() - t0) / 1000);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	/* The caller decides whether a failing command matters (the helper
	 * without arguments exits 2 by design). */
	return failed ? 3 : 0;
}

/* Waits (polling every 50 usec, at most 10 s) until path is gone. */
static int cmd_gone(const char *path)
{
	long long t0 = now_ns();
	struct stat sb;

	while (stat(path, &sb) == 0) {
		if (now_ns() - t0 > 10000000000LL) {
			fprintf(stderr, "floor: %s still there after 10 s\n", path);
			return 1;
		}
		usleep(50);
	}
	printf("%lld\n", (now_ns() - t0) / 1000);
	return 0;
}

static int cmd_mount(const char *dir, int n)
{
	for (int k = 0; k < n; k++) {
		long long t0 = now_ns(), t1, t2;

		if (mount("floor", dir, "tmpfs", 0, "size=1m") < 0)
			die("mount");
		t1 = now_ns();
		if (umount2(dir, 0) < 0)
			die("umount");
		t2 = now_ns();
		printf("%lld %lld\n", (t1 - t0) / 1000, (t2 - t1) / 1000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "build") == 0)
		return cmd_build(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "join") == 0)
		return cmd_join(atoi(argv[2]));
	if (argc >= 4 && strcmp(argv[1], "exec") == 0)
		return cmd_exec(atoi(argv[2]), argv + 3);
	if (argc == 3 && strcmp(argv[1], "gone") == 0)
		return cmd_gone(argv[2]);
	if (argc == 4 && strcmp(argv[1], "mount") == 0)
		return cmd_mount(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: floor build N | join N | exec N PATH [ARG...] | gone PATH | mount DIR N\n");
	return 2;
}
