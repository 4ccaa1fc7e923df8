/* pam_nsiso: puts a login session into the user's environment.
 *
 * Belongs at the end of each service's session stack: once the caller has
 * joined the environment's mount namespace, /proc is the environment's and
 * the caller has no /proc/self there, which modules after it may need. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "envjoin.h"
#include "load.h"
#include "module.h"
#include "proto.h"
#include "userinfo.h"

#define SESSION_DATA "pam_nsiso_session_fd"
/* Attempts to find or build a live environment: an init may end between
 * our connect and its answer, and a build may race a teardown. */
#define JOIN_ATTEMPTS 4
/* What every denial returns. Not PAM_SESSION_ERR: sudo 1.9 takes that from
 * pam_open_session as a warning (logged at debug level) and runs the
 * command anyway, outside any environment. Every caller treats this one as
 * fatal: sshd, login, su, runuser, cron, atd and systemd stop on anything
 * but PAM_SUCCESS, sudo on anything but PAM_SUCCESS and PAM_SESSION_ERR.
 * Its pam_strerror text, "Permission denied", is what the user sees. */
#define DENIED PAM_PERM_DENIED

static void close_session_fd(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	close((int)(long)data - 1);
}

/* Only a caller on the host may build an environment. Returns -1 to go
 * on, or the PAM result of this login. */
static int nesting_outcome(pam_handle_t *pamh, const struct module_args *a,
			   const struct user_info *u)
{
	uid_t owner = 0;

	switch (nesting_state(u->uid, &owner)) {
	case NEST_HOST:
		return -1;
	case NEST_SAME:
		/* su - alice inside alice's environment: already there. */
		if (a->debug)
			pam_syslog(pamh, LOG_DEBUG,
				   "already inside the environment of %s", u->name);
		return PAM_SUCCESS;
	case NEST_OTHER:
		pam_syslog(pamh, LOG_ERR,
			   "session of %s denied: the caller is inside the environment of uid %u, from which another user's environment cannot be reached (log in from the host instead)",
			   u->name, (unsigned)owner);
		return DENIED;
	case NEST_ERROR:
		break;
	}
	pam_syslog(pamh, LOG_ERR, "session of %s denied: unreadable %s/%s",
		   u->name, NSISO_RUNDIR, NSISO_MARKER);
	return DENIED;
}

static int join_environment(pam_handle_t *pamh, const struct module_args *a,
			    struct user_info *u,
			    const struct loaded_policy *lp)
{
	enum policy_share share = lp->policy.share;
	unsigned namespaces = lp->policy.namespaces;
	bool on_host = false;
	char name[64];

	for (int attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
		int fd = -1;

		if (share == SHARE_USER) {
			/* The fast path: a live environment answers here and
			 * no helper runs at all. */
			proto_user_socket_name(u->uid, name, sizeof(name));
			fd = register_and_join(pamh, a, name, u->uid, namespaces);
		}
		if (fd == -1) {
			/* Looked at only now, so that a join pays nothing
			 * for it: inside an environment with a mount
			 * namespace NSISO_RUNDIR is the marker's read-only
			 * tmpfs (mounts_step_marker), where no init's socket
			 * can answer, and without one there is no marker. */
			if (!on_host) {
				int rc = nesting_outcome(pamh, a, u);

				if (rc != -1)
					return rc;
				on_host = true;
			}
			if (run_helper(pamh, a, u, lp, name, sizeof(name)) < 0)
				return DENIED;
			fd = register_and_join(pamh, a, name, u->uid, namespaces);
		}
		if (fd == -2)
			return DENIED;
		if (fd >= 0) {
			/* Stored as fd + 1 so that fd 0 is not NULL. */
			if (pam_set_data(pamh, SESSION_DATA, (void *)(long)(fd + 1),
					 close_session_fd) != PAM_SUCCESS) {
				close(fd);
				pam_syslog(pamh, LOG_ERR, "pam_set_data failed");
				return DENIED;
			}
			return PAM_SUCCESS;
		}
	}
	pam_syslog(pamh, LOG_ERR,
		   "the environment of %s kept ending while this login joined it",
		   u->name);
	return DENIED;
}

/* Services whose jobs run a command with /bin/sh, never the user's login
 * shell: with a user namespace (made by nsiso-shell, the login shell) such
 * a session would get none of the policy's user namespace, bounding set
 * or no_new_privs, so it is refused instead. */
static bool runs_jobs(pam_handle_t *pamh)
{
	static const char *const job_services[] = { "cron", "atd" };
	const void *service = NULL;

	/* No service name: treat it as a job runner, the safe side. */
	if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS || service == NULL)
		return true;
	for (size_t i = 0; i < sizeof(job_services) / sizeof(job_services[0]); i++)
		if (strcmp(service, job_services[i]) == 0)
			return true;
	return false;
}

