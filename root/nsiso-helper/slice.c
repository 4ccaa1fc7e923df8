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

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgpath.h"
#include "errmsg.h"
#include "run_cmd.h"

int slice_apply_limits(const struct env_plan *plan)
{
	char slice_path[64], unit[64], where[1024], assign[N_LIMITS][64];
	char output[512], shown[512] = "";
	const char *systemctl = NULL;
	char *argv[6 + N_LIMITS];
	int argc = 0, status, in_slice;
	enum run_failure failed;

	cgpath_user_slice(plan->uid, slice_path, sizeof(slice_path));
	snprintf(unit, sizeof(unit), "user-%u.slice", (unsigned)plan->uid);
	argv[argc++] = "systemctl";
	argv[argc++] = "set-property";
	argv[argc++] = "--runtime";
	argv[argc++] = "--no-ask-password";
	argv[argc++] = unit;
	for (int k = 0; k < N_LIMITS; k++) {
		size_t used = strlen(shown);

		if (!plan->limits.set[k])
			continue;
		/* "infinity" would lift what the distribution or the admin
		 * set on every user's slice (Debian: TasksMax=33%), and
		 * --runtime keeps it until reboot: no line means no change. */
		if (plan->limits.value[k] == LIMIT_UNLIMITED) {
			helper_error(0,
				     "%s:%u: %s = max: on a systemd host leave the line out instead (max would lift the limit systemd keeps on %s until reboot)",
				     plan->policy_path, plan->limits_line[k],
				     limit_key((enum limit_kind)k), unit);
			return -1;
		}
		limit_systemd_assignment((enum limit_kind)k,
					 plan->limits.value[k], assign[k],
					 sizeof(assign[k]));
		argv[argc++] = assign[k];
		snprintf(shown + used, sizeof(shown) - used, " %s", assign[k]);
	}
	argv[argc] = NULL;
	if (argc == 5)
		return 0; /* no limits: the cgroup namespace alone */
	/* A login outside the slice (no pam_systemd in this service's
	 * stack, or su from another user's session) would not be limited
	 * at all: refuse instead of building an environment that only
	 * seems limited. */
	in_slice = cgpath_self_in_user_slice(plan->uid, where, sizeof(where));
	if (in_slice < 0) {
		helper_error(errno, "read /proc/self/cgroup");
		return -1;
	}
	if (!in_slice) {
		helper_error(0,
			     "%s: the policy limits %s's environment (%s) through %s, but this login runs in %s, outside it: put pam_systemd before pam_nsiso in this service's PAM stack, or drop the limits",
			     plan->policy_path, plan->user, shown + 1, unit, where);
		return -1;
	}
	systemctl = systemctl_path();
	if (systemctl == NULL) {
		helper_error(ENOENT, "systemctl (for the limits on %s)", unit);
		return -1;
	}
	status = run_collect(systemctl, argv, systemctl_envp, output, sizeof(output),
			     &failed);
	if (status == 0)
		return 0;
	if (status > 0)
		helper_error(0, "systemctl set-property --runtime --no-ask-password %s%s failed (exit %d): %s",
			     unit, shown, status, output[0] ? output : "no output");
	else if (failed == RUN_FAILED_PIPE)
		helper_error(errno, "pipe");
	else if (failed == RUN_FAILED_FORK)
		helper_error(errno, "fork for %s", systemctl);
	else
		helper_error(errno, "waitpid %s", systemctl);
	return -1;
}
