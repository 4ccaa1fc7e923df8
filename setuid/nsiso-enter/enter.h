/* nsiso-enter's two jobs (main.c says who may run it and how). */
#ifndef NSISO_ENTER_H
#define NSISO_ENTER_H

#include <sys/resource.h>

/* nsiso-enter [-- COMMAND...] (enter.c): the caller's own live
 * environment, as the caller. cmd: NULL for a login shell. term: a
 * checked TERM value or NULL. core: the caller's RLIMIT_CORE, given back
 * to the command. Returns the exit status. */
int enter_own_environment(char **cmd, const char *term, const struct rlimit *core);

/* nsiso-enter manager (manager.c): user@.service's main process.
 * save_environment runs before the sanitizer clears the environment: the
 * variables the manager needs, by name. Returns the exit status. */
void manager_save_environment(void);
int run_user_manager(void);

#endif
