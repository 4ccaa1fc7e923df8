/* Running systemctl and collecting what it says: one runner for the
 * helper (the limits on a user's slice, root/nsiso-helper/slice.c) and the CLI
 * (nsiso enable, the user manager reports, root/nsiso/systemctl.c). Not linked
 * into the PAM module, which runs no program but the helper. */
#ifndef NSISO_RUN_CMD_H
#define NSISO_RUN_CMD_H

#include <stddef.h>

/* /usr/bin/systemctl or /bin/systemctl, whichever is executable, or
 * NULL. */
const char *systemctl_path(void);

/* The whole environment systemctl runs with: nothing of the caller's
 * (an admin's shell, a user's login) changes what it does or how it
 * words its output. */
extern char *const systemctl_envp[];

/* The step of run_collect that failed, for the caller's message. */
enum run_failure { RUN_FAILED_PIPE = 1, RUN_FAILED_FORK, RUN_FAILED_WAITPID };

/* Runs path with argv and exactly envp, stdin from /dev/null; stdout and
 * stderr are collected into out (outlen > 0; trailing newlines cut; the
 * start kept when it is longer). Returns the exit status (127: it could
 * not be exec'd), 128 + the signal that ended it, or -1 with errno set
 * and *failed the step that failed; nothing is printed. */
int run_collect(const char *path, char *const argv[], char *const envp[],
		char *out, size_t outlen, enum run_failure *failed);

#endif
