/* nsiso-helper: builds a user's environment (doc/DESIGN.md, "Privilege").
 * Root only, and not setuid: the PAM module (and user@.service's
 * ExecStartPre=+, and nsiso) runs it with all uids 0. What users
 * themselves may do (enter their own environment, run their manager in
 * it) is nsiso-enter's, a small setuid program.
 *
 *   nsiso-helper build --uid UID --plan [--logged-by-caller]
 *   nsiso-helper build --uid UID [--policy DIR] [--for-manager]
 *                      [--logged-by-caller]
 *   nsiso-helper digest --uid UID     (for nsiso-enter and nsiso-shell)
 *   nsiso-helper enter ... | manager  (before nsiso-enter: passed to it)
 *
 * It is linked statically (a first login execs it, and a dynamic program
 * pays for its loader), so it cannot use the system's NSS modules. With
 * --plan it builds the plan on stdin (glibc-musl/plan_wire.h), made by the
 * PAM module, which has resolved the user already; its caller is root,
 * and the plan is checked for its form, and for being UID's, only. With
 * --uid, and for digest, it runs nsiso-resolve, installed next to it, for
 * what needs NSS.
 *
 * --for-manager is user@.service's ExecStartPre=+: a user the policy does
 * not isolate is not an error (the manager runs as usual), a policy whose
 * environment cannot host the manager is (it must not run on the host).
 * --logged-by-caller is the module's: it logs the helper's stderr to
 * authpriv itself, so the helper does not repeat it there (errmsg.c).
 *
 * On success build prints the environment's socket name (in /run/nsiso)
 * and exits 0; on failure it prints "nsiso-helper: reason" and exits 1;
 * bad usage exits 2. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fault.h"
#include "helper_args.h"
#include "plan_wire.h"
#include "sanitize.h"

#define RESOLVE_NAME "nsiso-resolve"

static int usage(void)
{
	fprintf(stderr,
		"usage: nsiso-helper build --uid UID [--policy DIR] [--for-manager] [--logged-by-caller]\n"
		"       nsiso-helper build --uid UID --plan [--logged-by-caller]\n"
		"       nsiso-helper digest --uid UID\n");
	return 2;
}

/* Reads fd to its end, at most PLAN_WIRE_MAX + 1 bytes (more is a plan
 * the unpacking refuses). 0 with *buf (free it) and *len, or -1
 * (reported). */
