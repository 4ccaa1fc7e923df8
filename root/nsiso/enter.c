/* nsiso enter USER [-- COMMAND...]: a shell or command inside USER's
 * environment, as USER, like `machinectl shell`. Root only.
 *
 * It registers with the environment's init like a login does (so the
 * environment stays alive while it runs), joins with setns() on the init's
 * pidfd, and forks the command into the PID namespace. When standard input
 * is a terminal the command gets a new pty of the environment's own, so it
 * never holds the admin's terminal (no TIOCSTI into the admin's shell). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "policy.h"
#include "become_user.h"
#include "envjoin.h"
#include "proto.h"
#include "userinfo.h"

static const char usage_text[] =
	"usage: nsiso enter USER [-- COMMAND [ARG...]]\n"
	"Runs a login shell (or COMMAND) as USER inside USER's live environment.\n"
	"Root may enter anyone's; a user only their own (through nsiso-helper).\n";

/* The joined environment's namespaces (the register reply's). */
static unsigned env_namespaces;

static int join(const struct user_info *u, int *session_fd)
{
	struct env_join j;
	struct nsiso_err e = { "" };
	char name[64];

	proto_user_socket_name(u->uid, name, sizeof(name));
	if (env_register(name, u->uid, &j, &e) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			cli_error(0, "%s has no live environment (%s)",
				u->name, e.msg);
		else
			cli_error(0, "%s", e.msg);
		return -1;
	}
	if (env_enter(&j, &e) < 0) {
		cli_error(0, "%s", e.msg);
		env_join_done(&j);
		close(j.sock);
		return -1;
	}
	env_join_done(&j);
	env_namespaces = j.reply.namespaces;
	*session_fd = j.sock;
	return 0;
}

/* In the child: become the user, then exec. The admin's TERM is kept
 * (the pty is drawn on the admin's terminal); "xterm" when there is none. */
__attribute__((noreturn)) static void exec_as_user(const struct user_info *u,
						   char **cmd)
{
	const char *term = getenv("TERM");
	static char quoted[65536];
	char *via_shell[] = { u->shell, "-c", quoted, NULL };

	/* With a user namespace the login shell (nsiso-shell) makes it, and
	 * the policy's limits with it: a command goes through it too. */
	if ((env_namespaces & NSISO_NS_USER) && cmd != NULL) {
		if (shell_quote_command(cmd, quoted, sizeof(quoted)) < 0) {
			cli_error(0, "the command is too long");
			_exit(126);
		}
		cmd = via_shell;
	}
	become_user_exec("nsiso", u, term ? term : "xterm", cmd);
}

static volatile sig_atomic_t winch;
static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

/* Copies between the admin's terminal and the pty until the command's side
 * closes. */
static void relay(int master)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
			       { .fd = master, .events = POLLIN } };
	char buf[4096];

	for (;;) {
		if (winch) {
			struct winsize ws;

			winch = 0;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				/* A lost resize only misdraws: safe to ignore. */
				(void)ioctl(master, TIOCSWINSZ, &ws);
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				p[0].fd = -1; /* admin's input closed */
			else if (write(master, buf, (size_t)n) != n)
				return;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(master, buf, sizeof(buf));
			if (n <= 0)
				return; /* EIO: every holder of the pty is gone */
			if (write(STDOUT_FILENO, buf, (size_t)n) != n)
				return;
		}
	}
}

static int run_on_pty(const struct user_info *u, char **cmd)
{
	struct termios saved, raw;
	struct winsize ws;
	struct sigaction sa = { .sa_handler = on_winch };
	int master, status = 0;
	pid_t child;

	if (tcgetattr(STDIN_FILENO, &saved) < 0 ||
	    ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0) {
		cli_error(errno, "read the terminal");
		return 1;
	}
	/* The pty is opened after setns(), from the environment's /dev/pts. */
	child = forkpty(&master, NULL, &saved, &ws);
	if (child < 0) {
		cli_error(errno, "forkpty");
		return 1;
	}
	if (child == 0)
		exec_as_user(u, cmd);
	sigaction(SIGWINCH, &sa, NULL);
	raw = saved;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	relay(master);
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(master);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_plain(const struct user_info *u, char **cmd)
{
	int status = 0;
	pid_t child = fork();

	if (child < 0) {
		cli_error(errno, "fork");
		return 1;
	}
	if (child == 0) {
		/* No terminal is passed in: a session of its own keeps the
		 * command away from whatever terminal the admin has. */
		if (setsid() < 0)
			_exit(126);
		exec_as_user(u, cmd);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_enter(int argc, char **argv)
{
	struct user_info u;
	struct nsiso_err shell_err = { "" };
	char **cmd = NULL;
	int session_fd = -1, rc;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (argc < 2 || argv[1][0] == '-' ||
	    (argc > 2 && (strcmp(argv[2], "--") != 0 || argc == 3))) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (argc > 3)
		cmd = argv + 3;
	/* What the admin's shell or script holds open (/etc/shadow, a
	 * root-owned log, a socket) is not the user's: the command gets 0-2
	 * only, as from the setuid helper, which closes the rest too. */
	if (close_range(3, ~0U, 0) < 0) {
		cli_error(errno, "close inherited descriptors (close_range)");
		return EXIT_PROBLEMS;
	}
	if (user_info_by_name(argv[1], &u, &shell_err) < 0) {
		cli_error(0, "%s", shell_err.msg);
		return EXIT_PROBLEMS;
	}
	if (geteuid() != 0) {
		/* A user may enter their own environment only, through the
		 * setuid nsiso-enter, which acts for the real uid and nothing
		 * else (NSISO_ENTER names another one, for tests: this program
		 * is not setuid, so the choice is the user's own). */
		const char *enter = getenv("NSISO_ENTER");
		/* nsiso-enter -- CMD...: every word of the command, however
		 * many (argc bounds them). */
		const char **hargv;
		int n = 1;

		if (u.uid != getuid()) {
			cli_error(0, "only root may enter another user's environment");
			user_info_free(&u);
			return EXIT_PROBLEMS;
		}
		user_info_free(&u);
		hargv = calloc((size_t)argc + 3, sizeof(*hargv));
		if (hargv == NULL) {
			cli_error(0, "out of memory");
			return EXIT_PROBLEMS;
		}
		hargv[0] = "nsiso-enter";
		if (cmd != NULL) {
			hargv[n++] = "--";
			for (char **c = cmd; *c != NULL; c++)
				hargv[n++] = *c;
			hargv[n] = NULL;
		}
		if (enter == NULL || enter[0] != '/')
			enter = NSISO_ENTER_PATH;
		execv(enter, (char *const *)hargv);
		cli_error(errno, "exec %s", enter);
		free(hargv);
		return EXIT_PROBLEMS;
	}
	if (join(&u, &session_fd) < 0) {
		user_info_free(&u);
		return EXIT_PROBLEMS;
	}
	if ((env_namespaces & NSISO_NS_USER) &&
	    env_check_login_shell(u.shell, &shell_err) < 0) {
		cli_error(0, "%s", shell_err.msg);
		close(session_fd);
		user_info_free(&u);
		return EXIT_PROBLEMS;
	}
	rc = isatty(STDIN_FILENO) ? run_on_pty(&u, cmd) : run_plain(&u, cmd);
	close(session_fd);
	user_info_free(&u);
	return rc;
}
