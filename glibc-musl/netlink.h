/* Sending rtnetlink requests (built by nlmsg.c) on a raw
 * NETLINK_ROUTE socket. A socket stays in the network namespace it was
 * opened in, so the init opens one inside and inherits one opened on the
 * host. */
#ifndef NSISO_NETLINK_H
#define NSISO_NETLINK_H

#include <linux/netlink.h>

struct nl {
	int fd;          /* -1 when closed */
	unsigned portid; /* the kernel's answers are addressed to it */
	unsigned seq;
};

/* 0, or -1 with errno. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* Sends one request and waits for its acknowledgement; 0, or -1 with
 * errno (the kernel's, from its NLMSG_ERROR answer). */
int nl_call(struct nl *nl, struct nlmsghdr *nlh);

/* The index of the link called name; -1 with errno (ENODEV) if none. */
int nl_ifindex(struct nl *nl, const char *name);

#endif
