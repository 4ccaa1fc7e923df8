/* Building an environment: lock, socket, namespaces, init.
 *
 *   helper (host) --fork--> C: setsid, unshare(namespaces) --fork--> I
 *   C exits at once, so I (PID 1 of the new PID namespace) is reparented
 *   away from the login that built it: to the helper, a child subreaper
 *   for the build, and when the helper exits to whoever adopts it. I sets
 *   the environment up from inside and reports "ready" or an error over a
 *   pipe; only then does the helper print the socket name and release the
 *   build lock. A set-up that fails, or does not finish in time, is
 *   killed and reaped before anything it made is removed. */
#include "helper.h"

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
#include <sys/prctl.h>
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

/* How long the helper waits for a new environment to report ready (the
 * fault build can shorten it, fault.h). */
#define SETUP_TIMEOUT_MS 30000
/* How long a killed C or init may take to exit: a process blocked in a
 * FUSE request dies at once, one in an uninterruptible NFS wait may not,
 * and the module gives up on the helper 15 s after the deadline. */
#define REAP_TIMEOUT_MS 5000
#define SETUP_STEP_LEN 512

/* What the init's set-up has done, in memory it shares with the helper
 * until it execs nsiso-init: an overdue set-up's denial names the step
 * and the path it hung on, and the helper can remove a netns name that an
 * init killed (or crashed) after publishing it left behind. NULL when the
 * memory could not be mapped. */
struct setup_shared {
	char step[SETUP_STEP_LEN];
	/* netns_create: the netns the init published, 0 until then */
	uint64_t netns_dev, netns_ino;
};
static struct setup_shared *setup_shared;

void setup_step_set(const char *fmt, ...)
{
	va_list ap;

	if (setup_shared == NULL)
		return;
	/* vsnprintf never writes the last byte but as a NUL: the helper can
	 * read it whatever state the init died in. */
	va_start(ap, fmt);
	vsnprintf(setup_shared->step, SETUP_STEP_LEN, fmt, ap);
	va_end(ap);
}

/* The init, once its netns is published: which netns the name holds. */
static void note_published_netns(const struct init_state *st)
{
	struct stat sb;

	if (setup_shared == NULL || !st->netns_published ||
	    stat("/proc/self/ns/net", &sb) < 0)
		return; /* then the name is left to ip netns del, as before */
	setup_shared->netns_dev = sb.st_dev;
	setup_shared->netns_ino = sb.st_ino;
}

/* The namespaces C unshares; net is left to net_enter(), which may join
 * an admin's netns instead. */
static int clone_flags(unsigned namespaces)
{
	return env_clone_flags(namespaces & ~(unsigned)NSISO_NS_NET);
}

/* The first login's limits (pam_limits ran before us) must not become every
 * later login's: take host PID 1's, the limits a fresh service gets. */
int copy_init_rlimits(void)
{
	for (int res = 0; res < RLIM_NLIMITS; res++) {
		struct rlimit lim;

		if (prlimit(1, res, NULL, &lim) < 0) {
			helper_error(errno, "read resource limit %d of PID 1", res);
			return -1;
		}
		if (setrlimit(res, &lim) < 0 && errno == EPERM) {
			/* Raising a hard limit needs CAP_SYS_RESOURCE, which a
			 * container may withhold: keep the current hard limit
			 * and take PID 1's soft limit below it. */
			struct rlimit cur;

			if (getrlimit(res, &cur) < 0) {
				helper_error(errno, "read resource limit %d", res);
				return -1;
			}
			if (lim.rlim_max > cur.rlim_max)
				lim.rlim_max = cur.rlim_max;
			if (lim.rlim_cur > lim.rlim_max)
				lim.rlim_cur = lim.rlim_max;
			if (setrlimit(res, &lim) == 0)
				continue;
		}
		if (setrlimit(res, &lim) < 0) {
			helper_error(errno, "set resource limit %d", res);
			return -1;
		}
	}
	return 0;
}

/* Unset the audit loginuid (and with it the audit session) inherited from
 * the login that happens to build the environment. */
