/* The helper's and the init's error messages (errmsg.c; glibc and musl). */
#ifndef NSISO_ERRMSG_H
#define NSISO_ERRMSG_H

#include <stdbool.h>

/* Reports "IDENT: <msg>" (with ": <strerror>" when errnum != 0) on
 * stderr and to syslog authpriv (errmsg.c says when not both). */
void helper_error(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Once, at start: the program's name in messages, and whether its
 * caller logs its stderr (the module does) so syslog would repeat it. */
void helper_log_setup(const char *ident, bool logged_by_caller);

#endif
