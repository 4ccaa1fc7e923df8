/* Unit tests for the /etc/subuid reader (root/policy/subid.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "subid.h"

static int find(const char *text, const char *name, unsigned long id,
		unsigned long own, unsigned long *start, unsigned long *count,
		struct nsiso_err *e)
{
	return subid_find(text, strlen(text), name, id, own, 1, start, count, e);
}

static void test_below_sub_id_min_refused(void **state)
{
	unsigned long s = 0, c = 0;
	struct nsiso_err err = { "" };

	(void)state;
	/* Ordinary ids (other users, groups like shadow): refused below SUB_GID_MIN. */
	assert_int_equal(subid_find("alice:2000:100\n", 15, "alice", 1000, 1000,
				    100000, &s, &c, &err), -1);
	assert_string_equal(err.msg,
			    "line 1: the range 2000-2099 starts below 100000 (SUB_UID_MIN/SUB_GID_MIN in /etc/login.defs), among ordinary users' and groups' ids");
	assert_int_equal(subid_find("alice:100000:65536\n", 19, "alice", 1000,
				    1000, 100000, &s, &c, &err), 1);
	/* Ten digits that wrap a 32-bit unsigned long: refused. */
	assert_int_equal(find("alice:4294967297:1\n", "alice", 1000, 1000,
			      &s, &c, &err), -1);
}

static void test_found_by_name_and_uid(void **state)
{
	unsigned long s = 0, c = 0;
	struct nsiso_err err = { "" };

	(void)state;
	assert_int_equal(find("bob:100000:65536\nalice:165536:65536\n", "alice",
			      1000, 1000, &s, &c, &err), 1);
	assert_int_equal(s, 165536);
	assert_int_equal(c, 65536);
	assert_int_equal(find("1000:200000:10", "alice", 1000, 1000, &s, &c, &err), 1);
	assert_int_equal(s, 200000);
	assert_int_equal(c, 10);
	/* The first matching line wins; no prefix matching. */
	assert_int_equal(find("alicex:1:1\nalic:2:2\nalice:300000:5\nalice:400000:5\n",
			      "alice", 1000, 1000, &s, &c, &err), 1);
	assert_int_equal(s, 300000);
	assert_int_equal(find("10000:1:1\n", "alice", 1000, 1000, &s, &c, &err), 0);
	assert_int_equal(find("", "alice", 1000, 1000, &s, &c, &err), 0);
	assert_int_equal(find("\n\nbob:1:1", "alice", 1000, 1000, &s, &c, &err), 0);
}

static void test_bad_lines(void **state)
{
	unsigned long s, c;
	struct nsiso_err err = { "" };

	(void)state;
	assert_int_equal(find("alice:x:1\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_string_equal(err.msg, "line 1: expected NAME:START:COUNT");
	assert_int_equal(find("bob:1:1\nalice:100000\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_non_null(strstr(err.msg, "line 2:"));
	assert_int_equal(find("alice:100000:-5\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_int_equal(find("alice:100000:0\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_non_null(strstr(err.msg, "empty or too large"));
	assert_int_equal(find("alice:4294967290:10\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_int_equal(find("alice:4294967295:1\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_int_equal(find("alice:0:65536\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_non_null(strstr(err.msg, "id 0 (root)"));
	assert_int_equal(find("alice:500:1000\n", "alice", 1000, 1000, &s, &c, &err), -1);
	assert_non_null(strstr(err.msg, "the user's own id"));
	assert_int_equal(find("alice: 100000:5\n", "alice", 1000, 1000, &s, &c, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_by_name_and_uid),
		cmocka_unit_test(test_below_sub_id_min_refused),
		cmocka_unit_test(test_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
