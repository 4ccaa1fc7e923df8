/* Reading a number out of /etc/login.defs' text (load.c reads the file).
 * Pure, for the unit tests. */
#ifndef NSISO_LOGIN_DEFS_H
#define NSISO_LOGIN_DEFS_H

#include <stddef.h>

/* NAME's number on the last line of text[0, len) whose first word is NAME
 * followed by a blank and a number (as sscanf("%31s %u") reads it, which is
 * how shadow-utils' getdef reads a number), or value when no line sets it.
 * text need not end with a newline or a NUL, and may be NULL when len is 0. */
unsigned login_defs_scan(const char *text, size_t len, const char *name,
			 unsigned value);

#endif
