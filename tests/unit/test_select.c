/* Unit tests for policy resolution (root/policy/select.c): the user's file, else
 * the highest-priority matching group file, else default.conf for uids at
 * or above uid_min; root only by its own file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "select.h"

#define LOGIN_DEFS_UID_MIN 1000u

static struct policy user_pol = { .isolate = true };
static struct policy def_pol = { .isolate = true };
static struct policy def_pol_uid_min = {
	.isolate = true, .line[POLICY_KEY_UID_MIN] = 1, .uid_min = 500,
};
static struct policy grp_low = { .isolate = true, .line[POLICY_KEY_PRIORITY] = 1,
				 .priority = -5 };
static struct policy grp_mid = { .isolate = true, .line[POLICY_KEY_PRIORITY] = 1,
				 .priority = 10 };
static struct policy grp_mid2 = { .isolate = false, .line[POLICY_KEY_PRIORITY] = 1,
				  .priority = 10 };
static struct policy grp_high = { .isolate = false, .line[POLICY_KEY_PRIORITY] = 1,
				  .priority = 20 };

static const struct policy_file user_file = { "/p/user/alice.conf", &user_pol, NULL };
static const struct policy_file root_file = { "/p/user/root.conf", &user_pol, NULL };
static const struct policy_file def_file = { "/p/default.conf", &def_pol, NULL };
static const struct policy_file def_file_uid_min = { "/p/default.conf", &def_pol_uid_min, NULL };

static struct policy_choice choose(const struct policy_file *user,
				   const struct policy_file *groups, size_t n,
				   const struct policy_file *def, uid_t uid)
{
	struct policy_choice c;

	memset(&c, 0x5a, sizeof(c));
	policy_select(user, groups, n, def, uid, LOGIN_DEFS_UID_MIN, &c);
	/* why is always a terminated, non-empty explanation. */
	assert_true(memchr(c.why, '\0', sizeof(c.why)) != NULL);
	assert_true(c.why[0] != '\0');
	return c;
}

static void test_user_file_wins(void **state)
{
	const struct policy_file groups[] = {
		{ "/p/group/staff.conf", &grp_high, NULL },
	};
	struct policy_choice c;

	(void)state;
	c = choose(&user_file, groups, 1, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_USER);
	assert_ptr_equal(c.file, &user_file);
	assert_non_null(strstr(c.why, "/p/user/alice.conf"));

	/* Also below uid_min: the admin named the user. */
	c = choose(&user_file, NULL, 0, &def_file, 10);
	assert_int_equal(c.kind, CHOICE_USER);
	assert_ptr_equal(c.file, &user_file);
}

static void test_highest_group_wins(void **state)
{
	const struct policy_file groups[] = {
		{ "/p/group/users.conf", &grp_low, NULL },
		{ "/p/group/staff.conf", &grp_high, NULL },
		{ "/p/group/dev.conf", &grp_mid, NULL },
	};
	struct policy_choice c;

	(void)state;
	c = choose(NULL, groups, 3, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_GROUP);
	assert_ptr_equal(c.file, &groups[1]);
	assert_non_null(strstr(c.why, "/p/group/staff.conf"));
	assert_non_null(strstr(c.why, "priority 20"));

	/* Order of the list does not matter. */
	c = choose(NULL, &groups[2], 1, &def_file, 1001);
	assert_ptr_equal(c.file, &groups[2]);
	c = choose(NULL, groups, 1, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_GROUP);
	assert_ptr_equal(c.file, &groups[0]);
}

static void test_group_applies_below_uid_min(void **state)
{
	const struct policy_file groups[] = {
		{ "/p/group/svc.conf", &grp_mid, NULL },
	};
	struct policy_choice c;

	(void)state;
	/* uid_min limits default.conf only. */
	c = choose(NULL, groups, 1, &def_file, 100);
	assert_int_equal(c.kind, CHOICE_GROUP);
	assert_ptr_equal(c.file, &groups[0]);
	c = choose(NULL, groups, 1, NULL, 100);
	assert_int_equal(c.kind, CHOICE_GROUP);
}

