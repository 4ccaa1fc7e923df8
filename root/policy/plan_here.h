/* plan_make (pure) for this host and this user: what the module, nsiso-resolve
 * and "nsiso explain" each did before plan_make, in one place. */
#ifndef NSISO_PLAN_HERE_H
#define NSISO_PLAN_HERE_H

#include "load.h"
#include "plan.h"
#include "userinfo.h"

/* Fills u->group, the primary group's name ("%g"), through NSS, or the gid
 * in decimal when the group has no entry; nothing when it is set already.
 * The user look-up leaves it out: a join never expands a template, so only
 * a build pays for this look-up. 0, or -1 with e on an NSS failure. */
int user_info_primary_group(struct user_info *u, struct nsiso_err *e);

/* The plan of lp for u on this host: the host name from uname(2), the
 * primary group's name, then plan_make. 0 with *plan, or -1 with e. */
int plan_make_here(const struct loaded_policy *lp, struct user_info *u,
		   struct env_plan *plan, struct nsiso_err *e);

#endif
