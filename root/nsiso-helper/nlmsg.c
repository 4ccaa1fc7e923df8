#include "nlmsg.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

static struct nlmsghdr *start(void *buf, uint16_t type, uint16_t flags,
			      uint32_t seq)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, NLMSG_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	/* NLM_F_ACK: every request gets an answer, so every error reaches
	 * us as an errno through mnl_cb_run(). */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

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
	if (ifindex == 0)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
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
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer is described by an ifinfomsg of its own, then its
	 * attributes. */
	peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	peer_ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *nl_link_set_master_up(void *buf, uint32_t seq,
				       const char *name, int master_index)
{
	struct nlmsghdr *nlh = start(buf, RTM_NEWLINK, 0, seq);
	struct ifinfomsg *ifi = put_ifinfo(nlh, 0);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
	return nlh;
}

struct nlmsghdr *nl_link_get(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh = start(buf, RTM_GETLINK, 0, seq);

	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *nl_link_delete(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh = start(buf, RTM_DELLINK, 0, seq);

	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *nl_addr_add4(void *buf, uint32_t seq, int ifindex,
			      struct in_addr addr, unsigned prefix)
{
	struct nlmsghdr *nlh =
		start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, seq);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nlh;
}

struct nlmsghdr *nl_route_default4(void *buf, uint32_t seq,
				   struct in_addr gateway)
{
	struct nlmsghdr *nlh =
		start(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, seq);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
	return nlh;
}
