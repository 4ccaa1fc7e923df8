/* Building an environment: lock, socket, namespaces, init.
 *
 *   helper (host) --fork--> C: setsid, unshare(namespaces) --fork--> I
 *   C exits at once, so I (PID 1 of the new PID namespace) is reparented
 *   away from the login that built it. I sets the environment up from
 *   inside and reports "ready" or an error over a pipe; only then does the
 *   helper print the socket name and release the build lock. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#include "envjoin.h"
#include "fault.h"
#include "proto.h"
#include "rundir.h"

/* How long the helper waits for a new environment to report ready. */
#define SETUP_TIMEOUT_MS 30000

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
	if (apply_mounts(plan, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	fault_point("mounted");
	if (net_setup_inside(plan, st, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	fault_point("network");
	if (net_publish(plan, st, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	if ((plan->namespaces & NSISO_NS_MOUNT) &&
	    mount_marker(plan, err + 1, sizeof(err) - 1) < 0) {
		err[0] = 'E';
		goto fail;
	}
	st->status_fd = status_fd;
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

/* Reads the init's report: "K" on success, "E<message>" on failure. */
static int wait_ready(int fd, char *msg, size_t len)
{
	struct timespec start, now;
	size_t used = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long waited_ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000;
		/* A set-up stuck on a hung NFS home must not hold the build
		 * lock, and with it every later login of the user, forever. */
		if (waited_ms >= SETUP_TIMEOUT_MS ||
		    poll(&p, 1, (int)(SETUP_TIMEOUT_MS - waited_ms)) == 0) {
			snprintf(msg, len,
				 "the environment's set-up did not finish within %d s",
				 SETUP_TIMEOUT_MS / 1000);
			return -1;
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

int build_environment(const struct env_plan *plan)
{
	struct init_state st;
	char err[1024], lock_name[64], suffix[32], env_name[80];
	int lock_fd = -1, cgroup_fd = -2, exe_fd = -1, status[2], rc = 1;
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
	if (pipe2(status, O_CLOEXEC) < 0) {
		helper_error(errno, "pipe");
		goto out_unlink;
	}
	cgroup_fd = env_cgroup_open(plan, env_name, &st);
	if (cgroup_fd == -1) {
		close(status[0]);
		close(status[1]);
		goto out_unlink;
	}
	if (st.cgroup_systemd && slice_apply_limits(plan) < 0) {
		close(status[0]);
		close(status[1]);
		goto out_cgroup;
	}
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
		if (cgroup_fd == -1) {
			close(status[0]);
			close(status[1]);
			goto out_unlink;
		}
		child = env_cgroup_fork(cgroup_fd, &in_cgroup);
	}
	if (child < 0) {
		helper_error(errno, "create the environment's first process%s%s",
			     st.cgroup_dir[0] ? " in cgroup " : "", st.cgroup_dir);
		close(status[0]);
		close(status[1]);
		goto out_cgroup;
	}
	if (child == 0) {
		pid_t init;

		close(status[0]);
		/* A session of its own before anything else: no controlling
		 * tty of the login can ever reach the init (TIOCSTI, SIGHUP
		 * on hang-up, ^Z or ^C from an su invoker's terminal). */
		if (setsid() < 0) {
			report_to_parent(status[1], "Esetsid failed");
			_exit(1);
		}
		if (shed_login_identity(in_cgroup ? -1 : cgroup_fd, &st) < 0) {
			report_to_parent(status[1],
					 "Ecould not detach the environment from the login that builds it (see the message before)");
			_exit(1);
		}
		/* Neither C nor the init needs the directory any more. */
		if (cgroup_fd >= 0)
			close(cgroup_fd);
		if (unshare(clone_flags(plan->namespaces)) < 0) {
			char m[256];
			snprintf(m, sizeof(m), "Eunshare namespaces: %s",
				 strerror(errno));
			report_to_parent(status[1], m);
			_exit(1);
		}
		if (net_enter(plan, &st, err + 1, sizeof(err) - 1) < 0) {
			err[0] = 'E';
			report_to_parent(status[1], err);
			_exit(1);
		}
		fault_point("unshared");
		init = fork();
		if (init < 0) {
			char m[256];
			snprintf(m, sizeof(m), "Efork the init: %s",
				 strerror(errno));
			report_to_parent(status[1], m);
			_exit(1);
		}
		if (init == 0) {
			if (lock_fd >= 0)
				close(lock_fd); /* the helper releases it */
			run_init(plan, &st, status[1], exe_fd);
		}
		_exit(0);
	}
	close(status[1]);
	if (wait_ready(status[0], err, sizeof(err)) < 0) {
		helper_error(0, "building the environment of %s failed: %s",
			     plan->user, err);
		close(status[0]);
		/* Reap C; I has exited on failure and is reaped by whoever
		 * adopted it. */
		(void)waitpid(child, NULL, 0);
		goto out_cgroup;
	}
	close(status[0]);
	(void)waitpid(child, NULL, 0); /* C exited right after the fork */
	printf("%s\n", st.socket_name);
	rc = 0;
	goto out;
out_cgroup:
	env_cgroup_remove(&st);
out_unlink:
	if (unlinkat(st.rundir_fd, st.socket_name, 0) < 0 && errno != ENOENT)
		helper_error(errno, "remove %s/%s", NSISO_RUNDIR, st.socket_name);
out:
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
