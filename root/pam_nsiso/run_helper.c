/* Running nsiso-helper from inside the PAM caller (sshd's monitor, su,
 * login): the way pam_unix runs unix_chkpwd. Everything the helper prints
 * on stderr is logged here (so the helper, told --logged-by-caller, does
 * not log it a second time); stdout carries the socket name. */
#include "module.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "kernel_calls.h"
#include "plan_here.h"
#include "plan_wire.h"
#include "write_all.h"

/* Longer than the helper's own 30 s set-up deadline, so that its message
 * is what the log shows. */
#define HELPER_TIMEOUT_MS 45000

static void log_lines(pam_handle_t *pamh, char *text)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		pam_syslog(pamh, LOG_ERR, "%s", line);
}

/* fd as descriptor target, open across the exec. A caller that runs with
 * fd 0, 1 or 2 closed may have had the memfd or a pipe get that number:
 * dup2 onto itself leaves FD_CLOEXEC set, so the flag is cleared instead. */
static int onto(int fd, int target)
{
	if (fd == target)
		return (int)syscall(SYS_fcntl, fd, F_SETFD, 0);
	return (int)syscall(SYS_dup2, fd, target);
}

/* Runs in the child of the PAM caller that spawn_helper starts: it shares
 * the caller's memory until the exec, so it makes system calls only,
 * writes no variable of the caller's and calls nothing that keeps state
 * in libc (the argv is built before the clone). Every signal is blocked
 * that can reach it (spawn_helper), so no handler of the caller runs
 * here; the helper resets the dispositions and the mask itself
 * (setuid/lib/sanitize.c). */
__attribute__((noreturn)) static void exec_helper(const char *helper,
						  char *const argv[], int plan_fd,
						  int out_fd, int err_fd)
{
	static const char setuid_failed[] =
		"pam_nsiso: setresuid(0) before running the helper failed\n";
	static const char exec_failed[] = "pam_nsiso: exec of the helper failed\n";
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (onto(plan_fd, 0) < 0 || onto(out_fd, 1) < 0 || onto(err_fd, 2) < 0)
		_exit(126);
	/* Out of the caller's session and process group: an su invoker's
	 * terminal must not stop (^Z) or kill (^C) the root helper while it
	 * holds the build lock. */
	if (setsid() < 0)
		_exit(126);
	/* su and sudo keep the invoking user as real uid: the helper must
	 * run as a root caller with every uid 0 (doc/DESIGN.md,
	 * "Root callers"). The system calls, not glibc's setresuid(), which
	 * in a threaded caller would signal the caller's threads to change
	 * their ids too. */
	if (syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	    syscall(SYS_setresuid, 0, 0, 0) < 0) {
		(void)syscall(SYS_write, 2, setuid_failed, sizeof(setuid_failed) - 1);
		_exit(126);
	}
	execve(helper, argv, envp);
	/* The system call: glibc's write() is a cancellation point, which
	 * would touch the caller's thread's state. */
	(void)syscall(SYS_write, 2, exec_failed, sizeof(exec_failed) - 1);
	_exit(127);
}

struct spawn {
	const char *helper;
	char *const *argv;
	int plan_fd, out_fd, err_fd;
};

static int helper_child(void *arg)
{
	const struct spawn *s = arg;

	exec_helper(s->helper, s->argv, s->plan_fd, s->out_fd, s->err_fd);
}

/* The child's stack: exec_helper needs a few hundred bytes. */
#define SPAWN_STACK (64 * 1024)

/* Starts the helper as posix_spawn() does: a child that shares this
 * process's memory (CLONE_VM) on a stack of its own, while this thread
 * waits until it has exec'd (CLONE_VFORK). It copies none of the caller's
 * page tables: a fork of a PAM caller costs ~0.4 ms here (of sshd's
 * monitor more), this ~0.06 ms. posix_spawn itself cannot set the uids
 * to 0 (exec_helper). Signals stay blocked in the child until the exec,
 * so none of the caller's handlers runs on its memory. The pid, or -1
 * with errno. */
static pid_t spawn_helper(const char *helper, char *const argv[], int plan_fd,
			  int out_fd, int err_fd)
{
	struct spawn s = { helper, argv, plan_fd, out_fd, err_fd };
	sigset_t all, mask;
	char *stack;
	pid_t pid;
	int saved;

	stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	/* glibc keeps its two internal signals (cancellation, setxid)
	 * unblocked; both are sent to a thread id, never to the child. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &mask);
	/* The stack grows down from its end. */
	pid = clone(helper_child, stack + SPAWN_STACK,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &s);
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	/* The child has exec'd or exited: nothing runs on the stack now. */
	munmap(stack, SPAWN_STACK);
	errno = saved;
	return pid;
}

