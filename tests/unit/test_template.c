/* Unit tests for templates and host names (root/policy/template.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "template.h"

static const struct template_vars vars = {
	.user = "alice", .uid = "1001", .group = "staff", .host = "web1",
};

/* ---- template_check ------------------------------------------------- */

static void test_check_accepts_known_escapes(void **state)
{
	static const char *const good[] = {
		"", "plain", "/home/%u", "%U", "%g", "%H", "%%", "100%%",
		"%u-%U-%g-%H-%%", "%%%%", "%%u", "/a%%/b",
	};
	size_t bad;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bad = 12345;
		if (template_check(good[i], &bad) != 0)
			fail_msg("'%s' refused at %zu", good[i], bad);
		/* bad_offset is only written on error. */
		assert_int_equal(bad, 12345);
	}
}

static void test_check_refuses_unknown_escapes(void **state)
{
	static const struct {
		const char *tmpl;
		size_t offset;
	} bad[] = {
		{ "%x", 0 },          { "/tmp/%x", 5 },   { "100%", 3 },
		{ "%", 0 },           { "%u%d", 2 },      { "%%%", 2 },
		{ "a%%b%G", 4 },      { "%h", 0 },        { "% u", 0 },
		{ "%/", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t off = 999;

		if (template_check(bad[i].tmpl, &off) != -1 ||
		    off != bad[i].offset)
			fail_msg("'%s': want -1 at %zu, got offset %zu",
				 bad[i].tmpl, bad[i].offset, off);
	}
}

/* ---- template_is_per_user ------------------------------------------- */

static void test_is_per_user(void **state)
{
	(void)state;
	assert_true(template_is_per_user("/home/%u"));
	assert_true(template_is_per_user("/run/user/%U"));
	assert_true(template_is_per_user("/srv/%g/x"));
	assert_true(template_is_per_user("%H-%u"));
	assert_true(template_is_per_user("%%%u"));

	assert_false(template_is_per_user(""));
	assert_false(template_is_per_user("/srv/data"));
	assert_false(template_is_per_user("/srv/%H"));
	/* "%%u" is a literal '%' then 'u'. */
	assert_false(template_is_per_user("/srv/%%u"));
	assert_false(template_is_per_user("%%g%%U"));
	/* A lone trailing '%' does not read past the end. */
	assert_false(template_is_per_user("/srv/%"));
	assert_false(template_is_per_user("u U g"));
}

/* ---- template_expand ------------------------------------------------ */

static void expect_expansion(const char *tmpl, const char *want)
{
	char out[256];

	memset(out, 'Z', sizeof(out));
	if (template_expand(tmpl, &vars, out, sizeof(out)) != 0)
		fail_msg("'%s' did not expand: %s", tmpl, strerror(errno));
	assert_string_equal(out, want);
}

static void test_expand(void **state)
{
	(void)state;
	expect_expansion("", "");
	expect_expansion("plain", "plain");
	expect_expansion("%u", "alice");
	expect_expansion("%U", "1001");
	expect_expansion("%g", "staff");
	expect_expansion("%H", "web1");
	expect_expansion("%%", "%");
	expect_expansion("/home/%u/tmp", "/home/alice/tmp");
	expect_expansion("%u-%U-%g-%H-%%", "alice-1001-staff-web1-%");
	expect_expansion("%%u", "%u");
	expect_expansion("%%%u%%", "%alice%");
	expect_expansion("%u%u", "alicealice");
}

static void test_expand_bad_escape(void **state)
{
	char out[64];

	(void)state;
	errno = 0;
	assert_int_equal(template_expand("/tmp/%x", &vars, out, sizeof(out)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(template_expand("end%", &vars, out, sizeof(out)), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_expand_exact_fit_and_truncation(void **state)
{
	char out[16];

	(void)state;
	/* "/home/alice" is 11 bytes: it needs 12 with the terminator. */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(template_expand("/home/%u", &vars, out, 12), 0);
	assert_string_equal(out, "/home/alice");

	errno = 0;
	assert_int_equal(template_expand("/home/%u", &vars, out, 11), -1);
	assert_int_equal(errno, ENAMETOOLONG);

	/* Too long in a literal byte, not only in an escape's value. */
	errno = 0;
	assert_int_equal(template_expand("abcdef", &vars, out, 6), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(template_expand("abcde", &vars, out, 6), 0);
	assert_string_equal(out, "abcde");

	errno = 0;
	assert_int_equal(template_expand("%%", &vars, out, 1), -1);
	assert_int_equal(errno, ENAMETOOLONG);

	/* No room even for the terminator. */
	errno = 0;
	assert_int_equal(template_expand("", &vars, out, 0), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(template_expand("", &vars, out, 1), 0);
	assert_string_equal(out, "");
}

static void test_expand_does_not_overrun(void **state)
{
	char out[32];

	(void)state;
	/* Bytes past outlen stay untouched even when expansion fails. */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(template_expand("%u%u%u", &vars, out, 8), -1);
	for (size_t i = 8; i < sizeof(out); i++)
		assert_int_equal(out[i], 'Z');
}

/* ---- hostname_invalid_reason ---------------------------------------- */

static void expect_host_ok(const char *name)
{
	const char *why = hostname_invalid_reason(name);

	if (why != NULL)
		fail_msg("'%s' refused: %s", name, why);
}

static void expect_host_bad(const char *name, const char *needle)
{
	const char *why = hostname_invalid_reason(name);

	if (why == NULL || strstr(why, needle) == NULL)
		fail_msg("'%s': want a reason containing '%s', got '%s'", name,
			 needle, why ? why : "(valid)");
}

static void test_hostname_valid(void **state)
{
	char name[80];

	(void)state;
	expect_host_ok("a");
	expect_host_ok("box");
	expect_host_ok("Box-01");
	expect_host_ok("alice-web1");
	expect_host_ok("a-b-c");
	expect_host_ok("a--b");
	expect_host_ok("0");
	expect_host_ok("123abc");
	expect_host_ok("build.example.org");
	expect_host_ok("a.b.c");

	/* A 63-byte label is the longest allowed. */
	memset(name, 'a', 63);
	name[63] = '\0';
	expect_host_ok(name);

	/* 64 bytes in all is the longest allowed (HOST_NAME_MAX). */
	memset(name, 'b', 64);
	name[31] = '.';
	name[64] = '\0';
	expect_host_ok(name);
}

static void test_hostname_invalid(void **state)
{
	char name[80];

	(void)state;
	expect_host_bad("", "empty host name");
	expect_host_bad("bad_name", "only letters, digits, '-' and '.'");
	expect_host_bad("_", "only letters");
	expect_host_bad("a b", "only letters");
	expect_host_bad("caf\xc3\xa9", "only letters");
	expect_host_bad("a%b", "only letters");
	expect_host_bad("a/b", "only letters");
	expect_host_bad("-box", "a label starts with '-'");
	expect_host_bad("box-", "a label ends with '-'");
	expect_host_bad("a.-b", "starts with '-'");
	expect_host_bad("a-.b", "ends with '-'");
	expect_host_bad("-", "starts with '-'");
	expect_host_bad(".box", "empty label");
	expect_host_bad("box.", "empty label");
	expect_host_bad("a..b", "empty label");
	expect_host_bad(".", "empty label");

	/* A 64-byte label. */
	memset(name, 'a', 64);
	name[64] = '\0';
	expect_host_bad(name, "a label is longer than 63 characters");

	/* 65 bytes in all, though every label is short. */
	memset(name, 'b', 65);
	name[31] = '.';
	name[65] = '\0';
	expect_host_bad(name, "longer than 64 characters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_accepts_known_escapes),
		cmocka_unit_test(test_check_refuses_unknown_escapes),
		cmocka_unit_test(test_is_per_user),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_bad_escape),
		cmocka_unit_test(test_expand_exact_fit_and_truncation),
		cmocka_unit_test(test_expand_does_not_overrun),
		cmocka_unit_test(test_hostname_valid),
		cmocka_unit_test(test_hostname_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
