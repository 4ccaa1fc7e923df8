#include "netlink.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <time.h>

#include "nlmsg.h"

int nl_open(struct nl *nl)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		return -1;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return errno = saved, -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static int call_cb(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = nlh->nlmsg_seq = ++nl->seq;
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -1;
		/* NLMSG_ERROR becomes -1 with errno; an ACK ends the run. */
		rc = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
	} while (rc > 0);
	return rc < 0 ? -1 : 0;
}

int nl_call(struct nl *nl, struct nlmsghdr *nlh)
{
	return call_cb(nl, nlh, NULL, NULL);
}

static int index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int nl_ifindex(struct nl *nl, const char *name)
{
	char buf[NLMSG_BUF];
	int index = -1;

	if (call_cb(nl, nl_link_get(buf, 0, name), index_cb, &index) < 0)
		return -1;
	if (index <= 0)
		return errno = ENODEV, -1;
	return index;
}
