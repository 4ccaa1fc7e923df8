/* Unit tests for which replies a client reads, and which requests an init
 * serves (glibc-musl/proto.c,
 * proto_reply_accept): an upgrade leaves environments served by the
 * previous release's init, whose replies the new release must read, and
 * anything it would not apply must be refused, never half-applied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto.h"

static void fill_current(struct nsiso_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = NSISO_MAGIC;
	r->namespaces = 0xf;
	r->session_flags = NSISO_SESSION_CAPS | NSISO_SESSION_NNP;
	r->proto_version = NSISO_PROTO_VERSION;
	strcpy(r->release, "9.9.9");
}

static void test_current_reply_read(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	assert_true(proto_reply_accept(&r, sizeof(r)));
	assert_int_equal(r.proto_version, NSISO_PROTO_VERSION);
	assert_string_equal(r.release, "9.9.9");
}

/* What an init of protocol 3 sends: the first 800 bytes, and whatever an
 * earlier message left behind them in the client's buffer. */
static void test_protocol_3_reply_read_later_fields_zero(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	memset((char *)&r + NSISO_REPLY_V3_SIZE, 0x5a, sizeof(r) - NSISO_REPLY_V3_SIZE);
	assert_true(proto_reply_accept(&r, NSISO_REPLY_V3_SIZE));
	assert_int_equal(r.proto_version, 3);
	assert_string_equal(r.release, "");
	assert_int_equal(r.namespaces, 0xf); /* its own fields untouched */
}

static void test_protocol_3_layout_frozen(void **state)
{
	(void)state;
	/* The fields a protocol 3 init sends, where it sends them. */
	assert_int_equal(offsetof(struct nsiso_reply, session_flags), 472);
	assert_int_equal(offsetof(struct nsiso_reply, logins_max), 476);
	assert_int_equal(offsetof(struct nsiso_reply, cgroup_dir), 480);
	assert_int_equal(offsetof(struct nsiso_reply, proto_version), NSISO_REPLY_V3_SIZE);
}

static void test_other_sizes_refused(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	assert_false(proto_reply_accept(&r, 0));
	fill_current(&r);
	assert_false(proto_reply_accept(&r, NSISO_REPLY_V3_SIZE - 1));
	fill_current(&r);
	assert_false(proto_reply_accept(&r, NSISO_REPLY_V3_SIZE + 4));
	fill_current(&r);
	assert_false(proto_reply_accept(&r, sizeof(r) - 1));
}

static void test_wrong_magic_refused(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	r.magic = 0x6e736932u; /* "nsi2" */
	assert_false(proto_reply_accept(&r, sizeof(r)));
	assert_false(proto_reply_accept(&r, NSISO_REPLY_V3_SIZE));
}

/* A newer init's reply of this size would mean fields this build does
 * not know the meaning of. */
static void test_other_version_refused(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	r.proto_version = NSISO_PROTO_VERSION + 1;
	assert_false(proto_reply_accept(&r, sizeof(r)));
	fill_current(&r);
	r.proto_version = 3; /* protocol 3 never sent this size */
	assert_false(proto_reply_accept(&r, sizeof(r)));
}

/* A flag or namespace this build would not apply: refused, for both
 * protocols, so that a login never joins with half the isolation. */
static void test_unknown_flags_refused(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	r.session_flags |= NSISO_SESSION_KNOWN + 1;
	assert_false(proto_reply_accept(&r, sizeof(r)));
	assert_false(proto_reply_accept(&r, NSISO_REPLY_V3_SIZE));
	fill_current(&r);
	r.namespaces |= 1u << 8;
	assert_false(proto_reply_accept(&r, sizeof(r)));
	fill_current(&r);
	r.session_flags = NSISO_SESSION_KNOWN;
	r.namespaces = 0xff;
	assert_true(proto_reply_accept(&r, sizeof(r)));
}

