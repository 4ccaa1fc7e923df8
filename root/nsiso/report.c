/* Where nsiso's error messages leave: standard error, as
 * "nsiso: verb object: reason" (doc/DESIGN.md, "Errors"). The admin runs
 * nsiso at a terminal or from a script; what a command prints on
 * standard output is its result, never an error. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_error(int errnum, const char *fmt, ...)
{
	char msg[2048];
	int saved = errno; /* callers test errno after reporting */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errnum != 0)
		fprintf(stderr, "nsiso: %s: %s\n", msg, strerror(errnum));
	else
		fprintf(stderr, "nsiso: %s\n", msg);
	errno = saved;
}
