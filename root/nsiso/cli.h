/* nsiso: the admin CLI. Each subcommand lives in its own file. */
#ifndef NSISO_CLI_H
#define NSISO_CLI_H

#include <stdbool.h>
#include <sys/types.h>

struct nsiso_reply;

/* Exit codes, documented in nsiso(8). */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1, /* check found problems; stop/explain failed */
	EXIT_USAGE = 2,
};

/* Reports "nsiso: <fmt...>" (": <strerror(errnum)>" after it unless
 * errnum is 0) on standard error: the one place messages leave (report.c). */
void cli_error(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_enter(int argc, char **argv);

int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);

/* nsiso check [--pam] DIR: prints every problem; returns the exit status.
 * nsiso enable ends with it. */
int check_run(const char *dir, bool pam);

/* nsiso check --pam: pam_nsiso's placement and the host's entry paths.
 * isolating names a policy file that isolates someone, or is NULL.
 * Returns the number of problems printed. */
int check_pam_stacks(const char *policy_dir, const char *isolating);

/* What the init behind a socket in NSISO_RUNDIR said when asked for its
 * status (envs.c). */
enum env_answer {
	ENV_ANSWERED,   /* *r is its status, *init_pid its pid */
	ENV_NONE,       /* no live environment: a stale or missing socket */
	ENV_ENDING,     /* it closed on us: it is ending */
	ENV_NOT_ROOT,   /* served by a process that is not root: not an init */
	ENV_UNANSWERED, /* live, but it does not answer: *why is the errno */
};

/* Asks the init at NSISO_RUNDIR/socket_name for its status (OP_STATUS)
 * and says which of the above it is. *init_pid is the pid of the process
 * that accepted the connection, or -1 when none did. */
enum env_answer env_ask(const char *socket_name, pid_t *init_pid,
			struct nsiso_reply *r, int *why);

#endif
