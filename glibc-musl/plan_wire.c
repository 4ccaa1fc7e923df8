/* The plan's wire form (plan_wire.h), and the two plan functions that the
 * static nsiso-helper needs without the policy code. */
#include "plan_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

void plan_free(struct env_plan *plan)
{
	free(plan->mounts);
	plan->mounts = NULL;
	plan->n_mounts = 0;
}

void plan_fill_reply(const struct env_plan *plan, struct nsiso_reply *r)
{
	r->boottime_offset = plan->boottime_offset;
	r->monotonic_offset = plan->monotonic_offset;
	r->cap_keep = plan->cap_keep;
	r->session_flags = (plan->has_capabilities ? NSISO_SESSION_CAPS : 0u) |
			   (plan->no_new_privs ? NSISO_SESSION_NNP : 0u);
}

int plan_wire_pack(const struct env_plan *plan, char **buf, size_t *len)
{
	struct plan_wire_header h = {
		.plan_size = sizeof(struct env_plan),
		.mount_size = sizeof(struct planned_mount),
	};
	struct env_plan flat = *plan;
	size_t mounts_len, total;
	char *out;

	if (plan->n_mounts > POLICY_MAX_MOUNTS) {
		errno = E2BIG;
		return -1;
	}
	memcpy(h.magic, PLAN_WIRE_MAGIC, sizeof(h.magic));
	h.n_mounts = (uint32_t)plan->n_mounts;
	flat.mounts = NULL; /* an address means nothing to the reader */
	mounts_len = plan->n_mounts * sizeof(struct planned_mount);
	total = sizeof(h) + sizeof(flat) + mounts_len;
	out = malloc(total);
	if (out == NULL)
		return -1;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), &flat, sizeof(flat));
	if (mounts_len > 0)
		memcpy(out + sizeof(h) + sizeof(flat), plan->mounts, mounts_len);
	*buf = out;
	*len = total;
	return 0;
}

#define ENDED(field) (memchr((field), '\0', sizeof(field)) != NULL)

/* What could make the builder read past a field or take a branch that
 * does not exist: the strings' ends, and the enums' ranges. */
static const char *plan_fault(const struct env_plan *p)
{
	if (!ENDED(p->user) || !ENDED(p->home) || !ENDED(p->hostname) ||
	    !ENDED(p->policy_path) || !ENDED(p->netns_name) ||
	    !ENDED(p->bridge) || !ENDED(p->host_if) || !ENDED(p->cgroup_parent))
		return "a string without its end";
	if (p->share != SHARE_USER && p->share != SHARE_SESSION)
		return "an unknown share";
	if (p->net_mode != NET_UNSET && p->net_mode != NET_LOOPBACK &&
	    p->net_mode != NET_NETNS && p->net_mode != NET_VETH)
		return "an unknown network mode";
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct planned_mount *m = &p->mounts[i];

		if (!ENDED(m->source) || !ENDED(m->target) || !ENDED(m->options))
			return "a mount's string without its end";
		if (m->kind != MOUNT_TMPFS && m->kind != MOUNT_BIND &&
		    m->kind != MOUNT_READONLY && m->kind != MOUNT_HIDE)
			return "an unknown mount kind";
	}
	return NULL;
}

int plan_wire_unpack(const char *buf, size_t len, struct env_plan *plan,
		     struct nsiso_err *e)
{
	struct plan_wire_header h;
	size_t mounts_len;
	const char *fault;

	memset(plan, 0, sizeof(*plan));
	if (len < sizeof(h))
		return err_set(e, 0, "read the plan: %zu bytes, too short", len);
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, PLAN_WIRE_MAGIC, sizeof(h.magic)) != 0 ||
	    h.plan_size != sizeof(struct env_plan) ||
	    h.mount_size != sizeof(struct planned_mount) || h.zero != 0)
		return err_set(e, 0,
			       "read the plan: not a plan of this build (the module and nsiso-helper must come from one installation)");
	if (h.n_mounts > POLICY_MAX_MOUNTS)
		return err_set(e, 0, "read the plan: %u mounts, at most %d",
			       (unsigned)h.n_mounts, POLICY_MAX_MOUNTS);
	mounts_len = (size_t)h.n_mounts * sizeof(struct planned_mount);
	if (len != sizeof(h) + sizeof(*plan) + mounts_len)
		return err_set(e, 0, "read the plan: %zu bytes, not %zu", len,
			       sizeof(h) + sizeof(*plan) + mounts_len);
	memcpy(plan, buf + sizeof(h), sizeof(*plan));
	plan->mounts = NULL;
	plan->n_mounts = 0;
	if (mounts_len > 0) {
		plan->mounts = malloc(mounts_len);
		if (plan->mounts == NULL)
			return err_set(e, ENOMEM, "read the plan");
		memcpy(plan->mounts, buf + sizeof(h) + sizeof(*plan), mounts_len);
		plan->n_mounts = h.n_mounts;
	}
	fault = plan_fault(plan);
	if (fault != NULL) {
		plan_free(plan);
		return err_set(e, 0, "read the plan: %s", fault);
	}
	return 0;
}
