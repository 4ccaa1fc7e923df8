/* Building an environment: lock, socket, namespaces, init.
 *
 *   helper (host) --clone3(namespaces, into its cgroup)--> I
 *   I, PID 1 of the new PID namespace, leaves the login's session and
 *   sheds its identity, sets the environment up from inside and reports
 *   "ready" or an error over a pipe; only then does the helper print the
 *   socket name, release the build lock and exit, and I goes to whoever
 *   adopts the helper's orphans. A set-up that fails, or does not finish
 *   in time, is killed and reaped before anything it made is removed.
 *
 * The helper and I each run tables of named steps (host_steps;
 * shed_steps and init_steps; then the teardown's), all on one struct build
 * (build.h); the first failure's struct nsiso_err travels up or over the
 * status pipe unchanged and leaves through helper_report() once. */
#include "helper.h"
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#include "cgroup_teardown.h"
#include "envjoin.h"
#include "errmsg.h"
#include "fault.h"
#include "net_teardown.h"
#include "proto.h"
#include "rundir.h"

/* The first login's limits (pam_limits ran before us) must not become every
 * later login's: take host PID 1's, the limits a fresh service gets. */
static int rlimits_copy(struct nsiso_err *e)
{
	for (int res = 0; res < RLIM_NLIMITS; res++) {
		struct rlimit lim;

		if (prlimit(1, res, NULL, &lim) < 0)
			return err_set(e, errno, "read resource limit %d of PID 1", res);
		if (setrlimit(res, &lim) < 0 && errno == EPERM) {
			/* Raising a hard limit needs CAP_SYS_RESOURCE, which a
			 * container may withhold: keep the current hard limit
			 * and take PID 1's soft limit below it. */
			struct rlimit cur;

			if (getrlimit(res, &cur) < 0)
				return err_set(e, errno, "read resource limit %d", res);
			if (lim.rlim_max > cur.rlim_max)
				lim.rlim_max = cur.rlim_max;
			if (lim.rlim_cur > lim.rlim_max)
				lim.rlim_cur = lim.rlim_max;
			if (setrlimit(res, &lim) == 0)
				continue;
		}
		if (setrlimit(res, &lim) < 0)
			return err_set(e, errno, "set resource limit %d", res);
	}
	return 0;
}

int copy_init_rlimits(void)
{
	struct nsiso_err e = { .msg = "" };

	if (rlimits_copy(&e) == 0)
		return 0;
	helper_report(&e);
	return -1;
}

#define LOGINUID_UNSET "4294967295"

/* Whether the loginuid reads as unset already. */
static bool loginuid_is_unset(void)
{
	char buf[16] = "";
	int fd = open("/proc/self/loginuid", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && strncmp(buf, LOGINUID_UNSET, strlen(LOGINUID_UNSET)) == 0;
}

/* Unset the audit loginuid (and with it the audit session) inherited from
 * the login that happens to build the environment. */
static int reset_loginuid(struct nsiso_err *e)
{
	int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int saved;

	if (fd < 0) {
		if (errno == ENOENT) /* kernel without audit: nothing to reset */
			return 0;
		return err_set(e, errno, "open /proc/self/loginuid");
	}
	n = write(fd, LOGINUID_UNSET, strlen(LOGINUID_UNSET));
	saved = errno;
	close(fd);
	if (n >= 0)
		return 0;
	/* Already unset (no pam_loginuid in the stack): EPERM is what an
	 * unchanged value gives without CAP_AUDIT_CONTROL. */
	if ((saved == EPERM || saved == EINVAL) && loginuid_is_unset())
		return 0;
	/* An immutable loginuid (auditctl --loginuid-immutable) refuses even
	 * root; denying every login for it would be worse than an init that
	 * keeps the first login's audit identity, so warn and go on. */
	helper_error(saved,
		     "warning: cannot reset /proc/self/loginuid; the environment keeps the audit identity of the login that built it");
	return 0;
}

/* How long the helper waits for a new environment to report ready (the
 * fault build can shorten it, fault.h). */
#define SETUP_TIMEOUT_MS 30000
/* How long a killed init may take to exit: a process blocked in a
 * FUSE request dies at once, one in an uninterruptible NFS wait may not,
 * and the module gives up on the helper 15 s after the deadline. */
#define REAP_TIMEOUT_MS 5000
#define SETUP_STEP_LEN 512

/* What the init's set-up has done, in memory it shares with the helper
 * until it execs nsiso-init: an overdue set-up's denial names the step
 * and the path it hung on, and the helper can remove a netns name that an
 * init killed (or crashed) after publishing it left behind. b->shared is
 * NULL when the memory could not be mapped. */
struct setup_shared {
	char step[SETUP_STEP_LEN];
	/* netns_create: the netns the init published, 0 until then */
	uint64_t netns_dev, netns_ino;
};

void setup_step_set(struct build *b, const char *fmt, ...)
{
	va_list ap;

	if (b->shared == NULL || !b->is_setup)
		return;
	/* vsnprintf never writes the last byte but as a NUL: the helper can
	 * read it whatever state the init died in. */
	va_start(ap, fmt);
	vsnprintf(b->shared->step, SETUP_STEP_LEN, fmt, ap);
	va_end(ap);
}

int run_steps(struct build *b, const struct step *steps, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		int rc;

		setup_step_set(b, "%s", steps[i].name);
		rc = steps[i].run(b);
		if (rc != 0)
			return rc;
		if (steps[i].fault != NULL)
			fault_point(steps[i].fault);
	}
	return 0;
}

