/* Every way a user's processes can start on a Debian server, and how this
 * host covers each (nsiso(8), "ENTRY PATHS"). A path nsiso enable does not
 * change is named here too, with the reason, so that no report is silent
 * about it. */
#include "entry_paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgpath.h"
#include "conffile.h"
#include "load.h"
#include "pam_stack.h"
#include "userinfo.h"

const struct entry_path entry_paths[] = {
	{ .name = "sshd", .how = ENTRY_PAM, .service = "sshd",
	  .program = "/usr/sbin/sshd",
	  .starts = "ssh logins: shells, commands, scp and sftp" },
	{ .name = "login", .how = ENTRY_PAM, .service = "login",
	  .program = "/bin/login",
	  .starts = "console and serial logins (getty)" },
	{ .name = "su-l", .how = ENTRY_PAM, .service = "su-l",
	  .program = "/bin/su", .starts = "su - USER, su -l USER" },
	{ .name = "runuser-l", .how = ENTRY_PAM, .service = "runuser-l",
	  .program = "/sbin/runuser", .starts = "runuser -l USER",
	  .root_only = true },
	{ .name = "cron", .how = ENTRY_PAM, .service = "cron",
	  .program = "/usr/sbin/cron", .starts = "the user's crontab jobs",
	  .no_login_shell = true },
	{ .name = "atd", .how = ENTRY_PAM, .service = "atd",
	  .program = "/usr/sbin/atd", .starts = "at and batch jobs",
	  .no_login_shell = true },
	{ .name = "user manager", .how = ENTRY_MANAGER,
	  .program = CGPATH_SYSTEMD_MARKER,
	  .starts = "systemd --user: user services and timers, systemd-run --user, D-Bus activation on the session bus; started by the first login, or at boot for a lingering user" },
	{ .name = "sudo", .how = ENTRY_NAMED, .service = "sudo",
	  .program = "/usr/bin/sudo",
	  .starts = "sudo -u USER COMMAND, by whom sudoers allows",
	  .gap = "left to the admin: with the line, a broken policy also stops every sudo to root; add 'session required pam_nsiso.so' last by hand to cover it (the module's denials stop sudo), or give sudo -u to admins only" },
	{ .name = "sudo -i", .how = ENTRY_NAMED, .service = "sudo-i",
	  .program = "/usr/bin/sudo",
	  .starts = "sudo -i -u USER, by whom sudoers allows",
	  .gap = "as sudo (its own stack, /etc/pam.d/sudo-i)" },
	{ .name = "su", .how = ENTRY_NAMED, .service = "su", .program = "/bin/su",
	  .starts = "su USER without -l",
	  .gap = "su-l @includes this stack, so a line here would also run in su -l ahead of su-l's own (twice, the first not last); whoever knows an isolated user's password gets a shell as them on the host this way" },
	{ .name = "runuser", .how = ENTRY_NAMED, .service = "runuser",
	  .program = "/sbin/runuser", .starts = "runuser -u USER, runuser USER",
	  .gap = "root only; runuser-l @includes this stack, so a line here would also run in runuser -l ahead of runuser-l's own",
	  .root_only = true },
	{ .name = "mail (exim4)", .how = ENTRY_NAMED,
	  .program = "/usr/sbin/exim4",
	  .starts = "pipes in ~/.forward, run when mail arrives",
	  .gap = "exim4 runs them as the user with no PAM session; set forbid_pipe in the userforward router" },
	{ .name = "mail (postfix)", .how = ENTRY_NAMED,
	  .program = "/usr/sbin/postfix",
	  .starts = "pipes in ~/.forward, run when mail arrives",
	  .gap = "postfix's local(8) runs them as the user with no PAM session; drop forward from allow_mail_to_commands" },
	{ .name = "systemd-run", .how = ENTRY_NAMED,
	  .program = CGPATH_SYSTEMD_MARKER,
	  .starts = "systemd-run --uid=USER, machinectl shell USER@",
	  .gap = "root only: PID 1 runs them as transient system services, outside the user's manager (systemd-run opens no PAM session; machinectl shell runs the login stack from PID 1 itself)",
	  .root_only = true },
};
const size_t n_entry_paths = sizeof(entry_paths) / sizeof(entry_paths[0]);

bool entry_systemd_host(void)
{
	return access(CGPATH_SYSTEMD_MARKER, F_OK) == 0;
}

static void set_status(struct entry_status *st, enum entry_state state,
		       const char *word)
{
	st->state = state;
	st->word = word;
	st->detail[0] = '\0';
}

