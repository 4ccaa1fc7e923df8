/* "cgroup" on a systemd host: the policy's limits on the user's slice.
 *
 * logind puts every login of a user in a scope of user-UID.slice and
 * systemd owns the tree (systemd.io/CGROUP_DELEGATION): moving a login's
 * processes into a directory of ours would take them out of logind's
 * session (loginctl, KillUserProcesses, terminate-session stop working on
 * them) behind both their backs. So the limits are the slice's own unit
 * properties, set through systemd, and they hold every login of the user,
 * which is what the environment is. --runtime: they last until reboot or
 * the next change, never in /etc. */
#include "helper.h"
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgpath.h"
#include "errmsg.h"
#include "run_cmd.h"

/* The assignments of the policy's limits ("TasksMax=40") into argv from
 * *argc on, and " TasksMax=40 ..." into shown; -1 for a limit that may not
 * be set on a slice. */
static int slice_assignments(struct build *b, const char *unit,
			     char assign[N_LIMITS][64], char **argv, int *argc,
			     char *shown, size_t len)
{
	const struct env_plan *plan = b->plan;

	for (int k = 0; k < N_LIMITS; k++) {
		size_t used = strlen(shown);

		if (!plan->limits.set[k])
			continue;
		/* "infinity" would lift what the distribution or the admin
		 * set on every user's slice (Debian: TasksMax=33%), and
		 * --runtime keeps it until reboot: no line means no change. */
		if (plan->limits.value[k] == LIMIT_UNLIMITED)
			return err_set(&b->err, 0,
				       "%s:%u: %s = max: on a systemd host leave the line out instead (max would lift the limit systemd keeps on %s until reboot)",
				       plan->policy_path, plan->limits_line[k],
				       limit_key((enum limit_kind)k), unit);
		limit_systemd_assignment((enum limit_kind)k,
					 plan->limits.value[k], assign[k],
					 sizeof(assign[k]));
		argv[(*argc)++] = assign[k];
		snprintf(shown + used, len - used, " %s", assign[k]);
	}
	argv[*argc] = NULL;
	return 0;
}

/* A login outside the slice (no pam_systemd in this service's stack, or
 * su from another user's session) would not be limited at all: refuse
 * instead of building an environment that only seems limited. */
static int check_in_slice(struct build *b, const char *unit, const char *shown)
{
	char where[1024];
	int in_slice = cgpath_self_in_user_slice(b->plan->uid, where, sizeof(where));

	if (in_slice < 0)
		return err_set(&b->err, errno, "read /proc/self/cgroup");
	if (!in_slice)
		return err_set(&b->err, 0,
			       "%s: the policy limits %s's environment (%s) through %s, but this login runs in %s, outside it: put pam_systemd before pam_nsiso in this service's PAM stack, or drop the limits",
			       b->plan->policy_path, b->plan->user, shown, unit,
			       where);
	return 0;
}

static int run_systemctl(struct build *b, char **argv, const char *unit,
			 const char *shown)
{
	const char *systemctl = systemctl_path();
	enum run_failure failed;
	char output[512];
	int status;

	if (systemctl == NULL)
		return err_set(&b->err, ENOENT, "find systemctl (for the limits on %s)",
			       unit);
	status = run_collect(systemctl, argv, systemctl_envp, output, sizeof(output),
			     &failed);
	if (status == 0)
		return 0;
	if (status > 0)
		return err_set(&b->err, 0,
			       "systemctl set-property --runtime --no-ask-password %s%s: exit %d: %s",
			       unit, shown, status, output[0] ? output : "no output");
	if (failed == RUN_FAILED_PIPE)
		return err_set(&b->err, errno, "make a pipe for %s", systemctl);
	if (failed == RUN_FAILED_FORK)
		return err_set(&b->err, errno, "fork for %s", systemctl);
	return err_set(&b->err, errno, "wait for %s", systemctl);
}

int slice_step_apply(struct build *b)
{
	char unit[64], assign[N_LIMITS][64], shown[512] = "";
	char *argv[6 + N_LIMITS];
	int argc = 0;

	if (!b->st.cgroup_systemd)
		return 0;
	snprintf(unit, sizeof(unit), "user-%u.slice", (unsigned)b->plan->uid);
	argv[argc++] = "systemctl";
	argv[argc++] = "set-property";
	argv[argc++] = "--runtime";
	argv[argc++] = "--no-ask-password";
	argv[argc++] = unit;
	if (slice_assignments(b, unit, assign, argv, &argc, shown,
			      sizeof(shown)) < 0)
		return -1;
	if (argc == 5)
		return 0; /* no limits: the cgroup namespace alone */
	if (check_in_slice(b, unit, shown + 1) < 0)
		return -1;
	return run_systemctl(b, argv, unit, shown);
}
