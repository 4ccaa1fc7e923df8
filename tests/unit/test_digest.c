/* Unit tests for reading nsiso-helper's digest (setuid/lib/digest.c,
 * policy_digest_parse): what the setuid programs believe of a policy is
 * exactly what these lines say, and a line they do not know, a value
 * that does not parse or a digest cut short is an error, never a
 * default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "digest.h"

/* What root/nsiso-resolve/digest.c prints for a user-namespace policy. */
static const char full[] =
	"file /etc/security/nsiso/user/alice.conf\n"
	"shell /bin/zsh\n"
	"isolate 1\n"
	"user 1\n"
	"userns_root 0\n"
	"bound 1\n"
	"keep 20000400\n"
	"no_new_privs 1\n"
	"subids 1\n"
	"subuid 100000 65536\n"
	"subgid 200000 1000\n"
	"manager_refusal user namespace\n"
	"end\n";

static void test_every_key_read(void **state)
{
	struct policy_digest d;
	struct nsiso_err e = { "" };

	(void)state;
	assert_int_equal(policy_digest_parse(full, &d, &e), 0);
	assert_string_equal(d.file, "/etc/security/nsiso/user/alice.conf");
	assert_string_equal(d.shell, "/bin/zsh");
	assert_true(d.isolate);
	assert_true(d.user);
	assert_false(d.userns_root);
	assert_true(d.bound);
	assert_int_equal(d.keep, 0x20000400);
	assert_true(d.no_new_privs);
	assert_true(d.subids);
	assert_int_equal(d.subuid_start, 100000);
	assert_int_equal(d.subuid_count, 65536);
	assert_int_equal(d.subgid_start, 200000);
	assert_int_equal(d.subgid_count, 1000);
	assert_string_equal(d.manager_refusal, "user namespace");
	assert_string_equal(d.load_error, "");
	assert_false(d.trusted); /* only policy_digest_get knows that */
}

static void test_load_error_alone(void **state)
{
	struct policy_digest d;
	struct nsiso_err e = { "" };

	(void)state;
	assert_int_equal(policy_digest_parse("load_error default.conf:3: unknown key 'x'\nend\n", &d, &e), 0);
	assert_string_equal(d.load_error, "default.conf:3: unknown key 'x'");
	assert_false(d.isolate);
}

static void refused(const char *text, const char *why)
{
	struct policy_digest d;
	struct nsiso_err e = { "" };

	assert_int_equal(policy_digest_parse(text, &d, &e), -1);
	assert_non_null(strstr(e.msg, why));
}

static void test_bad_values_refused(void **state)
{
	(void)state;
	refused("isolate yes\nend\n", "does not know: 'isolate'");
	refused("isolate 2\nend\n", "does not know");
	refused("shell bin/sh\nend\n", "does not know: 'shell'");
	refused("keep 12g\nend\n", "does not know: 'keep'");
	refused("subuid 100000\nend\n", "does not know: 'subuid'");
	refused("subgid 1 2 3\nend\n", "does not know: 'subgid'");
	refused("colour blue\nend\n", "does not know: 'colour'");
	refused("isolate\nend\n", "does not know: 'isolate'");
}

static void test_text_that_does_not_fit_refused(void **state)
{
	char text[2048] = "load_error ";

	(void)state;
	memset(text + strlen(text), 'x', 1100);
	strcat(text, "\nend\n");
	refused(text, "does not know: 'load_error'");
}

static void test_cut_short_refused(void **state)
{
	(void)state;
	refused("isolate 1\n", "it has no end");
	refused("isolate 1\nend", "cut short");
	refused("isolate 1", "cut short");
	refused("end\nisolate 0\n", "text after its end");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_read),
		cmocka_unit_test(test_load_error_alone),
		cmocka_unit_test(test_bad_values_refused),
		cmocka_unit_test(test_text_that_does_not_fit_refused),
		cmocka_unit_test(test_cut_short_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
