/* /etc/subuid and /etc/subgid (subuid(5)): the subordinate range an admin
 * gave a user, for nsiso-shell's userns_subids. Pure: text in, range out. */
#ifndef NSISO_SUBID_H
#define NSISO_SUBID_H

#include <stddef.h>
#include <sys/types.h>

#include "errmsg.h"

/* Finds the first "NAME:START:COUNT" or "UID:START:COUNT" line for the
 * user. Returns 1 and fills start/count, 0 when there is none, or -1 with
 * the reason in e for a matching line that is malformed or unsafe: the
 * range may not be empty, wrap, contain id 0 or own_id (the user's own
 * uid or gid, which is mapped separately), or start below min_start
 * (SUB_UID_MIN or SUB_GID_MIN). */
int subid_find(const char *text, size_t len, const char *name, unsigned long id,
	       unsigned long own_id, unsigned long min_start, unsigned long *start,
	       unsigned long *count, struct nsiso_err *e);

#endif
