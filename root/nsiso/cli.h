/* nsiso: the admin CLI. Each subcommand lives in its own file. */
#ifndef NSISO_CLI_H
#define NSISO_CLI_H

#include <stdbool.h>

#define NSISO_VERSION "0.1.0"

/* Exit codes, documented in nsiso(8). */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1, /* check found problems; stop/explain failed */
	EXIT_USAGE = 2,
};

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

#endif
