/* Copies one D-Bus connection between two stream sockets, a protocol unit
 * at a time: the client's NUL byte, an authentication line, or a whole
 * message.
 *
 * Passed fds must stay with the message they were sent with. A stream read
 * goes on from a message without fds into the next one that carries some,
 * and sd-bus gives every fd it has received to the message it completes:
 * fds forwarded with the bytes of an earlier message would land on the
 * wrong one, and the manager drops the connection. So reads never cross a
 * unit's end: a message's length comes from its 16-byte header, and lines
 * are read up to their "\n". */
#include "initstate.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* SCM_MAX_FD: the most fds one message can carry. */
#define MAX_PASSED_FDS 253
/* D-Bus: a message is at most 128 MiB; an auth line is short. */
#define MAX_MESSAGE (128u << 20)
#define MAX_LINE 16384
#define CHUNK 65536

struct direction {
	int from, to;
	bool open;
	bool started; /* the client's leading NUL byte was passed */
	bool binary;  /* messages from now on, no more lines */
};

/* Sends len bytes, the fds with the first part. */
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

/* Reads exactly len bytes (never more) and passes them on with the fds
 * they came with. Returns 0, or -1 (error, or the end mid-unit). */
static int copy_exact(struct direction *d, size_t len)
{
	static char buf[CHUNK];

	while (len > 0) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = buf,
				     .iov_len = len < CHUNK ? len : CHUNK };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		int fds[MAX_PASSED_FDS];
		size_t nfds = 0;
		ssize_t n = recvmsg(d->from, &msg, MSG_CMSG_CLOEXEC);
		int rc = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c)) {
			size_t k;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (k > MAX_PASSED_FDS - nfds)
				k = MAX_PASSED_FDS - nfds;
			memcpy(fds + nfds, CMSG_DATA(c), k * sizeof(int));
			nfds += k;
		}
		/* Lost fds would shift every later message: end instead. */
		if ((msg.msg_flags & MSG_CTRUNC) ||
		    send_all(d->to, buf, (size_t)n, fds, nfds) < 0)
			rc = -1;
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
		if (rc < 0)
			return -1;
		len -= (size_t)n;
	}
	return 0;
}

/* Up to len bytes of what is waiting, not consumed; no fds are taken. */
static ssize_t peek(int fd, unsigned char *buf, size_t len, bool all)
{
	ssize_t n;

	do
		n = recv(fd, buf, len, MSG_PEEK | (all ? MSG_WAITALL : 0));
	while (n < 0 && errno == EINTR);
	return n;
}

static uint32_t get_u32(const unsigned char *p, bool little)
{
	if (little)
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[0] << 24;
}

static bool looks_like_message(const unsigned char *h, size_t n)
{
	return n >= 4 && (h[0] == 'l' || h[0] == 'B') && h[1] >= 1 &&
	       h[1] <= 4 && h[3] == 1;
}

/* One unit from d->from to d->to. Returns 1 at a clean end (EOF between
 * units), 0 after a unit, -1 on error. */
static int copy_unit(struct direction *d)
{
	unsigned char h[16];
	ssize_t n = peek(d->from, h, 4, false);

	if (n == 0)
		return 1;
	if (n < 0)
		return -1;
	if (!d->started && h[0] == '\0') {
		d->started = true;
		return copy_exact(d, 1);
	}
	d->started = true;
	/* 'l' or 'B' starts a message (little or big endian), but "BEGIN"
	 * starts with 'B' too: four bytes tell them apart. */
	if (n < 4 && (h[0] == 'l' || h[0] == 'B'))
		n = peek(d->from, h, 4, true);
	if (n <= 0)
		return -1;
	if (looks_like_message(h, (size_t)n)) {
		uint64_t fields, body, total;
		bool little = h[0] == 'l';

		if (peek(d->from, h, sizeof(h), true) != (ssize_t)sizeof(h) ||
		    !looks_like_message(h, sizeof(h)))
			return -1;
		body = get_u32(h + 4, little);
		fields = get_u32(h + 12, little);
		total = ((16 + fields + 7) & ~(uint64_t)7) + body;
		if (total > MAX_MESSAGE)
			return -1;
		d->binary = true;
		return copy_exact(d, (size_t)total);
	}
	if (d->binary)
		return -1; /* no lines after the first message */
	/* An authentication line, byte by byte up to its "\n": short, and
	 * only at the start of a connection. */
	for (size_t len = 0; len < MAX_LINE; len++) {
		unsigned char c;

		if (peek(d->from, &c, 1, false) != 1 || copy_exact(d, 1) < 0)
			return -1;
		if (c == '\n')
			return 0;
	}
	return -1;
}

void dbus_relay(int client, int manager)
{
	struct direction dirs[2] = {
		{ .from = client, .to = manager, .open = true },
		/* The manager sends no NUL byte. */
		{ .from = manager, .to = client, .open = true, .started = true },
	};

	while (dirs[0].open || dirs[1].open) {
		struct pollfd p[2];

		for (int i = 0; i < 2; i++)
			p[i] = (struct pollfd){ .fd = dirs[i].open ? dirs[i].from : -1,
						.events = POLLIN };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int i = 0; i < 2; i++) {
			int rc;

			if (!dirs[i].open || p[i].revents == 0)
				continue;
			rc = copy_unit(&dirs[i]);
			if (rc < 0)
				return;
			if (rc == 1) {
				dirs[i].open = false;
				/* The peer may be gone already: the next read
				 * from it ends the relay. */
				(void)shutdown(dirs[i].to, SHUT_WR);
			}
		}
	}
}
