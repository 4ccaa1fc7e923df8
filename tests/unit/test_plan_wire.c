/* Unit tests for the plan's wire form (glibc-musl/plan_wire.c): what the
 * PAM module and nsiso-resolve hand to the static nsiso-helper. A plan
 * comes back as it went, and anything the builder could misread (another
 * build's layout, a string without its end, a kind it does not know, a
 * length that does not add up) is refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan_wire.h"

static struct planned_mount two_mounts[2];

static void fill_plan(struct env_plan *p)
{
	memset(p, 0, sizeof(*p));
	memset(two_mounts, 0, sizeof(two_mounts));
	p->uid = 1001;
	p->gid = 1001;
	strcpy(p->user, "alice");
	strcpy(p->home, "/home/alice");
	p->namespaces = 0xf;
	p->share = SHARE_USER;
	p->set_hostname = true;
	strcpy(p->hostname, "alice-box");
	strcpy(p->policy_path, "/etc/security/nsiso/default.conf");
	p->net_mode = NET_VETH;
	strcpy(p->bridge, "br0");
	strcpy(p->host_if, "nsiso1001");
	p->addr[0] = 10;
	p->prefix = 24;
	p->boottime_offset = -5;
	two_mounts[0].kind = MOUNT_TMPFS;
	strcpy(two_mounts[0].target, "/tmp");
	strcpy(two_mounts[0].options, "mode=1777");
	two_mounts[0].line = 3;
	two_mounts[1].kind = MOUNT_BIND;
	strcpy(two_mounts[1].source, "/srv/alice");
	strcpy(two_mounts[1].target, "/data");
	two_mounts[1].readonly = true;
	two_mounts[1].per_user_source = true;
	two_mounts[1].line = 4;
	p->mounts = two_mounts;
	p->n_mounts = 2;
}

/* A packed plan, for the refusals to spoil. */
static char *packed(size_t *len)
{
	struct env_plan p;
	char *buf;

	fill_plan(&p);
	assert_int_equal(plan_wire_pack(&p, &buf, len), 0);
	return buf;
}

static void expect_refused(const char *buf, size_t len, const char *reason)
{
	struct nsiso_err e = { "" };
	struct env_plan out;

	assert_int_equal(plan_wire_unpack(buf, len, &out, &e), -1);
	assert_non_null(strstr(e.msg, reason));
	assert_null(out.mounts);
}

/* in packed and read back into *out, which must be accepted. */
static void pack_and_read(const struct env_plan *in, struct env_plan *out)
{
	struct nsiso_err e = { "" };
	char *buf;
	size_t len;

	assert_int_equal(plan_wire_pack(in, &buf, &len), 0);
	assert_int_equal(len, sizeof(struct plan_wire_header) + sizeof(*in) +
				      in->n_mounts * sizeof(struct planned_mount));
	assert_int_equal(plan_wire_unpack(buf, len, out, &e), 0);
	free(buf);
}

static void test_round_trip(void **state)
{
	struct env_plan in, out;

	(void)state;
	fill_plan(&in);
	pack_and_read(&in, &out);
	assert_int_equal(out.uid, 1001);
	assert_string_equal(out.user, "alice");
	assert_string_equal(out.home, "/home/alice");
	assert_string_equal(out.hostname, "alice-box");
	assert_int_equal(out.net_mode, NET_VETH);
	assert_string_equal(out.host_if, "nsiso1001");
	assert_int_equal(out.boottime_offset, -5);
	assert_int_equal(out.n_mounts, 2);
	assert_ptr_not_equal(out.mounts, two_mounts);
	assert_memory_equal(out.mounts, two_mounts, sizeof(two_mounts));
	plan_free(&out);
	assert_null(out.mounts);
}

static void test_no_mounts(void **state)
{
	struct env_plan in, out;

	(void)state;
	fill_plan(&in);
	in.mounts = NULL;
	in.n_mounts = 0;
	pack_and_read(&in, &out);
	assert_null(out.mounts);
	assert_int_equal(out.n_mounts, 0);
	assert_string_equal(out.policy_path, "/etc/security/nsiso/default.conf");
}

static void test_too_many_mounts_not_packed(void **state)
{
	struct env_plan in;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	fill_plan(&in);
	in.n_mounts = POLICY_MAX_MOUNTS + 1;
	errno = 0;
	assert_int_equal(plan_wire_pack(&in, &buf, &len), -1);
	assert_int_equal(errno, E2BIG);
	assert_null(buf);
}

