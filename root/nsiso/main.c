#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
	"usage: nsiso COMMAND [ARGS]\n"
	"\n"
	"  check [--pam] [DIR]      validate every policy file (default /etc/security/nsiso);\n"
	"                           --pam also checks pam_nsiso's place in /etc/pam.d\n"
	"  explain USER [--policy DIR]\n"
	"                           which policy applies to USER and what a login gets\n"
	"  list [--json]            live environments\n"
	"  stop [--grace S] USER    end USER's environments: SIGTERM, SIGKILL after S s\n"
	"  enter USER [-- CMD...]   a login shell or CMD as USER inside USER's environment\n"
	"  enable [--dry-run]       cover every entry path of this host (PAM stacks, the\n"
	"                           user manager), then run check --pam\n"
	"  disable [--dry-run]      undo what enable changed\n"
	"  --help, --version\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} cmds[] = {
		{ "check", cmd_check },
		{ "explain", cmd_explain },
		{ "list", cmd_list },
		{ "stop", cmd_stop },
		{ "enter", cmd_enter },
		{ "enable", cmd_enable },
		{ "disable", cmd_disable },
	};

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nsiso %s\n", NSISO_RELEASE); /* debian/changelog, through the Makefile */
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "nsiso: unknown command '%s'\n%s", argv[1], usage_text);
	return EXIT_USAGE;
}