static void test_equal_top_priority_is_error(void **state)
{
	const struct policy_file groups[] = {
		{ "/p/group/low.conf", &grp_low, NULL },
		{ "/p/group/dev.conf", &grp_mid, NULL },
		{ "/p/group/ops.conf", &grp_mid2, NULL },
	};
	const struct policy_file rev[] = { groups[2], groups[1], groups[0] };
	struct policy_choice c;

	(void)state;
	c = choose(NULL, groups, 3, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_ERROR);
	assert_null(c.file);
	assert_non_null(strstr(c.why, "/p/group/dev.conf"));
	assert_non_null(strstr(c.why, "/p/group/ops.conf"));
	assert_non_null(strstr(c.why, "priority 10"));

	c = choose(NULL, rev, 3, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_ERROR);
	assert_non_null(strstr(c.why, "/p/group/dev.conf"));
	assert_non_null(strstr(c.why, "/p/group/ops.conf"));
}

static void test_equal_lower_priorities_are_fine(void **state)
{
	const struct policy_file groups[] = {
		{ "/p/group/dev.conf", &grp_mid, NULL },
		{ "/p/group/ops.conf", &grp_mid2, NULL },
		{ "/p/group/staff.conf", &grp_high, NULL },
	};
	struct policy_choice c;

	(void)state;
	c = choose(NULL, groups, 3, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_GROUP);
	assert_ptr_equal(c.file, &groups[2]);
}

/* A group file whose membership NSS could not establish (.unknown): it
 * denies whenever it could be the file that applies. */
static void test_unknown_membership(void **state)
{
	const char *why = "NSS cannot tell whether alice is in group dir: getgrnam_r: Connection refused (ECONNREFUSED)";
	const struct policy_file dir_mid = { "/p/group/dir.conf", &grp_mid, why };
	const struct policy_file dir_high = { "/p/group/dir.conf", &grp_high, why };
	const struct policy_file low = { "/p/group/users.conf", &grp_low, NULL };
	const struct policy_file mid = { "/p/group/ops.conf", &grp_mid2, NULL };
	const struct policy_file high = { "/p/group/admins.conf", &grp_high, NULL };
	struct policy_choice c;

	(void)state;
	/* Nothing else matches: never default.conf, nor "not isolated". */
	c = choose(NULL, &dir_mid, 1, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_ERROR);
	assert_null(c.file);
	assert_non_null(strstr(c.why, "/p/group/dir.conf (priority 10) could apply, but NSS cannot tell"));
	assert_non_null(strstr(c.why, "group dir"));
	assert_non_null(strstr(c.why, "ECONNREFUSED"));
	c = choose(NULL, &dir_mid, 1, NULL, 1001);
	assert_int_equal(c.kind, CHOICE_ERROR);
	/* Below uid_min too: the group file could isolate a system account. */
	c = choose(NULL, &dir_mid, 1, &def_file, 100);
	assert_int_equal(c.kind, CHOICE_ERROR);

	/* Above the best matching file: it could win. */
	{
		const struct policy_file g[] = { low, dir_mid };

		c = choose(NULL, g, 2, &def_file, 1001);
		assert_int_equal(c.kind, CHOICE_ERROR);
		assert_non_null(strstr(c.why, "/p/group/dir.conf"));
	}
	/* At the same priority: a member would tie, which denies too. */
	{
		const struct policy_file g[] = { mid, dir_mid };

		c = choose(NULL, g, 2, &def_file, 1001);
		assert_int_equal(c.kind, CHOICE_ERROR);
		assert_non_null(strstr(c.why, "/p/group/dir.conf"));
	}
	/* Below a matching file: it cannot change the outcome (break-glass:
	 * a local group whose file outranks the directory's). */
	{
		const struct policy_file g[] = { dir_mid, high, low };

		c = choose(NULL, g, 3, &def_file, 1001);
		assert_int_equal(c.kind, CHOICE_GROUP);
		assert_ptr_equal(c.file, &g[1]);
		/* It is not counted as matching. */
		assert_non_null(strstr(c.why, "of 2 matching"));
	}
	/* The highest unknown file is the one that counts. */
	{
		const struct policy_file g[] = { dir_mid, mid, dir_high };

		c = choose(NULL, g, 3, &def_file, 1001);
		assert_int_equal(c.kind, CHOICE_ERROR);
		assert_non_null(strstr(c.why, "(priority 20) could apply, but"));
	}
	/* Two unknown files alone never make a tie message: the NSS error
	 * is what the admin must see. */
	{
		const struct policy_file g[] = { dir_mid, dir_mid };

		c = choose(NULL, g, 2, &def_file, 1001);
		assert_int_equal(c.kind, CHOICE_ERROR);
		assert_non_null(strstr(c.why, "ECONNREFUSED"));
	}
	/* A user file and root never look at groups. */
	c = choose(&user_file, &dir_high, 1, &def_file, 1001);
	assert_int_equal(c.kind, CHOICE_USER);
	c = choose(NULL, &dir_high, 1, &def_file, 0);
	assert_int_equal(c.kind, CHOICE_NONE);
}

