/* Unit tests for plan_make (root/policy/plan.c): a parsed policy made concrete
 * for one user, with every expanded value checked again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define PPATH "/etc/security/nsiso/user/alice.conf"
#define HOST "web1"

/* A user_info without NSS: every string lives in the struct. */
struct fake_user {
	struct user_info u;
	char name[512];
	char group[512];
};

static void fake_user(struct fake_user *f, const char *name,
		      const char *group, uid_t uid)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->group, sizeof(f->group), "%s", group);
	f->u.name = f->name;
	f->u.group = f->group;
	f->u.uid = uid;
	f->u.gid = uid + 1;
	snprintf(f->u.uid_str, sizeof(f->u.uid_str), "%u", (unsigned)uid);
}

/* Parses text as a user file (it must parse) and plans it for the user.
 * Returns plan_make's result; e holds its message. */
static int plan_text(const char *text, const struct fake_user *f,
		     struct env_plan *plan, struct nsiso_err *e)
{
	struct policy p;
	struct policy_error pe;
	int rc;

	if (policy_parse(text, strlen(text), POLICY_USER, &p, &pe) != 0)
		fail_msg("'%s' does not parse: %u:%u: %s", text, pe.line,
			 pe.col, pe.msg);
	e->msg[0] = '\0';
	memset(plan, 0x5a, sizeof(*plan));
	rc = plan_make(&p, PPATH, &f->u, HOST, plan, e);
	policy_free(&p);
	return rc;
}

static void plan_ok(const char *text, const struct fake_user *f,
		    struct env_plan *plan)
{
	struct nsiso_err err;

	if (plan_text(text, f, plan, &err) != 0)
		fail_msg("'%s' for %s: %s", text, f->name, err.msg);
}

/* Expects plan_make to fail with an error that starts with want_prefix
 * (PPATH:line:) and contains needle. The plan must be left empty. */
static void plan_err(const char *text, const struct fake_user *f,
		     const char *want_prefix, const char *needle)
{
	struct env_plan plan;
	struct nsiso_err err;
	int rc = plan_text(text, f, &plan, &err);

	if (rc != -1 || strncmp(err.msg, want_prefix, strlen(want_prefix)) != 0 ||
	    strstr(err.msg, needle) == NULL) {
		if (rc == 0)
			plan_free(&plan);
		fail_msg("'%s' for user '%s': rc %d, err '%s'; want '%s...%s'",
			 text, f->name, rc, err.msg, want_prefix, needle);
	}
	assert_null(plan.mounts);
	assert_int_equal(plan.n_mounts, 0);
}

/* ---- the plan's fields ---------------------------------------------- */

static void test_copies_policy_and_user(void **state)
{
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1001);
	plan_ok("namespaces = mount uts ipc\nshare = session\nlinger = 60\n", &f,
		&plan);
	assert_int_equal(plan.uid, 1001);
	assert_int_equal(plan.gid, 1002);
	assert_string_equal(plan.user, "alice");
	assert_string_equal(plan.policy_path, PPATH);
	assert_int_equal(plan.namespaces,
			 NSISO_NS_MOUNT | NSISO_NS_UTS | NSISO_NS_IPC);
	assert_int_equal(plan.share, SHARE_SESSION);
	assert_int_equal(plan.linger, 60);
	assert_false(plan.set_hostname);
	assert_string_equal(plan.hostname, "");
	assert_int_equal(plan.n_mounts, 0);
	plan_free(&plan);
	assert_null(plan.mounts);
	assert_int_equal(plan.n_mounts, 0);
}

/* ---- hostname ------------------------------------------------------- */

static void test_hostname_expanded(void **state)
{
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1001);
	plan_ok("hostname = %u-%U.%g.%H\n", &f, &plan);
	assert_true(plan.set_hostname);
	assert_string_equal(plan.hostname, "alice-1001.staff.web1");
	plan_free(&plan);

	plan_ok("hostname = fixed\n", &f, &plan);
	assert_true(plan.set_hostname);
	assert_string_equal(plan.hostname, "fixed");
	plan_free(&plan);
}

/* The user look-up leaves the primary group's name out (plan_here.h): a
 * plan for a user without it is refused, never made with an empty %g. */
static void test_group_not_looked_up_refused(void **state)
{
	struct fake_user f;
	struct env_plan plan;
	struct nsiso_err e;

	(void)state;
	fake_user(&f, "alice", "staff", 1001);
	f.u.group = NULL;
	assert_int_equal(plan_text("hostname = %g-box\n", &f, &plan, &e), -1);
	assert_string_equal(e.msg, "the primary group of alice was not looked up");
}

