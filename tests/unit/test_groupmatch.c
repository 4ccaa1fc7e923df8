/* Unit tests for group membership from NSS's answers
 * (root/policy/groupmatch.c): a failed look-up is "cannot tell", never
 * "not a member"; the member list, the primary gid and the user's group
 * list (initgroups) each make a member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "groupmatch.h"

static char *const staff_members[] = { "bob", "alice", NULL };
static char *const no_members[] = { NULL };

static const struct group_answer staff = {
	GROUP_FOUND, 0, "staff", 5000, staff_members,
};
/* sssd with ignore_group_members: the group answers, its list is empty. */
static const struct group_answer quiet = {
	GROUP_FOUND, 0, "dir", 6000, no_members,
};

static void test_failed_lookup_is_unknown(void **state)
{
	const struct group_answer failed = { GROUP_FAILED, ECONNREFUSED, NULL, 0, NULL };
	gid_t gids[] = { 100, 6000 };
	const struct gid_list list = { gids, 2 };

	(void)state;
	assert_int_equal(group_membership("dir", &failed, "alice", 100, NULL),
			 MEMBER_UNKNOWN);
	/* Not even a group list that holds the group's gid can tell: NSS did
	 * not say which gid the name has. */
	assert_int_equal(group_membership("dir", &failed, "alice", 6000, &list),
			 MEMBER_UNKNOWN);
	/* An errno glibc's convention would never give still fails. */
	{
		const struct group_answer odd = { GROUP_FAILED, 0, NULL, 0, NULL };

		assert_int_equal(group_membership("dir", &odd, "alice", 100, &list),
				 MEMBER_UNKNOWN);
	}
}

static void test_absent_group_is_not_a_member(void **state)
{
	const struct group_answer absent = { GROUP_ABSENT, 0, NULL, 0, NULL };
	gid_t gids[] = { 100 };
	const struct gid_list list = { gids, 1 };

	(void)state;
	assert_int_equal(group_membership("gone", &absent, "alice", 100, NULL),
			 MEMBER_NO);
	assert_int_equal(group_membership("gone", &absent, "alice", 100, &list),
			 MEMBER_NO);
}

static void test_member_list(void **state)
{
	(void)state;
	/* Decided without the user's group list. */
	assert_int_equal(group_membership("staff", &staff, "alice", 100, NULL),
			 MEMBER_YES);
	assert_int_equal(group_membership("staff", &staff, "bob", 100, NULL),
			 MEMBER_YES);
	/* A prefix or a different case is not the name. */
	assert_int_equal(group_membership("staff", &staff, "ali", 100, NULL),
			 MEMBER_ASK_LIST);
	assert_int_equal(group_membership("staff", &staff, "Alice", 100, NULL),
			 MEMBER_ASK_LIST);
}

static void test_primary_group(void **state)
{
	(void)state;
	assert_int_equal(group_membership("staff", &staff, "carol", 5000, NULL),
			 MEMBER_YES);
	assert_int_equal(group_membership("dir", &quiet, "carol", 6000, NULL),
			 MEMBER_YES);
}

static void test_group_list_decides_what_the_member_list_does_not(void **state)
{
	gid_t with[] = { 100, 6000 };
	gid_t without[] = { 100, 5000 };
	const struct gid_list in = { with, 2 }, out = { without, 2 };
	const struct gid_list empty = { NULL, 0 };

	(void)state;
	assert_int_equal(group_membership("dir", &quiet, "dana", 100, NULL),
			 MEMBER_ASK_LIST);
	assert_int_equal(group_membership("dir", &quiet, "dana", 100, &in),
			 MEMBER_YES);
	assert_int_equal(group_membership("dir", &quiet, "dana", 100, &out),
			 MEMBER_NO);
	assert_int_equal(group_membership("dir", &quiet, "dana", 100, &empty),
			 MEMBER_NO);
	/* A NULL member list (a module that leaves it out) is an empty one. */
	{
		const struct group_answer bare = { GROUP_FOUND, 0, "dir", 6000, NULL };

		assert_int_equal(group_membership("dir", &bare, "dana", 100, NULL),
				 MEMBER_ASK_LIST);
		assert_int_equal(group_membership("dir", &bare, "dana", 100, &in),
				 MEMBER_YES);
	}
}

static void test_other_spelling_is_not_the_file(void **state)
{
	/* A case-insensitive directory answers "Staff" with its group
	 * "staff": group/Staff.conf is not that group's file. */
	gid_t gids[] = { 5000 };
	const struct gid_list list = { gids, 1 };

	(void)state;
	assert_int_equal(group_membership("Staff", &staff, "alice", 5000, &list),
			 MEMBER_NO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_lookup_is_unknown),
		cmocka_unit_test(test_absent_group_is_not_a_member),
		cmocka_unit_test(test_member_list),
		cmocka_unit_test(test_primary_group),
		cmocka_unit_test(test_group_list_decides_what_the_member_list_does_not),
		cmocka_unit_test(test_other_spelling_is_not_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
