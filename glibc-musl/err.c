/* struct nsiso_err, filled and passed up (errmsg.h; doc/DESIGN.md,
 * "Errors"). Apart from errmsg.c's reporting, so that what only fills an
 * error (the join, which the PAM module links too) links no syslog of
 * ours. glibc and musl. */
#include "errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct nsiso_err *e, int errnum, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (errnum != 0 && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s",
			 errno_text(errnum));
	errno = saved;
	return -1;
}

int err_wrap(struct nsiso_err *e, const char *fmt, ...)
{
	int saved = errno;
	char context[sizeof(e->msg)], whole[2 * sizeof(e->msg) + 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	/* Truncation keeps the front (the outer context) and as much of the
	 * cause as fits: both are what an admin reads first. */
	snprintf(whole, sizeof(whole), "%s: %s", context, e->msg);
	memcpy(e->msg, whole, sizeof(e->msg) - 1);
	e->msg[sizeof(e->msg) - 1] = '\0';
	errno = saved;
	return -1;
}
