#include "module.h"

#include <stdio.h>
#include <string.h>

#include "load.h"

int module_args_parse(int argc, const char **argv, struct module_args *a,
		      struct nsiso_err *e)
{
	a->policy_dir = NSISO_DEFAULT_POLICY_DIR;
	a->helper = NSISO_HELPER_PATH;
	a->debug = false;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "debug") == 0) {
			a->debug = true;
		} else if (strncmp(arg, "policy=", 7) == 0 && arg[7] == '/') {
			a->policy_dir = arg + 7;
		} else if (strncmp(arg, "helper=", 7) == 0 && arg[7] == '/') {
			a->helper = arg + 7;
		} else {
			err_set(e, 0,
				"unknown or malformed argument '%s' (known: policy=/DIR helper=/PATH debug)",
				arg);
			return -1;
		}
	}
	return 0;
}
