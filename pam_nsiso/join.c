/* Registering with an environment's init and joining its namespaces.
 *
 * Register first, join second (DESIGN.md): the registration keeps the
 * environment alive, so the init cannot end between the two, and after
 * setns(mnt) the host's NSISO_RUNDIR is no longer visible. One setns() on
 * the init's pidfd joins every namespace at once; for the PID namespace it
 * only sets where the caller's next child goes. */
#include "module.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "policy.h"
#include "proto.h"

enum nesting nesting_state(uid_t target, uid_t *owner)
{
	char path[128], buf[64];
	unsigned long uid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NSISO_RUNDIR, NSISO_MARKER);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == EACCES ? NEST_HOST : NEST_ERROR;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NEST_ERROR;
	buf[n] = '\0';
	if (sscanf(buf, "uid=%lu", &uid) != 1)
		return NEST_ERROR;
	*owner = (uid_t)uid;
	return *owner == target ? NEST_SAME : NEST_OTHER;
}

static int setns_flags(unsigned namespaces)
{
	static const struct {
		unsigned bit;
		int flag;
	} table[] = {
		{ NSISO_NS_MOUNT, CLONE_NEWNS },
		{ NSISO_NS_UTS, CLONE_NEWUTS },
		{ NSISO_NS_IPC, CLONE_NEWIPC },
		{ NSISO_NS_PID, CLONE_NEWPID },
		{ NSISO_NS_NET, CLONE_NEWNET },
		{ NSISO_NS_CGROUP, CLONE_NEWCGROUP },
	};
	int flags = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (namespaces & table[i].bit)
			flags |= table[i].flag;
	return flags;
}

int register_and_join(pam_handle_t *pamh, const struct module_args *a,
		      const char *name, uid_t uid)
{
	struct nsiso_reply r;
	pid_t peer = -1;
	int sock, pidfd = -1, flags;

	sock = proto_connect(name, &peer);
	if (sock < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return -1;
		pam_syslog(pamh, LOG_ERR, "connect to %s/%s failed: %m",
			   NSISO_RUNDIR, name);
		return -2;
	}
	if (proto_call(sock, OP_REGISTER, &r, &pidfd) < 0) {
		int saved = errno;

		close(sock);
		/* The init closed on us: it was ending. Build anew. */
		if (saved == ECONNRESET || saved == EPIPE)
			return -1;
		pam_syslog(pamh, LOG_ERR, "register with %s/%s failed: %s",
			   NSISO_RUNDIR, name, strerror(saved));
		return -2;
	}
	/* The pidfd must be the process that answered (SO_PEERCRED), so no
	 * fd passed by anyone else can steer the join. */
	if (pidfd < 0 || proto_pidfd_pid(pidfd) != peer) {
		pam_syslog(pamh, LOG_ERR,
			   "%s/%s answered without a matching pidfd: refusing to join",
			   NSISO_RUNDIR, name);
		goto fail;
	}
	/* Defence in depth: the directory is root-only, but a join into
	 * another user's environment must be impossible, not unlikely. */
	if (r.uid != (uint32_t)uid) {
		pam_syslog(pamh, LOG_ERR,
			   "%s/%s belongs to uid %u, not %u: refusing to join",
			   NSISO_RUNDIR, name, r.uid, (unsigned)uid);
		goto fail;
	}
	flags = setns_flags(r.namespaces);
	/* A threaded caller shares its fs_struct, and setns(CLONE_NEWNS)
	 * then fails with EINVAL; a private copy costs nothing. */
	if ((flags & CLONE_NEWNS) && unshare(CLONE_FS) < 0) {
		pam_syslog(pamh, LOG_ERR, "unshare(CLONE_FS) failed: %m");
		goto fail;
	}
	if (setns(pidfd, flags) < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "setns into the environment of %s (init pid %d) failed: %m",
			   r.user, (int)peer);
		goto fail;
	}
	if (a->debug)
		pam_syslog(pamh, LOG_DEBUG,
			   "joined the environment of %s (init pid %d, %u sessions)",
			   r.user, (int)peer, r.sessions);
	close(pidfd);
	return sock;
fail:
	if (pidfd >= 0)
		close(pidfd);
	close(sock);
	return -2;
}
