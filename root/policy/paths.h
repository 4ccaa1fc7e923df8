/* Pure path rules for policy mounts: normal form and mount safety. */
#ifndef NSISO_PATHS_H
#define NSISO_PATHS_H

#include <stdbool.h>

/* NULL when path is absolute and normal (no empty, "." or ".." component,
 * no trailing '/', no control characters), else a static reason. "/" is
 * normal. Templates are not expanded here; '%' is an ordinary byte. */
const char *path_abnormal_reason(const char *path);

/* True when a == b or a is a directory ancestor of b ("/run" of
 * "/run/utmp", not of "/running"). */
bool path_covers(const char *a, const char *b);

/* NULL when a mount may be placed on target, else a static reason: the
 * targets doc/DESIGN.md, "Mount safety", reserves (/proc, /sys, /dev
 * except /dev/shm, /dev/pts, /run/utmp, /run/dbus, /run/systemd, /var/log,
 * /run/nsiso) and anything covering them, including "/". */
const char *path_forbidden_target_reason(const char *target);

/* True when target is, lies under, or covers a tree that setuid programs
 * read (/etc /usr /bin /sbin /lib /lib64 /lib32 /libx32): a user-writable
 * source may not be bound there. */
bool path_is_setuid_sensitive(const char *target);

#endif