static void test_hostname_validated_after_expansion(void **state)
{
	struct fake_user f;

	(void)state;
	/* Valid as a template, invalid once the user's name is in it. */
	fake_user(&f, "a_b", "staff", 1001);
	plan_err("linger = 1\n\nhostname = %u-box\n", &f, PPATH ":3: ",
		 "hostname: 'a_b-box' (from '%u-box' for user a_b) is not a valid host name: only letters");

	fake_user(&f, "alice", "-x", 1001);
	plan_err("hostname = %g\n", &f, PPATH ":1: ", "starts with '-'");

	fake_user(&f, "alice", "staff", 1001);
	plan_err("hostname = box%%\n", &f, PPATH ":1: ",
		 "'box%' (from 'box%%' for user alice) is not a valid host name");

	fake_user(&f, "first.last", "staff", 1001);
	plan_err("hostname = %u.\n", &f, PPATH ":1: ", "empty label");
}

static void test_hostname_too_long(void **state)
{
	struct fake_user f;
	struct env_plan plan;
	char name[80];

	(void)state;
	/* 60 + "-web1" = 65 bytes: one too many. */
	memset(name, 'a', 60);
	name[60] = '\0';
	fake_user(&f, name, "staff", 1001);
	plan_err("\nhostname = %u-%H\n", &f, PPATH ":2: ",
		 "is longer than 64 characters");

	/* 59 + "-web1" = 64 bytes; labels must stay at most 63, so split. */
	name[30] = '.';
	name[59] = '\0';
	fake_user(&f, name, "staff", 1001);
	plan_ok("hostname = %u-%H\n", &f, &plan);
	assert_int_equal(strlen(plan.hostname), 64);
	plan_free(&plan);

	/* A 64-byte label expands fine but is not a host name. */
	memset(name, 'b', 64);
	name[64] = '\0';
	fake_user(&f, name, "staff", 1001);
	plan_err("hostname = %u\n", &f, PPATH ":1: ",
		 "a label is longer than 63 characters");
}

/* ---- mounts --------------------------------------------------------- */

static void test_mounts_expanded(void **state)
{
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1001);
	plan_ok("tmpfs = /home/%u/tmp\n"
		"bind = /srv/%g/%U /data ro\n"
		"readonly = /opt/%H\n"
		"hide = /home/%%u\n"
		"bind = /srv/shared /home/%u/shared\n",
		&f, &plan);
	assert_int_equal(plan.n_mounts, 5);

	assert_int_equal(plan.mounts[0].kind, MOUNT_TMPFS);
	assert_string_equal(plan.mounts[0].target, "/home/alice/tmp");
	assert_true(plan.mounts[0].per_user_target);
	assert_false(plan.mounts[0].per_user_source);
	assert_int_equal(plan.mounts[0].line, 1);

	assert_int_equal(plan.mounts[1].kind, MOUNT_BIND);
	assert_string_equal(plan.mounts[1].source, "/srv/staff/1001");
	assert_string_equal(plan.mounts[1].target, "/data");
	assert_true(plan.mounts[1].readonly);
	assert_true(plan.mounts[1].per_user_source);
	assert_false(plan.mounts[1].per_user_target);
	assert_string_equal(plan.mounts[1].options, "");
	assert_int_equal(plan.mounts[1].line, 2);

	assert_int_equal(plan.mounts[2].kind, MOUNT_READONLY);
	assert_string_equal(plan.mounts[2].target, "/opt/web1");
	assert_false(plan.mounts[2].per_user_target);
	assert_string_equal(plan.mounts[2].source, "");

	assert_int_equal(plan.mounts[3].kind, MOUNT_HIDE);
	assert_string_equal(plan.mounts[3].target, "/home/%u");
	assert_false(plan.mounts[3].per_user_target);

	assert_string_equal(plan.mounts[4].source, "/srv/shared");
	assert_string_equal(plan.mounts[4].target, "/home/alice/shared");
	assert_false(plan.mounts[4].per_user_source);
	assert_true(plan.mounts[4].per_user_target);
	assert_false(plan.mounts[4].readonly);
	assert_int_equal(plan.mounts[4].line, 5);
	plan_free(&plan);
}

