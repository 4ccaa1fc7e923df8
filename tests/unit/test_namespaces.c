/* Unit tests for the one table of namespaces (setuid/lib/namespaces.c): its
 * bits, names, CLONE_ flags and /proc files against each other, <sched.h>
 * and this kernel's /proc/self/ns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "namespaces.h"
#include "policy.h"

static void test_bits_in_order_each_once(void **state)
{
	unsigned all = 0;

	(void)state;
	for (size_t i = 0; i < NSISO_NS_COUNT; i++) {
		unsigned bit = nsiso_ns_table[i].bit;

		assert_int_equal(bit, 1u << i);
		assert_int_equal(all & bit, 0);
		all |= bit;
	}
	assert_int_equal(all, NSISO_NS_MOUNT | NSISO_NS_UTS | NSISO_NS_IPC |
				      NSISO_NS_PID | NSISO_NS_NET | NSISO_NS_CGROUP |
				      NSISO_NS_TIME | NSISO_NS_USER);
	/* The default is made of known namespaces only. */
	assert_int_equal(NSISO_NS_DEFAULT & ~all, 0);
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSISO_NS_COUNT; i++) {
		const struct nsiso_ns_info *ns = &nsiso_ns_table[i];

		assert_ptr_equal(nsiso_ns_by_name(ns->name), ns);
		assert_ptr_equal(nsiso_ns_by_bit(ns->bit), ns);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(ns->name, nsiso_ns_table[j].name);
			assert_string_not_equal(ns->proc_name,
						nsiso_ns_table[j].proc_name);
		}
	}
	/* Policy names only, exactly spelled. */
	assert_null(nsiso_ns_by_name("mnt"));
	assert_null(nsiso_ns_by_name("MOUNT"));
	assert_null(nsiso_ns_by_name("network"));
	assert_null(nsiso_ns_by_name(""));
	/* One known bit, nothing else. */
	assert_null(nsiso_ns_by_bit(0));
	assert_null(nsiso_ns_by_bit(NSISO_NS_MOUNT | NSISO_NS_UTS));
	assert_null(nsiso_ns_by_bit(1u << NSISO_NS_COUNT));
}

static void test_clone_flags_match_sched_h(void **state)
{
	static const struct {
		unsigned bit;
		int flag;
	} want[] = {
		{ NSISO_NS_MOUNT, CLONE_NEWNS },
		{ NSISO_NS_UTS, CLONE_NEWUTS },
		{ NSISO_NS_IPC, CLONE_NEWIPC },
		{ NSISO_NS_PID, CLONE_NEWPID },
		{ NSISO_NS_NET, CLONE_NEWNET },
		{ NSISO_NS_CGROUP, CLONE_NEWCGROUP },
#ifdef CLONE_NEWTIME
		{ NSISO_NS_TIME, CLONE_NEWTIME },
#else
		{ NSISO_NS_TIME, 0x00000080 }, /* linux/sched.h */
#endif
		{ NSISO_NS_USER, CLONE_NEWUSER },
	};
	int all = 0;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), NSISO_NS_COUNT);
	for (size_t i = 0; i < NSISO_NS_COUNT; i++) {
		const struct nsiso_ns_info *ns = nsiso_ns_by_bit(want[i].bit);

		assert_non_null(ns);
		assert_int_equal(ns->clone_flag, want[i].flag);
		assert_int_equal(nsiso_ns_clone_flags(want[i].bit), want[i].flag);
		all |= want[i].flag;
	}
	assert_int_equal(nsiso_ns_clone_flags(~0u), all);
	assert_int_equal(nsiso_ns_clone_flags(0), 0);
	assert_int_equal(nsiso_ns_clone_flags(NSISO_NS_DEFAULT),
			 CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID);
	/* Bits beyond the table add nothing. */
	assert_int_equal(nsiso_ns_clone_flags(~0u << NSISO_NS_COUNT), 0);
	/* What an environment holds: every namespace but time and user,
	 * which each login makes of its own. */
	assert_int_equal(nsiso_ns_env_clone_flags(~0u),
			 all & ~(nsiso_ns_by_bit(NSISO_NS_TIME)->clone_flag | CLONE_NEWUSER));
	assert_int_equal(nsiso_ns_env_clone_flags(NSISO_NS_TIME | NSISO_NS_USER), 0);
}

/* Each /proc/self/ns/NAME is a link to "NAME:[inode]": the kernel's own
 * spelling of the table's proc_name. */
static void test_proc_names_match_proc_self_ns(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSISO_NS_COUNT; i++) {
		const char *name = nsiso_ns_table[i].proc_name;
		char path[PATH_MAX], link[256];
		size_t n = strlen(name);
		ssize_t got;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
		got = readlink(path, link, sizeof(link) - 1);
		if (got < 0)
			fail_msg("%s: cannot read the link (kernel without it?)", path);
		link[got] = '\0';
		assert_true((size_t)got > n + 1);
		assert_memory_equal(link, name, n);
		assert_int_equal(link[n], ':');
	}
}

static void test_names(void **state)
{
	char buf[64];
	char small[10];

	(void)state;
	nsiso_ns_names(NSISO_NS_DEFAULT, buf, sizeof(buf));
	assert_string_equal(buf, "mount uts ipc pid");
	nsiso_ns_names(0xff, buf, sizeof(buf));
	assert_string_equal(buf, "mount uts ipc pid net cgroup time user");
	/* Every name fits the 64 bytes the header promises. */
	nsiso_ns_names(~0u, buf, sizeof(buf));
	assert_string_equal(buf, "mount uts ipc pid net cgroup time user");
	nsiso_ns_names(NSISO_NS_USER | NSISO_NS_IPC, buf, sizeof(buf));
	assert_string_equal(buf, "ipc user");
	nsiso_ns_names(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* Too small: whole names only, always terminated. */
	nsiso_ns_names(0xff, small, sizeof(small));
	assert_string_equal(small, "mount uts");
	/* len 0 writes nothing. */
	buf[0] = 'x';
	nsiso_ns_names(0xff, buf, 0);
	assert_int_equal(buf[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_in_order_each_once),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_clone_flags_match_sched_h),
		cmocka_unit_test(test_proc_names_match_proc_self_ns),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
