/* Unit tests for the policy parser (root/policy/policy.c).
 *
 * Every error class is checked with the line (and column, where the parser
 * gives one) that an admin would see in syslog or from "nsiso check". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/capability.h>

#include "policy.h"

/* Column value meaning "do not check the column". */
#define ANY_COL UINT32_MAX

/* Parses text (exactly len bytes) and expects success. */
static void parse_ok_len(const char *text, size_t len, enum policy_kind kind,
			 struct policy *p, int srcline)
{
	struct policy_error e;

	if (policy_parse(text, len, kind, p, &e) != 0)
		fail_msg("line %d: expected '%s' to parse, got %u:%u: %s",
			 srcline, text, e.line, e.col, e.msg);
}

#define PARSE_OK(text, kind, p) \
	parse_ok_len(text, sizeof(text) - 1, kind, p, __LINE__)

/* Parses text and expects an error at line:col whose message contains
 * needle; the output must be left empty. */
static void parse_err_len(const char *text, size_t len, enum policy_kind kind,
			  unsigned line, unsigned col, const char *needle,
			  int srcline)
{
	struct policy p;
	struct policy_error e;
	int rc;

	memset(&p, 0x5a, sizeof(p));
	rc = policy_parse(text, len, kind, &p, &e);
	if (rc != -1 || e.line != line || (col != ANY_COL && e.col != col) ||
	    strstr(e.msg, needle) == NULL) {
		if (rc == 0)
			policy_free(&p);
		fail_msg("line %d: input '%s': rc %d, got %u:%u '%s', want %u:%u containing '%s'",
			 srcline, text, rc, e.line, e.col, e.msg, line,
			 col == ANY_COL ? 0 : col, needle);
	}
	/* A failed parse leaves nothing to free. */
	assert_null(p.mounts);
	assert_int_equal(p.n_mounts, 0);
	assert_null(p.hostname);
}

#define PARSE_ERR(text, kind, line, col, needle) \
	parse_err_len(text, sizeof(text) - 1, kind, line, col, needle, __LINE__)

/* ---- defaults and the basic shape ---------------------------------- */

static void test_empty_file_defaults(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("", POLICY_DEFAULT, &p);
	assert_true(p.isolate);
	assert_int_equal(p.namespaces, NSISO_NS_MOUNT | NSISO_NS_UTS |
					       NSISO_NS_IPC | NSISO_NS_PID);
	assert_int_equal(p.namespaces, NSISO_NS_DEFAULT);
	assert_int_equal(p.line[POLICY_KEY_NAMESPACES], 0);
	assert_null(p.hostname);
	assert_int_equal(p.n_mounts, 0);
	assert_int_equal(p.share, SHARE_USER);
	assert_int_equal(p.linger, 0);
	assert_int_equal(p.logins_max, 1000);
	assert_int_equal(p.stop_grace, POLICY_DEFAULT_STOP_GRACE);
	assert_int_equal(p.stop_grace, 10);
	assert_false(policy_has(&p, POLICY_KEY_UID_MIN));
	assert_false(policy_has(&p, POLICY_KEY_PRIORITY));
	policy_free(&p);
}

static void test_comments_and_blank_lines(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("# a comment\n"
		 "\n"
		 "   \t \n"
		 "   # indented comment\n"
		 "#\n"
		 "linger = 30   # after a value, after whitespace\n"
		 "share = session\t# after a tab\n",
		 POLICY_USER, &p);
	assert_int_equal(p.linger, 30);
	assert_int_equal(p.share, SHARE_SESSION);
	policy_free(&p);
}

static void test_hash_inside_value_is_not_comment(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("tmpfs = /a#b\n"
		 "hide = /srv/x#y #real comment\n",
		 POLICY_USER, &p);
	assert_int_equal(p.n_mounts, 2);
	assert_string_equal(p.mounts[0].target, "/a#b");
	assert_string_equal(p.mounts[1].target, "/srv/x#y");
	policy_free(&p);

	/* Not a comment, so the value is wrong, not missing. */
	PARSE_ERR("isolate = yes#no\n", POLICY_USER, 1, 11,
		  "expected yes or no, got 'yes#no'");
}

static void test_whitespace_and_tabs(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("  isolate=yes\n"
		 "\tlinger\t=\t5\t\n"
		 "namespaces=mount   uts\n",
		 POLICY_USER, &p);
	assert_true(p.isolate);
	assert_int_equal(p.linger, 5);
	assert_int_equal(p.namespaces, NSISO_NS_MOUNT | NSISO_NS_UTS);
	assert_int_equal(p.line[POLICY_KEY_NAMESPACES], 3);
	policy_free(&p);
}

static void test_crlf_tolerated(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("isolate = yes\r\n"
		 "linger = 12\r\n"
		 "tmpfs = /tmp\r\n"
		 "hostname = box\r",
		 POLICY_USER, &p);
	assert_int_equal(p.linger, 12);
	assert_int_equal(p.n_mounts, 1);
	assert_string_equal(p.mounts[0].target, "/tmp");
	assert_string_equal(p.hostname, "box");
	assert_int_equal(p.line[POLICY_KEY_HOSTNAME], 4);
	policy_free(&p);

	/* Only a single trailing CR is forgiven. */
	PARSE_ERR("linger = 1\r\r\n", POLICY_USER, 1, 11,
		  "control character");
}

static void test_last_line_counts(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("\n\nlinger = 7", POLICY_USER, &p);
	assert_int_equal(p.linger, 7);
	policy_free(&p);
	PARSE_ERR("\n\nlinger = x", POLICY_USER, 3, 10, "whole number");
}

static void test_isolate_no(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("isolate = no\n", POLICY_USER, &p);
	assert_false(p.isolate);
	/* Nothing is defaulted for a policy that does not isolate. */
	assert_int_equal(p.namespaces, 0);
	policy_free(&p);

	/* Whole-file namespace rules do not apply when not isolating. */
	PARSE_OK("isolate = no\nnamespaces = ipc\nhostname = x\ntmpfs = /tmp\n",
		 POLICY_USER, &p);
	assert_false(p.isolate);
	policy_free(&p);

	PARSE_OK("isolate = yes\n", POLICY_USER, &p);
	assert_true(p.isolate);
	policy_free(&p);
}

static void test_full_policy(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("# everything at once\n"
		 "isolate = yes\n"
		 "namespaces = mount uts ipc pid net cgroup time user\n"
		 "hostname = %u-%H\n"
		 "share = session\n"
		 "linger = 604800\n"
		 "uid_min = 1000\n"
		 "tmpfs = /tmp size=64m,mode=1777\n"
		 "bind = /srv/data /data ro\n"
		 "readonly = /opt\n"
		 "hide = /home/other\n"
		 "tmpfs = /var/tmp\n",
		 POLICY_DEFAULT, &p);
	assert_int_equal(p.namespaces, 0xff);
	assert_int_equal(p.line[POLICY_KEY_NAMESPACES], 3);
	assert_string_equal(p.hostname, "%u-%H");
	assert_int_equal(p.line[POLICY_KEY_HOSTNAME], 4);
	assert_int_equal(p.share, SHARE_SESSION);
	assert_int_equal(p.linger, POLICY_MAX_LINGER);
	assert_true(policy_has(&p, POLICY_KEY_UID_MIN));
	assert_int_equal(p.uid_min, 1000);
	assert_int_equal(p.n_mounts, 5);

	assert_int_equal(p.mounts[0].kind, MOUNT_TMPFS);
	assert_string_equal(p.mounts[0].target, "/tmp");
	assert_string_equal(p.mounts[0].options, "size=64m,mode=1777");
	assert_null(p.mounts[0].source);
	assert_int_equal(p.mounts[0].line, 8);

	assert_int_equal(p.mounts[1].kind, MOUNT_BIND);
	assert_string_equal(p.mounts[1].source, "/srv/data");
	assert_string_equal(p.mounts[1].target, "/data");
	assert_true(p.mounts[1].readonly);
	assert_null(p.mounts[1].options);
	assert_int_equal(p.mounts[1].line, 9);

	assert_int_equal(p.mounts[2].kind, MOUNT_READONLY);
	assert_string_equal(p.mounts[2].target, "/opt");
	assert_int_equal(p.mounts[2].line, 10);

	assert_int_equal(p.mounts[3].kind, MOUNT_HIDE);
	assert_string_equal(p.mounts[3].target, "/home/other");
	assert_int_equal(p.mounts[3].line, 11);

	assert_int_equal(p.mounts[4].kind, MOUNT_TMPFS);
	assert_null(p.mounts[4].options);
	assert_int_equal(p.mounts[4].line, 12);

	policy_free(&p);
	/* policy_free leaves an empty policy that may be freed again. */
	assert_null(p.mounts);
	assert_null(p.hostname);
	assert_int_equal(p.n_mounts, 0);
	policy_free(&p);
}

