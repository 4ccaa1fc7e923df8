/* nsiso-enter [-- COMMAND...]: a user enters their *own* live
 * environment and runs the command (or a login shell) there with every
 * privilege dropped (main.c). */
#include "enter.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "become_user.h"
#include "envjoin.h"
#include "errmsg.h"
#include "policy.h"
#include "proto.h"
#include "userinfo.h"

static int join_own(uid_t uid, int *session_fd, unsigned *namespaces)
{
	struct env_join j;
	struct nsiso_err e = { "" };
	char name[64];

	proto_user_socket_name(uid, name, sizeof(name));
	if (env_register(name, uid, &j, &e) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			helper_error(0, "you have no live environment to enter (log in first)");
		else
			helper_report(&e);
		return -1;
	}
	/* From cron or a system service the caller is outside the user's
	 * slice: it would add unlimited processes to a limited environment. */
	if (env_check_limited_login(&j, &e) < 0 || env_enter(&j, &e) < 0) {
		err_wrap(&e, "join your environment");
		helper_report(&e);
		env_join_done(&j);
		close(j.sock);
		return -1;
	}
	env_join_done(&j);
	*namespaces = j.reply.namespaces;
	*session_fd = j.sock;
	return 0;
}

int enter_own_environment(char **cmd, const char *term, const struct rlimit *core)
{
	struct user_info u;
	struct nsiso_err e = { "" };
	int session_fd = -1, status = 0;
	unsigned namespaces = 0;
	static char quoted[65536];
	char *via_shell[] = { NULL, "-c", quoted, NULL };
	pid_t child;

	if (user_info_by_uid(getuid(), &u, &e) < 0) {
		helper_report(&e);
		return 1;
	}
	if (join_own(u.uid, &session_fd, &namespaces) < 0) {
		user_info_free(&u);
		return 1;
	}
	/* With a user namespace the login shell (nsiso-shell) makes it, and
	 * applies the policy's limits: a command goes through it too. */
	if (namespaces & NSISO_NS_USER) {
		if (env_check_login_shell(u.shell, &e) < 0) {
			helper_report(&e);
			goto fail;
		}
		if (cmd != NULL) {
			if (shell_quote_command(cmd, quoted, sizeof(quoted)) < 0) {
				helper_error(0, "the command is too long");
				goto fail;
			}
			via_shell[0] = u.shell;
			cmd = via_shell;
		}
	}
	child = fork();
	if (child < 0) {
		helper_error(errno, "fork");
		goto fail;
	}
	if (child == 0) {
		/* The sanitizer's core limit was for us, not the command. */
		if (setrlimit(RLIMIT_CORE, core) < 0)
			_exit(126);
		become_user_exec("nsiso-enter", &u, term, cmd);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	/* Closing the registration is the environment's "logout". */
	close(session_fd);
	user_info_free(&u);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
fail:
	close(session_fd);
	user_info_free(&u);
	return 1;
}