/* Closes an fd that is still open and marks it closed (-1). */
static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_pair(int p[2])
{
	close_fd(&p[0]);
	close_fd(&p[1]);
}

/* Sends b->err to the helper over the status pipe, as it is: the init
 * reports nothing itself. If the helper is gone there is no one left
 * to tell: ignored. One write of at most PIPE_BUF bytes is atomic. */
static void report_to_helper(const struct build *b)
{
	(void)!write(b->status[1], &b->err, sizeof(b->err));
}

/* ---- The init: set up from inside, then exec nsiso-init ---- */

/* The helper's stdout/stderr are pipes the module reads until EOF: the
 * long-lived init must not hold them. */
static int init_stdio_null(struct build *b)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull < 0)
		return err_set(&b->err, errno, "open /dev/null for the init");
	if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0) {
		err_set(&b->err, errno, "point the init's stdio at /dev/null");
		close(devnull);
		return -1;
	}
	close(devnull);
	return 0;
}

static int init_drop_groups(struct build *b)
{
	if (setgroups(0, NULL) < 0)
		return err_set(&b->err, errno, "drop the init's supplementary groups");
	return 0;
}

/* Host mounts still reach the environment; nothing made in here reaches
 * the host. */
static int init_rslave(struct build *b)
{
	if (!(b->plan->namespaces & NSISO_NS_MOUNT))
		return 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return err_set(&b->err, errno, "make / rslave");
	return 0;
}

/* procfs shows the PID namespace of whoever mounts it: only PID 1 here
 * can mount the one the session must see. */
static int init_mount_proc(struct build *b)
{
	if (!(b->plan->namespaces & NSISO_NS_PID))
		return 0;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return err_set(&b->err, errno, "mount proc on /proc");
	return 0;
}

static int init_hostname(struct build *b)
{
	const struct env_plan *plan = b->plan;

	if (plan->set_hostname &&
	    sethostname(plan->hostname, strlen(plan->hostname)) < 0)
		return err_set(&b->err, errno, "set the host name %s", plan->hostname);
	return 0;
}

/* The init, once its netns is published: which netns the name holds, so
 * that the helper can remove the name if the init dies. */
static int init_note_published(struct build *b)
{
	struct stat sb;

	if (b->shared == NULL || !b->st.netns_published ||
	    stat("/proc/self/ns/net", &sb) < 0)
		return 0; /* then the name is left to ip netns del, as before */
	b->shared->netns_dev = sb.st_dev;
	b->shared->netns_ino = sb.st_ino;
	return 0;
}

static int init_listen(struct build *b)
{
	if (listen(b->st.listen_fd, 512) < 0)
		return err_set(&b->err, errno, "listen on %s/%s", NSISO_RUNDIR,
			       b->st.socket_name);
	return 0;
}

/* In order; nsiso-init reports ready once it has the handoff, so a failed
 * exec is a set-up error like any other. */
