/* The command line of nsiso-helper, which nsiso-resolve takes too:
 *
 *   BUILD --uid UID [--policy DIR] [--for-manager] [--logged-by-caller]
 *   BUILD --uid UID --plan [--logged-by-caller]       (nsiso-helper only)
 *   digest --uid UID
 *
 * BUILD is "build" for nsiso-helper, which builds, and for nsiso-resolve,
 * which prints the plan that the helper builds. */
#ifndef NSISO_HELPER_ARGS_H
#define NSISO_HELPER_ARGS_H

#include <stdbool.h>
#include <sys/types.h>

struct helper_args {
	bool digest;     /* "digest", else the build word */
	bool plan_stdin; /* --plan */
	uid_t uid;
	bool has_uid;
	const char *policy_dir; /* the default until --policy */
	bool has_policy;
	bool for_manager;
	bool logged_by_caller;
};

/* Exact words only, each at most once: no prefixes, no "--uid=N" forms,
 * nothing unknown. 0 with *a filled in, or -1 (a usage error). */
int helper_args_parse(int argc, char **argv, const char *build_word,
		      struct helper_args *a);

/* After helper_args_parse returned parsed: who may go on. Root; another
 * user only for the digest of their own uid (nsiso-shell without
 * privilege asks for it; it says nothing the policy files, readable by
 * all, do not). Then the log: when the caller logs our stderr itself (the
 * module) or reads it (a digest), syslog gets no second copy. 0 go on, 1
 * refused (reported), 2 a usage error (the caller prints its usage). */
int helper_args_admit(int parsed, const struct helper_args *a);

#endif
