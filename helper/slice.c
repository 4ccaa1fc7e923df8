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
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpath.h"

static const char *const systemctl_paths[] = { "/usr/bin/systemctl",
					       "/bin/systemctl" };

/* Runs argv with a clean environment; its output is collected for the
 * message. Returns the exit status, or -1 when it could not run. */
static int run_collect(const char *path, char *const argv[], char *out,
		       size_t outlen)
{
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
			       "SYSTEMD_PAGER=", NULL };
	int pipefd[2], status;
	size_t used = 0;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		helper_error(errno, "pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		helper_error(errno, "fork for %s", path);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		execve(path, argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n = read(pipefd[0], out + used, outlen - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used == outlen - 1) {
			/* Keep reading so that systemctl never blocks on a
			 * full pipe; the message keeps the start. */
			char sink[256];

			while (read(pipefd[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	out[used] = '\0';
	while (used > 0 && out[used - 1] == '\n')
		out[--used] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			helper_error(errno, "waitpid %s", path);
			return -1;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int slice_apply_limits(const struct env_plan *plan)
{
	char slice_path[64], unit[64], where[1024], assign[N_LIMITS][64];
	char output[512], shown[512] = "";
	const char *systemctl = NULL;
	char *argv[6 + N_LIMITS];
	int argc = 0, status, in_slice;

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
	for (size_t i = 0; i < sizeof(systemctl_paths) / sizeof(*systemctl_paths); i++)
		if (access(systemctl_paths[i], X_OK) == 0) {
			systemctl = systemctl_paths[i];
			break;
		}
	if (systemctl == NULL) {
		helper_error(ENOENT, "systemctl (for the limits on %s)", unit);
		return -1;
	}
	status = run_collect(systemctl, argv, output, sizeof(output));
	if (status == 0)
		return 0;
	if (status > 0)
		helper_error(0, "systemctl set-property --runtime --no-ask-password %s%s failed (exit %d): %s",
			     unit, shown, status, output[0] ? output : "no output");
	return -1;
}
