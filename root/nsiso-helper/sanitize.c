/* The helper is setuid root: nothing inherited from the invoker is trusted
 * (environment, fds, signal state, umask, cwd, limits). */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* fds 0-2 must be open, or the first file we open becomes someone's
 * stdout. Without them we cannot even report, so we exit. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int nfd = open("/dev/null", O_RDWR);
		if (nfd != fd)
			_exit(127);
	}
}

void sanitize_process(void)
{
	sigset_t all;

	/* Not dumpable from the first line: no ptrace, no /proc/PID/mem, no
	 * core file of a process that runs as root for another user. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(127);
	ensure_std_fds();
	/* Every inherited fd other than 0-2 is the invoker's business. */
	if (close_range(3, ~0U, 0) < 0)
		_exit(127);
	sigfillset(&all);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			/* EINVAL for the realtime signals glibc reserves: safe
			 * to ignore, they keep their default. */
			(void)signal(sig, SIG_DFL);
	if (sigprocmask(SIG_UNBLOCK, &all, NULL) < 0)
		_exit(127);
	if (clearenv() != 0)
		_exit(127);
	if (setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0)
		_exit(127);
	umask(077);
	if (chdir("/") < 0)
		_exit(127);
}
