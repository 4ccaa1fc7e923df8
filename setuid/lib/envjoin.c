#include "envjoin.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgpath.h"
#include "namespaces.h"
#include "policy.h"

int env_register(const char *name, uid_t uid, struct env_join *j,
		 struct nsiso_err *e)
{
	return env_register_login(name, uid, NULL, NULL, j, e);
}

int env_register_login(const char *name, uid_t uid, const char *tty,
		       const char *rhost, struct env_join *j,
		       struct nsiso_err *e)
{
	int saved;

	memset(j, 0, sizeof(*j));
	j->pidfd = -1;
	j->sock = proto_connect(name, &j->init_pid);
	if (j->sock < 0)
		return err_set(e, errno, "connect to %s/%s", NSISO_RUNDIR, name);
	/* A PAM login's pid is the one its caller writes into utmp (sshd,
	 * login); nsiso-enter and the manager write none: 0. */
	if (proto_call_register(j->sock, tty, rhost,
				tty != NULL || rhost != NULL ? (int32_t)getpid() : 0,
				&j->reply, &j->pidfd) < 0) {
		saved = errno;
		if (saved == EUSERS)
			err_set(e, 0, "the environment of %s already holds %u logins, the most its policy allows (logins_max = %u in %s): refused",
				j->reply.user, j->reply.sessions,
				j->reply.logins_max, j->reply.policy_path);
		else
			err_set(e, saved, "register with %s/%s", NSISO_RUNDIR, name);
		goto fail;
	}
	/* The pidfd must be the process that answered (SO_PEERCRED), so no
	 * fd passed by anyone else can steer the join. */
	if (j->pidfd < 0 || proto_pidfd_pid(j->pidfd) != j->init_pid) {
		saved = EPERM;
		err_set(e, 0, "%s/%s answered without a matching pidfd: refusing to join",
			NSISO_RUNDIR, name);
		goto fail;
	}
	/* Defence in depth: the directory is root-only, but a join into
	 * another user's environment must be impossible, not unlikely. */
	if (j->reply.uid != (uint32_t)uid) {
		saved = EPERM;
		err_set(e, 0, "%s/%s belongs to uid %u, not %u: refusing to join",
			NSISO_RUNDIR, name, j->reply.uid, (unsigned)uid);
		goto fail;
	}
	return 0;
fail:
	if (j->pidfd >= 0)
		close(j->pidfd);
	close(j->sock);
	j->sock = j->pidfd = -1;
	return errno = saved, -1;
}

int env_setns(const struct env_join *j)
{
	unsigned ns = j->reply.namespaces;

	/* Its own cgroup namespace instead (enter_own_cgroupns). */
	if (j->reply.session_flags & NSISO_SESSION_CGROUP_OWN)
		ns &= ~(unsigned)NSISO_NS_CGROUP;
	return setns(j->pidfd, nsiso_ns_env_clone_flags(ns));
}

/* Host without systemd: the environment's cgroup is its own directory,
 * where its limits are; the caller moves in before setns, while the
 * host's cgroup2 mount is still its view, and its children are born
 * there. The environment's cgroup namespace is rooted at that directory,
 * so inside /proc/self/cgroup reads "0::/". If a later step fails the
 * session is denied and the caller, which then ends, stays in the
 * directory until it exits. */
