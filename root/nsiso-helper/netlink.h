/* Sending rtnetlink requests (built by root/nsiso-helper/nlmsg.c) with libmnl. A
 * socket stays in the network namespace it was opened in, so the init
 * opens one inside and inherits one opened on the host. */
#ifndef NSISO_NETLINK_H
#define NSISO_NETLINK_H

#include <libmnl/libmnl.h>

struct nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
};

/* 0, or -1 with errno. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* Sends one request and waits for its answer; 0, or -1 with errno (the
 * kernel's, turned from NLMSG_ERROR by mnl_cb_run). */
int nl_call(struct nl *nl, struct nlmsghdr *nlh);

/* The index of the link called name; -1 with errno (ENODEV) if none. */
int nl_ifindex(struct nl *nl, const char *name);

#endif