static void test_bind_without_ro(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("bind = /srv/a /a\n", POLICY_USER, &p);
	assert_int_equal(p.n_mounts, 1);
	assert_false(p.mounts[0].readonly);
	policy_free(&p);
}

static void test_group_file(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("priority = 10\n", POLICY_GROUP, &p);
	assert_true(policy_has(&p, POLICY_KEY_PRIORITY));
	assert_int_equal(p.priority, 10);
	policy_free(&p);

	PARSE_OK("priority = -1000000\n", POLICY_GROUP, &p);
	assert_int_equal(p.priority, -1000000);
	policy_free(&p);

	PARSE_OK("priority = 1000000\n", POLICY_GROUP, &p);
	assert_int_equal(p.priority, 1000000);
	policy_free(&p);

	PARSE_OK("priority = 0\nisolate = no\n", POLICY_GROUP, &p);
	assert_true(policy_has(&p, POLICY_KEY_PRIORITY));
	assert_int_equal(p.priority, 0);
	assert_false(p.isolate);
	policy_free(&p);
}

static void test_integers_in_range(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("linger = 0\n", POLICY_USER, &p);
	assert_int_equal(p.linger, 0);
	policy_free(&p);
	PARSE_OK("linger = 0042\n", POLICY_USER, &p);
	assert_int_equal(p.linger, 42);
	policy_free(&p);
	PARSE_OK("logins_max = 1\n", POLICY_DEFAULT, &p);
	assert_int_equal(p.logins_max, 1);
	policy_free(&p);
	PARSE_OK("logins_max = 4000\n", POLICY_USER, &p);
	assert_int_equal(p.logins_max, 4000);
	policy_free(&p);
	/* 0: SIGKILL at once, as before the key existed */
	PARSE_OK("stop_grace = 0\n", POLICY_DEFAULT, &p);
	assert_int_equal(p.stop_grace, 0);
	assert_int_equal(p.line[POLICY_KEY_STOP_GRACE], 1);
	policy_free(&p);
	PARSE_OK("stop_grace = 300\n", POLICY_USER, &p);
	assert_int_equal(p.stop_grace, 300);
	policy_free(&p);
	PARSE_OK("uid_min = 0\n", POLICY_DEFAULT, &p);
	assert_true(policy_has(&p, POLICY_KEY_UID_MIN));
	assert_int_equal(p.uid_min, 0);
	policy_free(&p);
	PARSE_OK("uid_min = 4294967294\n", POLICY_DEFAULT, &p);
	assert_int_equal(p.uid_min, 4294967294u);
	policy_free(&p);
}

/* ---- line-level syntax errors -------------------------------------- */

static void test_unknown_key(void **state)
{
	(void)state;
	PARSE_ERR("foo = bar\n", POLICY_USER, 1, 1, "unknown key 'foo'");
	PARSE_ERR("# c\n\n   Isolate = yes\n", POLICY_USER, 3, 4,
		  "unknown key 'Isolate'");
	PARSE_ERR("isolate = yes\nhost_name = x\n", POLICY_USER, 2, 1,
		  "unknown key 'host_name'");
}

static void test_missing_equals(void **state)
{
	(void)state;
	PARSE_ERR("isolate yes\n", POLICY_USER, 1, 9, "expected 'key = value'");
	PARSE_ERR("linger = 1\nisolate\n", POLICY_USER, 2, 8,
		  "expected 'key = value'");
	PARSE_ERR("  tmpfs /tmp\n", POLICY_USER, 1, 9, "expected 'key = value'");
}

static void test_missing_key(void **state)
{
	(void)state;
	PARSE_ERR("= yes\n", POLICY_USER, 1, 1, "missing key before '='");
	PARSE_ERR("\n  \t= yes\n", POLICY_USER, 2, 4, "missing key before '='");
}

static void test_missing_value(void **state)
{
	(void)state;
	PARSE_ERR("isolate =\n", POLICY_USER, 1, 10, "isolate: missing value");
	PARSE_ERR("linger = 1\nhostname =   \n", POLICY_USER, 2, 11,
		  "hostname: missing value");
	/* A comment is not a value. */
	PARSE_ERR("tmpfs = # nothing\n", POLICY_USER, 1, 8,
		  "tmpfs: missing value");
	PARSE_ERR("bind=\n", POLICY_USER, 1, 6, "bind: missing value");
}

static void test_too_many_values(void **state)
{
	(void)state;
	/* Two values for a single-valued key: the column is the extra one. */
	PARSE_ERR("isolate = yes no\n", POLICY_USER, 1, 15,
		  "isolate: expected one value");
	PARSE_ERR("linger = 1 2\n", POLICY_USER, 1, 12,
		  "linger: expected one value");
	PARSE_ERR("hostname = a b\n", POLICY_USER, 1, 14,
		  "hostname: expected one TEMPLATE");
	/* More words than any key takes: the column is the first extra. */
	PARSE_ERR("isolate = a b c d\n", POLICY_USER, 1, 17,
		  "isolate: too many values");
	PARSE_ERR("bind = /a /b ro ro\n", POLICY_USER, 1, 17,
		  "bind: too many values");
	PARSE_ERR("namespaces = mount uts ipc pid net cgroup time user mount\n",
		  POLICY_USER, 1, 53, "namespaces: too many values");
	/* Within the word limit, each key's own arity applies. */
	PARSE_ERR("tmpfs = /tmp size=1m extra\n", POLICY_USER, 1, 9,
		  "tmpfs: expected PATH [OPTIONS]");
	PARSE_ERR("bind = /a\n", POLICY_USER, 1, 8, "bind: expected SRC DST [ro]");
	PARSE_ERR("readonly = /a /b\n", POLICY_USER, 1, 12,
		  "readonly: expected one PATH");
	PARSE_ERR("hide = /a /b /c\n", POLICY_USER, 1, 8,
		  "hide: expected one PATH");
}

static void test_duplicate_single_keys(void **state)
{
	(void)state;
	PARSE_ERR("isolate = yes\n\nisolate = yes\n", POLICY_USER, 3, 1,
		  "isolate: duplicate key (first set at line 1)");
	PARSE_ERR("linger = 1\nnamespaces = mount\nnamespaces = mount\n",
		  POLICY_USER, 3, 1, "first set at line 2");
	PARSE_ERR("hostname = a\nhostname = b\n", POLICY_USER, 2, 1,
		  "hostname: duplicate key (first set at line 1)");
	PARSE_ERR("share = user\nlinger = 1\nshare = user\n", POLICY_USER, 3, 1,
		  "share: duplicate key (first set at line 1)");
	PARSE_ERR("linger = 1\nlinger = 2\n", POLICY_USER, 2, 1,
		  "linger: duplicate key (first set at line 1)");
	PARSE_ERR("uid_min = 1\n#\nuid_min = 2\n", POLICY_DEFAULT, 3, 1,
		  "uid_min: duplicate key (first set at line 1)");
	PARSE_ERR("priority = 1\npriority = 2\n", POLICY_GROUP, 2, 1,
		  "priority: duplicate key (first set at line 1)");
}

static void test_repeatable_mount_keys(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("tmpfs = /tmp\ntmpfs = /var/tmp\nhide = /a\nhide = /b\n"
		 "readonly = /c\nreadonly = /d\nbind = /e /f\nbind = /g /h\n",
		 POLICY_USER, &p);
	assert_int_equal(p.n_mounts, 8);
	policy_free(&p);
}

static void test_too_many_mounts(void **state)
{
	char text[POLICY_MAX_MOUNTS * 16 + 64];
	size_t used = 0;
	struct policy p;
	struct policy_error e;

	(void)state;
	for (int i = 0; i < POLICY_MAX_MOUNTS; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "hide = /h%d\n", i);
	assert_int_equal(policy_parse(text, used, POLICY_USER, &p, &e), 0);
	assert_int_equal(p.n_mounts, POLICY_MAX_MOUNTS);
	policy_free(&p);

	used += (size_t)snprintf(text + used, sizeof(text) - used,
				 "tmpfs = /tmp\n");
	parse_err_len(text, used, POLICY_USER, POLICY_MAX_MOUNTS + 1, 1,
		      "too many mount lines (at most 64)", __LINE__);
}

/* ---- values --------------------------------------------------------- */

static void test_bad_yes_no(void **state)
{
	(void)state;
	PARSE_ERR("isolate = true\n", POLICY_USER, 1, 11,
		  "isolate: expected yes or no, got 'true'");
	PARSE_ERR("isolate = Yes\n", POLICY_USER, 1, 11, "got 'Yes'");
	PARSE_ERR("isolate = 1\n", POLICY_USER, 1, 11, "got '1'");
	PARSE_ERR("isolate = y\n", POLICY_USER, 1, 11, "got 'y'");
}