static int reset_loginuid(void)
{
	static const char unset[] = "4294967295";
	int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		if (errno == ENOENT) /* kernel without audit: nothing to reset */
			return 0;
		helper_error(errno, "open /proc/self/loginuid");
		return -1;
	}
	n = write(fd, unset, sizeof(unset) - 1);
	if (n < 0) {
		int saved = errno;
		close(fd);
		/* Already unset (no pam_loginuid in the stack): EPERM is what
		 * an unchanged value gives without CAP_AUDIT_CONTROL. */
		if (saved == EPERM || saved == EINVAL) {
			char buf[16] = "";
			int r = open("/proc/self/loginuid", O_RDONLY | O_CLOEXEC);
			if (r >= 0) {
				ssize_t k = read(r, buf, sizeof(buf) - 1);
				close(r);
				if (k > 0 && strncmp(buf, unset, sizeof(unset) - 1) == 0)
					return 0;
			}
		}
		/* An immutable loginuid (auditctl --loginuid-immutable)
		 * refuses even root; denying every login for it would be
		 * worse than an init that keeps the first login's audit
		 * identity, so warn and go on. */
		helper_error(saved,
			     "warning: cannot reset /proc/self/loginuid; the environment keeps the audit identity of the login that built it");
		return 0;
	}
	close(fd);
	return 0;
}

int shed_login_identity(int cgroup_fd, const struct init_state *st)
{
	if (copy_init_rlimits() < 0 || reset_loginuid() < 0)
		return -1;
	/* Born in its cgroup already (clone3), or moved there now. */
	if (cgroup_fd >= 0 && env_cgroup_enter(cgroup_fd, st) < 0)
		return -1;
	return 0;
}

static int listen_at(int rundir_fd, const char *name, struct init_state *st)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", NSISO_RUNDIR, name);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		helper_error(errno, "socket for %s", sa.sun_path);
		return -1;
	}
	/* Bound here, listened on by the init: SO_PEERCRED reports who
	 * called listen(), and clients check that it is the init. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		helper_error(errno, "bind %s", sa.sun_path);
		close(fd);
		return -1;
	}
	if (fstatat(rundir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		helper_error(errno, "stat %s", sa.sun_path);
		(void)unlinkat(rundir_fd, name, 0); /* undo our own bind */
		close(fd);
		return -1;
	}
	st->socket_dev = sb.st_dev;
	st->socket_ino = sb.st_ino;
	return fd;
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

static void report_to_parent(int fd, const char *msg)
{
	size_t len = strlen(msg);

	/* If the helper is gone there is no one left to tell: ignore. */
	(void)!write(fd, msg, len);
}

