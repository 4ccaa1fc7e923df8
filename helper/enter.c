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
#include "proto.h"
#include "userinfo.h"

static int join_own(uid_t uid, int *session_fd)
{
	char name[64];
	struct nsiso_reply r;
	pid_t peer = -1;
	int s, pidfd = -1, flags = 0;

	proto_user_socket_name(uid, name, sizeof(name));
	s = proto_connect(name, &peer);
	if (s < 0) {
		helper_error(errno == ENOENT || errno == ECONNREFUSED ? 0 : errno,
			     "you have no live environment to enter (log in first)");
		return -1;
	}
	if (proto_call(s, OP_REGISTER, &r, &pidfd) < 0 || pidfd < 0 ||
	    proto_pidfd_pid(pidfd) != peer || r.uid != (uint32_t)uid) {
		helper_error(errno, "registering with your environment failed");
		if (pidfd >= 0)
			close(pidfd);
		close(s);
		return -1;
	}
	if (r.namespaces & NSISO_NS_MOUNT)
		flags |= CLONE_NEWNS;
	if (r.namespaces & NSISO_NS_UTS)
		flags |= CLONE_NEWUTS;
	if (r.namespaces & NSISO_NS_IPC)
		flags |= CLONE_NEWIPC;
	if (r.namespaces & NSISO_NS_PID)
		flags |= CLONE_NEWPID;
	if (r.namespaces & NSISO_NS_NET)
		flags |= CLONE_NEWNET;
	if (setns(pidfd, flags) < 0) {
		helper_error(errno, "joining your environment (init pid %d)", (int)peer);
		close(pidfd);
		close(s);
		return -1;
	}
	close(pidfd);
	*session_fd = s;
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
