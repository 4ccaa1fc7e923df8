/* Unit tests for reading a number out of /etc/login.defs
 * (root/policy/login_defs.c): UID_MIN decides who default.conf applies to
 * when it sets no uid_min, SUB_UID_MIN/SUB_GID_MIN where sub-ids start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "login_defs.h"

static unsigned scan(const char *text, const char *name)
{
	return login_defs_scan(text, strlen(text), name, 4242);
}

/* Debian's file: comments, other keys, the one that counts. */
static void test_debian_layout(void **state)
{
	(void)state;
	assert_int_equal(scan("#\n# UID_MIN 5\n#\nMAIL_DIR /var/mail\n"
			      "UID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\n"
			      "SUB_UID_MIN\t\t   100000\n", "UID_MIN"), 1000);
	assert_int_equal(scan("SUB_UID_MIN\t\t   100000\nUID_MIN 1000\n",
			      "SUB_UID_MIN"), 100000);
}

/* Not set, or set only by a longer name, a comment or a word that is not
 * a number: the fallback. */
static void test_unset_keeps_the_fallback(void **state)
{
	(void)state;
	assert_int_equal(scan("", "UID_MIN"), 4242);
	assert_int_equal(scan("UID_MINIMUM 7\nXUID_MIN 8\n#UID_MIN 9\n", "UID_MIN"), 4242);
	assert_int_equal(scan("UID_MIN\nUID_MIN many\n", "UID_MIN"), 4242);
	assert_int_equal(scan("UID_MIN 500", "UID_MAX"), 4242);
}

/* The last line that sets it wins; indentation and a missing final
 * newline do not matter; a line is never read past its end. */
static void test_last_indented_unended(void **state)
{
	(void)state;
	assert_int_equal(scan("UID_MIN 500\n   UID_MIN  2000\n", "UID_MIN"), 2000);
	assert_int_equal(scan("UID_MIN 500\n\tUID_MIN 3000", "UID_MIN"), 3000);
	assert_int_equal(scan("UID_MIN \nUID_MAX 6\n", "UID_MIN"), 4242);
	/* However many blanks stand between name and number. */
	assert_int_equal(scan("UID_MIN                                        100000\n",
			      "UID_MIN"), 100000);
}

/* A number reads as sscanf's %u reads it, which is how shadow-utils read
 * it when this was written: a sign, digits up to the first other
 * character, a negative one wrapped to unsigned. */
static void test_number_as_scanf_reads_it(void **state)
{
	(void)state;
	assert_int_equal(scan("UID_MIN +7\n", "UID_MIN"), 7);
	assert_int_equal(scan("UID_MIN 12abc\n", "UID_MIN"), 12);
	assert_int_equal(scan("UID_MIN -1\n", "UID_MIN"), 4294967295u);
	assert_int_equal(scan("UID_MIN 0x10\n", "UID_MIN"), 0);
	assert_int_equal(scan("UID_MIN + 7\n", "UID_MIN"), 4242);
}

/* The name inside a longer word, or twice on a line, is not a setting;
 * one that starts a line after such a word is. */
static void test_name_inside_words(void **state)
{
	(void)state;
	assert_int_equal(scan("UID_MINUID_MIN 5\nMAIL UID_MIN 6\n", "UID_MIN"), 4242);
	assert_int_equal(scan("SYS_UID_MIN 101\nUID_MIN 1500\nSUB_UID_MIN 9\n", "UID_MIN"), 1500);
	assert_int_equal(scan("\n\n \t UID_MIN\t8\r\n", "UID_MIN"), 8);
}

/* len bounds the text: nothing after it is read, and it needs no NUL. */
static void test_length_bounds_the_text(void **state)
{
	const char text[] = { 'U', 'I', 'D', '_', 'M', 'I', 'N', ' ', '7', '7',
			      '\n', 'U', 'I', 'D', '_', 'M', 'I', 'N', ' ', '9' };

	(void)state;
	assert_int_equal(login_defs_scan(text, 11, "UID_MIN", 1), 77);
	assert_int_equal(login_defs_scan(text, sizeof(text), "UID_MIN", 1), 9);
	assert_int_equal(login_defs_scan(text, 9, "UID_MIN", 1), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_layout),
		cmocka_unit_test(test_unset_keeps_the_fallback),
		cmocka_unit_test(test_last_indented_unended),
		cmocka_unit_test(test_length_bounds_the_text),
		cmocka_unit_test(test_number_as_scanf_reads_it),
		cmocka_unit_test(test_name_inside_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
