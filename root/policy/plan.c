#include "plan.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "proto.h"
#include "template.h"

static int expand_path(const char *tmpl, const struct template_vars *vars,
		       char *out, size_t outlen, const char *ppath,
		       unsigned line, const char *key, struct nsiso_err *e)
{
	const char *why;

	if (template_expand(tmpl, vars, out, outlen) < 0) {
		err_set(e, errno, "%s:%u: %s: '%s' does not expand", ppath,
			line, key, tmpl);
		return -1;
	}
	/* A value from NSS (a user or group name) may hold '/' or be "..";
	 * the expanded path must be as normal as a literal one. */
	why = path_abnormal_reason(out);
	if (why != NULL) {
		err_set(e, 0, "%s:%u: %s: '%s' expands to '%s': %s",
			ppath, line, key, tmpl, out, why);
		return -1;
	}
	return 0;
}

static uint32_t ip4_get(const unsigned char a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

static void ip4_put(uint32_t v, unsigned char a[4])
{
	a[0] = (unsigned char)(v >> 24);
	a[1] = (unsigned char)(v >> 16);
	a[2] = (unsigned char)(v >> 8);
	a[3] = (unsigned char)v;
}

static int plan_network(const struct policy *p, const char *policy_path,
			const struct user_info *u,
			const struct template_vars *vars, struct env_plan *out,
			struct nsiso_err *e)
{
	const struct policy_network *net = &p->network;
	unsigned net_line = p->line[POLICY_KEY_NETWORK];

	out->net_mode = net->mode;
	out->net_line = net_line;
	if (net->mode == NET_NETNS) {
		if (template_expand(net->netns, vars, out->netns_name,
				    sizeof(out->netns_name)) < 0 ||
		    out->netns_name[0] == '\0' ||
		    strchr(out->netns_name, '/') != NULL ||
		    out->netns_name[0] == '.') {
			err_set(e, 0,
				"%s:%u: network: netns '%s' does not give a usable name for user %s",
				policy_path, net_line, net->netns, u->name);
			return -1;
		}
		out->netns_create = p->netns_create;
	}
	if (net->mode == NET_VETH) {
		uint32_t mask = (uint32_t)(0xffffffffull << (32 - net->prefix));
		uint32_t base = ip4_get(net->addr), addr = base;

		snprintf(out->bridge, sizeof(out->bridge), "%s", net->bridge);
		/* 5 + at most 10 digits: fits IFNAMSIZ, and an admin sees
		 * whose end it is. */
		snprintf(out->host_if, sizeof(out->host_if), "nsiso%u",
			 (unsigned)u->uid);
		if (net->pool) {
			uint64_t size = (uint64_t)~mask + 1;

			/* base + uid: unique per user, stable across logins;
			 * the network and broadcast addresses are never
			 * handed out. */
			if ((uint64_t)u->uid + 1 >= size) {
				err_set(e, 0,
					"%s:%u: network: uid %u does not fit in the /%u pool (use a larger pool)",
					policy_path, net_line, (unsigned)u->uid,
					net->prefix);
				return -1;
			}
			addr = base + (uint32_t)u->uid;
		}
		ip4_put(addr, out->addr);
		out->prefix = net->prefix;
		out->has_gateway = net->has_gateway;
		memcpy(out->gateway, net->gateway, 4);
		if ((addr & ~mask) == 0 || (addr & ~mask) == ~mask ||
		    (net->has_gateway && addr == ip4_get(net->gateway))) {
			err_set(e, 0,
				"%s:%u: network: user %s would get %u.%u.%u.%u, the network, broadcast or gateway address",
				policy_path, net_line, u->name, out->addr[0],
				out->addr[1], out->addr[2], out->addr[3]);
			return -1;
		}
	}
	return 0;
}

/* True when a comma list gives "mode=" more than once. The kernel applies
 * tmpfs options in order, so the last mode wins, while the safety check
 * (policy_tmpfs_user_writable) reads the first: "mode=0755,mode=1777"
 * over /etc/pam.d would pass as 0755 and mount world-writable. */
static bool mode_given_twice(const char *opts)
{
	int seen = 0;

	for (const char *o = opts; *o != '\0';) {
		if (strncmp(o, "mode=", 5) == 0)
			seen++;
		o += strcspn(o, ",");
		if (*o == ',')
			o++;
	}
	return seen > 1;
}

int plan_make(const struct policy *p, const char *policy_path,
	      const struct user_info *u, const char *host_name,
	      struct env_plan *out, struct nsiso_err *e)
{
	struct template_vars vars = {
		.user = u->name, .uid = u->uid_str, .group = u->group,
		.host = host_name,
	};

	memset(out, 0, sizeof(*out));
	/* The user look-up leaves it out (plan_here.h): a caller that did
	 * not fill it gets this, not a "%g" expanded from nothing. */
	if (u->group == NULL)
		return err_set(e, 0, "the primary group of %s was not looked up",
			       u->name);
	out->uid = u->uid;
	out->gid = u->gid;
	snprintf(out->user, sizeof(out->user), "%s", u->name);
	snprintf(out->home, sizeof(out->home), "%s", u->home);
	snprintf(out->policy_path, sizeof(out->policy_path), "%s", policy_path);
	out->namespaces = p->namespaces;
	out->share = p->share;
	out->linger = p->linger;
	out->logins_max = p->logins_max;
	out->stop_grace = p->stop_grace;
	out->boottime_offset = p->boottime_offset;
	out->monotonic_offset = p->monotonic_offset;
	out->has_capabilities = p->has_capabilities;
	out->cap_keep = p->cap_keep;
	out->no_new_privs = p->no_new_privs;
	out->limits = p->limits;
	for (int k = 0; k < N_LIMITS; k++)
		out->limits_line[k] = p->line[POLICY_KEY_LIMIT(k)];
	snprintf(out->cgroup_parent, sizeof(out->cgroup_parent), "%s",
		 p->cgroup_parent ? p->cgroup_parent
				  : POLICY_DEFAULT_CGROUP_PARENT);

	if (p->hostname != NULL) {
		const char *why;

		if (template_expand(p->hostname, &vars, out->hostname,
				    sizeof(out->hostname)) < 0) {
			err_set(e, 0,
				"%s:%u: hostname: '%s' for user %s is longer than 64 characters",
				policy_path, p->line[POLICY_KEY_HOSTNAME], p->hostname,
				u->name);
			return -1;
		}
		why = hostname_invalid_reason(out->hostname);
		if (why != NULL) {
			err_set(e, 0,
				"%s:%u: hostname: '%s' (from '%s' for user %s) is not a valid host name: %s",
				policy_path, p->line[POLICY_KEY_HOSTNAME], out->hostname,
				p->hostname, u->name, why);
			return -1;
		}
		out->set_hostname = true;
	}

	if (plan_network(p, policy_path, u, &vars, out, e) < 0)
		return -1;
	out->mounts = calloc(p->n_mounts ? p->n_mounts : 1, sizeof(*out->mounts));
	if (out->mounts == NULL) {
		err_set(e, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct policy_mount *m = &p->mounts[i];
		struct planned_mount *pm = &out->mounts[i];
		const char *key = policy_mount_kind_name(m->kind);
		const char *why;

		out->n_mounts++;
		pm->kind = m->kind;
		pm->line = m->line;
		pm->readonly = m->readonly;
		if (expand_path(m->target, &vars, pm->target, sizeof(pm->target),
				policy_path, m->line, key, e) < 0)
			goto fail;
		pm->per_user_target = template_is_per_user(m->target);
		why = path_forbidden_target_reason(pm->target);
		if (why != NULL) {
			err_set(e, 0, "%s:%u: %s: may not mount on '%s': %s",
				policy_path, m->line, key, pm->target, why);
			goto fail;
		}
		if (m->kind == MOUNT_BIND) {
			if (expand_path(m->source, &vars, pm->source,
					sizeof(pm->source), policy_path,
					m->line, key, e) < 0)
				goto fail;
			pm->per_user_source = template_is_per_user(m->source);
			/* The parser checks this rule on the unexpanded target;
			 * a name like "etc" turns "/%u" into /etc only here. */
			if (pm->per_user_source &&
			    path_is_setuid_sensitive(pm->target)) {
				err_set(e, 0,
					"%s:%u: bind: a per-user source ('%s') may not cover '%s', which setuid programs read",
					policy_path, m->line, m->source,
					pm->target);
				goto fail;
			}
		}
		if (m->kind == MOUNT_TMPFS) {
			const char *o = m->options ? m->options : "";
			bool has_size = strstr(o, "size=") != NULL;
			bool has_mode = strstr(o, "mode=") != NULL;
			int n;

			n = snprintf(pm->options, sizeof(pm->options),
				     "%s%s%s%s%s", o, *o && !has_size ? "," : "",
				     has_size ? "" : POLICY_TMPFS_DEFAULT_SIZE,
				     has_mode ? "" : ",",
				     has_mode ? "" : "mode=1777");
			/* A cut list would silently drop the admin's last
			 * options (a mode=0700 would become the kernel's 1777). */
			if (n < 0 || (size_t)n >= sizeof(pm->options)) {
				err_set(e, 0,
					"%s:%u: tmpfs: options are longer than %zu bytes with the defaults added",
					policy_path, m->line,
					sizeof(pm->options) - 1);
				goto fail;
			}
			if (mode_given_twice(pm->options)) {
				err_set(e, 0,
					"%s:%u: tmpfs: option 'mode' is given more than once",
					policy_path, m->line);
				goto fail;
			}
			/* Checked again after expansion: "/%u" for a user
			 * named "etc" is /etc. */
			if (path_is_setuid_sensitive(pm->target) &&
			    policy_tmpfs_user_writable(pm->options)) {
				err_set(e, 0,
					"%s:%u: tmpfs: '%s' is read by setuid programs: give a mode= without group or other write",
					policy_path, m->line, pm->target);
				goto fail;
			}
		}
	}
	return 0;
fail:
	plan_free(out);
	return -1;
}
