/* The last step of `nsiso enter` and `nsiso-helper enter`: in a child that
 * already joined the environment, drop every privilege to the user's and
 * exec a login shell or a command. One copy, because it is the step that
 * must never leave root behind. */
#ifndef NSISO_BECOME_USER_H
#define NSISO_BECOME_USER_H

#include <sys/types.h>

#include "userinfo.h"

/* Sets real, effective and saved gid and uid to the user's and checks
 * that root cannot be regained. Supplementary groups are the caller's
 * business (set or cleared before). 0, or -1 with errno (EPERM when root
 * could still be regained). */
int drop_to_user_ids(uid_t uid, gid_t gid);

/* The environment a login starts with, and nothing of the caller's:
 * cleared, then HOME, USER, LOGNAME, SHELL and PATH for u. What else a
 * caller passes (TERM, XDG_RUNTIME_DIR, the user manager's variables) it
 * sets after. 0, or -1 with errno. */
int login_environment(const struct user_info *u);

/* prog prefixes messages ("nsiso", "nsiso-helper"); term is the TERM to
 * pass on, or NULL for none; cmd NULL (or empty) runs "-SHELL". Exits 126
 * when the drop fails, 127 when the exec does. Never returns. */
__attribute__((noreturn)) void become_user_exec(const char *prog,
						 const struct user_info *u,
						 const char *term, char **cmd);

/* For an environment with a user namespace, a command must run through
 * the login shell (nsiso-shell makes the namespace): cmd quoted for
 * "SHELL -c" into buf, each word in single quotes. 0, or -1 when it does
 * not fit. */
int shell_quote_command(char **cmd, char *buf, size_t len);

#endif
