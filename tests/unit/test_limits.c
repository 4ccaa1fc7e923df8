/* Resource limits (root/policy/envlimits.c) and the logind slice test
 * (setuid/lib/cgpath.c): the values the policy accepts and how they are
 * written to cgroupfs and to systemd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cgpath.h"
#include "envlimits.h"

static uint64_t ok(enum limit_kind k, const char *text)
{
	char why[160] = "";
	uint64_t v = 0;

	if (limit_parse(k, text, &v, why, sizeof(why)) != 0)
		fail_msg("'%s' refused: %s", text, why);
	return v;
}

static void refused(enum limit_kind k, const char *text, const char *needle)
{
	char why[160] = "";
	uint64_t v = 12345;

	if (limit_parse(k, text, &v, why, sizeof(why)) != -1)
		fail_msg("'%s' accepted as %llu", text, (unsigned long long)v);
	if (strstr(why, needle) == NULL)
		fail_msg("'%s': '%s' does not say '%s'", text, why, needle);
	assert_int_equal(v, 12345); /* untouched on error */
}

static void test_memory(void **state)
{
	(void)state;
	assert_int_equal(ok(LIMIT_MEMORY, "268435456"), 268435456ull);
	assert_int_equal(ok(LIMIT_MEMORY, "256M"), 256ull << 20);
	assert_int_equal(ok(LIMIT_MEMORY, "8192K"), 8ull << 20);
	assert_int_equal(ok(LIMIT_MEMORY, "2G"), 2ull << 30);
	assert_int_equal(ok(LIMIT_MEMORY, "1T"), 1ull << 40);
	assert_true(ok(LIMIT_MEMORY, "max") == LIMIT_UNLIMITED);
	refused(LIMIT_MEMORY, "4M", "below 8M");
	refused(LIMIT_MEMORY, "0", "below 8M");
	refused(LIMIT_MEMORY, "256m", "K, M, G or T");
	refused(LIMIT_MEMORY, "256MB", "K, M, G or T");
	refused(LIMIT_MEMORY, "-1", "expected");
	refused(LIMIT_MEMORY, " 5M", "expected");
	refused(LIMIT_MEMORY, "0x100000", "expected");
	refused(LIMIT_MEMORY, "M", "expected");
	refused(LIMIT_MEMORY, "", "expected");
	refused(LIMIT_MEMORY, "infinity", "expected");
	refused(LIMIT_MEMORY, "99999999999999999999", "too large");
	refused(LIMIT_MEMORY, "17179869184T", "too large");
}

static void test_pids_and_cpu(void **state)
{
	(void)state;
	assert_int_equal(ok(LIMIT_PIDS, "1"), 1);
	assert_int_equal(ok(LIMIT_PIDS, "4194304"), 4194304);
	assert_true(ok(LIMIT_PIDS, "max") == LIMIT_UNLIMITED);
	refused(LIMIT_PIDS, "0", "out of range");
	refused(LIMIT_PIDS, "4194305", "out of range");
	refused(LIMIT_PIDS, "10K", "number of tasks");
	refused(LIMIT_PIDS, "+5", "number of tasks");
	assert_int_equal(ok(LIMIT_CPU_WEIGHT, "1"), 1);
	assert_int_equal(ok(LIMIT_CPU_WEIGHT, "10000"), 10000);
	refused(LIMIT_CPU_WEIGHT, "0", "out of range");
	refused(LIMIT_CPU_WEIGHT, "10001", "out of range");
	refused(LIMIT_CPU_WEIGHT, "max", "1 to 10000");
}

static void test_spellings(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(limit_cgroup_file(LIMIT_MEMORY), "memory.max");
	assert_string_equal(limit_cgroup_file(LIMIT_PIDS), "pids.max");
	assert_string_equal(limit_cgroup_file(LIMIT_CPU_WEIGHT), "cpu.weight");
	assert_string_equal(limit_controller(LIMIT_CPU_WEIGHT), "cpu");
	limit_cgroup_value(LIMIT_MEMORY, 256ull << 20, buf, sizeof(buf));
	assert_string_equal(buf, "268435456");
	limit_cgroup_value(LIMIT_PIDS, LIMIT_UNLIMITED, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	limit_cgroup_value(LIMIT_CPU_WEIGHT, limit_default(LIMIT_CPU_WEIGHT),
			   buf, sizeof(buf));
	assert_string_equal(buf, "100");
	limit_systemd_assignment(LIMIT_PIDS, 40, buf, sizeof(buf));
	assert_string_equal(buf, "TasksMax=40");
	limit_systemd_assignment(LIMIT_MEMORY, LIMIT_UNLIMITED, buf, sizeof(buf));
	assert_string_equal(buf, "MemoryMax=infinity");
	limit_systemd_assignment(LIMIT_CPU_WEIGHT, 50, buf, sizeof(buf));
	assert_string_equal(buf, "CPUWeight=50");
	limit_human(LIMIT_MEMORY, 256ull << 20, buf, sizeof(buf));
	assert_string_equal(buf, "256M");
	limit_human(LIMIT_MEMORY, (256ull << 20) + 1, buf, sizeof(buf));
	assert_string_equal(buf, "268435457");
	limit_human(LIMIT_PIDS, 1024, buf, sizeof(buf));
	assert_string_equal(buf, "1024"); /* tasks have no K */
}

static void test_limits_any(void **state)
{
	struct env_limits l;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_false(limits_any(&l));
	l.set[LIMIT_CPU_WEIGHT] = true;
	assert_true(limits_any(&l));
}

static void test_user_slice(void **state)
{
	char buf[64];

	(void)state;
	cgpath_user_slice(1000, buf, sizeof(buf));
	assert_string_equal(buf, "/user.slice/user-1000.slice");
	assert_true(cgpath_in_user_slice("/user.slice/user-1000.slice/session-3.scope", 1000));
	assert_true(cgpath_in_user_slice("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope", 1000));
	/* The slice itself holds no processes; another user's is not it. */
	assert_false(cgpath_in_user_slice("/user.slice/user-1000.slice", 1000));
	assert_false(cgpath_in_user_slice("/user.slice/user-1000.slice/", 1000));
	assert_false(cgpath_in_user_slice("/user.slice/user-10000.slice/session-3.scope", 1000));
	assert_false(cgpath_in_user_slice("/user.slice/user-0.slice/session-1.scope", 1000));
	assert_false(cgpath_in_user_slice("/system.slice/ssh.service", 1000));
	assert_false(cgpath_in_user_slice("/", 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_pids_and_cpu),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_limits_any),
		cmocka_unit_test(test_user_slice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
