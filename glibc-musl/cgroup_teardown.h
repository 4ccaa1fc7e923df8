/* The environment's cgroup directory at its end (cgroup_teardown.c;
 * glibc and musl). */
#ifndef NSISO_CGROUP_TEARDOWN_H
#define NSISO_CGROUP_TEARDOWN_H

#include "handoff.h"

/* remove: the helper, after a failed build. leave_and_remove: the init,
 * at teardown. */
void env_cgroup_remove(const struct init_state *st);
void env_cgroup_leave_and_remove(const struct init_state *st);

#endif
