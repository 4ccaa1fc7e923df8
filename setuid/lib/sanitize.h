/* The first thing every program started by someone else does (the setuid
 * nsiso-enter and nsiso-shell, and nsiso-helper, which root's callers
 * start from sshd, su or systemd): nothing inherited is trusted. One copy
 * (sanitize.c), because it is the step an attacker shapes. */
#ifndef NSISO_SANITIZE_H
#define NSISO_SANITIZE_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <signal.h>

/* What the caller had, kept for a program that hands it on (the shell
 * gets the caller's environment, umask, signal mask, core limit and
 * working directory back, as a login shell would). */
struct caller_state {
	char **env;          /* copied when asked for, else NULL */
	mode_t umask;
	sigset_t sigmask;
	struct rlimit core;
	int cwd_fd;          /* the caller's working directory, or -1 */
};

/* What a program keeps of its caller: the shell hands on the caller's
 * environment, umask, signal mask, core limit and working directory, as
 * a login shell would; the others keep the core limit and old mask in st
 * for reference but run on with no signal blocked and no working
 * directory of the caller's (st->env NULL, st->cwd_fd -1). */
enum sanitize_keep {
	SANITIZE_HAND_ON,
	SANITIZE_FORGET,
};

/* Non-dumpable first; fds 0-2 open and nothing else; every disposition
 * default (set with every signal blocked, the old mask kept); no core
 * file; umask 077; cwd /; the environment cleared but for a fixed PATH
 * (copied into st->env first with SANITIZE_HAND_ON). A failure exits
 * 127: the process cannot even report safely yet. prog names the program
 * in the one message it can give (an environment too large to copy). */
void sanitize_start(const char *prog, struct caller_state *st,
		    enum sanitize_keep keep);

#endif
