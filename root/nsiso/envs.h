/* The live environments as nsiso list and nsiso stop walk them (envs.c). */
#ifndef NSISO_CLI_ENVS_H
#define NSISO_CLI_ENVS_H

#include <stdbool.h>
#include <sys/types.h>

#include "proto.h"

struct env {
	char socket[64];
	pid_t init_pid;     /* -1 when not even a connection was possible */
	bool answered;
	int why;            /* errno when it did not answer */
	struct nsiso_reply r;
};

/* Calls fn for each environment whose socket name is wanted (names: a
 * NULL-terminated list of exact names or "prefix*"; NULL for every one),
 * answered or not. Returns how many, or -1 when NSISO_RUNDIR cannot be
 * read (reported). */
int for_each_env(void (*fn)(const struct env *, void *), void *ctx,
		 const char *const *names);

#endif
