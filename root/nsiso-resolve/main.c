/* nsiso-resolve: what nsiso-helper needs of NSS (doc/DESIGN.md,
 * "Privilege"). nsiso-helper is linked statically and so cannot use the
 * system's NSS modules (sssd, ldap); when it is asked for a user by uid it
 * runs this program, linked against the system's libc, which resolves the
 * user and the policy and answers on stdout:
 *
 *   nsiso-resolve build --uid UID [--policy DIR] [--for-manager]
 *                 [--logged-by-caller]
 *       the plan that nsiso-helper build builds (glibc-musl/plan_wire.h);
 *       exit 0, 1 (reported on stderr), or RESOLVE_NOT_ISOLATED
 *       (--for-manager: the user is not isolated, which is no error
 *       there)
 *   nsiso-resolve digest --uid UID
 *       the digest of the user's policy (digest.c)
 *
 * The PAM module makes the plan in the caller and hands it to nsiso-helper
 * itself, so a login's build never runs this; the digest is asked for by
 * nsiso-shell at each of its logins and by nsiso-enter. Not setuid:
 * build is root's;
 * a user may ask for the digest of their own uid (nsiso-shell without
 * privilege does), which says nothing the policy files, readable by all,
 * do not. It takes the helper's words (glibc-musl/helper_args.h), and
 * its messages are nsiso-helper's: it speaks for it. */
#include "resolve.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "load.h"
#include "plan_here.h"
#include "plan_wire.h"
#include "sanitize.h"
#include "helper_args.h"
#include "write_all.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: nsiso-resolve build --uid UID [--policy DIR] [--for-manager] [--logged-by-caller]\n"
		"       nsiso-resolve digest --uid UID\n");
	return 2;
}

/* The user's plan, made from the policy exactly as the module makes it.
 * 0 with *plan, -1 (reported), or RESOLVE_NOT_ISOLATED. */
static int make_plan(const struct helper_args *a, struct env_plan *plan)
{
	struct nsiso_err lookup_err = { "" }, err = { "" };
	struct user_info u;
	struct loaded_policy lp;
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
			rc = RESOLVE_NOT_ISOLATED;
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
	if (plan_make_here(&lp, &u, plan, &err) < 0) {
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

static int put_plan(const struct helper_args *a)
{
	struct env_plan plan;
	char *wire;
	size_t len;
	int rc = make_plan(a, &plan);

	if (rc != 0)
		return rc < 0 ? 1 : rc;
	rc = plan_wire_pack(&plan, &wire, &len);
	plan_free(&plan);
	if (rc < 0) {
		helper_error(errno, "pack the plan");
		return 1;
	}
	rc = write_all(1, wire, len);
	free(wire);
	if (rc < 0) {
		helper_error(errno, "write the plan");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct helper_args a = { .policy_dir = NSISO_DEFAULT_POLICY_DIR };
	struct caller_state caller;
	int parsed, rc;

	sanitize_start("nsiso-helper", &caller, SANITIZE_FORGET);
	helper_log_setup("nsiso-helper", false);
	/* nsiso-helper's words, but for --plan, which is the helper's. */
	parsed = helper_args_parse(argc, argv, "build", &a);
	if (parsed == 0 && a.plan_stdin)
		parsed = -1;
	rc = helper_args_admit(parsed, &a);
	if (rc != 0)
		return rc == 2 ? usage() : rc;
	if (a.digest)
		return helper_digest(a.uid, a.policy_dir);
	return put_plan(&a);
}