static void test_tmpfs_default_options(void **state)
{
	static const struct {
		const char *line;
		const char *options;
	} cases[] = {
		{ "tmpfs = /tmp\n", "size=256m,mode=1777" },
		{ "tmpfs = /tmp size=64m\n", "size=64m,mode=1777" },
		{ "tmpfs = /tmp size=10%\n", "size=10%,mode=1777" },
		{ "tmpfs = /tmp mode=0700\n", "mode=0700,size=256m" },
		{ "tmpfs = /tmp size=1g,mode=0700\n", "size=1g,mode=0700" },
		{ "tmpfs = /tmp mode=0755,size=2m\n", "mode=0755,size=2m" },
		{ "tmpfs = /tmp nr_inodes=100\n",
		  "nr_inodes=100,size=256m,mode=1777" },
	};
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1001);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan_ok(cases[i].line, &f, &plan);
		assert_int_equal(plan.n_mounts, 1);
		assert_string_equal(plan.mounts[0].options, cases[i].options);
		plan_free(&plan);
	}
}

static void test_tmpfs_options_never_truncated(void **state)
{
	/* Each option may be given once (the parser refuses repeats), so the
	 * longest list the parser admits, with the defaults added, fits the
	 * plan's buffer whole: a trailing mode=0700 is never cut off. */
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1001);
	plan_ok("tmpfs = /tmp size=999999999999g,nr_inodes=999999999999,mode=0700\n",
		&f, &plan);
	assert_string_equal(plan.mounts[0].options,
			    "size=999999999999g,nr_inodes=999999999999,mode=0700");
	plan_free(&plan);
	plan_ok("tmpfs = /tmp nr_inodes=123456789\n", &f, &plan);
	assert_string_equal(plan.mounts[0].options,
			    "nr_inodes=123456789,size=256m,mode=1777");
	plan_free(&plan);
}

static void test_expanded_paths_rechecked(void **state)
{
	struct fake_user f;

	(void)state;
	/* A name from NSS can make a normal template abnormal. */
	fake_user(&f, "..", "staff", 1001);
	plan_err("\ntmpfs = /home/%u\n", &f, PPATH ":2: ",
		 "tmpfs: '/home/%u' expands to '/home/..': '.' and '..' components are not allowed");
	plan_err("bind = /srv/%u /data\n", &f, PPATH ":1: ",
		 "bind: '/srv/%u' expands to '/srv/..'");

	fake_user(&f, "alice", "", 1001);
	plan_err("hide = /srv/%g/x\n", &f, PPATH ":1: ",
		 "expands to '/srv//x': empty component");
	plan_err("readonly = /srv/%g\n", &f, PPATH ":1: ", "ends with '/'");

	fake_user(&f, "a\x7f", "staff", 1001);
	plan_err("tmpfs = /home/%u\n", &f, PPATH ":1: ", "control character");
}

static void test_expanded_targets_forbidden(void **state)
{
	struct fake_user f;

	(void)state;
	fake_user(&f, "proc", "staff", 1001);
	plan_err("tmpfs = /tmp\ntmpfs = /%u\n", &f, PPATH ":2: ",
		 "tmpfs: may not mount on '/proc'");

	fake_user(&f, "alice", "run", 1001);
	plan_err("hide = /%g\n", &f, PPATH ":1: ", "may not mount on '/run'");

	fake_user(&f, "log", "staff", 1001);
	plan_err("bind = /srv/data /var/%u\n", &f, PPATH ":1: ",
		 "bind: may not mount on '/var/log'");

	fake_user(&f, "alice", "dev", 1001);
	plan_err("readonly = /%g/null\n", &f, PPATH ":1: ", "only /dev/shm");

	/* The same template with a harmless value is fine. */
	{
		struct env_plan plan;

		plan_ok("tmpfs = /%g/shm\n", &f, &plan);
		assert_string_equal(plan.mounts[0].target, "/dev/shm");
		plan_free(&plan);
	}
}

static void test_per_user_source_rechecked(void **state)
{
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	/* The parser cannot know that "/%u" will be /etc for this user. */
	fake_user(&f, "etc", "staff", 1001);
	plan_err("bind = /home/%u/conf /%u\n", &f, PPATH ":1: ",
		 "setuid programs read");
	fake_user(&f, "alice", "usr", 1001);
	plan_err("bind = /srv/%u /%g/local\n", &f, PPATH ":1: ",
		 "setuid programs read");

	/* A fixed source there is checked for ownership at build time. */
	fake_user(&f, "etc", "staff", 1001);
	plan_ok("bind = /srv/conf /%u\n", &f, &plan);
	assert_string_equal(plan.mounts[0].target, "/etc");
	assert_false(plan.mounts[0].per_user_source);
	plan_free(&plan);
}

