/* rtnetlink requests for an environment's network, built by hand (no
 * libmnl: the builder loads no library but libc for them), and the
 * reading of the kernel's answers. Pure: each request function fills buf
 * (at least NLMSG_BUF bytes) and returns the message; nothing is sent or
 * received. netlink.c sends them and reads the answers
 * with nl_read_answers; the unit tests parse the requests back with
 * libmnl and feed the reader made-up answers. */
#ifndef NSISO_NLMSG_H
#define NSISO_NLMSG_H

#include <linux/netlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define NLMSG_BUF 1024

/* Bring an interface up: by index (name NULL), or by name (ifindex 0). */
struct nlmsghdr *nl_link_up(void *buf, uint32_t seq, int ifindex,
			    const char *name);

/* Create a veth pair: name here, peer_name in the namespace peer_ns_fd. */
struct nlmsghdr *nl_veth_create(void *buf, uint32_t seq, const char *name,
				const char *peer_name, int peer_ns_fd);

/* Enslave name to the bridge master_index and bring it up. */
struct nlmsghdr *nl_link_set_master_up(void *buf, uint32_t seq,
				       const char *name, int master_index);

/* Look a link up by name (the reply carries its index and kind). */
struct nlmsghdr *nl_link_get(void *buf, uint32_t seq, const char *name);

/* Delete a link by name (deleting one end of a veth deletes both). */
struct nlmsghdr *nl_link_delete(void *buf, uint32_t seq, const char *name);

/* Add an IPv4 address with its prefix to interface ifindex. */
struct nlmsghdr *nl_addr_add4(void *buf, uint32_t seq, int ifindex,
			      struct in_addr addr, unsigned prefix);

/* Add the IPv4 default route via gateway. */
struct nlmsghdr *nl_route_default4(void *buf, uint32_t seq,
				   struct in_addr gateway);

/* What one datagram of the kernel's answers (n bytes at buf, aligned for
 * a struct nlmsghdr) to request seq of port portid says: 1 read on, 0
 * acknowledged (or done), -1 with errno: the kernel's error, or EPROTO
 * for a torn answer or one to another request. An RTM_NEWLINK answer
 * sets *index when index is not NULL. */
int nl_read_answers(const void *buf, size_t n, uint32_t seq, uint32_t portid,
		    int *index);

#endif
