/* Unit tests for which logins get a record in an environment's own utmp,
 * and under which line (root/nsiso-init/utmp_line.c): who, w and who am i
 * inside find a login by that line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "utmp_line.h"

static void expect_line(const char *tty, const char *want_line, const char *want_id)
{
	char line[UTMP_LINE_SIZE], id[UTMP_ID_SIZE];

	memset(line, 'x', sizeof(line));
	memset(id, 'x', sizeof(id));
	assert_true(utmp_line_of_tty(tty, line, id));
	assert_memory_equal(line, want_line, strlen(want_line));
	for (size_t i = strlen(want_line); i < sizeof(line); i++)
		assert_int_equal(line[i], '\0');
	assert_memory_equal(id, want_id, strlen(want_id));
	for (size_t i = strlen(want_id); i < sizeof(id); i++)
		assert_int_equal(id[i], '\0');
}

static void expect_none(const char *tty)
{
	char line[UTMP_LINE_SIZE], id[UTMP_ID_SIZE];

	assert_false(utmp_line_of_tty(tty, line, id));
}

/* What login(1), su and a terminal emulator's PAM caller set. */
static void test_terminals(void **state)
{
	(void)state;
	expect_line("/dev/pts/3", "pts/3", "ts/3");
	expect_line("pts/12", "pts/12", "s/12");
	expect_line("/dev/tty1", "tty1", "tty1");
	expect_line("tty1", "tty1", "tty1");
	expect_line("/dev/ttyS0", "ttyS0", "tyS0");
	expect_line("/dev/console", "console", "sole");
}

/* sshd's PAM_TTY when the session opens (its pty comes later), an X
 * display, nothing: no record. */
static void test_not_terminals(void **state)
{
	(void)state;
	expect_none("ssh");
	expect_none(":0");
	expect_none("");
	expect_none("/dev/");
	expect_none("/dev/null");
	expect_none("cron");
}

/* A line fills ut_line at most, and holds nothing a reader could take
 * for another path. */
static void test_odd_names_refused(void **state)
{
	char line[UTMP_LINE_SIZE], id[UTMP_ID_SIZE];

	(void)state;
	expect_none("/dev/pts/../tty1");
	expect_none("pts/");
	expect_none("pts/3 x");
	expect_none("pts/3\n");
	expect_none("/dev/tty123456789012345678901234567890");
	/* Exactly 32 bytes: the whole field, without a NUL, as glibc's. */
	assert_true(utmp_line_of_tty("/dev/tty45678901234567890123456789012", line, id));
	assert_memory_equal(line, "tty45678901234567890123456789012", UTMP_LINE_SIZE);
	assert_memory_equal(id, "9012", UTMP_ID_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminals),
		cmocka_unit_test(test_not_terminals),
		cmocka_unit_test(test_odd_names_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
