/* systemctl --user from inside a PID namespace.
 *
 * systemctl connects to the user manager's private socket,
 * $XDG_RUNTIME_DIR/systemd/private, and refuses the connection unless
 * SO_PEERCRED names a pid it can see (systemd's getpeercred() turns pid 0
 * into ENODATA). The user manager runs in the host's PID namespace, so
 * from inside an environment that pid is 0 and every `systemctl --user`
 * fails.
 *
 * The init therefore covers that socket, inside the environment's mount
 * namespace only, with a socket of its own (in the marker tmpfs). For each
 * connection it forks a relay that becomes the user (so the manager sees
 * the user's uid, as without us) and copies bytes and passed fds both ways.
 * The relay lives in the environment's PID namespace, so the pid systemctl
 * sees is valid. The cover is checked after every registration: a user
 * manager that restarted made a new socket (its unlink on the host removed
 * the old cover), and the next login covers the new one. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

#define RELAY_NAME "user-manager"
/* Connections relayed at once; more are closed (systemctl makes one). */
#define MAX_RELAYS 32
/* SCM_MAX_FD: the most fds one message can carry. */
#define MAX_PASSED_FDS 253

static struct {
	int listen_fd;
	dev_t dev;
	ino_t ino;
	int upstream_dir; /* a clone of the real systemd/ dir, no covers in it */
	uid_t uid;
	gid_t gid;
	pid_t relays[MAX_RELAYS];
} um = { .listen_fd = -1, .upstream_dir = -1 };

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
	struct stat st;
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
	    fstatat(marker_fd, RELAY_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    listen_as_user(fd, plan) < 0) {
		snprintf(err, len, "set up the user manager relay %s/%s: %s",
			 NSISO_RUNDIR, RELAY_NAME, strerror(errno));
		close(fd);
		return -1;
	}
	um.listen_fd = fd;
	um.dev = st.st_dev;
	um.ino = st.st_ino;
	um.uid = plan->uid;
	um.gid = plan->gid;
	return 0;
}

int user_manager_fd(void)
{
	return um.listen_fd;
}

/* The runtime directory's systemd/ as a directory fd, with no symlink on
 * the way (the user owns systemd/), or -1. */
static int open_systemd_dir(void)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char path[64];

	snprintf(path, sizeof(path), "/run/user/%u/systemd", (unsigned)um.uid);
	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

