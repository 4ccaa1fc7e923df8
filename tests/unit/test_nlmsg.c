/* The rtnetlink requests, parsed back with libmnl: what the kernel will
 * read is what the policy asked for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>

#include "nlmsg.h"

struct attrs {
	const struct nlattr *tb[64];
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type < 64)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static void parse(const struct nlmsghdr *nlh, size_t hdrlen, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(mnl_attr_parse(nlh, (unsigned)hdrlen, collect_cb, a),
			 MNL_CB_OK);
}

static void parse_nested(const struct nlattr *nest, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	assert_non_null(nest);
	assert_int_equal(mnl_attr_parse_nested(nest, collect_cb, a), MNL_CB_OK);
}

static void assert_request(const struct nlmsghdr *nlh, uint16_t type,
			   uint16_t extra_flags)
{
	assert_int_equal(nlh->nlmsg_type, type);
	/* Every request asks for an ACK: errors must reach us. */
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | extra_flags);
	assert_true(nlh->nlmsg_len <= NLMSG_BUF);
}

static void test_link_up_by_index(void **state)
{
	char buf[NLMSG_BUF];
	struct nlmsghdr *nlh = nl_link_up(buf, 7, 1, NULL);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct attrs a;

	(void)state;
	assert_request(nlh, RTM_NEWLINK, 0);
	assert_int_equal(nlh->nlmsg_seq, 7);
	assert_int_equal(ifi->ifi_index, 1);
	assert_int_equal(ifi->ifi_flags & IFF_UP, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	parse(nlh, sizeof(*ifi), &a);
	assert_null(a.tb[IFLA_IFNAME]);
}

static void test_link_up_by_name(void **state)
{
	char buf[NLMSG_BUF];
	struct nlmsghdr *nlh = nl_link_up(buf, 1, 0, "eth0");
	struct attrs a;

	(void)state;
	parse(nlh, sizeof(struct ifinfomsg), &a);
	assert_string_equal(mnl_attr_get_str(a.tb[IFLA_IFNAME]), "eth0");
}

static void test_veth_create(void **state)
{
	char buf[NLMSG_BUF];
	struct nlmsghdr *nlh = nl_veth_create(buf, 1, "eth0", "nsiso1002", 9);
	struct attrs a, info, data, peer;
	const struct ifinfomsg *peer_ifi;
	const struct nlattr *peer_attr;

	(void)state;
	assert_request(nlh, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	parse(nlh, sizeof(struct ifinfomsg), &a);
	assert_string_equal(mnl_attr_get_str(a.tb[IFLA_IFNAME]), "eth0");
	parse_nested(a.tb[IFLA_LINKINFO], &info);
	assert_string_equal(mnl_attr_get_str(info.tb[IFLA_INFO_KIND]), "veth");
	parse_nested(info.tb[IFLA_INFO_DATA], &data);
	/* VETH_INFO_PEER holds an ifinfomsg, then the peer's attributes. */
	peer_attr = data.tb[VETH_INFO_PEER];
	assert_non_null(peer_attr);
	peer_ifi = mnl_attr_get_payload(peer_attr);
	assert_int_equal(peer_ifi->ifi_family, AF_UNSPEC);
	memset(&peer, 0, sizeof(peer));
	{
		const char *p = (const char *)peer_ifi + MNL_ALIGN(sizeof(*peer_ifi));
		const char *end = (const char *)mnl_attr_get_payload(peer_attr) +
				  mnl_attr_get_payload_len(peer_attr);
		const struct nlattr *attr = (const struct nlattr *)p;

		while (mnl_attr_ok(attr, (int)(end - (const char *)attr))) {
			collect_cb(attr, &peer);
			attr = mnl_attr_next(attr);
		}
	}
	assert_string_equal(mnl_attr_get_str(peer.tb[IFLA_IFNAME]), "nsiso1002");
	assert_int_equal(mnl_attr_get_u32(peer.tb[IFLA_NET_NS_FD]), 9);
}

static void test_set_master_up(void **state)
{
	char buf[NLMSG_BUF];
	struct nlmsghdr *nlh = nl_link_set_master_up(buf, 1, "nsiso1002", 42);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct attrs a;

	(void)state;
	assert_request(nlh, RTM_NEWLINK, 0);
	assert_int_equal(ifi->ifi_index, 0);
	assert_int_equal(ifi->ifi_flags & IFF_UP, IFF_UP);
	parse(nlh, sizeof(*ifi), &a);
	assert_string_equal(mnl_attr_get_str(a.tb[IFLA_IFNAME]), "nsiso1002");
	assert_int_equal(mnl_attr_get_u32(a.tb[IFLA_MASTER]), 42);
}

static void test_get_and_delete(void **state)
{
	char buf[NLMSG_BUF];
	struct nlmsghdr *nlh = nl_link_get(buf, 1, "br0");
	struct attrs a;

	(void)state;
	assert_request(nlh, RTM_GETLINK, 0);
	parse(nlh, sizeof(struct ifinfomsg), &a);
	assert_string_equal(mnl_attr_get_str(a.tb[IFLA_IFNAME]), "br0");
	nlh = nl_link_delete(buf, 2, "eth0");
	assert_request(nlh, RTM_DELLINK, 0);
	parse(nlh, sizeof(struct ifinfomsg), &a);
	assert_string_equal(mnl_attr_get_str(a.tb[IFLA_IFNAME]), "eth0");
}

static void test_addr_add4(void **state)
{
	char buf[NLMSG_BUF];
	struct in_addr in, got;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct attrs a;

	(void)state;
	inet_pton(AF_INET, "10.77.3.233", &in);
	nlh = nl_addr_add4(buf, 1, 3, in, 16);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_request(nlh, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 16);
	assert_int_equal(ifa->ifa_index, 3);
	parse(nlh, sizeof(*ifa), &a);
	memcpy(&got, mnl_attr_get_payload(a.tb[IFA_LOCAL]), 4);
	assert_int_equal(got.s_addr, in.s_addr);
	memcpy(&got, mnl_attr_get_payload(a.tb[IFA_ADDRESS]), 4);
	assert_int_equal(got.s_addr, in.s_addr);
}

static void test_route_default4(void **state)
{
	char buf[NLMSG_BUF];
	struct in_addr gw, got;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct attrs a;

	(void)state;
	inet_pton(AF_INET, "10.77.0.1", &gw);
	nlh = nl_route_default4(buf, 1, gw);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_request(nlh, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 0); /* default */
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	parse(nlh, sizeof(*rtm), &a);
	assert_null(a.tb[RTA_DST]);
	memcpy(&got, mnl_attr_get_payload(a.tb[RTA_GATEWAY]), 4);
	assert_int_equal(got.s_addr, gw.s_addr);
}

/* Answers as the kernel sends them, for nl_read_answers: seq 5 of port 77. */
#define SEQ 5
#define PORT 77

union answers {
	char buf[512];
	struct nlmsghdr align;
};

/* Appends one message of type with payload len bytes (zeroed); returns
 * its payload. *used grows by the aligned length. */
static void *add_msg(union answers *a, size_t *used, uint16_t type,
		     uint32_t seq, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(a->buf + *used);

	memset(nlh, 0, NLMSG_SPACE(len));
	nlh->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORT;
	*used += NLMSG_SPACE(len);
	return NLMSG_DATA(nlh);
}

static void add_error(union answers *a, size_t *used, uint32_t seq, int error)
{
	struct nlmsgerr *e = add_msg(a, used, NLMSG_ERROR, seq, sizeof(*e));

	e->error = error;
}

/* NLMSG_ERROR: 0 is the acknowledgement, -1..-4095 the kernel's errno;
 * anything else is never taken for one (nor for success). */
static void test_answer_error(void **state)
{
	static const struct {
		int error, rc, err;
	} cases[] = {
		{ 0, 0, 0 },
		{ -EEXIST, -1, EEXIST },
		{ 5, -1, EPROTO },
		{ -4096, -1, EPROTO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		union answers a;
		size_t used = 0;

		add_error(&a, &used, SEQ, cases[i].error);
		errno = 0;
		assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, NULL), cases[i].rc);
		assert_int_equal(errno, cases[i].err);
	}
}

static void test_answer_newlink_then_ack(void **state)
{
	union answers a;
	size_t used = 0;
	struct ifinfomsg *ifi;
	int index = -1;

	(void)state;
	ifi = add_msg(&a, &used, RTM_NEWLINK, SEQ, sizeof(*ifi));
	ifi->ifi_index = 42;
	assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, &index), 1);
	assert_int_equal(index, 42); /* read on: the ACK is still to come */
	add_error(&a, &used, SEQ, 0);
	index = -1;
	assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, &index), 0);
	assert_int_equal(index, 42);
}

