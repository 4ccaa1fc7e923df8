/* The helper's side of the environment's init: what the init process does
 * after set-up and before it execs nsiso-init (root/nsiso-init/nsiso-init.c), the
 * small static binary that serves the environment for its lifetime. Set-up
 * needs glibc; the long-lived init does not,
 * and keeping the forked helper resident cost ~1.4 MiB per environment.
 *
 * The exec keeps the process (PID 1, its namespaces, cgroup, credentials,
 * signal mask and ignored signals) and exactly the fds handed over; the
 * rest of the state travels in a sealed memfd (struct init_state). */
#include "helper.h"
#include "build.h"
#include "errmsg.h"
#include "kernel_calls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The plan's part of every reply, which never changes while the
 * environment lives: nsiso-init adds sessions, processes and its start
 * time; the build adds the policy's mtime (build.c) and the cgroup's
 * part (cgroup.c). */
_Static_assert(sizeof(NSISO_RELEASE) <= sizeof(((struct nsiso_reply *)0)->release),
	       "the release string does not fit the reply");

static void init_reply_from_plan(const struct env_plan *plan,
				 struct nsiso_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = NSISO_MAGIC;
	r->proto_version = NSISO_PROTO_VERSION;
	memcpy(r->release, NSISO_RELEASE, sizeof(NSISO_RELEASE));
	r->namespaces = plan->namespaces;
	r->uid = (uint32_t)plan->uid;
	r->linger = plan->linger;
	r->logins_max = plan->logins_max;
	r->stop_grace = plan->stop_grace;
	r->share = (uint32_t)plan->share;
	r->net_mode = (uint32_t)plan->net_mode;
	/* All fit: plan_make checked them against these same sizes. */
	memcpy(r->user, plan->user, sizeof(r->user) - 1);
	memcpy(r->hostname, plan->hostname, sizeof(r->hostname) - 1);
	memcpy(r->policy_path, plan->policy_path, sizeof(r->policy_path) - 1);
	plan_fill_reply(plan, r);
}

void init_state_init(struct init_state *st, const struct env_plan *plan)
{
	memset(st, 0, sizeof(*st));
	st->magic = NSISO_HANDOFF_MAGIC;
	st->version = NSISO_HANDOFF_VERSION;
	st->size = sizeof(*st);
	st->reply_size = sizeof(struct nsiso_reply);
	init_reply_from_plan(plan, &st->reply);
	snprintf(st->netns_name, sizeof(st->netns_name), "%s", plan->netns_name);
	st->listen_fd = st->rundir_fd = st->status_fd = st->sig_fd = -1;
	st->self_pidfd = st->proc_fd = -1;
	st->netns_fd = st->host_netns_fd = st->host_mnt_fd = -1;
	st->cgroup_parent_fd = st->cgroup_root_procs_fd = -1;
	st->utmp_fd = st->host_utmp_fd = -1;
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

/* The signals nsiso-init serves (SIGCHLD, SIGTERM) blocked and read
 * through a signalfd; every other one ignored. */
static int take_signals(struct build *b)
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
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return err_set(&b->err, errno, "block SIGCHLD and SIGTERM");
	b->st.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (b->st.sig_fd < 0)
		return err_set(&b->err, errno, "make the init's signalfd");
	return 0;
}

int init_step_prepare(struct build *b)
{
	struct init_state *st = &b->st;

	st->status_fd = b->status[1];
	if (take_signals(b) < 0)
		return -1;
	st->self_pidfd = pidfd_open(getpid(), 0);
	if (st->self_pidfd < 0)
		return err_set(&b->err, errno, "open the init's pidfd");
	if (b->plan->namespaces & NSISO_NS_PID) {
		/* Without it every process would count as gone and a
		 * teardown would kill live jobs: a set-up error. */
		st->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->proc_fd < 0)
			return err_set(&b->err, errno,
				       "open the environment's /proc");
	}
	return 0;
}

int init_step_open_binary(struct build *b)
{
	struct stat sb;

	if (sibling_path(NSISO_INIT_NAME, b->init_path, sizeof(b->init_path),
			 &b->err) < 0)
		return -1;
	b->exe_fd = open(b->init_path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (b->exe_fd < 0)
		return err_set(&b->err, errno,
			       "open %s (the environment's init, installed next to nsiso-helper)",
			       b->init_path);
	if (fstat(b->exe_fd, &sb) < 0)
		return err_set(&b->err, errno, "fstat %s", b->init_path);
	/* Exec'd as root in every environment: whoever could replace it
	 * would own them all. */
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 06022) != 0)
		return err_set(&b->err, EPERM,
			       "use %s: it must be a regular file owned by root, not group or world writable, not setuid or setgid (found uid %u, mode %04o)",
			       b->init_path, (unsigned)sb.st_uid,
			       (unsigned)(sb.st_mode & 07777));
	return 0;
}

/* b->st in a sealed memfd: its fd, or -1. */
static int seal_handoff(struct build *b)
{
	const unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
			       F_SEAL_WRITE;
	ssize_t n;
	int fd;

	/* Not executable: vm.memfd_noexec=2 refuses other memfds, and
	 * kernels before 6.3 do not know the flag (EINVAL). */
	fd = memfd_create("nsiso-init-handoff",
			  MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("nsiso-init-handoff", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return err_set(&b->err, errno, "make the memfd for the handoff to %s",
			       b->init_path);
	n = write(fd, &b->st, sizeof(b->st));
	if (n != (ssize_t)sizeof(b->st))
		err_set(&b->err, n < 0 ? errno : EIO, "write the handoff to %s",
			b->init_path);
	else if (fcntl(fd, F_ADD_SEALS, seals) < 0)
		err_set(&b->err, errno, "seal the handoff to %s", b->init_path);
	else
		return fd;
	close(fd);
	return -1;
}

/* Every fd above 2 closes at the exec except the handoff and the
 * handed-over ones: a fd the helper forgot to mark must not reach the
 * environment. */
static int keep_only(struct build *b, int handoff_fd)
{
	int held[INIT_FDS_MAX + 1];

	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return err_set(&b->err, errno, "mark fds close-on-exec before exec of %s",
			       b->init_path);
	init_state_fds(&b->st, held);
	held[INIT_FDS_MAX] = handoff_fd;
	for (int i = 0; i < INIT_FDS_MAX + 1; i++)
		if (held[i] >= 0 && fcntl(held[i], F_SETFD, 0) < 0)
			return err_set(&b->err, errno, "keep fd %d for %s",
				       held[i], b->init_path);
	return 0;
}

int init_step_exec(struct build *b)
{
	struct init_state *st = &b->st;
	extern char **environ;
	char title[128], fdarg[16];
	char *argv[] = { title, "--handoff", fdarg, NULL };
	int fd;

	/* Set-up only: the init never needs them again. */
	st->netns_fd = st->host_netns_fd = -1;
	if (!st->netns_published)
		st->host_mnt_fd = -1;
	fd = seal_handoff(b);
	if (fd < 0)
		return -1;
	if (keep_only(b, fd) < 0) {
		close(fd);
		return -1;
	}
	/* argv[0] is already the title ps shows, and makes room for it. */
	snprintf(title, sizeof(title), "nsiso-init: %s%s", st->reply.user,
		 st->reply.share == SHARE_SESSION ? " (session)" : "");
	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	syscall(SYS_execveat, b->exe_fd, "", argv, environ, AT_EMPTY_PATH);
	err_set(&b->err, errno, "exec %s", b->init_path);
	close(fd);
	return -1;
}