static void test_bad_share(void **state)
{
	(void)state;
	PARSE_ERR("share = users\n", POLICY_USER, 1, 9,
		  "share: expected user or session, got 'users'");
}

static void test_bad_integers(void **state)
{
	(void)state;
	PARSE_ERR("linger = abc\n", POLICY_USER, 1, 10,
		  "linger: expected a whole number, got 'abc'");
	PARSE_ERR("linger = 12s\n", POLICY_USER, 1, 10, "whole number, got '12s'");
	PARSE_ERR("linger = +5\n", POLICY_USER, 1, 10, "whole number, got '+5'");
	PARSE_ERR("linger = 0x10\n", POLICY_USER, 1, 10, "whole number, got '0x10'");
	PARSE_ERR("linger = -\n", POLICY_USER, 1, 10, "whole number, got '-'");
	PARSE_ERR("linger = --1\n", POLICY_USER, 1, 10, "whole number");
	PARSE_ERR("linger = 1.5\n", POLICY_USER, 1, 10, "whole number");
	PARSE_ERR("uid_min = 1e3\n", POLICY_DEFAULT, 1, 11, "whole number");
	PARSE_ERR("priority = 0x1\n", POLICY_GROUP, 1, 12, "whole number");
	PARSE_ERR("priority = +1\n", POLICY_GROUP, 1, 12, "whole number");
}

static void test_integers_out_of_range(void **state)
{
	(void)state;
	PARSE_ERR("linger = 604801\n", POLICY_USER, 1, 10,
		  "linger: 604801 is out of range (0 to 604800)");
	PARSE_ERR("linger = -1\n", POLICY_USER, 1, 10, "out of range");
	/* 0 would refuse every login; above 4000 the init's table (4096)
	 * would have no room left for root's requests. */
	PARSE_ERR("logins_max = 0\n", POLICY_USER, 1, 14,
		  "logins_max: 0 is out of range (1 to 4000)");
	PARSE_ERR("logins_max = 4001\n", POLICY_USER, 1, 14,
		  "logins_max: 4001 is out of range (1 to 4000)");
	/* Beyond 5 minutes nsiso stop is not a command an admin waits for. */
	PARSE_ERR("stop_grace = 301\n", POLICY_USER, 1, 14,
		  "stop_grace: 301 is out of range (0 to 300)");
	PARSE_ERR("stop_grace = -1\n", POLICY_USER, 1, 14, "out of range");
	PARSE_ERR("stop_grace = 1s\n", POLICY_USER, 1, 14, "stop_grace");
	PARSE_ERR("stop_grace = 1 2\n", POLICY_USER, 1, 16, "expected one value");
	PARSE_ERR("linger = 99999999999999999999999\n", POLICY_USER, 1, 10,
		  "out of range");
	PARSE_ERR("uid_min = 4294967295\n", POLICY_DEFAULT, 1, 11,
		  "uid_min: 4294967295 is out of range (0 to 4294967294)");
	PARSE_ERR("uid_min = -1\n", POLICY_DEFAULT, 1, 11, "out of range");
	PARSE_ERR("uid_min = 99999999999999999999\n", POLICY_DEFAULT, 1, 11,
		  "out of range");
	PARSE_ERR("priority = 1000001\n", POLICY_GROUP, 1, 12,
		  "priority: 1000001 is out of range (-1000000 to 1000000)");
	PARSE_ERR("priority = -1000001\n", POLICY_GROUP, 1, 12, "out of range");
}

static void test_uid_min_only_in_default(void **state)
{
	(void)state;
	PARSE_ERR("linger = 1\nuid_min = 1000\n", POLICY_USER, 2, 1,
		  "uid_min: only valid in default.conf");
	PARSE_ERR("priority = 1\nuid_min = 1000\n", POLICY_GROUP, 2, 1,
		  "uid_min: only valid in default.conf");
}

static void test_priority_only_in_group(void **state)
{
	(void)state;
	PARSE_ERR("priority = 1\n", POLICY_USER, 1, 1,
		  "priority: only valid in group files");
	PARSE_ERR("\npriority = 1\n", POLICY_DEFAULT, 2, 1,
		  "priority: only valid in group files");
}

static void test_group_needs_priority(void **state)
{
	(void)state;
	PARSE_ERR("isolate = yes\nlinger = 5\n", POLICY_GROUP, 0, 0,
		  "a group file needs 'priority = N'");
	PARSE_ERR("", POLICY_GROUP, 0, 0, "needs 'priority = N'");
	/* Even a group file that does not isolate needs one. */
	PARSE_ERR("isolate = no\n", POLICY_GROUP, 0, 0, "needs 'priority = N'");
}

/* ---- namespaces ----------------------------------------------------- */

static void test_namespaces_parse(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("namespaces = ipc\n", POLICY_USER, &p);
	assert_int_equal(p.namespaces, NSISO_NS_IPC);
	assert_int_equal(p.line[POLICY_KEY_NAMESPACES], 1);
	policy_free(&p);

	PARSE_OK("\nnamespaces = user time cgroup net pid ipc uts mount\n",
		 POLICY_USER, &p);
	assert_int_equal(p.namespaces, 0xff);
	assert_int_equal(p.line[POLICY_KEY_NAMESPACES], 2);
	policy_free(&p);
}

static void test_unknown_namespace(void **state)
{
	(void)state;
	PARSE_ERR("namespaces = mount network\n", POLICY_USER, 1, 20,
		  "namespaces: unknown namespace 'network' (known: mount uts ipc pid net cgroup time user)");
	PARSE_ERR("namespaces = MOUNT\n", POLICY_USER, 1, 14,
		  "unknown namespace 'MOUNT'");
}

static void test_namespace_twice(void **state)
{
	(void)state;
	PARSE_ERR("namespaces = mount uts mount\n", POLICY_USER, 1, 24,
		  "namespaces: 'mount' is listed twice");
}

static void test_empty_namespaces(void **state)
{
	(void)state;
	PARSE_ERR("namespaces =\n", POLICY_USER, 1, 13, "namespaces: missing value");
	PARSE_ERR("linger = 1\nnamespaces = # none\n", POLICY_USER, 2, 13,
		  "namespaces: missing value");
}

static void test_hostname_needs_uts(void **state)
{
	(void)state;
	PARSE_ERR("hostname = box\nlinger = 1\nnamespaces = mount ipc\n",
		  POLICY_USER, 1, 1, "hostname needs 'uts' in namespaces");
}

/* Without a PID namespace the init cannot see the processes it would
 * signal: the key would promise what it cannot do. */
static void test_stop_grace_needs_pid(void **state)
{
	(void)state;
	PARSE_ERR("stop_grace = 5\nnamespaces = mount uts ipc\n", POLICY_USER,
		  1, 1, "stop_grace needs 'pid' in namespaces");
}

static void test_mounts_need_mount(void **state)
{
	(void)state;
	PARSE_ERR("namespaces = uts ipc\n\ntmpfs = /tmp\nhide = /x\n",
		  POLICY_USER, 3, 1, "tmpfs needs 'mount' in namespaces");
	PARSE_ERR("linger = 1\nbind = /a /b\nnamespaces = uts\n", POLICY_USER, 2,
		  1, "bind needs 'mount' in namespaces");
	PARSE_ERR("namespaces = ipc\nreadonly = /opt\n", POLICY_USER, 2, 1,
		  "readonly needs 'mount' in namespaces");
	PARSE_ERR("namespaces = ipc\nhide = /opt\n", POLICY_USER, 2, 1,
		  "hide needs 'mount' in namespaces");
}

static void test_pid_needs_mount(void **state)
{
	(void)state;
	PARSE_ERR("isolate = yes\nnamespaces = uts pid\n", POLICY_USER, 2, 1,
		  "namespaces: 'pid' needs 'mount'");
}

