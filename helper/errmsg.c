/* The helper's error messages, shared with nsiso-init (glibc and musl).
 * The helper's stderr is a pipe the module forwards to syslog; the init's
 * is /dev/null (build.c), as it was when the init was the forked helper. */
#include "initstate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void helper_error(int errnum, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errnum != 0)
		fprintf(stderr, "nsiso-helper: %s: %s\n", msg, strerror(errnum));
	else
		fprintf(stderr, "nsiso-helper: %s\n", msg);
}
