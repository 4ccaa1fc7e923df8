/* systemctl for nsiso enable (daemon-reload) and the user manager reports
 * (list-units, show): run directly, never through a shell, with a fixed
 * environment, so that nothing an admin's shell exports changes what it
 * does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "entry_paths.h"
#include "cli.h"
#include "run_cmd.h"

#define MAX_ARGS 16

int systemctl_run(const char *const args[], char *out, size_t outlen)
{
	const char *path = systemctl_path();
	char *argv[MAX_ARGS + 2];
	enum run_failure failed;
	int status, argc = 0;

	out[0] = '\0';
	if (path == NULL) {
		cli_error(0, "systemctl: not found in /usr/bin or /bin");
		return -1;
	}
	argv[argc++] = "systemctl";
	for (size_t i = 0; args[i] != NULL && argc <= MAX_ARGS; i++)
		argv[argc++] = (char *)args[i]; /* execve's type; never written */
	argv[argc] = NULL;
	status = run_collect(path, argv, systemctl_envp, out, outlen, &failed);
	if (status < 0) {
		cli_error(errno, "%s for systemctl", failed == RUN_FAILED_PIPE ? "pipe"
			: failed == RUN_FAILED_FORK ? "fork" : "waitpid");
		return -1;
	}
	if (status == 127)
		cli_error(0, "%s could not be run", path);
	return status;
}
