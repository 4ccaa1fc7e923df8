/* Unit tests for the path rules of policy mounts (root/policy/paths.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "paths.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- path_abnormal_reason ------------------------------------------- */

static void test_normal_paths(void **state)
{
	static const char *const good[] = {
		"/", "/tmp", "/a/b/c", "/home/%u", "/a#b", "/a b", "/...",
		"/.hidden", "/a/..b", "/a/b..", "/a/.b/c", "/\xc3\xa9",
	};

	(void)state;
	for (size_t i = 0; i < N(good); i++) {
		const char *why = path_abnormal_reason(good[i]);

		if (why != NULL)
			fail_msg("'%s' refused: %s", good[i], why);
	}
}

static void test_abnormal_paths(void **state)
{
	static const struct {
		const char *path;
		const char *reason;
	} bad[] = {
		{ "", "not an absolute path" },
		{ "tmp", "not an absolute path" },
		{ "./tmp", "not an absolute path" },
		{ "%u/x", "not an absolute path" },
		{ "/tmp/", "ends with '/'" },
		{ "/a/b/", "ends with '/'" },
		{ "//", "empty component ('//')" },
		{ "//tmp", "empty component" },
		{ "/a//b", "empty component" },
		{ "/.", "'.' and '..' components are not allowed" },
		{ "/..", "'.' and '..'" },
		{ "/a/./b", "'.' and '..'" },
		{ "/a/../b", "'.' and '..'" },
		{ "/a/..", "'.' and '..'" },
		{ "/a/b/.", "'.' and '..'" },
		{ "/a\nb", "control character in path" },
		{ "/a\tb", "control character" },
		{ "/a\x01", "control character" },
		{ "/a/\x7f", "control character" },
	};

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		const char *why = path_abnormal_reason(bad[i].path);

		if (why == NULL || strstr(why, bad[i].reason) == NULL)
			fail_msg("'%s': want '%s', got '%s'", bad[i].path,
				 bad[i].reason, why ? why : "(normal)");
	}
}

static void test_path_length(void **state)
{
	char *p = malloc(4097);

	(void)state;
	assert_non_null(p);
	/* 4095 bytes fit PATH_MAX with the terminator. */
	p[0] = '/';
	memset(p + 1, 'a', 4094);
	p[4095] = '\0';
	assert_null(path_abnormal_reason(p));
	p[4095] = 'a';
	p[4096] = '\0';
	assert_string_equal(path_abnormal_reason(p), "longer than PATH_MAX");
	free(p);
}

/* ---- path_covers ---------------------------------------------------- */

static void test_covers(void **state)
{
	(void)state;
	assert_true(path_covers("/run", "/run"));
	assert_true(path_covers("/run", "/run/utmp"));
	assert_true(path_covers("/run", "/run/a/b"));
	assert_true(path_covers("/", "/"));
	assert_true(path_covers("/", "/anything"));
	assert_false(path_covers("/run", "/running"));
	assert_false(path_covers("/run/utmp", "/run"));
	assert_false(path_covers("/var/log", "/var/logs"));
	assert_false(path_covers("/a", "/b"));
	assert_false(path_covers("/a/b", "/a"));
}

/* ---- path_forbidden_target_reason ----------------------------------- */

static void test_forbidden_targets(void **state)
{
	static const char *const bad[] = {
		"/", "/proc", "/proc/1", "/proc/sys/kernel", "/sys", "/sys/x",
		"/sys/fs/cgroup", "/dev", "/dev/pts", "/dev/pts/0", "/dev/null",
		"/dev/mqueue", "/dev/shmx", "/run", "/run/utmp", "/run/dbus",
		"/run/dbus/system_bus_socket", "/run/systemd",
		"/run/systemd/journal", "/run/nsiso", "/run/nsiso/1000.sock",
		"/var", "/var/log", "/var/log/x", "/var/log/journal/a",
	};

	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		if (path_forbidden_target_reason(bad[i]) == NULL)
			fail_msg("'%s' allowed as a mount target", bad[i]);
}

static void test_forbidden_reasons(void **state)
{
	(void)state;
	assert_string_equal(path_forbidden_target_reason("/"),
			    "the root directory cannot be replaced");
	/* Covering a reserved path ... */
	assert_non_null(strstr(path_forbidden_target_reason("/run"),
			       "is or covers a path"));
	assert_non_null(strstr(path_forbidden_target_reason("/var"),
			       "is or covers a path"));
	assert_non_null(strstr(path_forbidden_target_reason("/dev/pts"),
			       "is or covers a path"));
	/* ... lying below one ... */
	assert_non_null(strstr(path_forbidden_target_reason("/sys/x"),
			       "lies below a reserved path"));
	assert_non_null(strstr(path_forbidden_target_reason("/var/log/x"),
			       "lies below a reserved path"));
	assert_non_null(strstr(path_forbidden_target_reason("/run/nsiso/x"),
			       "lies below a reserved path"));
	assert_non_null(strstr(path_forbidden_target_reason("/dev/pts/0"),
			       "lies below a reserved path"));
	/* ... and /dev, where only /dev/shm is open. */
	assert_non_null(strstr(path_forbidden_target_reason("/dev/null"),
			       "only /dev/shm"));
}

static void test_allowed_targets(void **state)
{
	static const char *const good[] = {
		"/tmp", "/var/tmp", "/dev/shm", "/dev/shm/x", "/home",
		"/home/alice", "/run/user", "/run/user/1000", "/running",
		"/run/utmpx", "/run/nsisox", "/variable", "/var/lib/x",
		"/var/cache", "/procfs", "/system", "/devices", "/opt", "/srv",
		"/etc", "/usr",
	};

	(void)state;
	for (size_t i = 0; i < N(good); i++) {
		const char *why = path_forbidden_target_reason(good[i]);

		if (why != NULL)
			fail_msg("'%s' refused: %s", good[i], why);
	}
}

/* ---- path_is_setuid_sensitive --------------------------------------- */

static void test_setuid_sensitive(void **state)
{
	static const char *const yes[] = {
		"/", "/etc", "/etc/pam.d", "/usr", "/usr/local/bin", "/bin",
		"/sbin", "/lib", "/lib/x86_64-linux-gnu", "/lib64", "/lib32",
		"/libx32", "/etc/security/nsiso",
	};
	static const char *const no[] = {
		"/home", "/home/alice", "/tmp", "/opt", "/srv", "/var/lib",
		"/etcetera", "/usrlocal", "/library", "/binaries", "/lib6",
	};

	(void)state;
	for (size_t i = 0; i < N(yes); i++)
		if (!path_is_setuid_sensitive(yes[i]))
			fail_msg("'%s' should be setuid-sensitive", yes[i]);
	for (size_t i = 0; i < N(no); i++)
		if (path_is_setuid_sensitive(no[i]))
			fail_msg("'%s' should not be setuid-sensitive", no[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_paths),
		cmocka_unit_test(test_abnormal_paths),
		cmocka_unit_test(test_path_length),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_forbidden_targets),
		cmocka_unit_test(test_forbidden_reasons),
		cmocka_unit_test(test_allowed_targets),
		cmocka_unit_test(test_setuid_sensitive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