static void test_release_terminated(void **state)
{
	struct nsiso_reply r;

	(void)state;
	fill_current(&r);
	memset(r.release, 'x', sizeof(r.release));
	assert_true(proto_reply_accept(&r, sizeof(r)));
	assert_int_equal(strlen(r.release), sizeof(r.release) - 1);
}

/* Requests: an init must serve the clients of every earlier release
 * (their requests are shorter) and read a newer one's as far as it knows
 * (the socket cuts it to this build's size). */
static void fill_request(struct nsiso_request *q)
{
	memset(q, 0x5a, sizeof(*q)); /* an earlier message's bytes */
	q->magic = NSISO_MAGIC;
	q->op = OP_REGISTER;
}

static void test_request_current_read(void **state)
{
	struct nsiso_request q;

	(void)state;
	fill_request(&q);
	q.grace = 7;
	strcpy(q.tty, "/dev/pts/3");
	strcpy(q.rhost, "192.0.2.1");
	q.pid = 4242;
	assert_true(proto_request_accept(&q, sizeof(q)));
	assert_int_equal(q.grace, 7);
	assert_string_equal(q.tty, "/dev/pts/3");
	assert_string_equal(q.rhost, "192.0.2.1");
	assert_int_equal(q.pid, 4242);
}

static void test_request_older_sizes_read_with_defaults(void **state)
{
	struct nsiso_request q;

	(void)state;
	fill_request(&q); /* protocol 3: {magic, op} */
	assert_true(proto_request_accept(&q, NSISO_REQUEST_V3_SIZE));
	assert_int_equal(q.op, OP_REGISTER);
	assert_int_equal(q.grace, NSISO_GRACE_POLICY);
	assert_string_equal(q.tty, "");
	assert_string_equal(q.rhost, "");
	assert_int_equal(q.pid, 0); /* unknown: its records go to the sweep */
	fill_request(&q); /* 0.2.0: up to grace */
	q.grace = 3;
	assert_true(proto_request_accept(&q, NSISO_REQUEST_V4_SIZE));
	assert_int_equal(q.grace, 3);
	assert_string_equal(q.tty, "");
	assert_string_equal(q.rhost, "");
	assert_int_equal(q.pid, 0);
}

static void test_request_layout_frozen(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct nsiso_request, grace), NSISO_REQUEST_V3_SIZE);
	assert_int_equal(offsetof(struct nsiso_request, tty), NSISO_REQUEST_V4_SIZE);
}

static void test_request_strings_terminated(void **state)
{
	struct nsiso_request q;

	(void)state;
	fill_request(&q); /* no NUL anywhere in tty or rhost */
	assert_true(proto_request_accept(&q, sizeof(q)));
	assert_int_equal(strlen(q.tty), sizeof(q.tty) - 1);
	assert_int_equal(strlen(q.rhost), sizeof(q.rhost) - 1);
}

static void test_request_bad_refused(void **state)
{
	struct nsiso_request q;

	(void)state;
	fill_request(&q);
	assert_false(proto_request_accept(&q, 0));
	assert_false(proto_request_accept(&q, NSISO_REQUEST_V3_SIZE - 1));
	assert_false(proto_request_accept(&q, NSISO_REQUEST_V3_SIZE + 2));
	assert_false(proto_request_accept(&q, sizeof(q) - 1));
	q.magic = 0x6e736932u;
	assert_false(proto_request_accept(&q, sizeof(q)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_current_reply_read),
		cmocka_unit_test(test_protocol_3_reply_read_later_fields_zero),
		cmocka_unit_test(test_protocol_3_layout_frozen),
		cmocka_unit_test(test_other_sizes_refused),
		cmocka_unit_test(test_wrong_magic_refused),
		cmocka_unit_test(test_other_version_refused),
		cmocka_unit_test(test_unknown_flags_refused),
		cmocka_unit_test(test_release_terminated),
		cmocka_unit_test(test_request_current_read),
		cmocka_unit_test(test_request_older_sizes_read_with_defaults),
		cmocka_unit_test(test_request_layout_frozen),
		cmocka_unit_test(test_request_strings_terminated),
		cmocka_unit_test(test_request_bad_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
