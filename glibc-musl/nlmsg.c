#include "nlmsg.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/netlink.h>
#include <linux/veth.h>
#include <string.h>

/* Netlink's layout (linux/netlink.h): a header, a family header, then
 * attributes, each padded to NLMSG_ALIGNTO (4 bytes), the same alignment
 * as NLA_ALIGN. Every request here is built in a zeroed buffer of
 * NLMSG_BUF bytes, and the largest (a veth pair with names of at most
 * IFNAMSIZ) takes under 200, so no put can run past its end. */

/* Where the next header or attribute goes. */
static void *tail(struct nlmsghdr *nlh)
{
	return (char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);
}

/* A family header (ifinfomsg, ifaddrmsg, rtmsg) of size bytes, zeroed. */
static void *put_extra(struct nlmsghdr *nlh, size_t size)
{
	void *p = tail(nlh);

	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLMSG_ALIGN(size);
	memset(p, 0, NLMSG_ALIGN(size));
	return p;
}

static void put_attr(struct nlmsghdr *nlh, uint16_t type, size_t len,
		     const void *data)
{
	struct nlattr *attr = tail(nlh);

	attr->nla_type = type;
	attr->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)attr + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(attr->nla_len);
}

static void put_strz(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	put_attr(nlh, type, strlen(s) + 1, s);
}

static void put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	put_attr(nlh, type, sizeof(v), &v);
}

/* A nested attribute: what is put until nest_end is inside it. */
static struct nlattr *nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *nest = tail(nlh);

	nest->nla_type = NLA_F_NESTED | type;
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_HDRLEN;
	return nest;
}

static void nest_end(struct nlmsghdr *nlh, struct nlattr *nest)
{
	nest->nla_len = (uint16_t)((char *)tail(nlh) - (char *)nest);
}

static struct nlmsghdr *start(void *buf, uint16_t type, uint16_t flags,
			      uint32_t seq)
{
	struct nlmsghdr *nlh = buf;

	memset(buf, 0, NLMSG_BUF);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = type;
	/* NLM_F_ACK: every request gets an answer, so every error reaches
	 * us as an errno (netlink.c). */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg *ifi = put_extra(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

struct nlmsghdr *nl_link_up(void *buf, uint32_t seq, int ifindex,
			    const char *name)
{
	struct nlmsghdr *nlh = start(buf, RTM_NEWLINK, 0, seq);
	struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (name != NULL) /* by name: the callers pass ifindex 0 then */
		put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *nl_veth_create(void *buf, uint32_t seq, const char *name,
				const char *peer_name, int peer_ns_fd)
{
	struct nlmsghdr *nlh =
		start(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq);
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *peer_ifi;

	put_ifinfo(nlh, 0);
	put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = nest_start(nlh, IFLA_LINKINFO);
	put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = nest_start(nlh, IFLA_INFO_DATA);
	peer = nest_start(nlh, VETH_INFO_PEER);
	/* The peer is described by an ifinfomsg of its own, then its
	 * attributes. */
	peer_ifi = put_extra(nlh, sizeof(*peer_ifi));
	peer_ifi->ifi_family = AF_UNSPEC;
	put_strz(nlh, IFLA_IFNAME, peer_name);
	put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	nest_end(nlh, peer);
	nest_end(nlh, data);
	nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *nl_link_set_master_up(void *buf, uint32_t seq,
				       const char *name, int master_index)
{
	struct nlmsghdr *nlh = start(buf, RTM_NEWLINK, 0, seq);
	struct ifinfomsg *ifi = put_ifinfo(nlh, 0);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	put_strz(nlh, IFLA_IFNAME, name);
	put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
	return nlh;
}

struct nlmsghdr *nl_link_get(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh = start(buf, RTM_GETLINK, 0, seq);

	put_ifinfo(nlh, 0);
	put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *nl_link_delete(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh = start(buf, RTM_DELLINK, 0, seq);

	put_ifinfo(nlh, 0);
	put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *nl_addr_add4(void *buf, uint32_t seq, int ifindex,
			      struct in_addr addr, unsigned prefix)
{
	struct nlmsghdr *nlh =
		start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, seq);
	struct ifaddrmsg *ifa = put_extra(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	put_attr(nlh, IFA_LOCAL, sizeof(addr), &addr);
	put_attr(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nlh;
}

struct nlmsghdr *nl_route_default4(void *buf, uint32_t seq,
				   struct in_addr gateway)
{
	struct nlmsghdr *nlh =
		start(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, seq);
	struct rtmsg *rtm = put_extra(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	put_attr(nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
	return nlh;
}

int nl_read_answers(const void *buf, size_t n, uint32_t seq, uint32_t portid,
		    int *index)
{
	const char *p = buf;
	size_t left = n;

	while (left >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > left)
			return errno = EPROTO, -1; /* torn */
		/* Answers to another request (or another socket) are not
		 * ours to read; the kernel never sends them here. */
		if (nlh->nlmsg_seq != seq ||
		    (nlh->nlmsg_pid != 0 && nlh->nlmsg_pid != portid))
			return errno = EPROTO, -1;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return errno = EPROTO, -1;
			if (e->error == 0)
				return 0; /* the acknowledgement */
			/* The kernel's errors are -1 ... -4095. */
			errno = e->error < 0 && e->error > -4096 ? -e->error : EPROTO;
			return -1;
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == RTM_NEWLINK && index != NULL &&
		    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			*index = ((const struct ifinfomsg *)NLMSG_DATA(nlh))->ifi_index;
		/* The last message may end without its padding. */
		if (step >= left)
			return 1;
		p += step;
		left -= step;
	}
	if (left != 0)
		return errno = EPROTO, -1; /* a torn header */
	return 1;
}
