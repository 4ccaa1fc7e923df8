/* The helper's side of the environment's init: what the init process does
 * after set-up and before it execs nsiso-init (root/nsiso-init/nsiso-init.c), the
 * small static binary that serves the environment for its lifetime. Set-up
 * needs glibc, libmnl and libcap; the long-lived init needs none of them,
 * and keeping the forked helper resident cost ~1.4 MiB per environment.
 *
 * The exec keeps the process (PID 1, its namespaces, cgroup, credentials,
 * signal mask and ignored signals) and exactly the fds handed over; the
 * rest of the state travels in a sealed memfd (struct init_state). */
#include "helper.h"
#include "errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/memfd.h of Linux 6.3; Debian 12's headers predate it. */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/* Where init_open_binary found nsiso-init, for messages. */
static char init_path[4096 + sizeof(NSISO_INIT_NAME) + 1];

void init_state_init(struct init_state *st, const struct env_plan *plan)
{
	memset(st, 0, sizeof(*st));
	st->magic = NSISO_HANDOFF_MAGIC;
	st->version = NSISO_HANDOFF_VERSION;
	st->size = sizeof(*st);
	st->reply_size = sizeof(struct nsiso_reply);
	st->uid = (uint32_t)plan->uid;
	st->gid = (uint32_t)plan->gid;
	st->namespaces = plan->namespaces;
	st->share = (uint32_t)plan->share;
	st->linger = plan->linger;
	st->net_mode = (uint32_t)plan->net_mode;
	/* Both fit: plan_make checked them against these same sizes. */
	snprintf(st->user, sizeof(st->user), "%s", plan->user);
	snprintf(st->netns_name, sizeof(st->netns_name), "%s", plan->netns_name);
	st->listen_fd = st->rundir_fd = st->status_fd = st->sig_fd = -1;
	st->self_pidfd = st->proc_fd = -1;
	st->netns_fd = st->host_netns_fd = st->host_mnt_fd = -1;
	st->cgroup_parent_fd = st->cgroup_root_procs_fd = -1;
}

/* The part of every reply that never changes while the environment
 * lives; nsiso-init adds sessions, processes and its start time. */
static void init_reply_template(const struct env_plan *plan,
				struct init_state *st)
{
	struct nsiso_reply *r = &st->reply;

	memset(r, 0, sizeof(*r));
	r->magic = NSISO_MAGIC;
	r->namespaces = plan->namespaces;
	r->uid = (uint32_t)plan->uid;
	r->linger = plan->linger;
	r->logins_max = plan->logins_max;
	r->share = (uint32_t)plan->share;
	r->net_mode = (uint32_t)plan->net_mode;
	r->policy_mtime = st->policy_mtime;
	memcpy(r->user, plan->user, sizeof(r->user) - 1);
	memcpy(r->hostname, plan->hostname, sizeof(r->hostname) - 1);
	memcpy(r->policy_path, plan->policy_path, sizeof(r->policy_path) - 1);
	plan_fill_reply(plan, r);
	if (!(plan->namespaces & NSISO_NS_CGROUP))
		return;
	if (st->cgroup_systemd) {
		r->session_flags |= NSISO_SESSION_CGROUP_OWN;
		if (limits_any(&plan->limits))
			r->session_flags |= NSISO_SESSION_CGROUP_LIMITS;
	} else {
		r->session_flags |= NSISO_SESSION_CGROUP_MOVE;
		/* Its length was checked against this field when the
		 * directory was made (env_cgroup_open). */
		memcpy(r->cgroup_dir, st->cgroup_dir, sizeof(r->cgroup_dir) - 1);
	}
}

/* SIG_IGN through the system call: glibc's signal() refuses 32 and 33,
 * which it keeps for itself, and their default action would end the init
 * without a teardown. nsiso-init (musl, single-threaded) uses neither.
 * Ignoring is a no-op failure only for SIGKILL/SIGSTOP, never passed. */
static void ignore_signal(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} act = { .handler = SIG_IGN };

	(void)syscall(SYS_rt_sigaction, sig, &act, NULL, sizeof(act.mask));
}

int init_prepare(const struct env_plan *plan, struct init_state *st,
		 char *err, size_t errlen)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	/* The init is PID 1 and the rest are signals it never asked for:
	 * ignoring them is the point (the kernel already shields PID 1 from
	 * its namespace's signals; this covers the host side, and SIGPIPE
	 * from a helper that went away). Ignored signals and the mask stay
	 * ignored and blocked across the exec of nsiso-init. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD &&
		    sig != SIGTERM)
			ignore_signal(sig);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		snprintf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	st->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (st->sig_fd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	st->self_pidfd = pidfd_open(getpid(), 0);
	if (st->self_pidfd < 0) {
		snprintf(err, errlen, "pidfd_open of the init: %s",
			 strerror(errno));
		return -1;
	}
	if (plan->namespaces & NSISO_NS_PID) {
		/* Without it every process would count as gone and a
		 * teardown would kill live jobs: a set-up error. */
		st->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->proc_fd < 0) {
			snprintf(err, errlen, "open the environment's /proc: %s",
				 strerror(errno));
			return -1;
		}
	}
	init_reply_template(plan, st);
	return 0;
}