/* Reads both pipes to EOF, or until the deadline; false on timeout. */
static bool collect(int out_fd, int err_fd, char *out, size_t outlen,
		    char *err, size_t errlen)
{
	struct pollfd p[2] = { { .fd = out_fd, .events = POLLIN },
			       { .fd = err_fd, .events = POLLIN } };
	size_t used[2] = { 0, 0 };
	char *buf[2] = { out, err };
	size_t cap[2] = { outlen - 1, errlen - 1 };
	int open_fds = 2, waited_ms = 0;
	bool done = true;

	while (open_fds > 0) {
		int r;

		if (waited_ms >= HELPER_TIMEOUT_MS) {
			done = false;
			break;
		}
		/* Slices of 100 ms keep the deadline without a clock. */
		r = poll(p, 2, 100);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0) {
			waited_ms += 100;
			continue;
		}
		for (int i = 0; i < 2; i++) {
			char sink[512];
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (used[i] < cap[i])
				n = read(p[i].fd, buf[i] + used[i], cap[i] - used[i]);
			else /* over-long output is drained, not stored */
				n = read(p[i].fd, sink, sizeof(sink));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
			} else if (used[i] < cap[i]) {
				used[i] += (size_t)n;
			}
		}
	}
	out[used[0]] = '\0';
	err[used[1]] = '\0';
	return done;
}

/* The plan for the helper's stdin (glibc-musl/plan_wire.h), in a memfd:
 * made here, where the user is resolved already, because the helper is
 * static and has no NSS. The fd at offset 0, or -1 (logged). */
static int plan_fd(pam_handle_t *pamh, struct user_info *u,
		   const struct loaded_policy *lp)
{
	struct nsiso_err e = { "" };
	struct env_plan plan;
	char *wire;
	size_t len;
	int fd, rc;

	if (plan_make_here(lp, u, &plan, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "session of %s denied: %s", u->name, e.msg);
		return -1;
	}
	rc = plan_wire_pack(&plan, &wire, &len);
	plan_free(&plan);
	if (rc < 0) {
		pam_syslog(pamh, LOG_ERR, "session of %s denied: pack the plan: %m",
			   u->name);
		return -1;
	}
	/* Not executable: vm.memfd_noexec=2 refuses other memfds, and
	 * kernels before 6.3 do not know the flag (EINVAL). */
	fd = memfd_create("nsiso-plan", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("nsiso-plan", MFD_CLOEXEC);
	if (fd >= 0 && write_all(fd, wire, len) < 0) {
		close(fd);
		fd = -1;
	}
	free(wire);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		pam_syslog(pamh, LOG_ERR,
			   "session of %s denied: write the plan to a memfd: %m",
			   u->name);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool valid_socket_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && n < 64 && strchr(name, '/') == NULL &&
	       strcmp(name + n - 5, ".sock") == 0 &&
	       (strncmp(name, "user-", 5) == 0 ||
		strncmp(name, "session-", 8) == 0);
}

int run_helper(pam_handle_t *pamh, const struct module_args *a,
	       struct user_info *u, const struct loaded_policy *lp,
	       char *name, size_t namelen)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, status = 0, rc = -1;
	char out_text[256], err_text[4096], uid_arg[16];
	/* --uid: the plan must be that user's, and ps shows whose build it
	 * is. */
	char *const argv[] = { "nsiso-helper", "build", "--uid", uid_arg,
			       "--plan", "--logged-by-caller", NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL }, saved;
	pid_t pid, waited;
	bool finished;
	int plan = plan_fd(pamh, u, lp);

	if (plan < 0)
		return -1;
	snprintf(uid_arg, sizeof(uid_arg), "%u", (unsigned)u->uid);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		pam_syslog(pamh, LOG_ERR, "pipe for %s: %m", a->helper);
		goto out;
	}
	/* A caller that ignores SIGCHLD would make waitpid() fail with
	 * ECHILD; restore the default for the helper's lifetime only. */
	sigaction(SIGCHLD, &dfl, &saved);
	pid = spawn_helper(a->helper, argv, plan, out[1], err[1]);
	if (pid < 0) {
		pam_syslog(pamh, LOG_ERR, "start %s: %m", a->helper);
		sigaction(SIGCHLD, &saved, NULL);
		goto out;
	}
	close(plan);
	plan = -1;
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	finished = collect(out[0], err[0], out_text, sizeof(out_text), err_text,
			   sizeof(err_text));
	if (!finished)
		/* A helper that hangs must not hang the login with it; its
		 * init, if any, ends by itself when nobody registers. */
		(void)kill(pid, SIGKILL);
	do
		waited = waitpid(pid, &status, 0);
	while (waited < 0 && errno == EINTR);
	sigaction(SIGCHLD, &saved, NULL);
	if (err_text[0] != '\0')
		log_lines(pamh, err_text);
	if (waited != pid) {
		pam_syslog(pamh, LOG_ERR, "wait for %s: %m", a->helper);
		goto out;
	}
	if (!finished) {
		pam_syslog(pamh, LOG_ERR, "%s did not finish within %d s",
			   a->helper, HELPER_TIMEOUT_MS / 1000);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			pam_syslog(pamh, LOG_ERR, "%s killed by signal %d",
				   a->helper, WTERMSIG(status));
		else
			pam_syslog(pamh, LOG_ERR, "%s: exit status %d",
				   a->helper, WEXITSTATUS(status));
		goto out;
	}
	out_text[strcspn(out_text, "\n")] = '\0';
	if (!valid_socket_name(out_text)) {
		pam_syslog(pamh, LOG_ERR, "%s printed no valid socket name",
			   a->helper);
		goto out;
	}
	snprintf(name, namelen, "%s", out_text);
	rc = 0;
out:
	if (plan >= 0)
		close(plan);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return rc;
}