static void test_answer_other_request(void **state)
{
	union answers a;
	size_t used = 0;

	(void)state;
	add_error(&a, &used, SEQ + 1, 0);
	errno = 0;
	assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, NULL), -1);
	assert_int_equal(errno, EPROTO);
	used = 0;
	add_error(&a, &used, SEQ, 0);
	a.align.nlmsg_pid = PORT + 1;
	assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, NULL), -1);
}

static void test_answer_torn(void **state)
{
	union answers a;
	size_t used = 0;

	(void)state;
	add_error(&a, &used, SEQ, 0);
	/* The datagram ends inside the message. */
	errno = 0;
	assert_int_equal(nl_read_answers(a.buf, used - 8, SEQ, PORT, NULL), -1);
	assert_int_equal(errno, EPROTO);
	/* An NLMSG_ERROR too short for its struct. */
	used = 0;
	add_msg(&a, &used, NLMSG_ERROR, SEQ, 2);
	assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, NULL), -1);
	/* A length below the header's. */
	a.align.nlmsg_len = 4;
	assert_int_equal(nl_read_answers(a.buf, used, SEQ, PORT, NULL), -1);
	/* A few bytes after the last message: not a header. */
	used = 0;
	add_msg(&a, &used, RTM_NEWLINK, SEQ, sizeof(struct ifinfomsg));
	assert_int_equal(nl_read_answers(a.buf, used + 4, SEQ, PORT, NULL), -1);
}

static void test_answer_empty(void **state)
{
	union answers a = { .buf = "" };

	(void)state;
	assert_int_equal(nl_read_answers(a.buf, 0, SEQ, PORT, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_up_by_index),
		cmocka_unit_test(test_link_up_by_name),
		cmocka_unit_test(test_veth_create),
		cmocka_unit_test(test_set_master_up),
		cmocka_unit_test(test_get_and_delete),
		cmocka_unit_test(test_addr_add4),
		cmocka_unit_test(test_route_default4),
		cmocka_unit_test(test_answer_error),
		cmocka_unit_test(test_answer_newlink_then_ack),
		cmocka_unit_test(test_answer_other_request),
		cmocka_unit_test(test_answer_torn),
		cmocka_unit_test(test_answer_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
