/* The helper's and the init's error messages (glibc and musl).
 *
 * Each goes to stderr, for whoever ran the program (the admin's
 * terminal, a user's `nsiso-helper enter`), and to syslog as authpriv,
 * where the module's own messages go, unless whoever reads stderr logs
 * it there already: the module forwards a build's stderr (run_helper.c,
 * which says so with --logged-by-caller). The init's stderr is
 * /dev/null: syslog alone carries what it reports for as long as the
 * environment lives (teardown of cgroups and veths included). */
#include "errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static const char *log_ident = "nsiso-helper";
static bool stderr_logged_by_caller;

void helper_log_setup(const char *ident, bool logged_by_caller)
{
	log_ident = ident;
	stderr_logged_by_caller = logged_by_caller;
	/* LOG_NDELAY: connected now, while /dev/log is surely in view
	 * (the helper is still in the host's mount namespace; the init has
	 * just been made and nothing it does later can hide it). */
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void helper_error(int errnum, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errnum != 0)
		fprintf(stderr, "%s: %s: %s\n", log_ident, msg, errno_text(errnum));
	else
		fprintf(stderr, "%s: %s\n", log_ident, msg);
	if (stderr_logged_by_caller)
		return;
	/* The facility is named here as well: a program that never called
	 * helper_log_setup still logs to authpriv. */
	if (errnum != 0)
		syslog(LOG_AUTHPRIV | LOG_ERR, "%s: %s", msg, errno_text(errnum));
	else
		syslog(LOG_AUTHPRIV | LOG_ERR, "%s", msg);
}

void helper_report(const struct nsiso_err *e)
{
	helper_error(0, "%s", e->msg);
}