static void test_network(void **state)
{
	struct policy p;

	(void)state;
	/* net without a network line: loopback. */
	PARSE_OK("namespaces = mount net\n", POLICY_USER, &p);
	assert_int_equal(p.network.mode, NET_LOOPBACK);
	policy_free(&p);
	PARSE_OK("namespaces = mount net\nnetwork = netns ns-%u\nnetns_create = yes\n",
		 POLICY_USER, &p);
	assert_int_equal(p.network.mode, NET_NETNS);
	assert_string_equal(p.network.netns, "ns-%u");
	assert_true(p.netns_create);
	policy_free(&p);
	PARSE_OK("namespaces = net mount\nnetwork = veth br0 10.77.0.0/16 10.77.0.1\n",
		 POLICY_USER, &p);
	assert_int_equal(p.network.mode, NET_VETH);
	assert_string_equal(p.network.bridge, "br0");
	assert_true(p.network.pool);
	assert_int_equal(p.network.prefix, 16);
	assert_true(p.network.has_gateway);
	assert_memory_equal(p.network.gateway, ((unsigned char[]){ 10, 77, 0, 1 }), 4);
	policy_free(&p);
	/* One host's address: only where one user is served. */
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.77.0.9/24\n", POLICY_DEFAULT,
		  2, 20, "10.77.0.9/24 is one address and this file serves many users");
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.77.0.9/24\npriority = 1\n",
		  POLICY_GROUP, 2, 20, "give a pool (host part 0");
	PARSE_OK("namespaces = net mount\nnetwork = veth br0 10.77.0.9/24\n", POLICY_USER, &p);
	assert_false(p.network.pool);
	assert_false(p.network.has_gateway);
	policy_free(&p);

	PARSE_ERR("network = loopback\n", POLICY_USER, 1, 1,
		  "network needs 'net' in namespaces");
	PARSE_ERR("namespaces = net\nnetwork = wifi\n", POLICY_USER, 2, 11,
		  "network: expected loopback, netns NAME or veth");
	PARSE_ERR("namespaces = net\nnetwork = loopback extra\n", POLICY_USER, 2, 20,
		  "loopback takes no value");
	PARSE_ERR("namespaces = net\nnetwork = netns a/b\n", POLICY_USER, 2, 17,
		  "'a/b' is not a name in /run/netns");
	PARSE_ERR("namespaces = net\nnetwork = netns %x\n", POLICY_USER, 2, 17,
		  "unknown template escape");
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.0.0.1\n", POLICY_USER, 2, 20,
		  "needs a prefix length");
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.0.0.300/8\n", POLICY_USER, 2, 20,
		  "address '10.0.0.300' is not an IPv4 address");
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.0.0.0/31\n", POLICY_USER, 2, 29,
		  "out of range (1 to 30)");
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.1.0.0/16 10.2.0.1\n", POLICY_USER,
		  2, 32, "gateway 10.2.0.1 is outside 10.1.0.0/16");
	PARSE_ERR("namespaces = net\nnetwork = veth a-very-long-bridge-name 10.0.0.0/8\n",
		  POLICY_USER, 2, 16, "is not an interface name");
	PARSE_ERR("namespaces = net\nnetwork = veth br0 10.0.0.0/8\nshare = session\n",
		  POLICY_USER, 2, 1, "per-login environments (share = session) cannot share");
	PARSE_ERR("namespaces = net\nnetns_create = yes\n", POLICY_USER, 2, 1,
		  "netns_create needs 'network = netns NAME'");
}

/* Which policies can host systemd --user (nsiso-helper manager): the
 * rest must make user@.service fail, never run the manager on the host. */
static void test_manager_refusal(void **state)
{
	struct policy p;
	char msg[512];

	(void)state;
	PARSE_OK("namespaces = mount uts ipc pid net\nnetwork = loopback\n", POLICY_USER, &p);
	assert_null(policy_manager_refusal(&p));
	policy_free(&p);
	PARSE_OK("namespaces = mount pid cgroup\npids_max = 100\n", POLICY_USER, &p);
	assert_null(policy_manager_refusal(&p));
	policy_free(&p);
	PARSE_OK("namespaces = mount pid user\n", POLICY_USER, &p);
	assert_non_null(strstr(policy_manager_refusal(&p), "'user'"));
	policy_free(&p);
	PARSE_OK("namespaces = mount pid\nshare = session\n", POLICY_USER, &p);
	assert_non_null(strstr(policy_manager_refusal(&p), "share = session"));
	/* The build's and the manager's message are this one. */
	assert_true(policy_manager_refusal_message(&p, "alice", "/etc/x.conf", msg,
						   sizeof(msg)));
	assert_string_equal(msg, "the user manager of alice is refused, so that it never runs on the host: /etc/x.conf: share = session gives each login an environment of its own; systemd --user needs the one environment of the user (share = user)");
	policy_free(&p);
	/* Not isolated: nothing to refuse, the manager runs as usual. */
	PARSE_OK("isolate = no\n", POLICY_USER, &p);
	assert_null(policy_manager_refusal(&p));
	strcpy(msg, "untouched");
	assert_false(policy_manager_refusal_message(&p, "alice", "/etc/x.conf", msg,
						    sizeof(msg)));
	assert_string_equal(msg, "untouched");
	policy_free(&p);
}

static void test_cgroup_limits(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("namespaces = mount pid cgroup\nmemory_max = 512M\npids_max = 200\n"
		 "cpu_weight = 50\ncgroup_parent = admin/nsiso\n", POLICY_USER, &p);
	assert_true(p.limits.set[LIMIT_MEMORY]);
	assert_true(p.limits.value[LIMIT_MEMORY] == (512ull << 20));
	assert_int_equal(p.line[POLICY_KEY_MEMORY_MAX], 2);
	assert_true(p.limits.value[LIMIT_PIDS] == 200);
	assert_int_equal(p.line[POLICY_KEY_PIDS_MAX], 3);
	assert_true(p.limits.value[LIMIT_CPU_WEIGHT] == 50);
	assert_string_equal(p.cgroup_parent, "admin/nsiso");
	assert_int_equal(p.line[POLICY_KEY_CGROUP_PARENT], 5);
	policy_free(&p);

	PARSE_OK("namespaces = mount pid cgroup\npids_max = max\n", POLICY_DEFAULT, &p);
	assert_true(p.limits.value[LIMIT_PIDS] == LIMIT_UNLIMITED);
	assert_false(p.limits.set[LIMIT_MEMORY]);
	assert_null(p.cgroup_parent);
	policy_free(&p);

	PARSE_ERR("namespaces = mount pid\npids_max = 100\n", POLICY_USER, 2, 1,
		  "pids_max needs 'cgroup' in namespaces");
	PARSE_ERR("memory_max = 1G\n", POLICY_DEFAULT, 1, 1,
		  "memory_max needs 'cgroup' in namespaces");
	PARSE_ERR("namespaces = mount\ncgroup_parent = x\n", POLICY_USER, 2, 1,
		  "cgroup_parent needs 'cgroup'");
	PARSE_ERR("namespaces = cgroup\nmemory_max = 1g\n", POLICY_USER, 2, 14,
		  "memory_max: expected bytes");
	PARSE_ERR("namespaces = cgroup\npids_max = 0\n", POLICY_USER, 2, 12,
		  "pids_max: 0 is out of range");
	PARSE_ERR("namespaces = cgroup\ncpu_weight = 20000\n", POLICY_USER, 2, 14,
		  "cpu_weight: 20000 is out of range");
	PARSE_ERR("namespaces = cgroup\npids_max = 5\npids_max = 6\n", POLICY_USER, 3, 1,
		  "duplicate key (first set at line 2)");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = /sys/fs/cgroup/x\n", POLICY_USER,
		  2, 17, "relative to the cgroup v2 root");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = a/../b\n", POLICY_USER, 2, 19,
		  "dot-led component");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = a//b\n", POLICY_USER, 2, 19,
		  "empty or dot-led");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = a/\n", POLICY_USER, 2, 18,
		  "trailing /");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = nsiso-%u\n", POLICY_USER, 2, 23,
		  "only letters, digits");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = .hidden\n", POLICY_USER, 2, 17,
		  "dot-led");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = user.slice/x\n", POLICY_USER, 2, 17,
		  "'user.slice' is a systemd unit's cgroup");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = a/ssh.service\n", POLICY_USER, 2, 19,
		  "'ssh.service' is a systemd unit's cgroup");
	PARSE_ERR("namespaces = cgroup\ncgroup_parent = init.scope\n", POLICY_USER, 2, 17,
		  "systemd unit");
	PARSE_OK("namespaces = cgroup\ncgroup_parent = slice\n", POLICY_USER, &p);
	policy_free(&p);
}

