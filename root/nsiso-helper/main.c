/* nsiso-helper: builds a user's environment (doc/DESIGN.md, "Why a setuid
 * helper"). Installed setuid root. Only root may build: the PAM module
 * (and user@.service's ExecStartPre=+) runs it with all uids 0 and names
 * the target uid; any other caller may only enter, or run the manager in,
 * their own environment, as themselves.
 *
 *   nsiso-helper build --uid UID [--policy DIR] [--for-manager]
 *                      [--logged-by-caller]              (root only)
 *   nsiso-helper enter [-- COMMAND [ARG...]]          (any user: their own)
 *   nsiso-helper manager       (user@.service's ExecStart: manager.c)
 *
 * --for-manager is user@.service's ExecStartPre=+: a user the policy does
 * not isolate is not an error (the manager runs as usual), a policy whose
 * environment cannot host the manager is (it must not run on the host).
 * --logged-by-caller is the module's: it logs the helper's stderr to
 * authpriv itself, so the helper does not repeat it there (errmsg.c).
 *
 * On success it prints the environment's socket name (in /run/nsiso) and
 * exits 0; on failure it prints "nsiso-helper: reason" and exits 1; bad
 * usage exits 2. */
#include "helper.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "errmsg.h"
#include "fault.h"
#include "load.h"

struct args {
	uid_t uid;
	bool has_uid;
	const char *policy_dir;
	bool has_policy;
	bool for_manager;
	bool logged_by_caller;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: nsiso-helper build --uid UID [--policy DIR] [--for-manager] [--logged-by-caller]\n"
		"       nsiso-helper enter [-- COMMAND [ARG...]]\n"
		"       nsiso-helper manager\n");
	return 2;
}

/* TERM survives clearenv() only if it looks like a terminal name: it is
 * handed to the user's own shell, never used by us. */
static const char *saved_term(void)
{
	static char term[64];
	const char *t = getenv("TERM");

	if (t == NULL || strlen(t) >= sizeof(term) || *t == '\0' ||
	    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+") != strlen(t))
		return NULL;
	memcpy(term, t, strlen(t) + 1);
	return term;
}

/* Exact words only: no prefixes, no "--uid=N" forms, nothing unknown. */
static int parse_args(int argc, char **argv, struct args *a)
{
	if (argc < 2 || strcmp(argv[1], "build") != 0)
		return -1;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--for-manager") == 0 && !a->for_manager) {
			a->for_manager = true;
			continue;
		}
		if (strcmp(argv[i], "--logged-by-caller") == 0 &&
		    !a->logged_by_caller) {
			a->logged_by_caller = true;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--uid") == 0 && !a->has_uid) {
			const char *v = argv[++i];
			char *end;
			unsigned long n;

			if (*v < '0' || *v > '9')
				return -1;
			errno = 0;
			n = strtoul(v, &end, 10);
			if (errno || *end != '\0' || n >= (unsigned long)(uid_t)-1)
				return -1;
			a->uid = (uid_t)n;
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
	return a->has_uid ? 0 : -1;
}

/* Resolves the policy exactly as the module did (same code), so the
 * helper never trusts the caller's idea of what the policy says. Returns
 * 0, -1 (reported), or 1: --for-manager and the user is not isolated. */
static int make_plan(const struct args *a, struct env_plan *plan)
{
	struct user_info u;
	struct loaded_policy lp;
	struct utsname un;
	char err[1024], refusal[PATH_MAX + 1024];
	int rc = -1;

	if (user_info_by_uid(a->uid, &u, err, sizeof(err)) < 0) {
		helper_error(0, "%s", err);
		return -1;
	}
	if (policy_load(a->policy_dir, &u, &lp, err, sizeof(err)) < 0) {
		helper_error(0, "%s", err);
		goto out_user;
	}
	if (lp.kind == CHOICE_NONE || !lp.policy.isolate) {
		if (a->for_manager) {
			rc = 1;
			goto out_policy;
		}
		helper_error(0, "%s is not isolated (%s)", u.name, lp.why);
		goto out_policy;
	}
	if (a->for_manager &&
	    policy_manager_refusal_message(&lp.policy, u.name, lp.path, refusal,
					   sizeof(refusal))) {
		helper_error(0, "%s", refusal);
		goto out_policy;
	}
	if (uname(&un) < 0) {
		helper_error(errno, "uname");
		goto out_policy;
	}
	if (plan_make(&lp.policy, lp.path, &u, un.nodename, plan, err,
		      sizeof(err)) < 0) {
		helper_error(0, "%s", err);
		goto out_policy;
	}
	rc = 0;
out_policy:
	loaded_policy_free(&lp);
out_user:
	user_info_free(&u);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = { .policy_dir = NSISO_DEFAULT_POLICY_DIR };
	struct env_plan plan;
	const char *term = NULL;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "enter") == 0)
		term = saved_term(); /* copied before the environment goes */
	if (argc == 2 && strcmp(argv[1], "manager") == 0)
		manager_save_environment(); /* likewise */
	fault_init(); /* empty outside the test build */
	sanitize_process();
	helper_log_setup("nsiso-helper", false);
	if (argc >= 2 && strcmp(argv[1], "enter") == 0) {
		/* Exactly "enter" or "enter -- COMMAND...": nothing else. */
		if (argc == 2)
			return helper_enter(NULL, term);
		if (argc >= 4 && strcmp(argv[2], "--") == 0)
			return helper_enter(argv + 3, term);
		return usage();
	}
	if (argc >= 2 && strcmp(argv[1], "manager") == 0)
		return argc == 2 ? helper_manager() : usage();
	/* The caller's identity is the real uid, never argv. */
	if (getuid() != 0) {
		helper_error(0, "only root may run this (it is started by pam_nsiso)");
		return 1;
	}
	if (argc < 1 || parse_args(argc, argv, &a) < 0)
		return usage();
	if (a.logged_by_caller)
		helper_log_setup("nsiso-helper", true);
	/* The invoker chose our limits (su keeps its caller's): a tiny
	 * RLIMIT_CPU or RLIMIT_AS could stop us half-way through a build. */
	if (copy_init_rlimits() < 0)
		return 1;
	/* Run with every uid 0: a setuid start under su keeps the invoker's
	 * real uid, which must not leak into the environment. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		helper_error(errno, "setresuid(0)");
		return 1;
	}
	rc = make_plan(&a, &plan);
	if (rc != 0)
		return rc < 0 ? 1 : 0;
	rc = build_environment(&plan);
	plan_free(&plan);
	if (fflush(stdout) != 0) {
		helper_error(errno, "write the socket name");
		return 1;
	}
	return rc;
}