static int open_session(pam_handle_t *pamh, const struct module_args *a)
{
	struct user_info u;
	struct loaded_policy lp;
	const char *name = NULL;
	struct nsiso_err e = { "" };
	int rc = DENIED;

	if (pam_get_user(pamh, &name, NULL) != PAM_SUCCESS || name == NULL) {
		pam_syslog(pamh, LOG_ERR, "cannot determine the user name");
		return DENIED;
	}
	if (user_info_by_name(name, &u, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", e.msg);
		return DENIED;
	}
	if (policy_load(a->policy_dir, &u, &lp, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "session of %s denied: %s", u.name, e.msg);
		goto out_user;
	}
	if (lp.no_policy_dir)
		pam_syslog(pamh, LOG_WARNING, "%s: nobody is isolated", lp.why);
	if (lp.kind == CHOICE_NONE || !lp.policy.isolate) {
		if (a->debug)
			pam_syslog(pamh, LOG_DEBUG, "%s is not isolated: %s",
				   u.name, lp.kind == CHOICE_NONE ? lp.why
					: "isolate = no");
		rc = PAM_SUCCESS;
		goto out_policy;
	}
	/* Before anything is built: a negative offset beyond the host's
	 * uptime can never be applied (checked again at each join). */
	if ((lp.policy.namespaces & NSISO_NS_TIME) &&
	    env_check_time_offsets(lp.policy.boottime_offset,
				   lp.policy.monotonic_offset, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "session of %s denied: %s:%u: %s",
			   u.name, lp.path,
			   strstr(e.msg, "boottime_offset") != NULL
				   ? lp.policy.line[POLICY_KEY_BOOTTIME_OFFSET]
				   : lp.policy.line[POLICY_KEY_MONOTONIC_OFFSET],
			   e.msg);
		goto out_policy;
	}
	/* The user namespace, the bounding set and no_new_privs of such a
	 * policy are made by nsiso-shell: without it the session would get
	 * none of them. */
	if ((lp.policy.namespaces & NSISO_NS_USER) &&
	    env_check_login_shell(u.shell, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "session of %s denied: %s:%u: %s",
			   u.name, lp.path, lp.policy.line[POLICY_KEY_NAMESPACES], e.msg);
		goto out_policy;
	}
	if ((lp.policy.namespaces & NSISO_NS_USER) && runs_jobs(pamh)) {
		pam_syslog(pamh, LOG_ERR,
			   "session of %s denied: %s:%u: namespaces: 'user': jobs of this service run /bin/sh, not the login shell (nsiso-shell), which makes the user namespace and applies the bounding set and no_new_privs: the job would run without them",
			   u.name, lp.path, lp.policy.line[POLICY_KEY_NAMESPACES]);
		goto out_policy;
	}
	if (geteuid() != 0) {
		pam_syslog(pamh, LOG_ERR,
			   "session of %s denied: pam_nsiso needs a root caller (euid is %u)",
			   u.name, (unsigned)geteuid());
		goto out_policy;
	}
	rc = join_environment(pamh, a, &u, &lp);
	if (rc == PAM_SUCCESS && a->debug)
		pam_syslog(pamh, LOG_DEBUG, "%s isolated by %s", u.name, lp.path);
out_policy:
	loaded_policy_free(&lp);
out_user:
	user_info_free(&u);
	return rc;
}

/* Both entry points refuse a stack line they cannot read: a typo must not
 * silently leave sessions unisolated. */
static int parse_args_or_log(pam_handle_t *pamh, int argc, const char **argv,
			     struct module_args *a)
{
	struct nsiso_err e = { "" };

	if (module_args_parse(argc, argv, a, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* What the user is told of a denial, through the application's
 * conversation: that it happened and where the reason is, never the
 * reason itself (policy paths and internals stay in authpriv). Shown
 * with PAM_SILENT too, as pam_nologin shows its refusal: a silent
 * "Permission denied" is what this line exists to fix. */
#define DENIED_MSG \
	"pam_nsiso: your session could not be set up; the reason is in the administrator's log (authpriv)"

static int tell_user_denied(pam_handle_t *pamh)
{
	/* A caller without a conversation (pamtester under cron, a
	 * daemon) cannot show it: the denial stands, the log has it. */
	(void)pam_error(pamh, "%s", DENIED_MSG);
	return DENIED;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct module_args a;
	int rc;

	(void)flags;
	if (parse_args_or_log(pamh, argc, argv, &a) < 0)
		return tell_user_denied(pamh);
	rc = open_session(pamh, &a);
	return rc == PAM_SUCCESS ? rc : tell_user_denied(pamh);
}

/* Only a hint: the init notices the closed registration socket and ends
 * the environment when nothing is left in it. */
PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
				    const char **argv)
{
	struct module_args a;

	(void)flags;
	if (parse_args_or_log(pamh, argc, argv, &a) < 0)
		return PAM_SESSION_ERR;
	/* Replacing the data runs the cleanup, which closes the fd. */
	(void)pam_set_data(pamh, SESSION_DATA, NULL, NULL);
	return PAM_SUCCESS;
}
