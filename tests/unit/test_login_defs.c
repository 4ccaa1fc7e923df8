/* Unit tests for reading a number out of /etc/login.defs
 * (root/policy/login_defs.c): UID_MIN decides who default.conf applies to
 * when it sets no uid_min, SUB_UID_MIN/SUB_GID_MIN where sub-ids start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Past 32 bits, as %u did: 2^32 wraps to 0, past unsigned long the
 * conversion saturates. A number is cut at 31 characters. */
static void test_number_overflow_and_length(void **state)
{
	(void)state;
	assert_int_equal(scan("UID_MIN 4294967296\n", "UID_MIN"), 0);
	assert_int_equal(scan("UID_MIN 9999999999999999999999999\n", "UID_MIN"), 4294967295u);
	assert_int_equal(scan("UID_MIN 0000000000000000000000000000000000000042\n", "UID_MIN"), 0);
	assert_int_equal(scan("UID_MIN 00000000000000000000000000042\n", "UID_MIN"), 42);
}

/* The name as the text's last bytes (no NUL after it: unit-asan sees any
 * read past them), and an empty name, which sets nothing. */
static void test_name_at_the_very_end(void **state)
{
	char *text = malloc(7), *two = malloc(9);

	(void)state;
	assert_non_null(text);
	assert_non_null(two);
	memcpy(text, "UID_MIN", 7);
	assert_int_equal(login_defs_scan(text, 7, "UID_MIN", 5), 5);
	memcpy(two, "UID_MIN 8", 9);
	assert_int_equal(login_defs_scan(two, 9, "UID_MIN", 5), 8);
	assert_int_equal(login_defs_scan(two, 8, "UID_MIN", 5), 5);
	assert_int_equal(login_defs_scan(two, 9, "", 5), 5);
	free(text);
	free(two);
}

/* The scan as it was before it looked only where the name occurs (a walk
 * over every line, sscanf for the number): the new one must agree with
 * it on every text. */
static unsigned line_walk_scan(const char *text, size_t len, const char *name,
			       unsigned value)
{
	size_t name_len = strlen(name);
	const char *line = text, *end = text + len;

	while (len > 0 && line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line;

		if (eol == NULL)
			eol = end;
		while (p < eol && isspace((unsigned char)*p))
			p++;
		if ((size_t)(eol - p) > name_len && memcmp(p, name, name_len) == 0 &&
		    isspace((unsigned char)p[name_len])) {
			char number[32];
			size_t n;
			unsigned v;

			p += name_len;
			while (p < eol && isspace((unsigned char)*p))
				p++;
			n = (size_t)(eol - p);
			if (n >= sizeof(number))
				n = sizeof(number) - 1;
			memcpy(number, p, n);
			number[n] = '\0';
			if (sscanf(number, "%u", &v) == 1)
				value = v;
		}
		if (eol == end)
			break;
		line = eol + 1;
	}
	return value;
}

/* 5,000 texts built from the pieces that matter (the name, longer
 * names, blanks of every kind, line ends, signs, digits, comments), the
 * same every run, each cut at every length: both scans give the same
 * value for each. */
static void test_agrees_with_the_line_walk(void **state)
{
	static const char *const pieces[] = {
		"UID_MIN", "SUB_UID_MIN", "UID_MINIMUM", " ", "\t", "\r", "\v",
		"\n", "\n", "#", "-", "+", "0", "7", "42", "4294967296", "x",
		"99999999999999999999", "000000000000000000000000000001",
	};
	const size_t n_pieces = sizeof(pieces) / sizeof(pieces[0]);
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 5000; round++) {
		char text[256];
		size_t len = 0;
		int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12 + 1;

		for (int i = 0; i < n; i++) {
			const char *piece = pieces[((seed = seed * 1103515245u + 12345u) >> 16) % n_pieces];
			size_t l = strlen(piece);

			if (len + l > sizeof(text))
				break;
			memcpy(text + len, piece, l);
			len += l;
		}
		for (size_t cut = 0; cut <= len; cut++) {
			unsigned want = line_walk_scan(text, cut, "UID_MIN", 4242);
			unsigned got = login_defs_scan(text, cut, "UID_MIN", 4242);

			if (want != got)
				fail_msg("round %d: \"%.*s\" (%zu bytes): %u, the line walk %u",
					 round, (int)cut, text, cut, got, want);
		}
	}
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
		cmocka_unit_test(test_number_overflow_and_length),
		cmocka_unit_test(test_name_at_the_very_end),
		cmocka_unit_test(test_agrees_with_the_line_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