static void test_expansion_too_long(void **state)
{
	char name[300];
	char text[256];
	struct fake_user f;

	(void)state;
	memset(name, 'a', 250);
	name[250] = '\0';
	fake_user(&f, name, "staff", 1001);
	/* 17 * 251 bytes > PATH_MAX. */
	strcpy(text, "tmpfs = ");
	for (int i = 0; i < 17; i++)
		strcat(text, "/%u");
	strcat(text, "\n");
	plan_err(text, &f, PPATH ":1: ", "does not expand: File name too long");

	strcpy(text, "bind = ");
	for (int i = 0; i < 17; i++)
		strcat(text, "/%u");
	strcat(text, " /data\n");
	plan_err(text, &f, PPATH ":1: ", "bind:");
}

static void test_error_after_some_mounts_frees(void **state)
{
	struct fake_user f;

	(void)state;
	/* Earlier mounts were planned; the failure must not leak them
	 * (valgrind checks) and leaves an empty plan (plan_err checks). */
	fake_user(&f, "proc", "staff", 1001);
	plan_err("tmpfs = /tmp\nbind = /a /b\nhide = /c\nhide = /%u\n", &f,
		 PPATH ":4: ", "hide: may not mount on '/proc'");
}

static void test_network_veth_pool(void **state)
{
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1002);
	plan_ok("namespaces = mount net\nnetwork = veth br0 10.77.0.0/16 10.77.0.1\n",
		&f, &plan);
	assert_int_equal(plan.net_mode, NET_VETH);
	/* base + uid: 10.77.0.0 + 1002 = 10.77.3.234 */
	assert_memory_equal(plan.addr, ((unsigned char[]){ 10, 77, 3, 234 }), 4);
	assert_string_equal(plan.host_if, "nsiso1002");
	assert_string_equal(plan.bridge, "br0");
	plan_free(&plan);

	/* A literal address is used as written. */
	plan_ok("namespaces = mount net\nnetwork = veth br0 10.9.0.5/24\n", &f, &plan);
	assert_memory_equal(plan.addr, ((unsigned char[]){ 10, 9, 0, 5 }), 4);
	plan_free(&plan);

	/* A /24 pool holds uids up to 253 only. */
	plan_err("namespaces = mount net\nnetwork = veth br0 10.9.0.0/24\n", &f,
		 PPATH ":2:", "uid 1002 does not fit in the /24 pool");
	/* uid 1 would land on the gateway. */
	fake_user(&f, "one", "staff", 1);
	plan_err("namespaces = mount net\nnetwork = veth br0 10.9.0.0/24 10.9.0.1\n", &f,
		 PPATH ":2:", "the network, broadcast or gateway address");
	/* The /16 pool ends before its broadcast address. */
	fake_user(&f, "last", "staff", 65535);
	plan_err("namespaces = mount net\nnetwork = veth br0 10.77.0.0/16\n", &f,
		 PPATH ":2:", "does not fit");
	fake_user(&f, "below", "staff", 65534);
	plan_ok("namespaces = mount net\nnetwork = veth br0 10.77.0.0/16\n", &f, &plan);
	assert_memory_equal(plan.addr, ((unsigned char[]){ 10, 77, 255, 254 }), 4);
	plan_free(&plan);
}

static void test_network_netns_expanded(void **state)
{
	struct fake_user f;
	struct env_plan plan;

	(void)state;
	fake_user(&f, "alice", "staff", 1002);
	plan_ok("namespaces = mount net\nnetwork = netns ns-%u\nnetns_create = yes\n",
		&f, &plan);
	assert_int_equal(plan.net_mode, NET_NETNS);
	assert_string_equal(plan.netns_name, "ns-alice");
	assert_true(plan.netns_create);
	plan_free(&plan);
	fake_user(&f, "a/b", "staff", 1002);
	plan_err("namespaces = mount net\nnetwork = netns %u\n", &f, PPATH ":2:",
		 "does not give a usable name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_policy_and_user),
		cmocka_unit_test(test_hostname_expanded),
		cmocka_unit_test(test_group_not_looked_up_refused),
		cmocka_unit_test(test_hostname_validated_after_expansion),
		cmocka_unit_test(test_hostname_too_long),
		cmocka_unit_test(test_mounts_expanded),
		cmocka_unit_test(test_tmpfs_default_options),
		cmocka_unit_test(test_tmpfs_options_never_truncated),
		cmocka_unit_test(test_expanded_paths_rechecked),
		cmocka_unit_test(test_expanded_targets_forbidden),
		cmocka_unit_test(test_per_user_source_rechecked),
		cmocka_unit_test(test_expansion_too_long),
		cmocka_unit_test(test_error_after_some_mounts_frees),
		cmocka_unit_test(test_network_veth_pool),
		cmocka_unit_test(test_network_netns_expanded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