static void test_root_only_by_own_file(void **state)
{
	const struct policy_file groups[] = {
		{ "/p/group/root.conf", &grp_high, NULL },
	};
	struct policy_choice c;

	(void)state;
	c = choose(NULL, groups, 1, &def_file, 0);
	assert_int_equal(c.kind, CHOICE_NONE);
	assert_null(c.file);
	assert_non_null(strstr(c.why, "root"));

	/* Not even a default.conf that sets uid_min = 0. */
	{
		struct policy zero = { .isolate = true, .line[POLICY_KEY_UID_MIN] = 1,
				       .uid_min = 0 };
		const struct policy_file def0 = { "/p/default.conf", &zero, NULL };

		c = choose(NULL, NULL, 0, &def0, 0);
		assert_int_equal(c.kind, CHOICE_NONE);
		assert_null(c.file);

		/* ... which does isolate uid 1. */
		c = choose(NULL, NULL, 0, &def0, 1);
		assert_int_equal(c.kind, CHOICE_DEFAULT);
	}

	c = choose(&root_file, groups, 1, &def_file, 0);
	assert_int_equal(c.kind, CHOICE_USER);
	assert_ptr_equal(c.file, &root_file);
}

static void test_default_and_uid_min(void **state)
{
	struct policy_choice c;

	(void)state;
	/* No uid_min in default.conf: login.defs UID_MIN applies. */
	c = choose(NULL, NULL, 0, &def_file, 1000);
	assert_int_equal(c.kind, CHOICE_DEFAULT);
	assert_ptr_equal(c.file, &def_file);
	assert_non_null(strstr(c.why, "/p/default.conf"));

	c = choose(NULL, NULL, 0, &def_file, 999);
	assert_int_equal(c.kind, CHOICE_NONE);
	assert_null(c.file);
	assert_non_null(strstr(c.why, "uid 999 is below uid_min 1000"));
	assert_non_null(strstr(c.why, "login.defs"));

	/* uid_min from default.conf overrides login.defs. */
	c = choose(NULL, NULL, 0, &def_file_uid_min, 500);
	assert_int_equal(c.kind, CHOICE_DEFAULT);
	c = choose(NULL, NULL, 0, &def_file_uid_min, 499);
	assert_int_equal(c.kind, CHOICE_NONE);
	assert_non_null(strstr(c.why, "below uid_min 500 (/p/default.conf)"));

	/* Highest uid. */
	c = choose(NULL, NULL, 0, &def_file, (uid_t)4294967294u);
	assert_int_equal(c.kind, CHOICE_DEFAULT);
}

static void test_no_file(void **state)
{
	struct policy_choice c;

	(void)state;
	c = choose(NULL, NULL, 0, NULL, 1001);
	assert_int_equal(c.kind, CHOICE_NONE);
	assert_null(c.file);
	assert_non_null(strstr(c.why, "no user, group or default"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_file_wins),
		cmocka_unit_test(test_highest_group_wins),
		cmocka_unit_test(test_group_applies_below_uid_min),
		cmocka_unit_test(test_equal_top_priority_is_error),
		cmocka_unit_test(test_equal_lower_priorities_are_fine),
		cmocka_unit_test(test_unknown_membership),
		cmocka_unit_test(test_root_only_by_own_file),
		cmocka_unit_test(test_default_and_uid_min),
		cmocka_unit_test(test_no_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
