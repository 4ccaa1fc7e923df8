/* A policy made concrete for one user: templates expanded and every
 * expanded path checked again. Pure: the caller supplies the host name. */
#ifndef NSISO_PLAN_H
#define NSISO_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"
#include "userinfo.h"

struct planned_mount {
	enum mount_kind kind;
	char source[PATH_MAX];   /* bind only */
	char target[PATH_MAX];
	char options[256];       /* tmpfs: full option string incl. defaults */
	bool readonly;
	bool per_user_source;    /* built from %u/%U/%g: resolve as the user */
	bool per_user_target;
	unsigned line;
};

struct env_plan {
	uid_t uid;
	gid_t gid;
	char user[64];
	/* The user's home from NSS: a policy path at or under it is as much
	 * the user's as one built from %u (root/nsiso-helper/userfs.c). */
	char home[PATH_MAX];
	unsigned namespaces;
	enum policy_share share;
	unsigned linger;
	unsigned logins_max;
	unsigned stop_grace;
	bool set_hostname;
	char hostname[65];
	struct planned_mount *mounts;
	size_t n_mounts;
	char policy_path[256];
	/* network: see struct policy_network */
	enum net_mode net_mode;
	unsigned net_line;
	char netns_name[256];     /* NET_NETNS, expanded */
	bool netns_create;
	char bridge[16];          /* NET_VETH */
	char host_if[16];         /* NET_VETH: the host end, "nsiso<uid>" */
	unsigned char addr[4];    /* NET_VETH: this user's address */
	unsigned prefix;
	bool has_gateway;
	unsigned char gateway[4];
	/* time: applied by each joining process (envjoin.c), not the init */
	long long boottime_offset;
	long long monotonic_offset;
	/* capabilities, no_new_privs: also applied by each joining process */
	bool has_capabilities;
	uint64_t cap_keep;
	bool no_new_privs;
	/* cgroup: the limits, and the parent directory used on hosts
	 * without systemd (root/nsiso-helper/cgroup.c) */
	struct env_limits limits;
	unsigned limits_line[N_LIMITS];
	char cgroup_parent[POLICY_MAX_CGROUP_PARENT + 1];
};

/* The veth's end inside the environment. */
#define PLAN_VETH_INSIDE "eth0"

/* Returns 0, or -1 with "path:line: reason" in e. */
int plan_make(const struct policy *p, const char *policy_path,
	      const struct user_info *u, const char *host_name,
	      struct env_plan *out, struct nsiso_err *e);
/* plan_free and plan_fill_reply are in glibc-musl/plan_wire.c, with the
 * plan's wire form: the static nsiso-helper needs them without the
 * policy code. */
void plan_free(struct env_plan *plan);

struct nsiso_reply;
/* The part of an init's register reply that each joining process applies
 * itself (time offsets, bounding set, no_new_privs): taken from the plan the environment was built
 * from, so every login gets what the environment was built with. */
void plan_fill_reply(const struct env_plan *plan, struct nsiso_reply *r);

#endif
