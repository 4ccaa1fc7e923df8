/* One sanitizer for every program that starts with someone else's process
 * state (sanitize.h). */
#include "sanitize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Bounds on the environment copied for the shell, so that a huge one
 * cannot exhaust us. */
#define MAX_ENV 4096
#define MAX_ENV_BYTES (1024 * 1024)

__attribute__((noreturn)) static void refuse_env(const char *prog, size_t n,
						 size_t bytes)
{
	fprintf(stderr, "%s: the environment is too large (%zu variables, %zu bytes; at most %d and %d)\n",
		prog, n, bytes, MAX_ENV, MAX_ENV_BYTES);
	_exit(1); /* a refused login, as every other */
}

/* fds 0-2 must be open, or the first file we open becomes someone's
 * stdout; every other inherited fd is the invoker's business. */
static void sanitize_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			_exit(127);
	}
	/* The system call, not glibc's wrapper: musl (the static
	 * nsiso-helper) has none. */
	if (syscall(SYS_close_range, 3U, ~0U, 0) < 0)
		_exit(127);
}

/* The environment as the caller passed it to execve(). glibc has already
 * removed LD_PRELOAD, TMPDIR and the like from environ (we are setuid),
 * but the shell is the user's and should get what a login gives it
 * (pam_tmpdir's TMPDIR, say): /proc/self/environ still holds the original
 * strings, one read of at most MAX_ENV_BYTES. NULL when it cannot be
 * read; then environ serves. */
static char *read_original_env(const char *prog, size_t *len)
{
	char *buf = malloc(MAX_ENV_BYTES + 1);
	int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
	size_t used = 0;

	if (buf == NULL || fd < 0)
		goto fail;
	for (;;) {
		ssize_t n = read(fd, buf + used, MAX_ENV_BYTES + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > MAX_ENV_BYTES)
			refuse_env(prog, 0, used);
	}
	close(fd);
	*len = used;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static char **copy_env(const char *prog)
{
	extern char **environ;
	size_t n = 0, bytes = 0, len = 0;
	char *orig = read_original_env(prog, &len), **env;

	if (orig != NULL) {
		for (size_t i = 0; i < len; i++)
			if (orig[i] == '\0')
				n++;
		if (len > 0 && orig[len - 1] != '\0')
			n++; /* cut short: the last string gets its NUL below */
		bytes = len;
	} else {
		for (char **e = environ; e != NULL && *e != NULL; e++) {
			n++;
			bytes += strlen(*e) + 1;
		}
	}
	if (n > MAX_ENV || bytes > MAX_ENV_BYTES)
		refuse_env(prog, n, bytes);
	env = calloc(n + 1, sizeof(char *));
	if (env == NULL)
		_exit(127);
	for (size_t k = 0, i = 0; k < n; k++) {
		if (orig != NULL) {
			size_t l = strnlen(orig + i, len - i);

			env[k] = strndup(orig + i, l);
			i += l + 1;
		} else {
			env[k] = strdup(environ[k]);
		}
		if (env[k] == NULL)
			_exit(127);
	}
	free(orig);
	return env;
}

void sanitize_start(const char *prog, struct caller_state *st,
		    enum sanitize_keep keep)
{
	bool hand_on = keep == SANITIZE_HAND_ON;
	sigset_t all;

	/* Not dumpable from the first line: no ptrace, no /proc/PID/mem, no
	 * core file of a process that runs as root for another user. */
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0)
		_exit(127);
	sanitize_fds();
	st->env = hand_on ? copy_env(prog) : NULL;
	if (clearenv() != 0 ||
	    setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0)
		_exit(127);
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &st->sigmask) < 0)
		_exit(127);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			/* EINVAL for the realtime signals glibc reserves: safe
			 * to ignore, they keep their default. */
			(void)signal(sig, SIG_DFL);
	if (getrlimit(RLIMIT_CORE, &st->core) < 0 ||
	    setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, st->core.rlim_max }) < 0)
		_exit(127);
	st->umask = umask(077);
	st->cwd_fd = hand_on ? open(".", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (chdir("/") < 0)
		_exit(127);
	/* Whatever the caller blocked, a program that hands nothing on runs
	 * (and starts what it runs) with no signal blocked; the dispositions
	 * are default by now. */
	sigemptyset(&all);
	if (!hand_on && sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		_exit(127);
}