static const struct step init_steps[] = {
	{ "point the init's stdio at /dev/null", init_stdio_null, NULL },
	{ "drop the init's supplementary groups", init_drop_groups, NULL },
	{ "make / rslave", init_rslave, NULL },
	{ "mount proc on /proc", init_mount_proc, NULL },
	{ "mount the environment's mqueue", mounts_step_mqueue, NULL },
	{ "set the host name", init_hostname, NULL },
	{ "resolve the host name in /etc/hosts", hosts_step_name, NULL },
	{ "the policy's mounts", mounts_step_apply, "mounted" },
	{ "the network set-up", net_step_setup_inside, "network" },
	{ "publish the netns", net_step_publish, NULL },
	{ "note the published netns", init_note_published, NULL },
	{ "bind the environment's utmp over /run/utmp", utmp_step_bind, NULL },
	{ "cover " NSISO_RUNDIR " with the marker", mounts_step_marker, NULL },
	{ "preparing nsiso-init", init_step_prepare, NULL },
	{ "listen on the socket", init_listen, "ready" },
	{ "starting nsiso-init", init_step_exec, NULL },
};

/* ---- The init, first: out of the login ---- */

static int shed_close_helper_end(struct build *b)
{
	close_fd(&b->status[0]);
	return 0;
}

/* A session of its own before anything else: no controlling tty of the
 * login can ever reach the init (TIOCSTI, SIGHUP on hang-up, ^Z or ^C from
 * an su invoker's terminal); its sid is its pid and no process group of
 * the login reaches it. */
static int shed_setsid(struct build *b)
{
	if (setsid() < 0)
		return err_set(&b->err, errno, "start the environment's session");
	return 0;
}

/* The resource limits are host PID 1's already: main() copied them
 * (copy_init_rlimits) before the plan was made, and the init inherits
 * them. */
int shed_step_login(struct build *b)
{
	if (reset_loginuid(&b->err) < 0)
		return err_wrap(&b->err,
				"detach the environment from the login that builds it");
	return 0;
}

/* The init needs the directory no more. */
static int shed_close_cgroup(struct build *b)
{
	if (b->cgroup_fd >= 0)
		close_fd(&b->cgroup_fd);
	return 0;
}

/* The cgroup namespace, once the init is in the environment's cgroup: a
 * cgroup namespace is rooted where its maker is, and clone3 makes the
 * child's before it places it (host_start_init). */
static int shed_unshare_cgroup(struct build *b)
{
	if (!(b->plan->namespaces & NSISO_NS_CGROUP))
		return 0;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return err_set(&b->err, errno, "unshare the cgroup namespace");
	return 0;
}

static const struct step shed_steps[] = {
	{ "close the helper's end of the pipe", shed_close_helper_end, NULL },
	{ "start the environment's session", shed_setsid, NULL },
	{ "shed the login's identity", shed_step_login, NULL },
	{ "join the environment's cgroup", cgroup_step_enter, NULL },
	{ "close the cgroup directory", shed_close_cgroup, NULL },
	{ "unshare the cgroup namespace", shed_unshare_cgroup, NULL },
	{ "enter the network namespace", net_step_enter, "unshared" },
};

__attribute__((noreturn)) static void run_init(struct build *b)
{
	close_fd(&b->lock_fd); /* the helper releases it */
	if (RUN_STEPS(b, shed_steps) < 0) {
		report_to_helper(b);
		_exit(1);
	}
	(void)RUN_STEPS(b, init_steps); /* returns only on failure */
	/* Nothing half-built: the veth and a published netns name live
	 * outside this process and would outlive it. */
	net_teardown_inside(&b->st);
	net_unpublish(&b->st);
	report_to_helper(b);
	_exit(1);
}

/* ---- The helper, on the host ---- */

static int host_open_rundir(struct build *b)
{
	b->st.rundir_fd = rundir_open(1, &b->err);
	return b->st.rundir_fd < 0 ? -1 : 0;
}

static void random_suffix(char *buf, size_t len)
{
	unsigned char r[6];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* getrandom only fails before the pool is seeded: fall back to
		 * pid and time, uniqueness is all we need (the name is not a
		 * secret; the directory is root-only). */
		snprintf(buf, len, "%x%lx", (unsigned)getpid(), (long)time(NULL));
		return;
	}
	snprintf(buf, len, "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
		 r[4], r[5]);
}

/* The socket's, the lock's and the cgroup's names; and the policy's
 * mtime, which "nsiso list" compares with the file's current one to show
 * environments built from an older policy. */
