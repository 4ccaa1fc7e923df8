#include "netlink.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nlmsg.h"

/* Larger than any answer to the requests of nlmsg.c (one RTM_NEWLINK of
 * a link, or an acknowledgement); a longer one is an error (MSG_TRUNC). */
#define ANSWER_BUF 8192

int nl_open(struct nl *nl)
{
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(self);
	int saved;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -1;
	/* nl_pid 0: the kernel picks the port id, read back below. */
	if (bind(nl->fd, (struct sockaddr *)&self, sizeof(self)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&self, &len) < 0) {
		saved = errno;
		nl_close(nl);
		return errno = saved, -1;
	}
	nl->portid = self.nl_pid;
	nl->seq = (unsigned)time(NULL);
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* One datagram of answers to seq: 1 to read on, 0 at the ACK (or DONE),
 * -1 with errno (the kernel's error, or EPROTO for a malformed answer).
 * An RTM_NEWLINK answer sets *index when index is not NULL. */
static int read_answers(const struct nl *nl, const char *buf, size_t n,
			unsigned seq, int *index)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	size_t left = n;

	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		/* Answers to another request (or another socket) are not
		 * ours to read; the kernel never sends them here. */
		if (nlh->nlmsg_seq != seq || (nlh->nlmsg_pid != 0 && nlh->nlmsg_pid != nl->portid))
			return errno = EPROTO, -1;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return errno = EPROTO, -1;
			if (e->error != 0)
				return errno = -e->error, -1;
			return 0; /* the acknowledgement */
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == RTM_NEWLINK && index != NULL &&
		    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			*index = ((const struct ifinfomsg *)NLMSG_DATA(nlh))->ifi_index;
	}
	if (left != 0)
		return errno = EPROTO, -1; /* a torn message */
	return 1;
}

static int call(struct nl *nl, struct nlmsghdr *nlh, int *index)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		char buf[ANSWER_BUF];
		struct nlmsghdr align;
	} ans;
	unsigned seq = nlh->nlmsg_seq = ++nl->seq;
	int rc = 1;

	if (sendto(nl->fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)nlh->nlmsg_len)
		return -1;
	while (rc > 0) {
		struct sockaddr_nl from = { .nl_family = AF_UNSPEC };
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(nl->fd, ans.buf, sizeof(ans.buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n > sizeof(ans.buf))
			return errno = ENOSPC, -1;
		/* Only the kernel (port 0) answers a request. */
		if (len != sizeof(from) || from.nl_pid != 0)
			continue;
		rc = read_answers(nl, ans.buf, (size_t)n, seq, index);
	}
	return rc < 0 ? -1 : 0;
}

int nl_call(struct nl *nl, struct nlmsghdr *nlh)
{
	return call(nl, nlh, NULL);
}

int nl_ifindex(struct nl *nl, const char *name)
{
	char buf[NLMSG_BUF];
	int index = -1;

	if (call(nl, nl_link_get(buf, 0, name), &index) < 0)
		return -1;
	if (index <= 0)
		return errno = ENODEV, -1;
	return index;
}