static void test_time_offsets(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("namespaces = mount time\nboottime_offset = 86400\nmonotonic_offset = -5\n",
		 POLICY_USER, &p);
	assert_true(p.namespaces & NSISO_NS_TIME);
	assert_int_equal(p.boottime_offset, 86400);
	assert_int_equal(p.line[POLICY_KEY_BOOTTIME_OFFSET], 2);
	assert_int_equal(p.monotonic_offset, -5);
	assert_int_equal(p.line[POLICY_KEY_MONOTONIC_OFFSET], 3);
	policy_free(&p);
	/* time alone, no offsets: a time namespace with offset 0 */
	PARSE_OK("namespaces = time\n", POLICY_USER, &p);
	assert_int_equal(p.boottime_offset, 0);
	assert_int_equal(p.monotonic_offset, 0);
	policy_free(&p);
	PARSE_OK("namespaces = time\nboottime_offset = 315360000\nmonotonic_offset = -315360000\n",
		 POLICY_USER, &p);
	policy_free(&p);

	PARSE_ERR("namespaces = mount\nboottime_offset = 10\n", POLICY_USER, 2, 1,
		  "boottime_offset needs 'time' in namespaces");
	PARSE_ERR("\nmonotonic_offset = 10\nboottime_offset = 1\n", POLICY_USER, 2, 1,
		  "monotonic_offset needs 'time' in namespaces");
	PARSE_ERR("namespaces = time\nboottime_offset = 1d\n", POLICY_USER, 2, 19,
		  "boottime_offset: expected a whole number, got '1d'");
	PARSE_ERR("namespaces = time\nboottime_offset = +5\n", POLICY_USER, 2, 19,
		  "expected a whole number");
	PARSE_ERR("namespaces = time\nmonotonic_offset = 1.5\n", POLICY_USER, 2, 20,
		  "expected a whole number");
	PARSE_ERR("namespaces = time\nmonotonic_offset = -\n", POLICY_USER, 2, 20,
		  "expected a whole number");
	PARSE_ERR("namespaces = time\nboottime_offset = 315360001\n", POLICY_USER, 2, 19,
		  "out of range (-315360000 to 315360000)");
	PARSE_ERR("namespaces = time\nmonotonic_offset = -99999999999999999999\n",
		  POLICY_USER, 2, 20, "out of range");
	PARSE_ERR("namespaces = time\nboottime_offset = 1\nboottime_offset = 2\n",
		  POLICY_USER, 3, 1, "boottime_offset: duplicate key (first set at line 2)");
	PARSE_ERR("namespaces = time\nboottime_offset = 1 2\n", POLICY_USER, 2, 21,
		  "boottime_offset: expected one value");
}

