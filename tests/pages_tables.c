/* What the code knows, for tests/lint_pages.py (make lint-man): the
 * policy keys (root/policy/policy.c, key_table) and the namespaces
 * (setuid/lib/namespaces.c), and the real parser for example policies in
 * the pages. Built from the pure policy code only, like the unit tests.
 *
 *   pages_tables keys              one key name a line
 *   pages_tables namespaces        one namespace name a line
 *   pages_tables parse KIND LABEL  parses stdin as a default, user or
 *                                  group file; "LABEL:LINE: reason" and
 *                                  exit 1 when it does not parse */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namespaces.h"
#include "policy.h"

static int parse(const char *kind_name, const char *label)
{
	static char text[256 * 1024];
	struct policy p;
	struct policy_error e;
	enum policy_kind kind;
	size_t len = fread(text, 1, sizeof(text), stdin);

	if (strcmp(kind_name, "default") == 0)
		kind = POLICY_DEFAULT;
	else if (strcmp(kind_name, "user") == 0)
		kind = POLICY_USER;
	else if (strcmp(kind_name, "group") == 0)
		kind = POLICY_GROUP;
	else {
		fprintf(stderr, "pages_tables: unknown kind '%s'\n", kind_name);
		return 2;
	}
	if (ferror(stdin) || len == sizeof(text)) {
		fprintf(stderr, "%s: cannot read it whole\n", label);
		return 1;
	}
	if (policy_parse(text, len, kind, &p, &e) < 0) {
		printf("%s:%u: %s\n", label, e.line, e.msg);
		return 1;
	}
	policy_free(&p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "keys") == 0) {
		for (int k = 0; k < POLICY_N_KEYS; k++)
			puts(policy_key_name((enum policy_key)k));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "namespaces") == 0) {
		for (size_t i = 0; i < NSISO_NS_COUNT; i++)
			puts(nsiso_ns_table[i].name);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "parse") == 0)
		return parse(argv[2], argv[3]);
	fprintf(stderr, "usage: pages_tables keys | namespaces | parse KIND LABEL\n");
	return 2;
}
