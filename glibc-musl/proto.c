#include "proto.h"
#include "namespaces.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

void proto_user_socket_name(uid_t uid, char *buf, size_t len)
{
	snprintf(buf, len, "user-%u.sock", (unsigned)uid);
}

void proto_user_lock_name(uid_t uid, char *buf, size_t len)
{
	snprintf(buf, len, "user-%u.lock", (unsigned)uid);
}

int proto_send_reply(int sock, const struct nsiso_reply *r, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof(*r) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != sizeof(*r))
		return errno = EPROTO, -1;
	return 0;
}

_Static_assert(offsetof(struct nsiso_request, grace) == NSISO_REQUEST_V3_SIZE,
	       "protocol 3's request moved: a request may only grow at its end");
_Static_assert(offsetof(struct nsiso_request, tty) == NSISO_REQUEST_V4_SIZE,
	       "0.2.0's request moved: a request may only grow at its end");

bool proto_request_accept(struct nsiso_request *req, size_t n)
{
	if (n < NSISO_REQUEST_V3_SIZE || req->magic != NSISO_MAGIC)
		return false;
	if (n != NSISO_REQUEST_V3_SIZE && n != NSISO_REQUEST_V4_SIZE &&
	    n != sizeof(*req))
		return false;
	/* The receive buffer may hold an earlier request's bytes there. */
	if (n == NSISO_REQUEST_V3_SIZE)
		req->grace = NSISO_GRACE_POLICY;
	if (n < sizeof(*req))
		memset(req->tty, 0, sizeof(*req) - offsetof(struct nsiso_request, tty));
	req->tty[sizeof(req->tty) - 1] = '\0';
	req->rhost[sizeof(req->rhost) - 1] = '\0';
	return true;
}
_Static_assert(offsetof(struct nsiso_reply, proto_version) == NSISO_REPLY_V3_SIZE,
	       "protocol 3's fields moved: a reply may only grow at its end");

/* A reply of protocol 3 gets its later fields zeroed: the receive buffer
 * may hold an earlier message's bytes there. */
bool proto_reply_accept(struct nsiso_reply *r, size_t n)
{
	if (n < NSISO_REPLY_V3_SIZE || r->magic != NSISO_MAGIC)
		return false;
	if (n == NSISO_REPLY_V3_SIZE) {
		memset((char *)r + NSISO_REPLY_V3_SIZE, 0,
		       sizeof(*r) - NSISO_REPLY_V3_SIZE);
		r->proto_version = NSISO_PROTO_OLDEST;
	} else if (n != sizeof(*r) || r->proto_version != NSISO_PROTO_VERSION) {
		return false;
	}
	r->release[sizeof(r->release) - 1] = '\0';
	return (r->namespaces & ~((1u << NSISO_NS_COUNT) - 1)) == 0 &&
	       (r->session_flags & ~NSISO_SESSION_KNOWN) == 0;
}

int proto_recv_reply(int sock, struct nsiso_reply *r, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n == 0) /* the init closed: it is going away */
		goto bad;
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !proto_reply_accept(r, (size_t)n)) {
		errno = EPROTO;
		goto bad_keep_errno;
	}
	r->user[sizeof(r->user) - 1] = '\0';
	r->hostname[sizeof(r->hostname) - 1] = '\0';
	r->policy_path[sizeof(r->policy_path) - 1] = '\0';
	return 0;
bad:
	errno = ECONNRESET;
bad_keep_errno:
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
	return -1;
}

int proto_connect(const char *name, pid_t *peer_pid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", NSISO_RUNDIR,
		     name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return errno = ENAMETOOLONG, -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* An init that does not answer (stopped, or waiting on a lock we
	 * hold) must not hang a login, and with it sshd's monitor, forever. */
	{
		struct timeval tv = { .tv_sec = PROTO_TIMEOUT_S };

		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
			goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
		goto fail;
	/* Only an init the helper built (running as root) may answer; a
	 * socket someone else bound must never be trusted. */
	if (cred.uid != 0) {
		errno = EPERM;
		goto fail;
	}
	if (peer_pid)
		*peer_pid = cred.pid;
	return fd;
fail:
	n = errno;
	close(fd);
	errno = n;
	return -1;
}

int proto_call(int sock, enum nsiso_op op, struct nsiso_reply *r, int *fd)
{
	return proto_call_grace(sock, op, NSISO_GRACE_POLICY, r, fd);
}

static int call(int sock, const struct nsiso_request *req,
		struct nsiso_reply *r, int *fd);

int proto_call_grace(int sock, enum nsiso_op op, uint32_t grace,
		     struct nsiso_reply *r, int *fd)
{
	struct nsiso_request req = {
		.magic = NSISO_MAGIC, .op = (uint32_t)op, .grace = grace,
	};

	return call(sock, &req, r, fd);
}

int proto_call_register(int sock, const char *tty, const char *rhost,
			int32_t pid, struct nsiso_reply *r, int *fd)
{
	struct nsiso_request req = {
		.magic = NSISO_MAGIC, .op = OP_REGISTER,
		.grace = NSISO_GRACE_POLICY, .pid = pid,
	};

	/* Cut to fit: the init writes no record for a tty it cannot name
	 * whole (utmp_line.c), and a host name is shown as far as it goes. */
	if (tty != NULL)
		snprintf(req.tty, sizeof(req.tty), "%s", tty);
	if (rhost != NULL)
		snprintf(req.rhost, sizeof(req.rhost), "%s", rhost);
	return call(sock, &req, r, fd);
}

static int call(int sock, const struct nsiso_request *req,
		struct nsiso_reply *r, int *fd)
{
	ssize_t n;

	do
		n = send(sock, req, sizeof(*req), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (proto_recv_reply(sock, r, fd) < 0)
		return -1;
	if (r->error != 0) {
		if (*fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		errno = r->error;
		return -1;
	}
	return 0;
}

/* PIDFD_GET_INFO (Linux 6.13), in its first layout: the kernel answers
 * with the fields of the size the caller passes (linux/pidfd.h). */
struct pidfd_info_v0 {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid,
		fsgid, spare0[1];
};
#define NSISO_PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info_v0)
#define NSISO_PIDFD_INFO_PID 1ULL

pid_t proto_pidfd_pid(int pidfd)
{
	struct pidfd_info_v0 info = { .mask = NSISO_PIDFD_INFO_PID };
	char path[64], buf[512], *line;
	ssize_t n;
	long pid = -1;
	int fd;

	/* On every login's path: one ioctl where the kernel has it (the
	 * pid in the caller's PID namespace, as SO_PEERCRED gives it). Any
	 * failure (an older kernel: ENOTTY or EINVAL) falls back to
	 * fdinfo, which gives the same pid for a caller whose /proc is
	 * its own PID namespace's. */
	if (ioctl(pidfd, NSISO_PIDFD_GET_INFO, &info) == 0 &&
	    (info.mask & NSISO_PIDFD_INFO_PID) && info.pid > 0)
		return (pid_t)info.pid;
	/* One open and read. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	line = strstr(buf, "\nPid:");
	if (line != NULL && sscanf(line + 1, "Pid: %ld", &pid) != 1)
		pid = -1;
	return (pid_t)pid;
}