static void test_capabilities(void **state)
{
	struct policy p;
	char buf[800];

	(void)state;
	PARSE_OK("", POLICY_DEFAULT, &p);
	assert_false(p.has_capabilities);
	assert_false(p.no_new_privs);
	policy_free(&p);
	PARSE_OK("capabilities = cap_kill CAP_NET_BIND_SERVICE\nno_new_privs = yes\n",
		 POLICY_USER, &p);
	assert_true(p.has_capabilities);
	assert_true(p.cap_keep == ((UINT64_C(1) << 5) | (UINT64_C(1) << 10)));
	assert_int_equal(p.line[POLICY_KEY_CAPABILITIES], 1);
	assert_true(p.no_new_privs);
	assert_int_equal(p.line[POLICY_KEY_NO_NEW_PRIVS], 2);
	policy_cap_names(p.cap_keep, buf, sizeof(buf));
	assert_string_equal(buf, "cap_kill cap_net_bind_service");
	policy_free(&p);
	PARSE_OK("capabilities = none\nno_new_privs = no\n", POLICY_USER, &p);
	assert_true(p.has_capabilities);
	assert_true(p.cap_keep == 0);
	assert_false(p.no_new_privs);
	policy_cap_names(p.cap_keep, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	policy_free(&p);
	/* Every capability the table knows, on one line. */
	{
		char line[2048] = "capabilities =";

		for (unsigned i = 0; i < POLICY_CAP_COUNT; i++) {
			strcat(line, " ");
			strcat(line, policy_cap_name(i));
		}
		strcat(line, "\n");
		parse_ok_len(line, strlen(line), POLICY_USER, &p, __LINE__);
		assert_true(p.cap_keep == (UINT64_C(1) << POLICY_CAP_COUNT) - 1);
		policy_free(&p);
	}
	/* The table is the kernel's numbering. */
	assert_string_equal(policy_cap_name(0), "cap_chown");
	assert_string_equal(policy_cap_name(13), "cap_net_raw");
	assert_string_equal(policy_cap_name(21), "cap_sys_admin");
	assert_string_equal(policy_cap_name(40), "cap_checkpoint_restore");
	assert_null(policy_cap_name(POLICY_CAP_COUNT));
	assert_int_equal(CAP_NET_RAW, 13);
	assert_int_equal(POLICY_CAP_COUNT, CAP_LAST_CAP + 1);

	PARSE_ERR("capabilities = cap_net_raw cap_bogus\n", POLICY_USER, 1, 28,
		  "capabilities: unknown capability 'cap_bogus'");
	PARSE_ERR("capabilities = net_raw\n", POLICY_USER, 1, 16,
		  "unknown capability 'net_raw'");
	PARSE_ERR("capabilities = cap_net\n", POLICY_USER, 1, 16,
		  "unknown capability 'cap_net'");
	PARSE_ERR("capabilities = 13\n", POLICY_USER, 1, 16,
		  "unknown capability '13'");
	PARSE_ERR("capabilities = cap_kill cap_kill\n", POLICY_USER, 1, 25,
		  "'cap_kill' is listed twice");
	PARSE_ERR("capabilities = none cap_kill\n", POLICY_USER, 1, 21,
		  "'none' stands alone");
	PARSE_ERR("capabilities = cap_kill none\n", POLICY_USER, 1, 25,
		  "unknown capability 'none'");
	PARSE_ERR("capabilities =\n", POLICY_USER, 1, 15, "capabilities: missing value");
	PARSE_ERR("capabilities = none\ncapabilities = none\n", POLICY_USER, 2, 1,
		  "capabilities: duplicate key (first set at line 1)");
	PARSE_ERR("no_new_privs = true\n", POLICY_USER, 1, 16,
		  "no_new_privs: expected yes or no, got 'true'");
	PARSE_ERR("no_new_privs = yes no\n", POLICY_USER, 1, 20,
		  "no_new_privs: expected one value");
}

static void test_userns_and_shell(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("", POLICY_DEFAULT, &p);
	assert_null(p.shell);
	assert_int_equal(p.userns, USERNS_SELF);
	policy_free(&p);
	PARSE_OK("namespaces = mount pid user\nuserns = root\nshell = /bin/zsh\n",
		 POLICY_USER, &p);
	assert_true(p.namespaces & NSISO_NS_USER);
	assert_int_equal(p.userns, USERNS_ROOT);
	assert_int_equal(p.line[POLICY_KEY_USERNS], 2);
	assert_string_equal(p.shell, "/bin/zsh");
	assert_int_equal(p.line[POLICY_KEY_SHELL], 3);
	policy_free(&p);
	PARSE_OK("namespaces = user\nuserns = self\n", POLICY_USER, &p);
	assert_int_equal(p.userns, USERNS_SELF);
	policy_free(&p);
	/* user without userns: self */
	PARSE_OK("namespaces = user\n", POLICY_USER, &p);
	assert_int_equal(p.userns, USERNS_SELF);
	policy_free(&p);
	/* shell applies to users who are not isolated too */
	PARSE_OK("isolate = no\nshell = /bin/sh\n", POLICY_USER, &p);
	assert_string_equal(p.shell, "/bin/sh");
	policy_free(&p);

	PARSE_ERR("namespaces = mount\nuserns = root\n", POLICY_USER, 2, 1,
		  "userns needs 'user' in namespaces");
	PARSE_OK("namespaces = user\nuserns = root\nuserns_subids = yes\n", POLICY_USER, &p);
	assert_true(p.userns_subids);
	policy_free(&p);
	PARSE_ERR("namespaces = user\nuserns_subids = yes\n", POLICY_USER, 2, 1,
		  "userns_subids needs 'userns = root'");
	PARSE_ERR("namespaces = user\nuserns = self\nuserns_subids = yes\n", POLICY_USER, 3, 1,
		  "userns_subids needs 'userns = root'");
	PARSE_ERR("namespaces = user\nuserns = root\nuserns_subids = 1\n", POLICY_USER, 3, 17,
		  "userns_subids: expected yes or no");
	PARSE_ERR("namespaces = user\nuserns = nobody\n", POLICY_USER, 2, 10,
		  "userns: expected self or root, got 'nobody'");
	PARSE_ERR("namespaces = user\nuserns = root root\n", POLICY_USER, 2, 15,
		  "userns: expected one value");
	PARSE_ERR("shell = bash\n", POLICY_USER, 1, 9, "shell: 'bash':");
	PARSE_ERR("shell = /bin/../bin/bash\n", POLICY_USER, 1, 9, "shell:");
	PARSE_ERR("shell = /home/%u/sh\n", POLICY_USER, 1, 9,
		  "templates are not allowed here");
	PARSE_ERR("shell = /usr/libexec/nsiso/nsiso-shell\n", POLICY_USER, 1, 9,
		  "is the wrapper itself");
	PARSE_ERR("shell = /bin/sh\nshell = /bin/sh\n", POLICY_USER, 2, 1,
		  "shell: duplicate key (first set at line 1)");
}

static void test_mount_kind_names(void **state)
{
	(void)state;
	assert_string_equal(policy_mount_kind_name(MOUNT_TMPFS), "tmpfs");
	assert_string_equal(policy_mount_kind_name(MOUNT_BIND), "bind");
	assert_string_equal(policy_mount_kind_name(MOUNT_READONLY), "readonly");
	assert_string_equal(policy_mount_kind_name(MOUNT_HIDE), "hide");
}

/* ---- the key table ---------------------------------------------------- */

static void test_key_table_rows(void **state)
{
	char why[256];

	(void)state;
	if (policy_key_table_fault(why, sizeof(why)))
		fail_msg("%s", why);
	for (int k = 0; k < POLICY_N_KEYS; k++)
		assert_non_null(policy_key_name((enum policy_key)k));
	assert_null(policy_key_name(POLICY_N_KEYS));
}

/* The namespaces every key may need, so that a sample parses alone. */
#define ALL_NAMESPACES "namespaces = mount uts ipc pid net cgroup time user"

/* One valid line per key (a second line where the key needs another
 * key's value), in the file kind that allows it. */
static const struct {
	enum policy_key key;
	enum policy_kind kind;
	const char *text;
} key_samples[] = {
	{ POLICY_KEY_ISOLATE, POLICY_USER, "isolate = yes" },
	{ POLICY_KEY_UID_MIN, POLICY_DEFAULT, "uid_min = 1000" },
	{ POLICY_KEY_PRIORITY, POLICY_GROUP, "priority = 5" },
	{ POLICY_KEY_LINGER, POLICY_USER, "linger = 60" },
	{ POLICY_KEY_LOGINS_MAX, POLICY_USER, "logins_max = 10" },
	{ POLICY_KEY_STOP_GRACE, POLICY_USER, "stop_grace = 30" },
	{ POLICY_KEY_HOSTNAME, POLICY_USER, "hostname = box-%u" },
	{ POLICY_KEY_TMPFS, POLICY_USER, "tmpfs = /tmp size=64m" },
	{ POLICY_KEY_BIND, POLICY_USER, "bind = /srv/data /data ro" },
	{ POLICY_KEY_READONLY, POLICY_USER, "readonly = /opt" },
	{ POLICY_KEY_HIDE, POLICY_USER, "hide = /mnt" },
	{ POLICY_KEY_NETWORK, POLICY_USER, "network = loopback" },
	{ POLICY_KEY_NETNS_CREATE, POLICY_USER, "netns_create = no" },
	{ POLICY_KEY_SHARE, POLICY_USER, "share = session" },
	{ POLICY_KEY_BOOTTIME_OFFSET, POLICY_USER, "boottime_offset = 3600" },
	{ POLICY_KEY_MONOTONIC_OFFSET, POLICY_USER, "monotonic_offset = -5" },
	{ POLICY_KEY_USERNS, POLICY_USER, "userns = root" },
	{ POLICY_KEY_USERNS_SUBIDS, POLICY_USER,
	  "userns_subids = yes\nuserns = root" },
	{ POLICY_KEY_MEMORY_MAX, POLICY_USER, "memory_max = 512M" },
	{ POLICY_KEY_PIDS_MAX, POLICY_USER, "pids_max = 100" },
	{ POLICY_KEY_CPU_WEIGHT, POLICY_USER, "cpu_weight = 50" },
	{ POLICY_KEY_CGROUP_PARENT, POLICY_USER, "cgroup_parent = admin/nsiso" },
	{ POLICY_KEY_CAPABILITIES, POLICY_USER,
	  "capabilities = cap_kill cap_net_raw" },
	{ POLICY_KEY_NO_NEW_PRIVS, POLICY_USER, "no_new_privs = yes" },
	{ POLICY_KEY_SHELL, POLICY_USER, "shell = /bin/zsh" },
	{ POLICY_KEY_NAMESPACES, POLICY_USER, ALL_NAMESPACES },
};

static int sample_of(enum policy_key k)
{
	for (size_t i = 0; i < sizeof(key_samples) / sizeof(*key_samples); i++)
		if (key_samples[i].key == k)
			return (int)i;
	fail_msg("key %s has no sample line in key_samples: add one",
		 policy_key_name(k));
	return -1;
}

/* Every key of the table parses, and its line is tracked. */
static void test_every_key_parses(void **state)
{
	(void)state;
	for (int k = 0; k < POLICY_N_KEYS; k++) {
		int i = sample_of((enum policy_key)k);
		char text[512];
		struct policy p;
		struct policy_error e;

		snprintf(text, sizeof(text), "%s\n%s\n", key_samples[i].text,
			 k == POLICY_KEY_NAMESPACES ? "" : ALL_NAMESPACES);
		if (policy_parse(text, strlen(text), key_samples[i].kind, &p,
				 &e) != 0)
			fail_msg("key %s: '%s' does not parse: %u:%u: %s",
				 policy_key_name((enum policy_key)k), text,
				 e.line, e.col, e.msg);
		assert_int_equal(p.line[k], 1);
		assert_true(policy_has(&p, (enum policy_key)k));
		policy_free(&p);
	}
}

/* A key given twice is refused, except the repeatable mount lines. */
static void test_every_key_once(void **state)
{
	(void)state;
	for (int k = 0; k < POLICY_N_KEYS; k++) {
		const char *sample = key_samples[sample_of((enum policy_key)k)].text;
		bool mount = k >= POLICY_KEY_TMPFS && k <= POLICY_KEY_HIDE;
		int first_len = (int)strcspn(sample, "\n");
		char text[512], want[128];
		struct policy p;
		struct policy_error e;
		int rc;

		snprintf(text, sizeof(text), "%.*s\n%.*s\n", first_len, sample,
			 first_len, sample);
		rc = policy_parse(text, strlen(text),
				  key_samples[sample_of((enum policy_key)k)].kind,
				  &p, &e);
		if (mount) {
			assert_int_equal(rc, 0);
			assert_int_equal(p.line[k], 1);
			assert_int_equal(p.n_mounts, 2);
			policy_free(&p);
			continue;
		}
		snprintf(want, sizeof(want),
			 "%s: duplicate key (first set at line 1)",
			 policy_key_name((enum policy_key)k));
		assert_int_equal(rc, -1);
		assert_int_equal(e.line, 2);
		assert_int_equal(e.col, 1);
		assert_string_equal(e.msg, want);
	}
}

/* The names other tables give the same keys agree with the key table. */
static void test_key_names_agree(void **state)
{
	(void)state;
	for (int k = 0; k < N_LIMITS; k++)
		assert_string_equal(limit_key((enum limit_kind)k),
				    policy_key_name(POLICY_KEY_LIMIT(k)));
	for (int m = MOUNT_TMPFS; m <= MOUNT_HIDE; m++)
		assert_string_equal(policy_mount_kind_name((enum mount_kind)m),
				    policy_key_name((enum policy_key)(POLICY_KEY_TMPFS + m)));
}

/* The keys nsiso-policy(5) documents in its KEYS section: every "Cm NAME
 * =" on an .It line ("It Cm boottime_offset = Ar seconds , Cm
 * monotonic_offset = Ar seconds" documents two). */
static size_t documented_keys(char names[][32], size_t max)
{
	/* make unit and make unit-asan run the tests from the repository
	 * root. */
	static const char rel[] = "man/nsiso-policy.5";
	char line[1024];
	bool in_keys = false;
	size_t n = 0;
	FILE *f = fopen(rel, "r");

	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", rel);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ".Sh ", 4) == 0) {
			in_keys = strcmp(line, ".Sh KEYS\n") == 0;
			continue;
		}
		if (!in_keys || strncmp(line, ".It ", 4) != 0)
			continue;
		for (char *p = line; (p = strstr(p, "Cm ")) != NULL;) {
			size_t len;

			p += 3;
			len = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
			if (len == 0 || len >= 32 || strncmp(p + len, " =", 2) != 0)
				continue;
			assert_true(n < max);
			snprintf(names[n++], 32, "%.*s", (int)len, p);
		}
	}
	fclose(f);
	return n;
}

/* A key added to the table must be documented, and a documented key must
 * be in the table. */
static void test_keys_documented(void **state)
{
	char doc[64][32];
	size_t n;

	(void)state;
	n = documented_keys(doc, 64);
	for (int k = 0; k < POLICY_N_KEYS; k++) {
		const char *name = policy_key_name((enum policy_key)k);
		size_t i;

		for (i = 0; i < n && strcmp(doc[i], name) != 0; i++)
			;
		if (i == n)
			fail_msg("key %s is not documented in man/nsiso-policy.5, KEYS (.It Cm %s = ...)",
				 name, name);
	}
	for (size_t i = 0; i < n; i++) {
		int k;

		for (k = 0; k < POLICY_N_KEYS &&
			    strcmp(policy_key_name((enum policy_key)k), doc[i]) != 0;
		     k++)
			;
		if (k == POLICY_N_KEYS)
			fail_msg("man/nsiso-policy.5 documents key %s, which the parser does not know",
				 doc[i]);
	}
}

