/* nsiso explain USER: the same resolution a login makes, spelled out. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "entry_paths.h"
#include "envjoin.h"
#include "load.h"
#include "cgpath.h"
#include "namespaces.h"
#include "plan_here.h"
#include "proto.h"
#include "unanswered.h"

/* Where the environment's processes and limits are depends on the host
 * (root/nsiso-helper/cgroup.c, root/nsiso-helper/slice.c): say which this host is. */
static void explain_cgroup(const struct env_plan *plan)
{
	bool systemd = access(CGPATH_SYSTEMD_MARKER, F_OK) == 0;
	char v[32];

	if (!(plan->namespaces & NSISO_NS_CGROUP)) {
		printf("cgroup:     the login's own (no cgroup namespace, no limits)\n");
		return;
	}
	if (systemd)
		printf("cgroup:     logins stay in their logind scopes in user-%u.slice; each gets a cgroup namespace rooted there\n",
		       (unsigned)plan->uid);
	else
		printf("cgroup:     every login moves into <cgroup2>/%s/%s, the root of the environment's cgroup namespace\n",
		       plan->cgroup_parent,
		       plan->share == SHARE_USER ? "user-UID" : "session-UID-ID");
	if (!limits_any(&plan->limits)) {
		printf("limits:     none\n");
		return;
	}
	printf("limits:    ");
	for (int k = 0; k < N_LIMITS; k++) {
		if (!plan->limits.set[k])
			continue;
		limit_human((enum limit_kind)k, plan->limits.value[k], v, sizeof(v));
		printf(" %s=%s", limit_key((enum limit_kind)k), v);
	}
	if (systemd)
		printf(" (on user-%u.slice, set with systemctl set-property --runtime: all of the user's logins together)\n",
		       (unsigned)plan->uid);
	else
		printf(" (on the environment's cgroup directory)\n");
}

static void print_plan(const struct env_plan *plan, const struct policy *p,
		       const char *login_shell)
{
	char ns[128];

	nsiso_ns_names(plan->namespaces, ns, sizeof(ns));
	printf("namespaces: %s\n", ns);
	if (plan->set_hostname)
		printf("hostname:   %s (from '%s')\n", plan->hostname, p->hostname);
	else
		printf("hostname:   the host's\n");
	printf("share:      %s (%s)\n", plan->share == SHARE_USER ? "user" : "session",
	       plan->share == SHARE_USER ? "every login of the user joins one environment"
					 : "a new environment per login");
	printf("linger:     %u s\n", plan->linger);
	printf("logins_max: %u open logins at once\n", plan->logins_max);
	if (plan->namespaces & NSISO_NS_PID)
		printf("stop_grace: %u s between SIGTERM and SIGKILL at nsiso stop\n",
		       plan->stop_grace);
	switch (plan->net_mode) {
	case NET_UNSET:
		printf("network:    the host's\n");
		break;
	case NET_LOOPBACK:
		printf("network:    loopback only\n");
		break;
	case NET_NETNS:
		printf("network:    netns %s%s\n", plan->netns_name,
		       plan->netns_create ? " (created when missing)" : "");
		break;
	case NET_VETH:
		printf("network:    veth %s on bridge %s, eth0 %u.%u.%u.%u/%u", plan->host_if,
		       plan->bridge, plan->addr[0], plan->addr[1], plan->addr[2],
		       plan->addr[3], plan->prefix);
		if (plan->has_gateway)
			printf(" via %u.%u.%u.%u", plan->gateway[0], plan->gateway[1],
			       plan->gateway[2], plan->gateway[3]);
		printf("\n");
		break;
	}
	if (plan->namespaces & NSISO_NS_TIME)
		printf("time:       boottime %+lld s, monotonic %+lld s (each login's shell gets a time namespace with these offsets; the login's caller keeps the host's clocks)\n",
		       plan->boottime_offset, plan->monotonic_offset);
	else
		printf("time:       the host's clocks\n");
	if (plan->namespaces & NSISO_NS_USER) {
		struct nsiso_err e = { "" };

		printf("userns:     made by nsiso-shell, the login shell: %s\n",
		       p->userns == USERNS_ROOT
			       ? "uid 0 inside (\"0 UID 1\"), the user's own uid on the host, no host capability"
			       : "the user's own uid inside (\"UID UID 1\")");
		if (env_check_login_shell(login_shell, &e) < 0)
			printf("error:      %s: logins are denied\n", e.msg);
		if (p->userns_subids)
			printf("subids:     the user's /etc/subuid and /etc/subgid range, as ids 1 up\n");
		printf("shell:      %s (what nsiso-shell runs)\n",
		       p->shell ? p->shell : POLICY_DEFAULT_SHELL);
	}
	if (plan->has_capabilities) {
		char caps[800];

		policy_cap_names(plan->cap_keep, caps, sizeof(caps));
		printf("capabilities: bounding set %s (every other capability is dropped: no program in the session, setuid-root ones included, can gain it)%s\n",
		       caps, plan->namespaces & NSISO_NS_USER
				     ? "; applied by nsiso-shell inside the user namespace"
				     : "");
	} else {
		printf("capabilities: the caller's bounding set (not limited)\n");
	}
	printf("no_new_privs: %s\n", plan->no_new_privs
		       ? "yes (setuid bits and file capabilities are ignored in the session: su, sudo, passwd do not change uid)"
		       : "no");
	explain_cgroup(plan);
	if (plan->n_mounts == 0)
		printf("mounts:     none\n");
	for (size_t i = 0; i < plan->n_mounts; i++) {
		const struct planned_mount *m = &plan->mounts[i];

		printf("%s line %-4u %-8s ", i == 0 ? "mounts:    " : "           ",
		       m->line, policy_mount_kind_name(m->kind));
		switch (m->kind) {
		case MOUNT_TMPFS:
			printf("%s (%s)\n", m->target, m->options);
			break;
		case MOUNT_BIND:
			printf("%s -> %s%s\n", m->source, m->target,
			       m->readonly ? " (read-only)" : "");
			break;
		case MOUNT_READONLY:
			printf("%s (read-only)\n", m->target);
			break;
		case MOUNT_HIDE:
			printf("%s (covered by an empty read-only mount)\n",
			       m->target);
			break;
		}
	}
}