static int read_wire(int fd, char **buf, size_t *len)
{
	size_t cap = PLAN_WIRE_MAX + 1, used = 0;
	char *out = malloc(cap);

	if (out == NULL) {
		helper_error(ENOMEM, "read the plan");
		return -1;
	}
	while (used < cap) {
		ssize_t n = read(fd, out + used, cap - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			helper_error(errno, "read the plan");
			free(out);
			return -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	*buf = out;
	*len = used;
	return 0;
}

/* The plan in buf[0..len), which must be uid's, whoever made it (the
 * module or nsiso-resolve): 0 with *plan, or -1 (reported). */
static int unpack(const char *buf, size_t len, uid_t uid, struct env_plan *plan)
{
	struct nsiso_err err = { "" };

	if (plan_wire_unpack(buf, len, plan, &err) < 0) {
		helper_report(&err);
		return -1;
	}
	if (plan->uid != uid) {
		helper_error(0, "read the plan: it is uid %u's, not uid %u's",
			     (unsigned)plan->uid, (unsigned)uid);
		plan_free(plan);
		return -1;
	}
	return 0;
}

/* build --plan: the plan on stdin. 0 with *plan, or -1 (reported). */
static int read_plan(uid_t uid, struct env_plan *plan)
{
	char *wire;
	size_t len;
	int rc;

	if (read_wire(0, &wire, &len) < 0)
		return -1;
	rc = unpack(wire, len, uid, plan);
	free(wire);
	return rc;
}

/* Starts the nsiso-resolve next to this program with argv: its pid, or -1
 * (reported). With out_fd, its stdout is a pipe whose read end is
 * *out_fd; without, it is ours. */
static int run_resolve(char **argv, int *out_fd)
{
	struct nsiso_err err = { "" };
	char path[PATH_MAX];
	int pipefd[2] = { -1, -1 };
	pid_t pid;

	if (sibling_path(RESOLVE_NAME, path, sizeof(path), &err) < 0) {
		helper_report(&err);
		return -1;
	}
	if (out_fd != NULL && pipe2(pipefd, O_CLOEXEC) < 0) {
		helper_error(errno, "pipe for %s", path);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		helper_error(errno, "fork for %s", path);
		if (out_fd != NULL) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return -1;
	}
	if (pid == 0) {
		char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

		if (out_fd != NULL && dup2(pipefd[1], 1) < 0)
			_exit(126);
		execve(path, argv, envp);
		helper_error(errno, "exec %s", path);
		_exit(127);
	}
	if (out_fd != NULL) {
		close(pipefd[1]);
		*out_fd = pipefd[0];
	}
	return pid;
}

/* Waits for nsiso-resolve's pid: its exit status, or -1 (reported). */
static int wait_resolve(pid_t pid)
{
	int status;
	pid_t w;

	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w != pid) {
		helper_error(errno, "wait for %s", RESOLVE_NAME);
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	helper_error(0, "%s killed by signal %d", RESOLVE_NAME, WTERMSIG(status));
	return -1;
}

/* build --uid: nsiso-resolve makes the plan (NSS, the policy), this
 * program builds it. 0 with *plan, -1 (reported by either), or 1:
 * --for-manager and the user is not isolated. */
static int resolve_plan(const struct helper_args *a, struct env_plan *plan)
{
	char uid_arg[16];
	char *argv[] = { RESOLVE_NAME, "build", "--uid", uid_arg, "--policy",
			 (char *)a->policy_dir, NULL, NULL, NULL };
	char *wire = NULL;
	size_t len = 0;
	int n = 6, out_fd = -1, read_rc, status;
	pid_t pid;

	snprintf(uid_arg, sizeof(uid_arg), "%u", (unsigned)a->uid);
	if (a->for_manager)
		argv[n++] = "--for-manager";
	if (a->logged_by_caller)
		argv[n++] = "--logged-by-caller";
	pid = run_resolve(argv, &out_fd);
	if (pid < 0)
		return -1;
	read_rc = read_wire(out_fd, &wire, &len);
	close(out_fd);
	status = wait_resolve(pid);
	if (status == 0 && read_rc == 0)
		read_rc = unpack(wire, len, a->uid, plan);
	free(wire);
	if (status == 0)
		return read_rc;
	if (status == RESOLVE_NOT_ISOLATED && a->for_manager)
		return 1;
	/* Exit status 1: it has said why, on our stderr. */
	if (status > 1)
		helper_error(0, "%s: exit status %d", RESOLVE_NAME, status);
	return -1;
}

/* digest: nsiso-resolve's answer, on our stdout as it is. */
static int digest(const struct helper_args *a)
{
	char uid_arg[16];
	char *argv[] = { RESOLVE_NAME, "digest", "--uid", uid_arg, NULL };
	pid_t pid;

	snprintf(uid_arg, sizeof(uid_arg), "%u", (unsigned)a->uid);
	pid = run_resolve(argv, NULL);
	if (pid < 0)
		return 1;
	return wait_resolve(pid) == 0 ? 0 : 1;
}

/* `nsiso-helper enter` and `nsiso-helper manager` were the setuid
 * helper's until nsiso-enter took them: crontabs and user@.service
 * drop-ins written before still name them. This program has no privilege
 * to lend, so it passes the words on, unchanged and with the caller's
 * environment, to the nsiso-enter installed next to it. */
static int pass_to_nsiso_enter(int argc, char **argv)
{
	struct nsiso_err err = { "" };
	char enter[PATH_MAX];

	if (sibling_path("nsiso-enter", enter, sizeof(enter), &err) < 0) {
		helper_report(&err);
		return 1;
	}
	/* "nsiso-helper enter ARGS" is "nsiso-enter ARGS"; "manager" stays. */
	if (strcmp(argv[1], "enter") == 0) {
		argv[1] = "nsiso-enter";
		argv++;
		argc--;
	} else {
		argv[0] = "nsiso-enter";
	}
	(void)argc;
	execv(enter, argv);
	helper_error(errno, "exec %s", enter);
	return 1;
}

int main(int argc, char **argv)
{
	struct helper_args a = { .policy_dir = NSISO_DEFAULT_POLICY_DIR };
	struct caller_state caller;
	struct env_plan plan;
	int parsed, rc;

	if (argc >= 2 && (strcmp(argv[1], "enter") == 0 || strcmp(argv[1], "manager") == 0))
		return pass_to_nsiso_enter(argc, argv);
	fault_init(); /* empty outside the test build */
	sanitize_start("nsiso-helper", &caller, SANITIZE_FORGET);
	helper_log_setup("nsiso-helper", false);
	parsed = argc >= 1 ? helper_args_parse(argc, argv, "build", &a) : -1;
	rc = helper_args_admit(parsed, &a);
	if (rc != 0)
		return rc == 2 ? usage() : rc;
	if (a.digest && getuid() != 0)
		return digest(&a);
	/* The invoker chose our limits (su keeps its caller's): a tiny
	 * RLIMIT_CPU or RLIMIT_AS could stop us half-way through a build, or
	 * a tiny RLIMIT_NOFILE make an NSS module of nsiso-resolve fail. */
	if (copy_init_rlimits() < 0)
		return 1;
	/* Run with every uid 0: a start under su keeps the invoker's real
	 * uid in the saved set, which must not leak into the environment. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		helper_error(errno, "setresuid(0)");
		return 1;
	}
	if (a.digest)
		return digest(&a);
	rc = a.plan_stdin ? read_plan(a.uid, &plan) : resolve_plan(&a, &plan);
	if (rc != 0)
		return rc < 0 ? 1 : 0;
	rc = build_environment(&plan);
	plan_free(&plan);
	if (fflush(stdout) != 0) {
		helper_error(errno, "write the socket name");
		return 1;
	}
	return rc;
}
