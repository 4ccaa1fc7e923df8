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

static int call(struct nl *nl, struct nlmsghdr *nlh, int *index)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		char buf[ANSWER_BUF];
		struct nlmsghdr align;
	} ans;
	unsigned seq = nlh->nlmsg_seq = ++nl->seq;
	int rc = 1;

	ssize_t sent = sendto(nl->fd, nlh, nlh->nlmsg_len, 0,
			      (struct sockaddr *)&kernel, sizeof(kernel));

	if (sent < 0)
		return -1;
	if (sent != (ssize_t)nlh->nlmsg_len)
		return errno = EIO, -1; /* a datagram goes whole or not at all */
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
		rc = nl_read_answers(ans.buf, (size_t)n, seq, nl->portid, index);
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