static void print_login_outcome(const struct env_plan *plan)
{
	char name[64];
	struct nsiso_reply r;
	pid_t pid;
	int why;

	if (plan->share == SHARE_SESSION) {
		printf("at login:   a new environment is built for each login\n");
		return;
	}
	if (geteuid() != 0) {
		printf("at login:   joins the live environment or builds one (run as root to see which)\n");
		return;
	}
	proto_user_socket_name(plan->uid, name, sizeof(name));
	switch (env_ask(name, &pid, &r, &why)) {
	case ENV_NONE:
		printf("at login:   builds a new environment (none is live)\n");
		break;
	case ENV_ANSWERED:
		printf("at login:   joins the live environment (init pid %d, %u of %u logins, %u processes)\n",
		       (int)pid, r.sessions, r.logins_max, r.processes);
		break;
	case ENV_ENDING:
		printf("at login:   builds a new environment (the live one is ending)\n");
		break;
	case ENV_NOT_ROOT:
	case ENV_UNANSWERED:
		/* A login that cannot register is refused (never built
		 * twice); the environment is live all the same. */
		printf("at login:   refused: an environment is live (%s/%s) but does not answer: %s; 'nsiso stop' ends it\n",
		       NSISO_RUNDIR, name, unanswered_why(why));
		break;
	}
}

/* What a login of the user comes to, for the entry paths. */
enum outcome {
	OUTCOME_HOST,     /* not isolated */
	OUTCOME_DENIED,   /* the policy denies the session */
	OUTCOME_ISOLATED, /* the environment */
};

/* Where a process started by a covered path lands. */
static const char *covered_lands(const struct entry_path *e, enum outcome o,
				 const struct policy *p, char *buf, size_t len)
{
	const char *refusal;

	if (o == OUTCOME_DENIED)
		return "refused (the policy denies the session, above)";
	if (e->how == ENTRY_MANAGER) {
		refusal = policy_manager_refusal(p);
		if (refusal == NULL)
			return "the environment (nsiso-helper manager runs systemd --user inside)";
		snprintf(buf, len, "refused, never the host: %s", refusal);
		return buf;
	}
	if (e->no_login_shell && (p->namespaces & NSISO_NS_USER))
		return "refused: jobs run /bin/sh, not nsiso-shell, which makes the user namespace and applies the bounding set and no_new_privs (pam_nsiso(8))";
	return "the environment";
}

/* A user who is not isolated starts on the host by every path: one line. */
static void explain_host_paths(const char *user)
{
	char names[512] = "";

	for (size_t i = 0; i < n_entry_paths; i++) {
		struct entry_status st;
		size_t used = strlen(names);

		entry_path_status(&entry_paths[i], &st);
		if (st.state != ENTRY_NOT_INSTALLED)
			snprintf(names + used, sizeof(names) - used, "%s%s",
				 used ? ", " : "", entry_paths[i].name);
	}
	printf("entry paths: %s: each starts %s's processes on the host (not isolated)\n",
	       names, user);
}