/* ---- hostname ------------------------------------------------------- */

static void test_hostname_values(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("hostname = build-01.example\n", POLICY_USER, &p);
	assert_string_equal(p.hostname, "build-01.example");
	assert_int_equal(p.line[POLICY_KEY_HOSTNAME], 1);
	policy_free(&p);

	/* With escapes the name is checked after expansion, not here. */
	PARSE_OK("hostname = %u_%%\n", POLICY_USER, &p);
	assert_string_equal(p.hostname, "%u_%%");
	policy_free(&p);

	PARSE_ERR("hostname = bad_name\n", POLICY_USER, 1, 12,
		  "hostname: 'bad_name': only letters, digits");
	PARSE_ERR("hostname = -box\n", POLICY_USER, 1, 12, "starts with '-'");
	PARSE_ERR("hostname = %u.%x\n", POLICY_USER, 1, 15,
		  "hostname: unknown template escape");
	PARSE_ERR("hostname = box%\n", POLICY_USER, 1, 15,
		  "unknown template escape");
}

/* ---- paths ---------------------------------------------------------- */

static void test_bad_template_in_path(void **state)
{
	(void)state;
	PARSE_ERR("tmpfs = /tmp/%x\n", POLICY_USER, 1, 14,
		  "tmpfs: '/tmp/%x': unknown template escape");
	PARSE_ERR("bind = /home/%u/%q /data\n", POLICY_USER, 1, 17,
		  "bind: '/home/%u/%q': unknown template escape");
	PARSE_ERR("bind = /src /dst/%\n", POLICY_USER, 1, 18,
		  "unknown template escape");
	PARSE_ERR("hide = /%z\n", POLICY_USER, 1, 9, "unknown template escape");
}

static void test_abnormal_paths(void **state)
{
	(void)state;
	PARSE_ERR("tmpfs = tmp\n", POLICY_USER, 1, 9,
		  "tmpfs: 'tmp': not an absolute path");
	PARSE_ERR("tmpfs = %u\n", POLICY_USER, 1, 9, "not an absolute path");
	PARSE_ERR("hide = /a/../etc\n", POLICY_USER, 1, 8,
		  "'.' and '..' components are not allowed");
	PARSE_ERR("hide = /a/./b\n", POLICY_USER, 1, 8, "'.' and '..'");
	PARSE_ERR("readonly = /a//b\n", POLICY_USER, 1, 12,
		  "empty component ('//')");
	PARSE_ERR("readonly = /opt/\n", POLICY_USER, 1, 12, "ends with '/'");
	PARSE_ERR("bind = src /dst\n", POLICY_USER, 1, 8,
		  "bind: 'src': not an absolute path");
	PARSE_ERR("bind = /src dst\n", POLICY_USER, 1, 13,
		  "bind: 'dst': not an absolute path");
	PARSE_ERR("bind = /srv/../etc /dst\n", POLICY_USER, 1, 8, "'..'");
	/* DEL passes the line check but not the path check. */
	PARSE_ERR("hide = /a\x7f" "b\n", POLICY_USER, 1, 8,
		  "control character in path");
}

static void test_forbidden_targets(void **state)
{
	static const char *const bad[] = {
		"/", "/proc", "/proc/sys", "/sys", "/sys/x", "/dev", "/dev/pts",
		"/dev/pts/0", "/dev/null", "/run", "/run/utmp", "/run/dbus",
		"/run/systemd/x", "/run/nsiso", "/run/nsiso/1000.sock",
		"/var", "/var/log", "/var/log/x",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(text, sizeof(text), "tmpfs = %s\n", bad[i]);
		parse_err_len(text, (size_t)n, POLICY_USER, 1, 9,
			      "may not mount on", __LINE__);
		n = snprintf(text, sizeof(text), "bind = /srv %s ro\n", bad[i]);
		parse_err_len(text, (size_t)n, POLICY_USER, 1, 13,
			      "bind: may not mount on", __LINE__);
		n = snprintf(text, sizeof(text), "hide = %s\n", bad[i]);
		parse_err_len(text, (size_t)n, POLICY_USER, 1, 8,
			      "hide: may not mount on", __LINE__);
		n = snprintf(text, sizeof(text), "readonly = %s\n", bad[i]);
		parse_err_len(text, (size_t)n, POLICY_USER, 1, 12,
			      "readonly: may not mount on", __LINE__);
	}
	/* A forbidden path is fine as a bind source. */
	struct policy p;
	PARSE_OK("bind = /proc/cpuinfo /srv/cpuinfo\n", POLICY_USER, &p);
	policy_free(&p);
}

static void test_allowed_targets(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("tmpfs = /dev/shm\n"
		 "tmpfs = /tmp\n"
		 "tmpfs = /var/tmp\n"
		 "tmpfs = /run/user/%U\n"
		 "tmpfs = /home/%u/scratch\n"
		 "hide = /running\n"
		 "hide = /variable\n"
		 "bind = /srv/shm /dev/shm/x\n",
		 POLICY_USER, &p);
	assert_int_equal(p.n_mounts, 8);
	assert_string_equal(p.mounts[0].target, "/dev/shm");
	assert_string_equal(p.mounts[3].target, "/run/user/%U");
	policy_free(&p);
}

static void test_tmpfs_options(void **state)
{
	static const char *const good[] = {
		"size=64m", "size=10%", "size=1024", "size=2g,mode=0700",
		"mode=1777", "nr_inodes=1000", "size=1k,nr_inodes=5,mode=755",
	};
	struct policy p;
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int n = snprintf(text, sizeof(text), "tmpfs = /tmp %s\n", good[i]);
		parse_ok_len(text, (size_t)n, POLICY_USER, &p, __LINE__);
		assert_string_equal(p.mounts[0].options, good[i]);
		policy_free(&p);
	}

	PARSE_ERR("tmpfs = /tmp size=abc\n", POLICY_USER, 1, 14,
		  "tmpfs: size 'abc' is not a number");
	PARSE_ERR("tmpfs = /tmp size=64M\n", POLICY_USER, 1, 14, "size '64M'");
	/* A world-writable tmpfs over what setuid programs read is a root
	 * exploit (su reads /etc/pam.d): only a closed mode is allowed. */
	PARSE_ERR("tmpfs = /etc/pam.d\n", POLICY_USER, 1, 9,
		  "tmpfs: '/etc/pam.d' is read by setuid programs");
	PARSE_ERR("tmpfs = /usr/local mode=1777\n", POLICY_USER, 1, 9,
		  "is read by setuid programs");
	PARSE_ERR("tmpfs = /etc/x mode=0775\n", POLICY_USER, 1, 9,
		  "give a mode= without group or other write");
	/* The kernel applies the last mode=: a repeat would let a closed
	 * first mode hide an open last one. */
	PARSE_ERR("tmpfs = /etc/pam.d mode=0755,mode=1777\n", POLICY_USER, 1, 30,
		  "tmpfs: option 'mode' is given twice");
	PARSE_ERR("tmpfs = /tmp size=1m,size=2m\n", POLICY_USER, 1, 22,
		  "option 'size' is given twice");
	assert_true(policy_tmpfs_user_writable("mode=0755,mode=1777"));
	assert_false(policy_tmpfs_user_writable("size=1m,mode=0755"));
	assert_true(policy_tmpfs_user_writable("size=1m"));
	parse_ok_len("tmpfs = /etc/x mode=0755\n", 24, POLICY_USER, &p, __LINE__);
	policy_free(&p);
	/* 0 is "unlimited" to tmpfs: refused so a default cannot be undone. */
	PARSE_ERR("tmpfs = /tmp size=0\n", POLICY_USER, 1, 14,
		  "tmpfs: size 0 would mean no limit");
	PARSE_ERR("tmpfs = /tmp size=00m\n", POLICY_USER, 1, 14,
		  "size 0 would mean no limit");
	PARSE_ERR("tmpfs = /tmp nr_inodes=0\n", POLICY_USER, 1, 14,
		  "tmpfs: nr_inodes 0 would mean no limit");
	PARSE_ERR("tmpfs = /tmp size=64mb\n", POLICY_USER, 1, 14, "size '64mb'");
	PARSE_ERR("tmpfs = /tmp size=1234567890123\n", POLICY_USER, 1, 14,
		  "is not a number");
	PARSE_ERR("tmpfs = /tmp mode=0700,uid=0\n", POLICY_USER, 1, 24,
		  "tmpfs: unknown option 'uid' (size, nr_inodes and mode are allowed)");
	PARSE_ERR("tmpfs = /tmp gid=0\n", POLICY_USER, 1, 14,
		  "unknown option 'gid'");
	PARSE_ERR("tmpfs = /tmp size=64m,\n", POLICY_USER, 1, 23,
		  "tmpfs: options end with ','");
	PARSE_ERR("tmpfs = /tmp ,size=1m\n", POLICY_USER, 1, 14,
		  "option '' needs a value");
	PARSE_ERR("tmpfs = /tmp size=1m,,mode=1777\n", POLICY_USER, 1, 22,
		  "needs a value");
	PARSE_ERR("tmpfs = /tmp size=\n", POLICY_USER, 1, 14,
		  "option 'size=' needs a value");
	PARSE_ERR("tmpfs = /tmp noexec\n", POLICY_USER, 1, 14,
		  "option 'noexec' needs a value");
	PARSE_ERR("tmpfs = /tmp mode=0888\n", POLICY_USER, 1, 14,
		  "mode '0888' is not an octal mode");
	PARSE_ERR("tmpfs = /tmp mode=01777\n", POLICY_USER, 1, 14,
		  "is not an octal mode");
	PARSE_ERR("tmpfs = /tmp nr_inodes=1k\n", POLICY_USER, 1, 14,
		  "nr_inodes '1k' is not a number");
}

