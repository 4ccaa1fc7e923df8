/* A PAM service's stack as nsiso reads it: where pam_nsiso is, what runs
 * after it, which lines nsiso enable wrote. One reading for check --pam,
 * enable, disable and explain, so they never disagree about a file. */
#ifndef NSISO_PAM_STACK_H
#define NSISO_PAM_STACK_H

#include <stdbool.h>
#include <stddef.h>

#define PAM_ETC_DIR "/etc/pam.d"
/* Debian 12's libpam reads a service from here when /etc/pam.d lacks it
 * (systemd ships systemd-user only here). */
#define PAM_VENDOR_DIR "/usr/lib/pam.d"

/* Linux-PAM reads a line into 1024 bytes (pam_handlers.c): a longer one
 * is not a line nsiso can say anything about. */
#define PAM_STACK_MAX_LINE 1023

/* The mark on the lines nsiso enable writes: Linux-PAM ignores what
 * follows a '#', and nsiso disable removes exactly the lines that carry
 * it, never an administrator's own. */
#define NSISO_ENABLE_MARK "# nsiso enable"
#define NSISO_ENABLE_LINE "session required pam_nsiso.so " NSISO_ENABLE_MARK "\n"

struct pam_stack_scan {
	unsigned nsiso_line;  /* the last line that runs pam_nsiso, or 0 */
	unsigned after_line;  /* the first session line or @include after it */
	char after_text[160];
	unsigned hand_line;   /* the last pam_nsiso line without the mark */
	unsigned n_marked;    /* pam_nsiso lines with the mark */
	unsigned bad_line;    /* the first line that cannot be read as PAM does */
	const char *bad_why;
};

/* Reads a stack's text (len bytes) the way check --pam always has: a
 * "session" or "-session" line, or any @include, after the pam_nsiso
 * line means that pam_nsiso is not last. */
void pam_stack_scan(const char *text, size_t len, struct pam_stack_scan *out);

/* Whether line (len bytes, no newline) is a pam_nsiso line that nsiso
 * enable wrote. */
bool pam_line_is_marked(const char *line, size_t len);

/* The first line nsiso enable writes into the copy of a vendor stack
 * (PAM_VENDOR_DIR/name) it makes in /etc/pam.d: disable knows its copies
 * by it. */
void pam_copy_header(const char *name, char *buf, size_t len);

#endif
