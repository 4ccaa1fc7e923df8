/* A uid on a command line (nsiso-helper's and nsiso-resolve's --uid). */
#ifndef NSISO_UID_ARG_H
#define NSISO_UID_ARG_H

#include <sys/types.h>

/* Decimal digits only: no sign, no blanks, no suffix, below (uid_t)-1.
 * 0 with *uid, or -1. */
int uid_arg_parse(const char *text, uid_t *uid);

#endif