static void test_bind_flags(void **state)
{
	struct policy p;

	(void)state;
	PARSE_OK("bind = /srv/a /a ro\n", POLICY_USER, &p);
	assert_true(p.mounts[0].readonly);
	policy_free(&p);

	PARSE_ERR("bind = /srv/a /a rw\n", POLICY_USER, 1, 18,
		  "bind: unknown flag 'rw' (only 'ro')");
	PARSE_ERR("bind = /srv/a /a RO\n", POLICY_USER, 1, 18,
		  "unknown flag 'RO'");
}

static void test_per_user_bind_source(void **state)
{
	struct policy p;

	(void)state;
	PARSE_ERR("bind = /home/%u/etc /etc\n", POLICY_USER, 1, 21,
		  "bind: a per-user source ('/home/%u/etc') may not cover '/etc'");
	PARSE_ERR("bind = /srv/%g /usr/local/bin\n", POLICY_USER, 1, 16,
		  "may not cover '/usr/local/bin'");
	PARSE_ERR("bind = /srv/%U /lib\n", POLICY_USER, 1, 16, "may not cover");
	/* '..' cannot smuggle a target past the check. */
	PARSE_ERR("bind = /home/%u /opt/../usr\n", POLICY_USER, 1, 17, "'..'");

	/* Fixed sources are checked for ownership at build time instead. */
	PARSE_OK("bind = /srv/etc /etc ro\n", POLICY_USER, &p);
	policy_free(&p);
	/* %H is the host's, not the user's, and %% is a literal. */
	PARSE_OK("bind = /srv/%H/etc /etc\nbind = /srv/%%u /usr\n", POLICY_USER,
		 &p);
	policy_free(&p);
	/* Per-user sources elsewhere are fine. */
	PARSE_OK("bind = /home/%u/data /data\nbind = /srv/%g /etcetera\n",
		 POLICY_USER, &p);
	policy_free(&p);
}

/* ---- raw bytes ------------------------------------------------------ */

static void test_nul_byte(void **state)
{
	(void)state;
	PARSE_ERR("isolate = yes\nlinger\0 = 1\n", POLICY_USER, 2, 0,
		  "NUL byte in line");
	PARSE_ERR("\0", POLICY_USER, 1, 0, "NUL byte");
	/* Also in a comment: the whole file is refused. */
	PARSE_ERR("\n\n# x\0y\n", POLICY_USER, 3, 0, "NUL byte");
}

static void test_control_characters(void **state)
{
	(void)state;
	PARSE_ERR("isolate = y\x01s\n", POLICY_USER, 1, 12,
		  "control character in line");
	PARSE_ERR("linger = 1\n# bell \a\n", POLICY_USER, 2, 8,
		  "control character in line");
	PARSE_ERR("hostname = a\rb\n", POLICY_USER, 1, 13, "control character");
	PARSE_ERR("\x1b[31m = 1\n", POLICY_USER, 1, 1, "control character");
}

static void test_long_lines(void **state)
{
	size_t len = POLICY_MAX_LINE + 16;
	char *text = malloc(len);
	struct policy p;
	struct policy_error e;

	(void)state;
	assert_non_null(text);
	/* A comment of exactly POLICY_MAX_LINE bytes, then a real line. */
	text[0] = '#';
	memset(text + 1, 'x', POLICY_MAX_LINE - 1);
	memcpy(text + POLICY_MAX_LINE, "\nlinger = 3\n", 12);
	assert_int_equal(policy_parse(text, POLICY_MAX_LINE + 12, POLICY_USER,
				      &p, &e), 0);
	assert_int_equal(p.linger, 3);
	policy_free(&p);

	/* One byte more is refused, naming the line. */
	memcpy(text, "linger = 1\n#", 12);
	memset(text + 12, 'x', POLICY_MAX_LINE);
	text[POLICY_MAX_LINE + 12] = '\n';
	parse_err_len(text, POLICY_MAX_LINE + 13, POLICY_USER, 2, 0,
		      "line is longer than 4096 bytes", __LINE__);
	free(text);
}

static void test_file_too_large(void **state)
{
	size_t len = POLICY_MAX_SIZE + 1;
	char *text = malloc(len);
	struct policy p;
	struct policy_error e;

	(void)state;
	assert_non_null(text);
	/* Blank lines only: the size alone is the problem. */
	memset(text, '\n', len);
	assert_int_equal(policy_parse(text, POLICY_MAX_SIZE, POLICY_USER, &p,
				      &e), 0);
	policy_free(&p);
	parse_err_len(text, len, POLICY_USER, 0, 0, "file is larger than",
		      __LINE__);
	free(text);
}

static void test_text_not_nul_terminated(void **state)
{
	/* The parser must stop at len, not at a terminator. */
	static const char text[] = "linger = 12345";
	struct policy p;
	struct policy_error e;

	(void)state;
	assert_int_equal(policy_parse(text, 11, POLICY_USER, &p, &e), 0);
	assert_int_equal(p.linger, 12);
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_defaults),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_hash_inside_value_is_not_comment),
		cmocka_unit_test(test_whitespace_and_tabs),
		cmocka_unit_test(test_crlf_tolerated),
		cmocka_unit_test(test_last_line_counts),
		cmocka_unit_test(test_isolate_no),
		cmocka_unit_test(test_full_policy),
		cmocka_unit_test(test_bind_without_ro),
		cmocka_unit_test(test_group_file),
		cmocka_unit_test(test_integers_in_range),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_missing_equals),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_too_many_values),
		cmocka_unit_test(test_duplicate_single_keys),
		cmocka_unit_test(test_repeatable_mount_keys),
		cmocka_unit_test(test_too_many_mounts),
		cmocka_unit_test(test_bad_yes_no),
		cmocka_unit_test(test_bad_share),
		cmocka_unit_test(test_bad_integers),
		cmocka_unit_test(test_integers_out_of_range),
		cmocka_unit_test(test_uid_min_only_in_default),
		cmocka_unit_test(test_priority_only_in_group),
		cmocka_unit_test(test_group_needs_priority),
		cmocka_unit_test(test_namespaces_parse),
		cmocka_unit_test(test_unknown_namespace),
		cmocka_unit_test(test_namespace_twice),
		cmocka_unit_test(test_empty_namespaces),
		cmocka_unit_test(test_hostname_needs_uts),
		cmocka_unit_test(test_stop_grace_needs_pid),
		cmocka_unit_test(test_mounts_need_mount),
		cmocka_unit_test(test_pid_needs_mount),
		cmocka_unit_test(test_time_offsets),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_userns_and_shell),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_mount_kind_names),
		cmocka_unit_test(test_key_table_rows),
		cmocka_unit_test(test_every_key_parses),
		cmocka_unit_test(test_every_key_once),
		cmocka_unit_test(test_key_names_agree),
		cmocka_unit_test(test_keys_documented),
		cmocka_unit_test(test_hostname_values),
		cmocka_unit_test(test_bad_template_in_path),
		cmocka_unit_test(test_abnormal_paths),
		cmocka_unit_test(test_forbidden_targets),
		cmocka_unit_test(test_allowed_targets),
		cmocka_unit_test(test_tmpfs_options),
		cmocka_unit_test(test_bind_flags),
		cmocka_unit_test(test_per_user_bind_source),
		cmocka_unit_test(test_cgroup_limits),
		cmocka_unit_test(test_manager_refusal),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_file_too_large),
		cmocka_unit_test(test_text_not_nul_terminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
