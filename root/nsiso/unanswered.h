/* An environment whose init does not answer its socket: its pid, and a
 * way to end it anyway (unanswered.c). */
#ifndef NSISO_CLI_UNANSWERED_H
#define NSISO_CLI_UNANSWERED_H

#include <stddef.h>
#include <sys/types.h>

/* Why an init did not answer, from the errno of the attempt. */
const char *unanswered_why(int errnum);

/* The init holding the socket listening at NSISO_RUNDIR/socket_name, or
 * -1 when no process does. */
pid_t unanswered_init_pid(const char *socket_name);

/* Ends the environment through the init's pidfd: SIGTERM (its own
 * teardown), SIGKILL after 10 s. pid is the init's (from SO_PEERCRED) or
 * -1 to find it. Writes what was done to how; 0 when it is gone. */
int unanswered_end(pid_t pid, const char *socket_name, char *how, size_t len);

#endif
