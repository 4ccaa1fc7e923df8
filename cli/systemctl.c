/* systemctl for nsiso enable (daemon-reload) and the user manager reports
 * (list-units, show): run directly, never through a shell, with a fixed
 * environment, so that nothing an admin's shell exports changes what it
 * does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "entry_paths.h"

#define MAX_ARGS 16

static const char *find_systemctl(void)
{
	static const char *const paths[] = { "/usr/bin/systemctl", "/bin/systemctl" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* In the child: stdin from /dev/null, stdout and stderr to the pipe. */
static void exec_child(const char *path, char *const argv[], int out_fd)
{
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
			       "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", NULL };
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 ||
	    dup2(out_fd, 2) < 0)
		_exit(127);
	execve(path, argv, envp);
	_exit(127);
}

/* Reads the pipe to its end; what does not fit in out is read and
 * dropped, so that systemctl never blocks on a full pipe. */
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

int systemctl_run(const char *const args[], char *out, size_t outlen)
{
	const char *path = find_systemctl();
	char *argv[MAX_ARGS + 2];
	int pipefd[2], status, argc = 0;
	pid_t pid;

	out[0] = '\0';
	if (path == NULL) {
		fprintf(stderr, "nsiso: systemctl: not found in /usr/bin or /bin\n");
		return -1;
	}
	argv[argc++] = "systemctl";
	for (size_t i = 0; args[i] != NULL && argc <= MAX_ARGS; i++)
		argv[argc++] = (char *)args[i]; /* execve's type; never written */
	argv[argc] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fprintf(stderr, "nsiso: pipe for systemctl: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "nsiso: fork for systemctl: %s\n", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0)
		exec_child(path, argv, pipefd[1]);
	close(pipefd[1]);
	collect(pipefd[0], out, outlen);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "nsiso: waitpid for systemctl: %s\n", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		fprintf(stderr, "nsiso: %s could not be run\n", path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
