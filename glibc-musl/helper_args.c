/* nsiso-helper's command line (helper_args.h). */
#include "helper_args.h"

#include <string.h>
#include <unistd.h>

#include "errmsg.h"

#include "uid_arg.h"

/* A flag word that takes no value: 1 taken, 0 not this word, -1 given
 * twice. */
static int flag(const char *word, const char *name, bool *seen)
{
	if (strcmp(word, name) != 0)
		return 0;
	if (*seen)
		return -1;
	*seen = true;
	return 1;
}

int helper_args_parse(int argc, char **argv, const char *build_word,
		      struct helper_args *a)
{
	if (argc < 2)
		return -1;
	a->digest = strcmp(argv[1], "digest") == 0;
	if (!a->digest && strcmp(argv[1], build_word) != 0)
		return -1;
	for (int i = 2; i < argc; i++) {
		int r = 0;

		if (a->digest && strcmp(argv[i], "--uid") != 0)
			return -1; /* digest takes --uid alone */
		if (r == 0)
			r = flag(argv[i], "--for-manager", &a->for_manager);
		if (r == 0)
			r = flag(argv[i], "--logged-by-caller", &a->logged_by_caller);
		if (r == 0)
			r = flag(argv[i], "--plan", &a->plan_stdin);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--uid") == 0 && !a->has_uid) {
			if (uid_arg_parse(argv[++i], &a->uid) < 0)
				return -1;
			a->has_uid = true;
		} else if (strcmp(argv[i], "--policy") == 0 && !a->has_policy) {
			a->policy_dir = argv[++i];
			a->has_policy = true;
			if (a->policy_dir[0] != '/')
				return -1;
		} else {
			return -1;
		}
	}
	/* --plan stands for what --policy and --for-manager would say; --uid
	 * names whose plan it must be (and the build in ps). */
	if (a->plan_stdin && (a->has_policy || a->for_manager))
		return -1;
	return a->has_uid ? 0 : -1;
}

int helper_args_admit(int parsed, const struct helper_args *a)
{
	/* The caller's identity is the real uid, never argv. */
	if (getuid() != 0 && !(parsed == 0 && a->digest && a->uid == getuid())) {
		helper_error(0, "only root may run this (it is started by pam_nsiso)");
		return 1;
	}
	if (parsed < 0)
		return 2;
	if (a->logged_by_caller || a->digest)
		helper_log_setup("nsiso-helper", true);
	return 0;
}