static int host_names(struct build *b)
{
	const struct env_plan *plan = b->plan;
	struct stat ps;

	if (plan->share == SHARE_USER) {
		proto_user_socket_name(plan->uid, b->st.socket_name,
				       sizeof(b->st.socket_name));
		proto_user_lock_name(plan->uid, b->lock_name, sizeof(b->lock_name));
		snprintf(b->env_name, sizeof(b->env_name), "user-%u",
			 (unsigned)plan->uid);
	} else {
		char suffix[32];

		random_suffix(suffix, sizeof(suffix));
		snprintf(b->st.socket_name, sizeof(b->st.socket_name),
			 "session-%u-%s.sock", (unsigned)plan->uid, suffix);
		snprintf(b->env_name, sizeof(b->env_name), "session-%u-%s",
			 (unsigned)plan->uid, suffix);
	}
	if (stat(plan->policy_path, &ps) == 0)
		b->st.reply.policy_mtime = (long long)ps.st_mtime;
	return 0;
}

/* Whether a live init answers at name (a concurrent login built it):
 * 1 alive, 0 no init behind the name, -1 an init that cannot answer now
 * (busy, slow): then it is alive, and building a second one for the same
 * user would be wrong. */
static int alive(const char *name)
{
	struct nsiso_reply r;
	int fd = proto_connect(name, NULL), pidfd, rc;

	if (fd < 0)
		return errno == ENOENT || errno == ECONNREFUSED ? 0 : -1;
	rc = proto_call(fd, OP_STATUS, &r, &pidfd) == 0 ? 1 : -1;
	if (rc < 0 && errno == ECONNRESET)
		rc = 0; /* it closed on us: it was ending */
	close(fd);
	return rc;
}

/* share = user: the build lock, under which a live init at the socket
 * (a concurrent login built it) is the answer (1: done), and a socket with
 * nothing behind it, left by a crash, is removed. */
static int host_lock(struct build *b)
{
	const char *sock = b->st.socket_name;

	if (b->plan->share != SHARE_USER)
		return 0;
	b->lock_fd = rundir_lock(b->st.rundir_fd, b->lock_name, true);
	if (b->lock_fd < 0)
		return err_set(&b->err, errno, "lock %s/%s", NSISO_RUNDIR,
			       b->lock_name);
	fault_point("locked");
	switch (alive(sock)) {
	case 1:
		printf("%s\n", sock);
		return 1;
	case -1:
		return err_set(&b->err, errno, "reach the environment at %s/%s",
			       NSISO_RUNDIR, sock);
	}
	/* We hold the lock, so no live init can own it. */
	if (unlinkat(b->st.rundir_fd, sock, 0) < 0 && errno != ENOENT)
		return err_set(&b->err, errno, "remove stale %s/%s", NSISO_RUNDIR,
			       sock);
	return 0;
}

/* Bound here, listened on by the init: SO_PEERCRED reports who called
 * listen(), and clients check that it is the init. */