static int enter_cgroup_dir(const struct env_join *j, struct nsiso_err *e)
{
	char procs[sizeof(j->reply.cgroup_dir) + 16];
	struct statfs fs;
	int fd, saved;

	if (!(j->reply.session_flags & NSISO_SESSION_CGROUP_MOVE))
		return 0;
	if (j->reply.cgroup_dir[0] != '/' ||
	    memchr(j->reply.cgroup_dir, '\0', sizeof(j->reply.cgroup_dir)) == NULL) {
		errno = EPROTO;
		return err_set(e, 0, "the environment of %s sent no cgroup directory",
			       j->reply.user);
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", j->reply.cgroup_dir);
	fd = open(procs, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	/* The path was the helper's view of the cgroup2 mount: a caller
	 * whose /sys differs must fail here, not write into another
	 * filesystem's file of that name. */
	if (fd >= 0 && (fstatfs(fd, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)) {
		close(fd);
		errno = EXDEV;
		return err_set(e, 0, "%s is not on the cgroup2 filesystem in this process's mount namespace",
			       procs);
	}
	if (fd < 0 || write(fd, "0", 1) != 1) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		errno = saved;
		return err_set(e, saved, "join the environment's cgroup (write %s)", procs);
	}
	close(fd);
	return 0;
}

/* systemd host: the caller stays in logind's scope (the limits are on the
 * user's slice, which holds it) and its children get a cgroup namespace
 * rooted at that scope: nothing above it shows inside. */
static int enter_own_cgroupns(const struct env_join *j, struct nsiso_err *e)
{
	if (!(j->reply.session_flags & NSISO_SESSION_CGROUP_OWN))
		return 0;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return err_set(e, errno, "unshare(CLONE_NEWCGROUP)");
	return 0;
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define TIMENS_OFFSETS "/proc/self/timens_offsets"

/* A clock plus its offset must stay at or above zero (the kernel refuses
 * the write with ERANGE otherwise): checked first, so that a policy whose
 * negative offset exceeds the host's uptime fails before anything
 * changed. */
static int check_offset(clockid_t clock, const char *key, long long off,
			struct nsiso_err *e)
{
	struct timespec now;

	if (clock_gettime(clock, &now) < 0)
		return err_set(e, errno, "clock_gettime for %s", key);
	if ((long long)now.tv_sec + off < 0) {
		errno = ERANGE;
		return err_set(e, 0, "%s %lld would take the clock below zero (it reads %lld s on this host)",
			       key, off, (long long)now.tv_sec);
	}
	return 0;
}

int env_check_time_offsets(long long boottime, long long monotonic,
			   struct nsiso_err *e)
{
	if (check_offset(CLOCK_MONOTONIC, "monotonic_offset", monotonic, e) < 0 ||
	    check_offset(CLOCK_BOOTTIME, "boottime_offset", boottime, e) < 0)
		return -1;
	return 0;
}

/* unshare(CLONE_NEWTIME) changes only where the caller's *next children*
 * go; the offsets can be written until the first of them is born. The
 * caller's own clocks never move. */
static int enter_time(const struct env_join *j, struct nsiso_err *e)
{
	char buf[128];
	int fd, n, saved;

	if (!(j->reply.namespaces & NSISO_NS_TIME))
		return 0;
	if (env_check_time_offsets((long long)j->reply.boottime_offset,
				   (long long)j->reply.monotonic_offset, e) < 0)
		return -1;
	/* Opened first: a kernel without time namespaces (no such file)
	 * is reported before anything changed. */
	fd = open(TIMENS_OFFSETS, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		return err_set(e, 0, "open %s: %s%s", TIMENS_OFFSETS, strerror(saved),
			       saved == ENOENT ? " (kernel without time namespaces?)" : "");
	}
	if (unshare(CLONE_NEWTIME) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return err_set(e, saved, "unshare(CLONE_NEWTIME)");
	}
	n = snprintf(buf, sizeof(buf), "monotonic %lld 0\nboottime %lld 0\n",
		     (long long)j->reply.monotonic_offset,
		     (long long)j->reply.boottime_offset);
	/* The file acts on the time namespace for children at write time,
	 * i.e. the one just made. If the write fails the caller denies the
	 * session, so no child ever runs in that unset namespace. */
	errno = 0;
	if (write(fd, buf, (size_t)n) != n) {
		saved = errno ? errno : EIO;
		close(fd);
		errno = saved;
		return err_set(e, saved, "write offsets (monotonic %lld, boottime %lld) to %s",
			       (long long)j->reply.monotonic_offset,
			       (long long)j->reply.boottime_offset, TIMENS_OFFSETS);
	}
	close(fd);
	return 0;
}

/* The bounding set limits what any later execve() can grant (a setuid-root
 * or file-capability program included); the inheritable set is cut to it
 * too (which lowers the ambient set), so no file-inheritable route is left.
 * The caller's own permitted and effective sets are untouched: sshd's
 * monitor still chowns the pty, su and login still close the session as
 * root. Then no_new_privs: setuid bits and file capabilities are ignored
 * by every later execve(). Both are inherited by every child and cannot
 * be undone. */
int env_limit_privileges(bool bound, uint64_t keep, bool nnp,
			 struct nsiso_err *e)
{
	if (bound) {
		struct cap_sets sets;

		int c;

		/* PR_CAPBSET_READ answers EINVAL past the kernel's last
		 * capability: that ends the walk. Every kernel this runs on
		 * (pidfd setns: 5.8) has CAP_BPF, so an EINVAL before it is a
		 * failure (a seccomp filter's), never "no more to drop". */
		for (c = 0; c < 64; c++) {
			int in = prctl(PR_CAPBSET_READ, (unsigned long)c, 0L, 0L, 0L);

			if (in < 0 && errno == EINVAL && c > CAP_BPF)
				break;
			if (in < 0)
				return err_set(e, errno, "read capability %d of the bounding set (PR_CAPBSET_READ)", c);
			/* Already out (the PAM caller dropped it before a
			 * setuid nsiso-shell ran): dropping again would need
			 * CAP_SETPCAP, which may be gone with it. */
			if (in == 0 || (keep & CAP_BIT(c)))
				continue;
			if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0L, 0L, 0L) < 0)
				return err_set(e, errno, "drop capability %d from the bounding set (PR_CAPBSET_DROP)", c);
		}
		/* The sets are 64 bits: a kernel with more capabilities would
		 * keep the rest, so it is refused rather than half-dropped. */
		if (c == 64)
			return err_set(e, 0, "the kernel has more than 64 capabilities: the bounding set cannot be cut");
		if (caps_get(&sets) < 0)
			return err_set(e, errno, "read the capabilities (capget)");
		sets.inheritable &= keep;
		if (caps_set(&sets) < 0)
			return err_set(e, errno, "cut the inheritable capabilities to the bounding set (capset)");
	}
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		return err_set(e, errno, "set no_new_privs (PR_SET_NO_NEW_PRIVS)");
	return 0;
}

int env_enter(const struct env_join *j, struct nsiso_err *e)
{
	if (enter_time(j, e) < 0 || enter_cgroup_dir(j, e) < 0)
		return -1;
	if (env_setns(j) < 0)
		return err_set(e, errno, "setns into the environment of %s (init pid %d)",
			       j->reply.user, (int)j->init_pid);
	if (enter_own_cgroupns(j, e) < 0)
		return -1;
	/* With a user namespace, nsiso-shell (setuid root) must still be able
	 * to gain root to make it: no_new_privs would stop it, and a bounding
	 * set without cap_sys_admin/cap_setuid would too. A new user namespace
	 * also starts with a full bounding set. So nsiso-shell applies both,
	 * inside, just before it starts the shell; the module makes sure the
	 * login shell is nsiso-shell (env_check_login_shell). */
	if (j->reply.namespaces & NSISO_NS_USER)
		return 0;
	return env_limit_privileges(
		(j->reply.session_flags & NSISO_SESSION_CAPS) != 0,
		j->reply.cap_keep, (j->reply.session_flags & NSISO_SESSION_NNP) != 0, e);
}

int env_check_limited_login(const struct env_join *j, struct nsiso_err *e)
{
	char where[1024], slice[64];
	int in_slice;

	if (!(j->reply.session_flags & NSISO_SESSION_CGROUP_LIMITS))
		return 0;
	in_slice = cgpath_self_in_user_slice((uid_t)j->reply.uid, where,
					     sizeof(where));
	if (in_slice < 0)
		return err_set(e, errno, "read /proc/self/cgroup");
	if (in_slice)
		return 0;
	cgpath_user_slice((uid_t)j->reply.uid, slice, sizeof(slice));
	errno = EPERM;
	return err_set(e, 0, "the environment of %s is limited through %s, but this process runs in %s, outside it (for logins: put pam_systemd before pam_nsiso in the service's PAM stack)",
		       j->reply.user, slice, where);
}

int env_check_login_shell(const char *shell, struct nsiso_err *e)
{
	const char *base = strrchr(shell, '/');
	struct stat sb;

	/* The login shell is the admin's (passwd, or chsh from /etc/shells):
	 * check what it is, so a test install works as well as the real one. */
	if (shell[0] != '/' || base == NULL ||
	    strcmp(base + 1, NSISO_SHELL_NAME) != 0) {
		errno = EPERM;
		return err_set(e, 0, "namespaces: 'user' needs the login shell to be %s (see nsiso-shell(8)); it is '%s'",
			       NSISO_SHELL_NAME, shell);
	}
	if (lstat(shell, &sb) < 0)
		return err_set(e, errno, "lstat %s", shell);
	if (S_ISLNK(sb.st_mode)) {
		errno = EPERM;
		return err_set(e, 0, "namespaces: 'user': the login shell %s is a symlink; set the real path of nsiso-shell",
			       shell);
	}
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || !(sb.st_mode & S_ISUID) ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH))) {
		errno = EPERM;
		return err_set(e, 0, "namespaces: 'user': the login shell %s is not a root-owned setuid file that only root can write",
			       shell);
	}
	return 0;
}

void env_join_done(struct env_join *j)
{
	if (j->pidfd >= 0)
		close(j->pidfd);
	j->pidfd = -1;
}
