#include "run_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

/* SYSTEMD_COLORS=0 although the output is a pipe: then no setting of
 * systemd's decides otherwise. */
char *const systemctl_envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
				 "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", NULL };

const char *systemctl_path(void)
{
	static const char *const paths[] = { "/usr/bin/systemctl", "/bin/systemctl" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* In the child: stdin from /dev/null, stdout and stderr to the pipe.
 * 127 is the caller's sign that it could not run (as a shell says). */
__attribute__((noreturn)) static void exec_child(const char *path, char *const argv[],
						  char *const envp[], int out_fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 ||
	    dup2(out_fd, 2) < 0)
		_exit(127);
	execve(path, argv, envp);
	_exit(127);
}

/* Reads the pipe to its end; what does not fit in out is read and
 * dropped, so that the program never blocks on a full pipe. */
static void collect(int fd, char *out, size_t outlen)
{
	size_t used = 0;

	for (;;) {
		char sink[512];
		char *dst = used + 1 < outlen ? out + used : sink;
		size_t room = used + 1 < outlen ? outlen - 1 - used : sizeof(sink);
		ssize_t n = read(fd, dst, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != sink)
			used += (size_t)n;
	}
	out[used] = '\0';
	while (used > 0 && out[used - 1] == '\n')
		out[--used] = '\0';
}

int run_collect(const char *path, char *const argv[], char *const envp[],
		char *out, size_t outlen, enum run_failure *failed)
{
	int pipefd[2], status;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		*failed = RUN_FAILED_PIPE;
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		int saved = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		errno = saved;
		*failed = RUN_FAILED_FORK;
		return -1;
	}
	if (pid == 0)
		exec_child(path, argv, envp, pipefd[1]);
	close(pipefd[1]);
	collect(pipefd[0], out, outlen);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			*failed = RUN_FAILED_WAITPID;
			return -1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