static bool installed(const struct entry_path *e)
{
	return e->program != NULL && access(e->program, F_OK) == 0;
}

/* A path that only systemd has is missing for that reason. */
static void set_not_installed(const struct entry_path *e, struct entry_status *st)
{
	bool systemd = e->program != NULL &&
		       strcmp(e->program, CGPATH_SYSTEMD_MARKER) == 0;

	set_status(st, ENTRY_NOT_INSTALLED, systemd ? "no systemd" : "not installed");
}

/* The stack PAM reads for the service: /etc/pam.d's, else the vendor's. */
static int read_stack(const char *service, struct conf_file *cf,
		      struct nsiso_err *e)
{
	int rc = conf_file_read(PAM_ETC_DIR, service, true, cf, e);

	if (rc == 1)
		rc = conf_file_read(PAM_VENDOR_DIR, service, true, cf, e);
	return rc;
}

/* Why a stack that exists does not cover its service, or "" when it does;
 * where the line is goes to where. */
static void stack_gap(const struct conf_file *cf,
		      char *why, size_t len, char *where, size_t wlen)
{
	struct pam_stack_scan sc;

	pam_stack_scan(cf->text, cf->len, &sc);
	why[0] = '\0';
	snprintf(where, wlen, "%s:%u", cf->path, sc.nsiso_line);
	if (sc.nsiso_line == 0)
		snprintf(why, len, "%s has no pam_nsiso line", cf->path);
	else if (sc.after_line != 0)
		snprintf(why, len, "%s:%u: pam_nsiso is not the last session module (line %u runs after it)",
			 cf->path, sc.nsiso_line, sc.after_line);
}

static void stack_status(const struct entry_path *e, struct entry_status *st)
{
	char why[PATH_MAX + 256], where[PATH_MAX + 16];
	struct nsiso_err err = { "" };
	struct conf_file cf;
	int rc = read_stack(e->service, &cf, &err);

	if (rc == 1 && !installed(e)) {
		set_not_installed(e, st);
		return;
	}
	set_status(st, ENTRY_NOT_COVERED, "NOT covered");
	if (rc == 1) {
		snprintf(why, sizeof(why), "%s is installed, but has no stack in %s or %s: PAM runs it with %s/other",
			 e->program, PAM_ETC_DIR, PAM_VENDOR_DIR, PAM_ETC_DIR);
	} else if (rc < 0) {
		snprintf(why, sizeof(why), "%s", err.msg);
	} else {
		stack_gap(&cf, why, sizeof(why), where, sizeof(where));
		conf_file_free(&cf);
		if (why[0] == '\0') {
			set_status(st, ENTRY_COVERED, "covered");
			snprintf(st->detail, sizeof(st->detail), "%s", where);
			return;
		}
	}
	if (e->how == ENTRY_NAMED)
		snprintf(st->detail, sizeof(st->detail), "%s (%s)", e->gap, why);
	else
		snprintf(st->detail, sizeof(st->detail), "%s", why);
}

void manager_dropin_text(char *buf, size_t len)
{
	snprintf(buf, len,
		 MANAGER_DROPIN_MARK ": each user's systemd --user manager\n"
		 "# runs inside the user's pam_nsiso environment. Remove with nsiso disable.\n"
		 "[Service]\n"
		 "ExecStartPre=+%s build --uid %%i --for-manager\n"
		 "ExecStart=\n"
		 "ExecStart=%s manager\n",
		 NSISO_HELPER_PATH, NSISO_ENTER_PATH);
}

static bool has_line(const struct conf_file *cf, const char *want)
{
	struct text_lines it;
	const char *line;
	size_t n;

	text_lines_init(&it, cf->text, cf->len);
	while (text_lines_next(&it, &line, &n))
		if (n == strlen(want) && memcmp(line, want, n) == 0)
			return true;
	return false;
}