/* The init side of the fork: set up from inside, report, serve. */
__attribute__((noreturn)) static void run_init(const struct env_plan *plan,
					       struct init_state *st,
					       int status_fd, int exe_fd)
{
	char err[1024] = "";
	int devnull;

	/* The helper's stdout/stderr are pipes the module reads until EOF:
	 * the long-lived init must not hold them. */
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
	    dup2(devnull, 2) < 0) {
		snprintf(err, sizeof(err), "E/dev/null for the init: %s",
			 strerror(errno));
		goto fail;
	}
	close(devnull);
	/* C made the session; the init leads one of its own, so its sid is
	 * its pid and no process group of the login reaches it. */
	if (setsid() < 0) {
		snprintf(err, sizeof(err), "Esetsid in the init: %s",
			 strerror(errno));
		goto fail;
	}
	if (setgroups(0, NULL) < 0) {
		snprintf(err, sizeof(err), "Esetgroups in the init: %s",
			 strerror(errno));
		goto fail;
	}
	if (plan->namespaces & NSISO_NS_MOUNT) {
		/* Host mounts still reach the environment; nothing made in
		 * here reaches the host. */
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
			snprintf(err, sizeof(err), "Emake / rslave: %s",
				 strerror(errno));
			goto fail;
		}
	}
	if (plan->namespaces & NSISO_NS_PID) {
		setup_step_set("mount proc on /proc");
		/* procfs shows the PID namespace of whoever mounts it: only
		 * PID 1 here can mount the one the session must see. */
		if (mount("proc", "/proc", "proc",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
			snprintf(err, sizeof(err), "Emount proc on /proc: %s",
				 strerror(errno));
			goto fail;
		}
	}
	if ((plan->namespaces & NSISO_NS_IPC) && (plan->namespaces & NSISO_NS_MOUNT) &&
	    mount_own_mqueue(err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	if (plan->set_hostname &&
	    sethostname(plan->hostname, strlen(plan->hostname)) < 0) {
		snprintf(err, sizeof(err), "Esethostname %s: %s", plan->hostname,
			 strerror(errno));
		goto fail;
	}
	setup_step_set("the policy's mounts");
	if (apply_mounts(plan, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	fault_point("mounted");
	setup_step_set("the network set-up");
	if (net_setup_inside(plan, st, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	fault_point("network");
	if (net_publish(plan, st, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	note_published_netns(st);
	if ((plan->namespaces & NSISO_NS_MOUNT) &&
	    mount_marker(plan, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	st->status_fd = status_fd;
	setup_step_set("preparing nsiso-init");
	if (init_prepare(plan, st, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	if (listen(st->listen_fd, 512) < 0) {
		snprintf(err, sizeof(err), "Elisten on %s/%s: %s", NSISO_RUNDIR,
			 st->socket_name, strerror(errno));
		goto fail;
	}
	fault_point("ready");
	/* nsiso-init reports ready once it has the handoff; a failed exec
	 * is a set-up error like any other. */
	setup_step_set("starting nsiso-init");
	init_exec(exe_fd, st, err + 1, sizeof(err) - 1);
	err[0] = 'E';
fail:
	/* Nothing half-built: the veth and a published netns name live
	 * outside this process and would outlive it. */
	net_teardown_inside(st);
	net_unpublish(st);
	report_to_parent(status_fd, err);
	_exit(1);
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

static void map_setup_shared(void)
{
	void *mem = mmap(NULL, sizeof(*setup_shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED) {
		/* Only the denial's detail, and a crashed init's netns
		 * name, are lost. */
		helper_error(errno, "warning: map memory for the set-up's steps");
		return;
	}
	setup_shared = mem;
}

static void unmap_setup_shared(void)
{
	if (setup_shared != NULL)
		(void)munmap(setup_shared, sizeof(*setup_shared));
	setup_shared = NULL;
}

static const char *step_text(void)
{
	return setup_shared != NULL && setup_shared->step[0] != '\0'
		       ? setup_shared->step
		       : "an unknown step";
}

/* The fds of the build that C (run_first) uses or must not keep. */
struct first_fds {
	int *status, *init_pid;
	int cgroup;      /* the cgroup to move into, or -1 (born there) */
	int cgroup_open; /* the directory's fd, whichever the case */
	int lock, exe;
};

static __attribute__((noreturn)) void first_failed(int fd, const char *what)
{
	char m[300];

	snprintf(m, sizeof(m), "E%s: %s", what, strerror(errno));
	report_to_parent(fd, m);
	_exit(1);
}

/* C: a session, the namespaces, the init forked, its pid told; then C
 * exits so the init leaves the login's process tree. */
__attribute__((noreturn)) static void run_first(const struct env_plan *plan,
						struct init_state *st,
						const struct first_fds *f)
{
	char err[1024];
	int report = f->status[1];
	pid_t init;

	close(f->status[0]);
	close(f->init_pid[0]);
	/* A session of its own before anything else: no controlling tty of
	 * the login can ever reach the init (TIOCSTI, SIGHUP on hang-up, ^Z
	 * or ^C from an su invoker's terminal). */
	if (setsid() < 0)
		first_failed(report, "setsid");
	if (shed_login_identity(f->cgroup, st) < 0) {
		report_to_parent(report,
				 "Ecould not detach the environment from the login that builds it (see the message before)");
		_exit(1);
	}
	/* Neither C nor the init needs the directory any more. */
	if (f->cgroup_open >= 0)
		close(f->cgroup_open);
	if (unshare(clone_flags(plan->namespaces)) < 0)
		first_failed(report, "unshare namespaces");
	if (net_enter(plan, st, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		report_to_parent(report, err);
		_exit(1);
	}
	fault_point("unshared");
	init = fork();
	if (init < 0)
		first_failed(report, "fork the init");
	if (init == 0) {
		close(f->init_pid[1]);
		if (f->lock >= 0)
			close(f->lock); /* the helper releases it */
		run_init(plan, st, report, f->exe);
	}
	/* An empty pipe takes a pid without blocking; the helper reads it
	 * after reaping C. */
	(void)!write(f->init_pid[1], &init, sizeof(init));
	_exit(0);
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

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Waits up to timeout_ms for fd to be readable: 1 readable (or EOF), 0
 * the deadline passed, -1 poll failed (reported in msg). */
static int readable_by(int fd, const struct timespec *start, int timeout_ms,
		       char *msg, size_t len)
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
		if (errno != EINTR) {
			snprintf(msg, len, "poll the set-up's report pipe: %s",
				 strerror(errno));
			return -1;
		}
	}
}

/* Reads the init's report: "K" on success, "E<message>" on failure.
 * 0 ready, -1 failed, -2 the deadline passed (message in msg). */
static int wait_ready(int fd, int timeout_ms, char *msg, size_t len)
{
	struct timespec start;
	size_t used = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ssize_t n;
		/* A set-up stuck on a hung NFS home or a user's FUSE daemon
		 * must not hold the build lock, and with it every later
		 * login of the user, forever. */
		int r = readable_by(fd, &start, timeout_ms, msg, len);

		if (r < 0)
			return -1;
		if (r == 0) {
			snprintf(msg, len,
				 "the environment's set-up did not finish within %d ms",
				 timeout_ms);
			return -2;
		}
		n = read(fd, msg + used, len - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used == len - 1)
			break;
	}
	msg[used] = '\0';
	if (used == 1 && msg[0] == 'K')
		return 0;
	if (used == 0)
		snprintf(msg, len, "the environment's init died during set-up");
	else
		memmove(msg, msg + 1, used); /* drop the 'E' */
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

/* The init's pid as C wrote it (host PID namespace), or 0 when C died
 * before forking it. Read once C is reaped: the write is done by then. */
static pid_t read_init_pid(int fd)
{
	pid_t pid = 0;

	if (read(fd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		return 0;
	return pid;
}

/* netns_create: a name the failed init published stays bound to its
 * netns and would pin it; removed only if it still names that netns (we
 * hold the build lock, but an admin may own a name of the same spelling). */
static void unpublish_failed(struct init_state *st)
{
	char path[300];
	struct stat sb;

	if (setup_shared == NULL || setup_shared->netns_ino == 0)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", st->netns_name);
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT) /* ENOENT: the init removed it itself */
			helper_error(errno, "stat %s", path);
		return;
	}
	if ((uint64_t)sb.st_dev != setup_shared->netns_dev ||
	    (uint64_t)sb.st_ino != setup_shared->netns_ino)
		return;
	st->netns_published = true;
	net_unpublish(st);
}

/* After a failed or overdue set-up nothing of it may keep running: C and
 * the init are killed (a FUSE request's wait is killable) and reaped, so
 * the init's namespaces go and its cgroup empties before the failure path
 * removes that. The helper is a child subreaper during the build: once C
 * is reaped, the init is the helper's own child and its pid cannot be
 * reused before the helper reaps it. */
static void stop_setup(pid_t child, int pid_fd, struct init_state *st)
{
	pid_t init;

	(void)kill(child, SIGKILL); /* it has normally exited already */
	if (!reap_within(child, REAP_TIMEOUT_MS,
			 "the environment's first process"))
		return;
	init = read_init_pid(pid_fd);
	if (init <= 0)
		return;
	if (kill(init, SIGKILL) < 0 && errno != ESRCH)
		helper_error(errno, "kill the environment's init (pid %d)", (int)init);
	if (reap_within(init, REAP_TIMEOUT_MS, "the environment's init"))
		unpublish_failed(st);
}

int build_environment(const struct env_plan *plan)
{
	struct init_state st;
	char err[1024], lock_name[64], suffix[32], env_name[80];
	int lock_fd = -1, cgroup_fd = -2, exe_fd = -1, rc = 1;
	int status[2] = { -1, -1 }, init_pid[2] = { -1, -1 };
	bool in_cgroup;
	pid_t child;

	init_state_init(&st, plan);
	st.rundir_fd = rundir_open(1, err, sizeof(err));
	if (st.rundir_fd < 0) {
		helper_error(0, "%s", err);
		return 1;
	}
	if (plan->share == SHARE_USER) {
		proto_user_socket_name(plan->uid, st.socket_name,
				       sizeof(st.socket_name));
		proto_user_lock_name(plan->uid, lock_name, sizeof(lock_name));
		snprintf(env_name, sizeof(env_name), "user-%u",
			 (unsigned)plan->uid);
		lock_fd = rundir_lock(st.rundir_fd, lock_name, true);
		if (lock_fd < 0) {
			helper_error(errno, "lock %s/%s", NSISO_RUNDIR, lock_name);
			return 1;
		}
		fault_point("locked");
		switch (alive(st.socket_name)) {
		case 1:
			printf("%s\n", st.socket_name);
			rc = 0;
			goto out;
		case -1:
			helper_error(errno, "the environment at %s/%s does not answer",
				     NSISO_RUNDIR, st.socket_name);
			goto out;
		}
		/* A socket with no init behind it is left by a crash; we
		 * hold the lock, so no live init can own it. */
		if (unlinkat(st.rundir_fd, st.socket_name, 0) < 0 &&
		    errno != ENOENT) {
			helper_error(errno, "remove stale %s/%s", NSISO_RUNDIR,
				     st.socket_name);
			goto out;
		}
	} else {
		random_suffix(suffix, sizeof(suffix));
		snprintf(st.socket_name, sizeof(st.socket_name),
			 "session-%u-%s.sock", (unsigned)plan->uid, suffix);
		snprintf(env_name, sizeof(env_name), "session-%u-%s",
			 (unsigned)plan->uid, suffix);
	}

	{
		struct stat ps;

		/* "nsiso list" compares this with the file's current mtime to
		 * show environments built from an older policy. */
		if (stat(plan->policy_path, &ps) == 0)
			st.policy_mtime = (long long)ps.st_mtime;
	}
	/* Before any namespace or mount: the environment's mounts may hide
	 * the directory it is in. */
	exe_fd = init_open_binary();
	if (exe_fd < 0)
		goto out;
	st.listen_fd = listen_at(st.rundir_fd, st.socket_name, &st);
	if (st.listen_fd < 0)
		goto out;
	fault_point("bound");
	if (net_prepare_host(plan, &st, err, sizeof(err)) < 0) {
		helper_error(0, "building the environment of %s failed: %s",
			     plan->user, err);
		goto out_unlink;
	}
	/* status: the init's report. init_pid: C tells the helper the init's
	 * pid, the one process of the build that is not the helper's child. */
	if (pipe2(status, O_CLOEXEC) < 0 ||
	    pipe2(init_pid, O_CLOEXEC | O_NONBLOCK) < 0) {
		helper_error(errno, "pipe");
		goto out_unlink;
	}
	cgroup_fd = env_cgroup_open(plan, env_name, &st);
	if (cgroup_fd == -1)
		goto out_unlink;
	if (st.cgroup_systemd && slice_apply_limits(plan) < 0)
		goto out_cgroup;
	/* So that the init, orphaned when C exits, becomes this process's
	 * child and can be killed and reaped if its set-up fails; on success
	 * the helper exits and the init moves on as it did before. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		helper_error(errno, "become a child subreaper");
		goto out_cgroup;
	}
	map_setup_shared();
	fflush(stdout);
	fflush(stderr);
	child = env_cgroup_fork(cgroup_fd, &in_cgroup);
	if (child < 0 && errno == ENOENT && cgroup_fd >= 0) {
		/* An environment of this name that ended without the build
		 * lock (nsiso stop, SIGTERM) removed the directory between
		 * our open and the clone: make it once more. */
		close(cgroup_fd);
		env_cgroup_close(&st);
		cgroup_fd = env_cgroup_open(plan, env_name, &st);
		if (cgroup_fd == -1)
			goto out_unlink;
		child = env_cgroup_fork(cgroup_fd, &in_cgroup);
	}
	if (child < 0) {
		helper_error(errno, "create the environment's first process%s%s",
			     st.cgroup_dir[0] ? " in cgroup " : "", st.cgroup_dir);
		goto out_cgroup;
	}
	if (child == 0) {
		struct first_fds fds = {
			.status = status, .init_pid = init_pid,
			.cgroup = in_cgroup ? -1 : cgroup_fd,
			.cgroup_open = cgroup_fd, .lock = lock_fd, .exe = exe_fd,
		};
		run_first(plan, &st, &fds);
	}
	close_fd(&status[1]);
	close_fd(&init_pid[1]);
	rc = wait_ready(status[0], fault_setup_timeout_ms(SETUP_TIMEOUT_MS),
			err, sizeof(err));
	if (rc < 0) {
		/* One failure path for every way a set-up fails: whatever the
		 * init did or did not report, stop it first, then remove what
		 * the build made, as before. */
		stop_setup(child, init_pid[0], &st);
		helper_error(0, "building the environment of %s failed: %s%s%s%s",
			     plan->user, err, rc == -2 ? " (at: " : "",
			     rc == -2 ? step_text() : "",
			     rc == -2 ? "); its init was killed" : "");
		rc = 1;
		goto out_cgroup;
	}
	(void)reap_within(child, REAP_TIMEOUT_MS,
			  "the environment's first process"); /* exited after the fork */
	printf("%s\n", st.socket_name);
	rc = 0;
	goto out;
out_cgroup:
	env_cgroup_remove(&st);
out_unlink:
	if (unlinkat(st.rundir_fd, st.socket_name, 0) < 0 && errno != ENOENT)
		helper_error(errno, "remove %s/%s", NSISO_RUNDIR, st.socket_name);
out:
	close_pair(status);
	close_pair(init_pid);
	unmap_setup_shared();
	if (exe_fd >= 0)
		close(exe_fd);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	env_cgroup_close(&st);
	if (st.listen_fd >= 0)
		close(st.listen_fd);
	if (lock_fd >= 0)
		close(lock_fd);
	close(st.rundir_fd);
	return rc;
}
