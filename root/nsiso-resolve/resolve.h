/* nsiso-resolve internals. */
#ifndef NSISO_RESOLVE_H
#define NSISO_RESOLVE_H

#include <sys/types.h>

/* nsiso-resolve digest (digest.c): what the setuid programs need of the
 * user's policy, on stdout (setuid/lib/digest.h). Returns the exit
 * status. */
int helper_digest(uid_t uid, const char *policy_dir);

#endif