static void manager_status(const struct entry_path *e, struct entry_status *st)
{
	char line[PATH_MAX + 32];
	struct nsiso_err err = { "" };
	struct conf_file cf;
	int rc;

	if (!entry_systemd_host()) {
		set_not_installed(e, st);
		snprintf(st->detail, sizeof(st->detail), "no user manager");
		return;
	}
	set_status(st, ENTRY_NOT_COVERED, "NOT covered");
	rc = conf_file_read(MANAGER_DROPIN_DIR, "nsiso.conf", false, &cf, &err);
	if (rc == 1) {
		snprintf(st->detail, sizeof(st->detail),
			 "no %s: each manager runs on the host", MANAGER_DROPIN);
		return;
	}
	if (rc < 0) {
		snprintf(st->detail, sizeof(st->detail), "%s", err.msg);
		return;
	}
	snprintf(line, sizeof(line), "ExecStart=%s manager", NSISO_ENTER_PATH);
	if (has_line(&cf, line)) {
		set_status(st, ENTRY_COVERED, "covered");
		snprintf(st->detail, sizeof(st->detail), "%s", MANAGER_DROPIN);
	} else {
		snprintf(st->detail, sizeof(st->detail),
			 "%s has no line '%s'", MANAGER_DROPIN, line);
	}
	conf_file_free(&cf);
}

void entry_path_status(const struct entry_path *e, struct entry_status *st)
{
	if (e->how == ENTRY_MANAGER) {
		manager_status(e, st);
	} else if (e->service != NULL) {
		stack_status(e, st);
	} else if (installed(e)) {
		set_status(st, ENTRY_NOT_COVERED, "NOT covered");
		snprintf(st->detail, sizeof(st->detail), "%s", e->gap);
	} else {
		set_not_installed(e, st);
	}
}

/* Whether the policy isolates uid: a policy error counts, since its
 * manager would be refused now and one that runs is on the host. */
static bool uid_isolated(const char *policy_dir, unsigned uid, char *name,
			 size_t len)
{
	struct nsiso_err lookup_err = { "" }, err = { "" };
	struct user_info u;
	struct loaded_policy lp;
	bool isolated = true;

	snprintf(name, len, "uid %u", uid);
	if (user_info_by_uid((uid_t)uid, &u, &lookup_err) < 0)
		return true;
	snprintf(name, len, "%s", u.name);
	if (policy_load(policy_dir, &u, &lp, &err) == 0) {
		isolated = lp.kind != CHOICE_NONE && lp.policy.isolate;
		loaded_policy_free(&lp);
	}
	user_info_free(&u);
	return isolated;
}

/* The exe of pid, without the " (deleted)" of a replaced binary. */
static void exe_of(long pid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%ld/exe", pid);
	n = readlink(link, buf, len - 1);
	if (n < 0) {
		snprintf(buf, len, "unknown: %s", strerror(errno));
		return;
	}
	buf[n] = '\0';
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
}

static long main_pid(const char *unit)
{
	const char *args[] = { "show", "--property=MainPID", "--value", unit, NULL };
	char out[64];

	if (systemctl_run(args, out, sizeof(out)) != 0)
		return 0;
	return strtol(out, NULL, 10);
}

/* One running user@UID.service: said when its manager is on the host. */
static int check_manager(const char *policy_dir, const char *prefix,
			 unsigned uid)
{
	char unit[64], name[256], exe[PATH_MAX];
	long pid;

	if (!uid_isolated(policy_dir, uid, name, sizeof(name)))
		return 0;
	snprintf(unit, sizeof(unit), "user@%u.service", uid);
	pid = main_pid(unit);
	if (pid <= 0)
		return 0;
	exe_of(pid, exe, sizeof(exe));
	if (strcmp(exe, NSISO_ENTER_PATH) == 0)
		return 0;
	printf("%s%s: the manager of %s (pid %ld, %s) started before nsiso enable and runs on the host: restart it (systemctl restart %s), or it moves at %s's next login after all their sessions ended\n",
	       prefix, unit, name, pid, exe, unit, name);
	return 1;
}

int report_managers_outside(const char *policy_dir, const char *prefix)
{
	const char *args[] = { "list-units", "--type=service", "--state=running",
			       "--plain", "--no-legend", "--no-pager", "--full",
			       "user@*.service", NULL };
	size_t len = 256 * 1024;
	char *out = malloc(len), *save = NULL;
	int found = 0, rc;

	if (out == NULL) {
		printf("%slisting the running user managers: %s\n", prefix, strerror(ENOMEM));
		return -1;
	}
	rc = systemctl_run(args, out, len);
	if (rc != 0) {
		printf("%ssystemctl list-units failed (%d): %s\n", prefix, rc, out);
		free(out);
		return -1;
	}
	for (char *line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned uid;
		char tail[16];

		if (sscanf(line, "user@%u%15s", &uid, tail) == 2 &&
		    strncmp(tail, ".service", 8) == 0)
			found += check_manager(policy_dir, prefix, uid);
	}
	free(out);
	return found;
}
