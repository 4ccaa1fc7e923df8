/* One way to fail (doc/DESIGN.md, "Errors"): every failure is one
 * struct nsiso_err holding "verb object: reason", filled where the
 * failure happens and passed up unchanged, with context put in front as
 * it rises ("bind /srv: open /srv: Permission denied"). It is a fixed
 * array, so it crosses the status pipe and a socket as it is. Each
 * program reports it in one place: helper_error() for the privileged
 * ones (stderr and syslog authpriv), errmsg.c; glibc and musl. */
#ifndef NSISO_ERRMSG_H
#define NSISO_ERRMSG_H

#include <stdbool.h>

struct nsiso_err {
	char msg[1024];
};

/* "<fmt...>: <strerror(errnum)>", or the formatted text alone when
 * errnum is 0. Returns -1, so a failing function can end with
 * `return err_set(e, errno, "open %s", path);`. errno is preserved. */
int err_set(struct nsiso_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Puts "<fmt...>: " in front of what e holds (context, as the error
 * rises). Returns -1; errno is preserved. */
int err_wrap(struct nsiso_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* strerror(errnum) in glibc's words, in the musl programs too
 * (errno_text.c): one text per errno in every program's messages. */
#include <string.h> /* and with it __GLIBC__, or not (musl) */
#ifdef __GLIBC__
static inline const char *errno_text(int errnum)
{
	return strerror(errnum);
}
#else
const char *errno_text(int errnum);
#endif

/* Reports "IDENT: <msg>" (with ": <strerror>" when errnum != 0) on
 * stderr and to syslog authpriv (errmsg.c says when not both). */
void helper_error(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reports e (the same way as helper_error). */
void helper_report(const struct nsiso_err *e);
/* Once, at start: the program's name in messages, and whether its
 * caller logs its stderr (the module does) so syslog would repeat it. */
void helper_log_setup(const char *ident, bool logged_by_caller);

#endif
