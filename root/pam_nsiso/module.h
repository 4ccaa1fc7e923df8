/* pam_nsiso.so internals. */
#ifndef PAM_NSISO_MODULE_H
#define PAM_NSISO_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "errmsg.h"
#include "load.h"
#include "userinfo.h"

/* The helper's path compiled in: defined by the Makefile alone
 * (LIBEXECDIR), through build/install-paths.h. */
#ifndef NSISO_HELPER_PATH
#error "NSISO_HELPER_PATH is not defined: build with make (it comes from the Makefile through -include build/install-paths.h)"
#endif

struct module_args {
	const char *policy_dir;
	const char *helper;
	bool debug;
};

/* Parses "policy=DIR helper=PATH debug". Unknown or malformed arguments
 * are an error: a typo must not silently leave sessions unisolated.
 * Returns 0, or -1 with a message in e. */
int module_args_parse(int argc, const char **argv, struct module_args *a,
		      struct nsiso_err *e);

/* Runs the helper as root to build u's environment from the plan of lp
 * (made here: the helper has no NSS) and returns its socket name in
 * name. Helper messages are logged. Returns 0 or -1 (logged). */
int run_helper(pam_handle_t *pamh, const struct module_args *a,
	       struct user_info *u, const struct loaded_policy *lp,
	       char *name, size_t namelen);

/* Outcome of looking at NSISO_RUNDIR/environment. */
enum nesting {
	NEST_HOST,       /* not inside any environment */
	NEST_SAME,       /* inside this user's environment already */
	NEST_OTHER,      /* inside another user's environment */
	NEST_ERROR,
};
enum nesting nesting_state(uid_t target, uid_t *owner);

/* Registers with the environment behind socket name and joins it.
 * policy_namespaces: what the policy says now; an environment built with
 * a different 'user' setting is refused (nsiso-shell reads the policy of
 * now, the join applies the environment's).
 * Returns the session fd (to keep until close_session), -1 when no live
 * environment answered there (build one and retry), or -2 on an error
 * that denies the session (logged). */
int register_and_join(pam_handle_t *pamh, const struct module_args *a,
		      const char *name, uid_t uid, unsigned policy_namespaces);

#endif
