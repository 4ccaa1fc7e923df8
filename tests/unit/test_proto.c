/* Unit tests for which replies a client reads (glibc-musl/proto.c,
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
