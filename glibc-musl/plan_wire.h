/* A plan (root/policy/plan.h) as bytes, for the one hand-over of the
 * first login: the PAM module and nsiso-resolve, which resolve the user
 * through NSS, give it to the static nsiso-helper, which cannot
 * (doc/DESIGN.md, "Privilege"). Both ends are built from one tree and
 * installed together, so the form is the structs' own memory; the header
 * names their sizes, and a plan of another build is refused, not read. */
#ifndef NSISO_PLAN_WIRE_H
#define NSISO_PLAN_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "plan.h"

#define PLAN_WIRE_MAGIC "nsisoPL1"

struct plan_wire_header {
	char magic[8];
	uint32_t plan_size;  /* sizeof(struct env_plan) */
	uint32_t mount_size; /* sizeof(struct planned_mount) */
	uint32_t n_mounts;
	uint32_t zero;
};

/* nsiso-resolve build's exit status when --for-manager is given and the
 * user is not isolated: no plan, and no error (root/nsiso-resolve). */
#define RESOLVE_NOT_ISOLATED 3

/* The largest plan the form allows: POLICY_MAX_MOUNTS mounts. */
#define PLAN_WIRE_MAX                                                        \
	(sizeof(struct plan_wire_header) + sizeof(struct env_plan) +          \
	 POLICY_MAX_MOUNTS * sizeof(struct planned_mount))

/* The header, the plan (its mounts pointer zeroed), then its mounts, in a
 * malloc'd *buf of *len bytes. 0, or -1 with errno (ENOMEM; E2BIG: more
 * than POLICY_MAX_MOUNTS mounts). */
int plan_wire_pack(const struct env_plan *plan, char **buf, size_t *len);

/* The plan in buf[0..len), checked: this build's sizes, at most
 * POLICY_MAX_MOUNTS mounts, every string ended inside its field, every
 * kind and mode one this build knows. 0 with *plan (plan_free it), or -1
 * with the reason in e and nothing to free. */
int plan_wire_unpack(const char *buf, size_t len, struct env_plan *plan,
		     struct nsiso_err *e);

#endif