static void test_other_build_refused(void **state)
{
	size_t len;
	char *buf = packed(&len);
	struct plan_wire_header h;

	(void)state;
	expect_refused(buf, sizeof(h) - 1, "too short");
	memcpy(&h, buf, sizeof(h));
	buf[0] ^= 1; /* the magic */
	expect_refused(buf, len, "not a plan of this build");
	buf[0] ^= 1;
	h.plan_size++;
	memcpy(buf, &h, sizeof(h));
	expect_refused(buf, len, "not a plan of this build");
	h.plan_size--;
	h.mount_size--;
	memcpy(buf, &h, sizeof(h));
	expect_refused(buf, len, "not a plan of this build");
	free(buf);
}

static void test_lengths_refused(void **state)
{
	size_t len;
	char *buf = packed(&len);
	struct plan_wire_header h;

	(void)state;
	expect_refused(buf, len - 1, "bytes, not");
	memcpy(&h, buf, sizeof(h));
	h.n_mounts = 3; /* more mounts than the bytes hold */
	memcpy(buf, &h, sizeof(h));
	expect_refused(buf, len, "bytes, not");
	h.n_mounts = POLICY_MAX_MOUNTS + 1;
	memcpy(buf, &h, sizeof(h));
	expect_refused(buf, len, "at most");
	free(buf);
}

/* Each field the builder reads as a string, in turn without its end. */
static void test_unended_strings_refused(void **state)
{
	const size_t plan_at = sizeof(struct plan_wire_header);
	const struct {
		size_t offset, size;
	} fields[] = {
		{ offsetof(struct env_plan, user), sizeof(((struct env_plan *)0)->user) },
		{ offsetof(struct env_plan, home), sizeof(((struct env_plan *)0)->home) },
		{ offsetof(struct env_plan, hostname), sizeof(((struct env_plan *)0)->hostname) },
		{ offsetof(struct env_plan, policy_path), sizeof(((struct env_plan *)0)->policy_path) },
		{ offsetof(struct env_plan, netns_name), sizeof(((struct env_plan *)0)->netns_name) },
		{ offsetof(struct env_plan, bridge), sizeof(((struct env_plan *)0)->bridge) },
		{ offsetof(struct env_plan, host_if), sizeof(((struct env_plan *)0)->host_if) },
		{ offsetof(struct env_plan, cgroup_parent), sizeof(((struct env_plan *)0)->cgroup_parent) },
	};
	const size_t mounts_at = plan_at + sizeof(struct env_plan);
	const size_t mount_fields[] = {
		offsetof(struct planned_mount, source),
		offsetof(struct planned_mount, target),
		offsetof(struct planned_mount, options),
	};
	const size_t mount_sizes[] = {
		sizeof(((struct planned_mount *)0)->source),
		sizeof(((struct planned_mount *)0)->target),
		sizeof(((struct planned_mount *)0)->options),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t len;
		char *buf = packed(&len);

		memset(buf + plan_at + fields[i].offset, 'x', fields[i].size);
		expect_refused(buf, len, "a string without its end");
		free(buf);
	}
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		char *buf = packed(&len);

		/* the second mount */
		memset(buf + mounts_at + sizeof(struct planned_mount) + mount_fields[i],
		       'x', mount_sizes[i]);
		expect_refused(buf, len, "a mount's string without its end");
		free(buf);
	}
}

static void test_unknown_kinds_refused(void **state)
{
	const size_t plan_at = sizeof(struct plan_wire_header);
	const size_t mounts_at = plan_at + sizeof(struct env_plan);
	int bad = 99;
	size_t len;
	char *buf;

	(void)state;
	buf = packed(&len);
	memcpy(buf + plan_at + offsetof(struct env_plan, share), &bad, sizeof(bad));
	expect_refused(buf, len, "an unknown share");
	free(buf);
	buf = packed(&len);
	memcpy(buf + plan_at + offsetof(struct env_plan, net_mode), &bad, sizeof(bad));
	expect_refused(buf, len, "an unknown network mode");
	free(buf);
	buf = packed(&len);
	memcpy(buf + mounts_at + offsetof(struct planned_mount, kind), &bad, sizeof(bad));
	expect_refused(buf, len, "an unknown mount kind");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_mounts),
		cmocka_unit_test(test_too_many_mounts_not_packed),
		cmocka_unit_test(test_other_build_refused),
		cmocka_unit_test(test_lengths_refused),
		cmocka_unit_test(test_unended_strings_refused),
		cmocka_unit_test(test_unknown_kinds_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
