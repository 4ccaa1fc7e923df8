/* Where a process sits in the cgroup v2 tree, and whether that is inside
 * the user's logind slice: on a systemd host an environment's limits are
 * the slice's, so only logins inside it are limited. */
#ifndef NSISO_CGPATH_H
#define NSISO_CGPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* systemd's own test (sd_booted): it runs the host, so its units, not we,
 * own the cgroup tree (systemd.io/CGROUP_DELEGATION). */
#define CGPATH_SYSTEMD_MARKER "/run/systemd/system"

/* The caller's cgroup v2 path from /proc/self/cgroup (its "0::" line), as
 * its cgroup namespace shows it. 0, or -1 with errno (ENOENT: no v2). */
int cgpath_self(char *buf, size_t len);

/* "/user.slice/user-UID.slice" */
void cgpath_user_slice(uid_t uid, char *buf, size_t len);

/* Whether path is inside uid's slice (below it, not the slice itself). */
bool cgpath_in_user_slice(const char *path, uid_t uid);

/* Whether the calling process is inside uid's slice: 1 or 0, with its
 * cgroup path in where (for the message); -1 with errno when
 * /proc/self/cgroup cannot be read. */
int cgpath_self_in_user_slice(uid_t uid, char *where, size_t len);

#endif