void user_manager_refresh(void)
{
	struct stat st, again;
	int dir, upstream = -1, target = -1, cover = -1;

	if (um.listen_fd < 0)
		return;
	dir = open_systemd_dir();
	if (dir < 0)
		return; /* no user manager (no systemd, or not started yet) */
	if (fstatat(dir, "private", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (st.st_dev == um.dev && st.st_ino == um.ino) || !S_ISSOCK(st.st_mode) ||
	    st.st_uid != um.uid)
		goto out; /* absent, covered already, or not the manager's */
	/* A clone of systemd/ without submounts: the relays reach the real
	 * socket through it once it is covered here. */
	upstream = (int)open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					   AT_EMPTY_PATH);
	target = openat(dir, "private", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	cover = (int)open_tree(AT_FDCWD, NSISO_RUNDIR "/" RELAY_NAME,
			       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				       AT_SYMLINK_NOFOLLOW);
	if (upstream < 0 || target < 0 || cover < 0 || fstat(target, &again) < 0 ||
	    again.st_dev != st.st_dev || again.st_ino != st.st_ino)
		goto out; /* changed under us: the next login tries again */
	if (move_mount(cover, "", target, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		goto out;
	if (um.upstream_dir >= 0)
		close(um.upstream_dir);
	um.upstream_dir = upstream;
	upstream = -1;
out:
	/* Nothing here is fatal: without the cover systemctl --user fails
	 * as it would without us, and the login itself is unaffected. */
	if (cover >= 0)
		close(cover);
	if (target >= 0)
		close(target);
	if (upstream >= 0)
		close(upstream);
	close(dir);
}

/* Sends len bytes and, with the first part, the passed fds. */
static int send_all(int to, const char *buf, size_t len, const int *fds,
		    size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
		struct cmsghdr align;
	} ctl;

	while (len > 0) {
		struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (nfds > 0) {
			struct cmsghdr *c;

			msg.msg_control = ctl.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		n = sendmsg(to, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		nfds = 0;
	}
	return 0;
}

/* Copies one chunk from -> to, with its passed fds. Returns 1 at EOF,
 * -1 on error, 0 otherwise. */
static int pump_once(int from, int to)
{
	static char buf[65536];
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	int fds[MAX_PASSED_FDS];
	size_t nfds = 0;
	ssize_t n;
	int rc;

	n = recvmsg(from, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			if (k > MAX_PASSED_FDS - nfds)
				k = MAX_PASSED_FDS - nfds;
			memcpy(fds + nfds, CMSG_DATA(c), k * sizeof(int));
			nfds += k;
		}
	}
	/* Lost fds would shift every later message: end the connection. */
	rc = (msg.msg_flags & MSG_CTRUNC) ? -1 : 0;
	if (rc == 0 && n == 0)
		rc = 1;
	if (rc == 0 && send_all(to, buf, (size_t)n, fds, nfds) < 0)
		rc = -1;
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	return rc;
}

/* Both directions until both ended (a half-close is passed on). */
static void pump(int client, int manager)
{
	int ends[2] = { client, manager };
	bool open_[2] = { true, true };

	while (open_[0] || open_[1]) {
		struct pollfd p[2] = {
			{ .fd = open_[0] ? client : -1, .events = POLLIN },
			{ .fd = open_[1] ? manager : -1, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int i = 0; i < 2; i++) {
			int rc;

			if (!open_[i] || p[i].revents == 0)
				continue;
			rc = pump_once(ends[i], ends[1 - i]);
			if (rc < 0)
				return;
			if (rc == 1) {
				open_[i] = false;
				/* The peer may have gone already: the next
				 * read from it ends the relay. */
				(void)shutdown(ends[1 - i], SHUT_WR);
			}
		}
	}
}

__attribute__((noreturn)) static void relay_child(int client)
{
	sigset_t none;
	int manager;

	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL); /* SIGKILL/SIGSTOP: EINVAL */
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Keep only the client (3) and the upstream directory (4); moved
	 * high first so that neither overwrites the other. */
	{
		int c = fcntl(client, F_DUPFD, 100);
		int u = fcntl(um.upstream_dir, F_DUPFD, 100);

		if (c < 0 || u < 0 || dup2(c, 3) < 0 || dup2(u, 4) < 0 ||
		    close_range(5, ~0U, 0) < 0)
			_exit(1);
	}
	/* The manager must see the user, as for a connection from the host;
	 * nothing of root stays with the relay. */
	if (setgroups(0, NULL) < 0 || setresgid(um.gid, um.gid, um.gid) < 0 ||
	    setresuid(um.uid, um.uid, um.uid) < 0 || getuid() != um.uid ||
	    geteuid() != um.uid)
		_exit(1);
	manager = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (manager < 0 || fchdir(4) < 0)
		_exit(1);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX,
					  .sun_path = "private" };

		if (connect(manager, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(1);
	}
	/* The cwd only named the socket; it must not hold the clone. */
	if (chdir("/") < 0)
		_exit(1);
	close(4);
	pump(3, manager);
	_exit(0);
}

void user_manager_accept(void)
{
	for (;;) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		size_t slot = MAX_RELAYS;
		pid_t pid;
		int fd = accept4(um.listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return;
		for (size_t i = 0; i < MAX_RELAYS; i++)
			if (um.relays[i] == 0) {
				slot = i;
				break;
			}
		/* The socket is the user's (mode 0600); the peer check is
		 * the second lock. */
		if (slot == MAX_RELAYS || um.upstream_dir < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    (cred.uid != um.uid && cred.uid != 0)) {
			close(fd);
			continue;
		}
		pid = fork();
		if (pid == 0)
			relay_child(fd);
		/* fork failure: the client sees its connection close. */
		if (pid > 0)
			um.relays[slot] = pid;
		close(fd);
	}
}

void user_manager_reaped(pid_t pid)
{
	for (size_t i = 0; i < MAX_RELAYS; i++)
		if (um.relays[i] == pid)
			um.relays[i] = 0;
}
