/* nsiso-helper enter [-- COMMAND...]: a user enters their *own* live
 * environment (from cron, tmux or a systemd --user service, whose
 * processes are not in it). Any user may run it; it acts for the real uid
 * only, takes no user, path or namespace from anywhere, and runs the
 * command with every privilege dropped. It never builds an environment:
 * the policy decides that at login. */
#include "helper.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "envjoin.h"
#include "proto.h"
#include "userinfo.h"

static int join_own(uid_t uid, int *session_fd)
{
	struct env_join j;
	char name[64], err[512];

	proto_user_socket_name(uid, name, sizeof(name));
	if (env_register(name, uid, &j, err, sizeof(err)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			helper_error(0, "you have no live environment to enter (log in first)");
		else
			helper_error(0, "%s", err);
		return -1;
	}
	if (env_setns(&j) < 0) {
		helper_error(errno, "joining your environment (init pid %d)",
			     (int)j.init_pid);
		env_join_done(&j);
		close(j.sock);
		return -1;
	}
	env_join_done(&j);
	*session_fd = j.sock;
	return 0;
}

/* In the child, inside the environment: become the user for good, then
 * exec. Never returns. */
__attribute__((noreturn)) static void run_as_user(const struct user_info *u,
						  const char *term, char **cmd)
{
	char arg0[256];
	const char *base = strrchr(u->shell, '/');

	if (initgroups(u->name, u->gid) < 0 ||
	    setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0) {
		helper_error(errno, "dropping privileges");
		_exit(126);
	}
	/* Belt and braces: if root could be regained, stop here. */
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		helper_error(0, "privileges were not dropped");
		_exit(126);
	}
	if (chdir(u->home) < 0 && chdir("/") < 0)
		_exit(126);
	if (setenv("HOME", u->home, 1) < 0 || setenv("USER", u->name, 1) < 0 ||
	    setenv("LOGNAME", u->name, 1) < 0 || setenv("SHELL", u->shell, 1) < 0 ||
	    setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1) < 0 ||
	    (term != NULL && setenv("TERM", term, 1) < 0))
		_exit(126);
	if (cmd != NULL && cmd[0] != NULL) {
		execvp(cmd[0], cmd);
		helper_error(errno, "exec %s", cmd[0]);
		_exit(127);
	}
	snprintf(arg0, sizeof(arg0), "-%s", base ? base + 1 : u->shell);
	execl(u->shell, arg0, (char *)NULL);
	helper_error(errno, "exec %s", u->shell);
	_exit(127);
}

int helper_enter(char **cmd, const char *term)
{
	struct user_info u;
	char err[512];
	int session_fd = -1, status = 0;
	pid_t child;

	if (user_info_by_uid(getuid(), &u, err, sizeof(err)) < 0) {
		helper_error(0, "%s", err);
		return 1;
	}
	if (join_own(u.uid, &session_fd) < 0) {
		user_info_free(&u);
		return 1;
	}
	child = fork();
	if (child < 0) {
		helper_error(errno, "fork");
		user_info_free(&u);
		return 1;
	}
	if (child == 0)
		run_as_user(&u, term, cmd);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	/* Closing the registration is the environment's "logout". */
	close(session_fd);
	user_info_free(&u);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