static int host_bind(struct build *b)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct init_state *st = &b->st;
	struct stat sb;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", NSISO_RUNDIR,
		 st->socket_name);
	st->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (st->listen_fd < 0)
		return err_set(&b->err, errno, "make the socket for %s", sa.sun_path);
	if (bind(st->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_set(&b->err, errno, "bind %s", sa.sun_path);
		close_fd(&st->listen_fd); /* not ours to unlink */
		return -1;
	}
	/* From here a failure unlinks the name (host_unlink_socket). */
	if (fstatat(st->rundir_fd, st->socket_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(&b->err, errno, "stat %s", sa.sun_path);
	st->socket_dev = sb.st_dev;
	st->socket_ino = sb.st_ino;
	return 0;
}

/* status: the init's report. */
static int host_pipes(struct build *b)
{
	if (pipe2(b->status, O_CLOEXEC) < 0)
		return err_set(&b->err, errno, "make the set-up's pipe");
	return 0;
}

/* Only the denial's detail, and a crashed init's netns name, are lost
 * without it: a warning. */
static int host_map_shared(struct build *b)
{
	void *mem = mmap(NULL, sizeof(*b->shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		helper_error(errno, "warning: map memory for the set-up's steps");
	else
		b->shared = mem;
	return 0;
}

static void unmap_shared(struct build *b)
{
	if (b->shared != NULL)
		(void)munmap(b->shared, sizeof(*b->shared));
	b->shared = NULL;
}

/* The init, in one clone3: in the environment's cgroup, with the
 * policy's namespaces (PID 1 of a new PID namespace). The network
 * namespace may be an admin's, to join (net_step_enter), and the cgroup
 * namespace must be made once the init is in its cgroup
 * (shed_unshare_cgroup): the init makes both itself. */
static int host_start_init(struct build *b)
{
	unsigned ns = b->plan->namespaces &
		      ~(unsigned)(NSISO_NS_NET | NSISO_NS_CGROUP);

	fflush(stdout);
	fflush(stderr);
	b->child = cgroup_clone(b, (uint64_t)(unsigned)nsiso_ns_env_clone_flags(ns));
	if (b->child < 0)
		return -1;
	if (b->child == 0) {
		b->is_setup = true;
		run_init(b);
	}
	close_fd(&b->status[1]);
	return 0;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Waits up to timeout_ms for fd to be readable: 1 readable (or EOF), 0
 * the deadline passed, -1 poll failed (in e). */
static int readable_by(int fd, const struct timespec *start, int timeout_ms,
		       struct nsiso_err *e)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long waited = ms_since(start);
		int n;

		if (waited >= timeout_ms)
			return 0;
		n = poll(&p, 1, (int)(timeout_ms - waited));
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return err_set(e, errno, "poll the set-up's report pipe");
	}
}

/* Reads the init's report until EOF, into buf: its length, -1 on a poll
 * error (in e), -2 when the deadline passed. A set-up stuck on a hung
 * NFS home or a user's FUSE daemon must not hold the build lock, and with
 * it every later login of the user, forever. */
static ssize_t read_report(int fd, int timeout_ms, char *buf, size_t len,
			   struct nsiso_err *e)
{
	struct timespec start;
	size_t used = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (used < len) {
		int r = readable_by(fd, &start, timeout_ms, e);
		ssize_t n;

		if (r < 0)
			return -1;
		if (r == 0)
			return -2; /* the caller names the step it hung on */
		n = read(fd, buf + used, len - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	return (ssize_t)used;
}

/* The init's report: "K" (nsiso-init is serving) or a struct nsiso_err
 * as the init or nsiso-init sent it. 0 ready, -1 failed, -2 the
 * deadline passed (in e). */
static int wait_ready(int fd, int timeout_ms, struct nsiso_err *e)
{
	char buf[sizeof(*e)];
	ssize_t n = read_report(fd, timeout_ms, buf, sizeof(buf), e);

	if (n < 0)
		return (int)n;
	if (n == 1 && buf[0] == 'K')
		return 0;
	if (n == 0)
		return err_set(e, 0, "the environment's init died during set-up");
	if ((size_t)n != sizeof(*e))
		return err_set(e, 0, "read the set-up's report: %zd bytes, not %zu",
			       n, sizeof(*e));
	memcpy(e->msg, buf, sizeof(e->msg));
	e->msg[sizeof(e->msg) - 1] = '\0'; /* whatever the sender left */
	return -1;
}

/* waitpid with a deadline: true once pid is reaped (or was already). */
static bool reap_within(pid_t pid, int timeout_ms, const char *what)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (r < 0 && errno != EINTR) {
			helper_error(errno, "wait for %s (pid %d)", what, (int)pid);
			return false;
		}
		if (ms_since(&start) >= timeout_ms) {
			helper_error(0, "%s (pid %d) did not exit within %d ms of SIGKILL",
				     what, (int)pid, timeout_ms);
			return false;
		}
		usleep(5000);
	}
}

/* netns_create: a name the failed init published stays bound to its
 * netns and would pin it; removed only if it still names that netns (we
 * hold the build lock, but an admin may own a name of the same spelling). */
static void unpublish_failed(struct build *b)
{
	char path[300];
	struct stat sb;

	if (b->shared == NULL || b->shared->netns_ino == 0)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", b->st.netns_name);
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT) /* ENOENT: the init removed it itself */
			helper_error(errno, "stat %s", path);
		return;
	}
	if ((uint64_t)sb.st_dev != b->shared->netns_dev ||
	    (uint64_t)sb.st_ino != b->shared->netns_ino)
		return;
	b->st.netns_published = true;
	net_unpublish(&b->st);
}

/* After a failed or overdue set-up nothing of it may keep running: the
 * init is killed (a FUSE request's wait is killable) and reaped, so its
 * namespaces go and its cgroup empties before the teardown removes that.
 * It is the helper's own child, so its pid cannot be reused before the
 * helper reaps it. */
static void stop_setup(struct build *b)
{
	if (kill(b->child, SIGKILL) < 0 && errno != ESRCH)
		helper_error(errno, "kill the environment's init (pid %d)", (int)b->child);
	if (reap_within(b->child, REAP_TIMEOUT_MS, "the environment's init"))
		unpublish_failed(b);
}

/* One failure path for every way a set-up fails: whatever the init did or
 * did not report, stop it first; the teardown then removes what the build
 * made, as before. */
static int host_wait_ready(struct build *b)
{
	int timeout_ms = fault_setup_timeout_ms(SETUP_TIMEOUT_MS);
	int rc = wait_ready(b->status[0], timeout_ms, &b->err);

	if (rc == 0)
		return 0; /* the init serves; it outlives this process */
	if (rc == -2)
		err_set(&b->err, 0,
			"the environment's set-up did not finish within %d ms (at: %s); its init was killed",
			timeout_ms,
			b->shared != NULL && b->shared->step[0] != '\0'
				? b->shared->step
				: "an unknown step");
	stop_setup(b);
	return -1;
}

static int host_print_name(struct build *b)
{
	printf("%s\n", b->st.socket_name);
	return 0;
}

static const struct step host_steps[] = {
	{ "open " NSISO_RUNDIR, host_open_rundir, NULL },
	{ "name the environment", host_names, NULL },
	{ "take the build lock", host_lock, NULL },
	/* Before any namespace or mount: the environment's mounts may hide
	 * the directory it is in. */
	{ "open nsiso-init", init_step_open_binary, NULL },
	{ "bind the socket", host_bind, "bound" },
	{ "create the environment's utmp", utmp_step_create, NULL },
	{ "prepare the host's network", net_step_prepare_host, NULL },
	{ "make the set-up's pipes", host_pipes, NULL },
	{ "open the cgroup", cgroup_step_open, NULL },
	{ "set the slice's limits", slice_step_apply, NULL },
	{ "map the set-up's shared memory", host_map_shared, NULL },
	{ "start the environment's init", host_start_init, NULL },
	{ "wait for the set-up", host_wait_ready, NULL },
	{ "print the socket's name", host_print_name, NULL },
};

/* ---- Teardown: after a failure, what the build made; always, its fds ---- */

static int teardown_cgroup(struct build *b)
{
	env_cgroup_remove(&b->st); /* nothing when no directory was made */
	return 0;
}

/* The name host_bind made (listen_fd open): never an older one. */
static int teardown_socket(struct build *b)
{
	if (b->st.listen_fd < 0)
		return 0;
	if (unlinkat(b->st.rundir_fd, b->st.socket_name, 0) < 0 && errno != ENOENT)
		helper_error(errno, "remove %s/%s", NSISO_RUNDIR, b->st.socket_name);
	return 0;
}

/* The file utmp_step_create made (utmp_fd open): never an older one. */
static int teardown_utmp(struct build *b)
{
	utmp_remove(&b->st);
	return 0;
}

static int teardown_fds(struct build *b)
{
	close_pair(b->status);
	unmap_shared(b);
	nl_close(&b->host_nl);
	close_fd(&b->exe_fd);
	close_fd(&b->cgroup_fd);
	env_cgroup_close(&b->st);
	close_fd(&b->st.listen_fd);
	close_fd(&b->st.netns_fd);
	close_fd(&b->st.host_netns_fd);
	close_fd(&b->st.host_mnt_fd);
	close_fd(&b->st.utmp_fd);
	close_fd(&b->st.host_utmp_fd);
	close_fd(&b->lock_fd); /* last: it kept the build to ourselves */
	close_fd(&b->st.rundir_fd);
	return 0;
}

static const struct step failed_teardown_steps[] = {
	{ "remove the cgroup", teardown_cgroup, NULL },
	{ "remove the socket", teardown_socket, NULL },
	{ "remove the utmp file", teardown_utmp, NULL },
};

static const struct step teardown_steps[] = {
	{ "close the build's fds", teardown_fds, NULL },
};

static void build_init(struct build *b, const struct env_plan *plan)
{
	memset(b, 0, sizeof(*b));
	b->plan = plan;
	init_state_init(&b->st, plan);
	b->lock_fd = b->exe_fd = b->cgroup_fd = b->publish_fd = b->host_nl.fd = -1;
	b->status[0] = b->status[1] = -1;
}

int build_environment(const struct env_plan *plan)
{
	struct build b;
	int rc;

	build_init(&b, plan);
	rc = RUN_STEPS(&b, host_steps);
	if (rc < 0) {
		err_wrap(&b.err, "build the environment of %s", plan->user);
		helper_report(&b.err);
		(void)RUN_STEPS(&b, failed_teardown_steps);
	}
	(void)RUN_STEPS(&b, teardown_steps);
	return rc < 0 ? 1 : 0;
}
