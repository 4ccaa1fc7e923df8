/* The helper's half of the systemctl --user relay (user_manager.c says
 * why there is one): the listening socket, made during set-up in the
 * marker tmpfs and handed to nsiso-init, which serves it. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "user_manager.h"

/* A client's SO_PEERCRED names whoever called listen(): the user, as for
 * the real manager, rather than root (systemd accepts both; tools that
 * show the peer should see the user). Only the effective ids change, for
 * this one call; real and saved stay 0, so the user can neither signal nor
 * trace the init meanwhile (a euid change also makes it non-dumpable). */
static int listen_as_user(int fd, const struct env_plan *plan)
{
	int rc, saved;

	if (setresgid((gid_t)-1, plan->gid, (gid_t)-1) < 0)
		return -1;
	if (setresuid((uid_t)-1, plan->uid, (uid_t)-1) < 0) {
		saved = errno;
		if (setresgid((gid_t)-1, 0, (gid_t)-1) < 0)
			abort(); /* cannot get back to a known identity */
		errno = saved;
		return -1;
	}
	rc = listen(fd, MAX_RELAYS);
	saved = errno;
	if (setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
	    setresgid((gid_t)-1, 0, (gid_t)-1) < 0)
		abort(); /* the init must not go on half as the user */
	errno = saved;
	return rc;
}

int user_manager_listen(const struct env_plan *plan, int marker_fd, char *err,
			size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, len, "socket for the user manager relay: %s",
			 strerror(errno));
		return -1;
	}
	/* bind() takes a path: the marker tmpfs is not attached yet, so the
	 * name is made relative to it. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", RELAY_NAME);
	if (fchdir(marker_fd) < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chdir("/") < 0) {
		snprintf(err, len, "bind the user manager relay %s/%s: %s",
			 NSISO_RUNDIR, RELAY_NAME, strerror(errno));
		close(fd);
		return -1;
	}
	/* Only the user (and root) may use it, like the real one. */
	if (fchownat(marker_fd, RELAY_NAME, plan->uid, plan->gid,
		     AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(marker_fd, RELAY_NAME, 0600, 0) < 0 ||
	    listen_as_user(fd, plan) < 0) {
		snprintf(err, len, "set up the user manager relay %s/%s: %s",
			 NSISO_RUNDIR, RELAY_NAME, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

