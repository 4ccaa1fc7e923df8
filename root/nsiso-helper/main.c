/* nsiso-helper: builds a user's environment (doc/DESIGN.md, "Privilege").
 * Root only, and not setuid: the PAM module (and user@.service's
 * ExecStartPre=+, and nsiso) runs it with all uids 0 and names the target
 * uid. What users themselves may do (enter their own environment, run
 * their manager in it) is nsiso-enter's, a small setuid program.
 *
 *   nsiso-helper build --uid UID [--policy DIR] [--for-manager]
 *                      [--logged-by-caller]
 *   nsiso-helper digest --uid UID     (for nsiso-enter and nsiso-shell)
 *   nsiso-helper enter ... | manager  (before nsiso-enter: passed to it)
 *
 * --for-manager is user@.service's ExecStartPre=+: a user the policy does
 * not isolate is not an error (the manager runs as usual), a policy whose
 * environment cannot host the manager is (it must not run on the host).
 * --logged-by-caller is the module's: it logs the helper's stderr to
 * authpriv itself, so the helper does not repeat it there (errmsg.c).
 *
 * On success build prints the environment's socket name (in /run/nsiso)
 * and exits 0; on failure it prints "nsiso-helper: reason" and exits 1;
 * bad usage exits 2. */
#include "helper.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "errmsg.h"
#include "fault.h"
#include "load.h"
#include "sanitize.h"

struct args {
	bool digest;     /* "digest", else "build" */
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
		"       nsiso-helper digest --uid UID\n");
	return 2;
}

/* Exact words only: no prefixes, no "--uid=N" forms, nothing unknown. */
static int parse_args(int argc, char **argv, struct args *a)
{
	if (argc < 2)
		return -1;
	a->digest = strcmp(argv[1], "digest") == 0;
	if (!a->digest && strcmp(argv[1], "build") != 0)
		return -1;
	for (int i = 2; i < argc; i++) {
		if (a->digest && strcmp(argv[i], "--uid") != 0)
			return -1; /* digest takes --uid alone */
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
	struct nsiso_err lookup_err = { "" }, err = { "" };
	struct user_info u;
	struct loaded_policy lp;
	struct utsname un;
	char refusal[PATH_MAX + 1024];
	int rc = -1;

	if (user_info_by_uid(a->uid, &u, &lookup_err) < 0) {
		helper_report(&lookup_err);
		return -1;
	}
	if (policy_load(a->policy_dir, &u, &lp, &err) < 0) {
		helper_report(&err);
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
	if (plan_make(&lp.policy, lp.path, &u, un.nodename, plan, &err) < 0) {
		helper_report(&err);
		goto out_policy;
	}
	rc = 0;
out_policy:
	loaded_policy_free(&lp);
out_user:
	user_info_free(&u);
	return rc;
}

/* `nsiso-helper enter` and `nsiso-helper manager` were the setuid
 * helper's until nsiso-enter took them: crontabs and user@.service
 * drop-ins written before still name them. This program has no privilege
 * to lend, so it passes the words on, unchanged and with the caller's
 * environment, to the nsiso-enter installed next to it. */
static int pass_to_nsiso_enter(int argc, char **argv)
{
	char self[PATH_MAX], enter[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0) {
		helper_error(errno, "readlink /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	snprintf(enter, sizeof(enter), "%s/nsiso-enter", self);
	/* "nsiso-helper enter ARGS" is "nsiso-enter ARGS"; "manager" stays. */
	if (strcmp(argv[1], "enter") == 0) {
		argv[1] = "nsiso-enter";
		argv++;
		argc--;
	} else {
		argv[0] = "nsiso-enter";
	}
	(void)argc;
	execv(enter, argv);
	helper_error(errno, "exec %s", enter);
	return 1;
}

int main(int argc, char **argv)
{
	struct args a = { .policy_dir = NSISO_DEFAULT_POLICY_DIR };
	struct caller_state caller;
	struct env_plan plan;
	int parsed, rc;

	if (argc >= 2 && (strcmp(argv[1], "enter") == 0 || strcmp(argv[1], "manager") == 0))
		return pass_to_nsiso_enter(argc, argv);
	fault_init(); /* empty outside the test build */
	sanitize_start("nsiso-helper", &caller, SANITIZE_FORGET);
	helper_log_setup("nsiso-helper", false);
	/* The caller's identity is the real uid, never argv. A user may
	 * only ask for the digest of their own policy (nsiso-shell without
	 * privilege does: it learns nothing the policy files, readable by
	 * all, do not say). */
	parsed = argc >= 1 ? parse_args(argc, argv, &a) : -1;
	if (getuid() != 0 && !(parsed == 0 && a.digest && a.uid == getuid())) {
		helper_error(0, "only root may run this (it is started by pam_nsiso)");
		return 1;
	}
	if (parsed < 0)
		return usage();
	if (getuid() != 0) {
		helper_log_setup("nsiso-helper", true);
		return helper_digest(a.uid, a.policy_dir);
	}
	if (a.logged_by_caller || a.digest)
		helper_log_setup("nsiso-helper", true);
	/* The invoker chose our limits (su keeps its caller's): a tiny
	 * RLIMIT_CPU or RLIMIT_AS could stop us half-way through a build. */
	if (copy_init_rlimits() < 0)
		return 1;
	/* Run with every uid 0: a start under su keeps the invoker's real
	 * uid in the saved set, which must not leak into the environment. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		helper_error(errno, "setresuid(0)");
		return 1;
	}
	if (a.digest)
		return helper_digest(a.uid, a.policy_dir);
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