/* The entry paths section: each way the user's processes can start on
 * this host, and where they land. */
static void explain_entry_paths(const char *user, enum outcome o,
				const struct policy *p)
{
	char buf[PATH_MAX + 1100];

	if (o == OUTCOME_HOST) {
		explain_host_paths(user);
		return;
	}
	printf("entry paths: how %s's processes can start on this host, and where they land (nsiso(8)):\n", user);
	for (size_t i = 0; i < n_entry_paths; i++) {
		const struct entry_path *e = &entry_paths[i];
		struct entry_status st;
		const char *lands;

		entry_path_status(e, &st);
		if (st.state == ENTRY_NOT_INSTALLED) {
			printf("  %-15s %s%s%s\n", e->name, st.word,
			       st.detail[0] ? ": " : "", st.detail);
			continue;
		}
		if (st.state == ENTRY_COVERED) {
			lands = covered_lands(e, o, p, buf, sizeof(buf));
		} else {
			snprintf(buf, sizeof(buf), "the host: %s", st.detail);
			lands = buf;
		}
		printf("  %-15s %s\n  %-15s -> %s\n", e->name, e->starts, "", lands);
	}
}

int cmd_explain(int argc, char **argv)
{
	struct nsiso_err user_err = { "" };
	const char *dir = NSISO_DEFAULT_POLICY_DIR, *user = NULL;
	struct user_info u;
	struct loaded_policy lp;
	struct env_plan plan;
	struct nsiso_err err = { "" };
	int rc = EXIT_PROBLEMS;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			puts("usage: nsiso explain USER [--policy DIR]\n"
			     "Shows which policy file applies to USER and why, the settings with\n"
			     "templates expanded for USER, what the next login will do, and each\n"
			     "entry path of this host by which USER's processes can start, with\n"
			     "where they land: the environment, the host, or refused.");
			return EXIT_OK;
		} else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] != '-' && user == NULL) {
			user = argv[i];
		} else {
			fputs("usage: nsiso explain USER [--policy DIR]\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (user == NULL) {
		fputs("usage: nsiso explain USER [--policy DIR]\n", stderr);
		return EXIT_USAGE;
	}
	if (user_info_by_name(user, &u, &user_err) < 0) {
		printf("%s: login denied: %s\n", user, user_err.msg);
		return EXIT_PROBLEMS;
	}
	/* Only a build needs the group's name (%g): a failure here is
	 * reported where the plan is made, for the logins it denies. */
	if (user_info_primary_group(&u, &user_err) == 0)
		printf("user:       %s (uid %u, primary group %s)\n", u.name,
		       (unsigned)u.uid, u.group);
	else
		printf("user:       %s (uid %u, primary group gid %u: %s)\n",
		       u.name, (unsigned)u.uid, (unsigned)u.gid, user_err.msg);
	if (policy_load(dir, &u, &lp, &err) < 0) {
		printf("policy:     error: %s\nat login:   the session is denied\n", err.msg);
		explain_entry_paths(u.name, OUTCOME_DENIED, NULL);
		goto out_user;
	}
	if (lp.kind == CHOICE_NONE) {
		printf("policy:     none: %s\nat login:   not isolated\n", lp.why);
		explain_entry_paths(u.name, OUTCOME_HOST, NULL);
		rc = EXIT_OK;
		goto out_policy;
	}
	printf("policy:     %s\n", lp.why);
	if (!lp.policy.isolate) {
		printf("isolate:    no\nat login:   not isolated\n");
		explain_entry_paths(u.name, OUTCOME_HOST, NULL);
		rc = EXIT_OK;
		goto out_policy;
	}
	if (plan_make_here(&lp, &u, &plan, &err) < 0) {
		printf("error:      %s\nat login:   %s\n", err.msg,
		       u.group == NULL
			       ? "a login that has to build the environment is denied (one that joins a live environment does not look the group up)"
			       : "the session is denied");
		explain_entry_paths(u.name, OUTCOME_DENIED, NULL);
		goto out_policy;
	}
	print_plan(&plan, &lp.policy, u.shell);
	print_login_outcome(&plan);
	explain_entry_paths(u.name, OUTCOME_ISOLATED, &lp.policy);
	plan_free(&plan);
	rc = EXIT_OK;
out_policy:
	loaded_policy_free(&lp);
out_user:
	user_info_free(&u);
	return rc;
}