int init_open_binary(void)
{
	char self[4096], *slash;
	struct stat sb;
	ssize_t n;
	int fd;

	/* Next to this helper, wherever it is installed (the tests run it
	 * from a work directory): the same trust as the helper itself. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		helper_error(errno, "readlink /proc/self/exe");
		return -1;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL) {
		helper_error(0, "/proc/self/exe is %s, not a path", self);
		return -1;
	}
	*slash = '\0';
	if ((size_t)snprintf(init_path, sizeof(init_path), "%.*s/%s",
			     (int)(sizeof(init_path) - sizeof(NSISO_INIT_NAME) - 1),
			     self, NSISO_INIT_NAME) >= sizeof(init_path)) {
		helper_error(ENAMETOOLONG, "the path of %s next to %s", NSISO_INIT_NAME, self);
		return -1;
	}
	fd = open(init_path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		helper_error(errno, "open %s (the environment's init, installed next to nsiso-helper)",
			     init_path);
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		helper_error(errno, "fstat %s", init_path);
		close(fd);
		return -1;
	}
	/* Exec'd as root in every environment: whoever could replace it
	 * would own them all. */
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 06022) != 0) {
		helper_error(EPERM,
			     "%s is refused: it must be a regular file owned by root, not group or world writable, not setuid or setgid (found uid %u, mode %04o)",
			     init_path, (unsigned)sb.st_uid,
			     (unsigned)(sb.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

/* The fds nsiso-init keeps: everything else is closed by the exec. */
static int keep_fd(int fd, char *err, size_t errlen)
{
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_SETFD, 0) < 0) {
		snprintf(err, errlen, "keep fd %d for %s: %s", fd, init_path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void init_exec(int exe_fd, struct init_state *st, char *err, size_t errlen)
{
	const unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
			       F_SEAL_WRITE;
	extern char **environ;
	char title[128], fdarg[16];
	char *argv[] = { title, "--handoff", fdarg, NULL };
	int fd;

	/* Set-up only: the init never needs them again. */
	st->netns_fd = st->host_netns_fd = -1;
	if (!st->netns_published)
		st->host_mnt_fd = -1;
	/* Not executable: vm.memfd_noexec=2 refuses other memfds, and
	 * kernels before 6.3 do not know the flag (EINVAL). */
	fd = memfd_create("nsiso-init-handoff",
			  MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("nsiso-init-handoff", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		snprintf(err, errlen, "memfd_create for the handoff to %s: %s",
			 init_path, strerror(errno));
		return;
	}
	{
		ssize_t n = write(fd, st, sizeof(*st));

		if (n != (ssize_t)sizeof(*st)) {
			snprintf(err, errlen, "write the handoff to %s: %s", init_path,
				 n < 0 ? strerror(errno) : "short write");
			close(fd);
			return;
		}
	}
	if (fcntl(fd, F_ADD_SEALS, seals) < 0) {
		snprintf(err, errlen, "seal the handoff to %s (F_ADD_SEALS): %s",
			 init_path, strerror(errno));
		close(fd);
		return;
	}
	/* Every fd above 2 closes at the exec except the handed-over ones;
	 * a fd the helper forgot to mark must not reach the environment. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		snprintf(err, errlen, "close_range before exec of %s: %s",
			 init_path, strerror(errno));
		close(fd);
		return;
	}
	{
		int held[INIT_FDS_MAX];

		init_state_fds(st, held);
		if (keep_fd(fd, err, errlen) < 0) {
			close(fd);
			return;
		}
		for (int i = 0; i < INIT_FDS_MAX; i++)
			if (keep_fd(held[i], err, errlen) < 0) {
				close(fd);
				return;
			}
	}
	/* argv[0] is already the title ps shows, and makes room for it. */
	snprintf(title, sizeof(title), "nsiso-init: %s%s", st->user,
		 st->share == SHARE_SESSION ? " (session)" : "");
	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	syscall(SYS_execveat, exe_fd, "", argv, environ, AT_EMPTY_PATH);
	snprintf(err, errlen, "exec %s: %s", init_path, strerror(errno));
	close(fd);
}
