#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "template.h"

static int expand_path(const char *tmpl, const struct template_vars *vars,
		       char *out, size_t outlen, const char *ppath,
		       unsigned line, const char *key, char *err, size_t errlen)
{
	const char *why;

	if (template_expand(tmpl, vars, out, outlen) < 0) {
		snprintf(err, errlen, "%s:%u: %s: '%s' does not expand: %s",
			 ppath, line, key, tmpl, strerror(errno));
		return -1;
	}
	/* A value from NSS (a user or group name) may hold '/' or be "..";
	 * the expanded path must be as normal as a literal one. */
	why = path_abnormal_reason(out);
	if (why != NULL) {
		snprintf(err, errlen, "%s:%u: %s: '%s' expands to '%s': %s",
			 ppath, line, key, tmpl, out, why);
		return -1;
	}
	return 0;
}

int plan_make(const struct policy *p, const char *policy_path,
	      const struct user_info *u, const char *host_name,
	      struct env_plan *out, char *err, size_t errlen)
{
	struct template_vars vars = {
		.user = u->name, .uid = u->uid_str, .group = u->group,
		.host = host_name,
	};

	memset(out, 0, sizeof(*out));
	out->uid = u->uid;
	out->gid = u->gid;
	snprintf(out->user, sizeof(out->user), "%s", u->name);
	snprintf(out->policy_path, sizeof(out->policy_path), "%s", policy_path);
	out->namespaces = p->namespaces;
	out->share = p->share;
	out->linger = p->linger;

	if (p->hostname != NULL) {
		const char *why;

		if (template_expand(p->hostname, &vars, out->hostname,
				    sizeof(out->hostname)) < 0) {
			snprintf(err, errlen,
				 "%s:%u: hostname: '%s' for user %s is longer than 64 characters",
				 policy_path, p->hostname_line, p->hostname,
				 u->name);
			return -1;
		}
		why = hostname_invalid_reason(out->hostname);
		if (why != NULL) {
			snprintf(err, errlen,
				 "%s:%u: hostname: '%s' (from '%s' for user %s) is not a valid host name: %s",
				 policy_path, p->hostname_line, out->hostname,
				 p->hostname, u->name, why);
			return -1;
		}
		out->set_hostname = true;
	}

	out->mounts = calloc(p->n_mounts ? p->n_mounts : 1, sizeof(*out->mounts));
	if (out->mounts == NULL) {
		snprintf(err, errlen, "out of memory");
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
				policy_path, m->line, key, err, errlen) < 0)
			goto fail;
		pm->per_user_target = template_is_per_user(m->target);
		why = path_forbidden_target_reason(pm->target);
		if (why != NULL) {
			snprintf(err, errlen, "%s:%u: %s: may not mount on '%s': %s",
				 policy_path, m->line, key, pm->target, why);
			goto fail;
		}
		if (m->kind == MOUNT_BIND) {
			if (expand_path(m->source, &vars, pm->source,
					sizeof(pm->source), policy_path,
					m->line, key, err, errlen) < 0)
				goto fail;
			pm->per_user_source = template_is_per_user(m->source);
			/* The parser checks this rule on the unexpanded target;
			 * a name like "etc" turns "/%u" into /etc only here. */
			if (pm->per_user_source &&
			    path_is_setuid_sensitive(pm->target)) {
				snprintf(err, errlen,
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
				snprintf(err, errlen,
					 "%s:%u: tmpfs: options are longer than %zu bytes with the defaults added",
					 policy_path, m->line,
					 sizeof(pm->options) - 1);
				goto fail;
			}
			/* Checked again after expansion: "/%u" for a user
			 * named "etc" is /etc. */
			if (path_is_setuid_sensitive(pm->target) &&
			    policy_tmpfs_user_writable(pm->options)) {
				snprintf(err, errlen,
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

void plan_free(struct env_plan *plan)
{
	free(plan->mounts);
	plan->mounts = NULL;
	plan->n_mounts = 0;
}
