/* nsiso enable and nsiso disable: coverage of every entry path of the host
 * switched on, and off again, with one command (nsiso(8), "ENTRY PATHS").
 *
 * Every file is read and checked before the first one is written: a
 * stack that cannot be changed safely stops the run with nothing changed.
 * Each change keeps a copy of the old file in /var/backups/nsiso and
 * replaces the file atomically; the lines enable writes carry a mark, so
 * disable removes exactly those and never an administrator's own. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgpath.h"
#include "cli.h"
#include "conffile.h"
#include "entry_paths.h"
#include "load.h"
#include "pam_stack.h"

/* One file to write or remove. */
struct change {
	char path[PATH_MAX];
	char *text;         /* the new content; NULL: remove the file */
	size_t len;
	char *old;          /* the current content, backed up first, or NULL */
	size_t old_len;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	mode_t mkdir_mode;  /* make the directory first with this mode, or 0 */
	char what[PATH_MAX + 256]; /* said once done */
};

/* At most one change per entry path. */
#define MAX_CHANGES 32

struct plan;

/* What enable and disable do differently. */
struct command {
	const char *name;
	const char *help;
	const char *nothing; /* said when there is nothing to change */
	void (*plan_first)(struct plan *pl); /* or NULL */
	void (*plan_stack)(struct plan *pl, const struct entry_path *e);
	void (*plan_manager)(struct plan *pl);
	int (*after)(const struct plan *pl); /* once written: 0 or -1 */
};

struct plan {
	const struct command *cmd;
	bool dry_run;
	int refused;        /* files that cannot be changed safely */
	bool manager;       /* the drop-in changes: daemon-reload after */
	size_t n;
	struct change c[MAX_CHANGES];
};

static void refuse(struct plan *pl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void refuse(struct plan *pl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	pl->refused++;
}

/* Takes text (malloc'd) and, when the file exists, cf's content (taken
 * from cf) and its owner and mode. */
static struct change *add_change(struct plan *pl, const char *path, char *text,
				 size_t len, struct conf_file *cf)
{
	struct change *c;

	if (pl->n == MAX_CHANGES) {
		refuse(pl, "%s: too many changes in one run", path);
		free(text);
		return NULL;
	}
	c = &pl->c[pl->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->text = text;
	c->len = len;
	c->mode = 0644; /* root:root 0644 unless the old file says else */
	if (cf != NULL) {
		c->old = cf->text;
		c->old_len = cf->len;
		cf->text = NULL;
		c->uid = cf->st.st_uid;
		c->gid = cf->st.st_gid;
		c->mode = cf->st.st_mode & 07777;
	}
	return c;
}

/* header, the stack's text (ending its last line if it does not), then
 * the line: one malloc'd text. */
static char *appended(const char *header, const char *text, size_t text_len,
		      const char *line, size_t *len)
{
	bool nl = text_len > 0 && text[text_len - 1] != '\n';
	size_t hlen = strlen(header), llen = strlen(line);
	char *out = malloc(hlen + text_len + 1 + llen + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, header, hlen + 1); /* its NUL is overwritten next */
	memcpy(out + hlen, text, text_len);
	*len = hlen + text_len;
	if (nl)
		out[(*len)++] = '\n';
	memcpy(out + *len, line, llen + 1);
	*len += llen;
	return out;
}

/* pam_nsiso in common-session would run in every service, ahead of the
 * line enable appends: refuse rather than isolate twice. */
static void check_common_session(struct plan *pl)
{
	static const char *const names[] = { "common-session",
					     "common-session-noninteractive" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct pam_stack_scan sc;
		struct conf_file cf;
		struct nsiso_err err = { "" };

		if (conf_file_read(PAM_ETC_DIR, names[i], true, &cf, &err) != 0)
			continue;
		pam_stack_scan(cf.text, cf.len, &sc);
		if (sc.nsiso_line != 0)
			refuse(pl, "%s:%u: pam_nsiso is in %s, which every service includes: take it out (nsiso enable puts it at the end of each service's own stack)",
			       cf.path, sc.nsiso_line, names[i]);
		conf_file_free(&cf);
	}
}

/* The stack's own problems, for enable: true when it may be appended to. */
static bool stack_appendable(struct plan *pl, const struct conf_file *cf,
			     const char *unsafe, const struct pam_stack_scan *sc)
{
	if (unsafe != NULL) {
		refuse(pl, "%s: %s", cf->path, unsafe);
		return false;
	}
	if (sc->bad_line != 0) {
		refuse(pl, "%s:%u: %s", cf->path, sc->bad_line, sc->bad_why);
		return false;
	}
	if (sc->nsiso_line != 0 && sc->after_line != 0) {
		refuse(pl, "%s:%u: pam_nsiso is there already but not the last session module (line %u, '%s', runs after it): move it to the end by hand",
		       cf->path, sc->nsiso_line, sc->after_line, sc->after_text);
		return false;
	}
	if (sc->nsiso_line != 0) {
		printf("%s:%u: pam_nsiso is the last session module already (%s): unchanged\n",
		       cf->path, sc->nsiso_line,
		       sc->hand_line == sc->nsiso_line ? "an administrator's own line"
						       : "written by nsiso enable");
		return false;
	}
	return true;
}

static void say_missing(const struct entry_path *e)
{
	if (access(e->program, F_OK) == 0)
		printf("%s: %s is installed, but has no stack in %s or %s (PAM runs it with %s/other): nsiso enable does not write a stack from nothing\n",
		       e->service, e->program, PAM_ETC_DIR, PAM_VENDOR_DIR, PAM_ETC_DIR);
	else
		printf("%s: not installed (no stack in %s or %s): skipped\n",
		       e->service, PAM_ETC_DIR, PAM_VENDOR_DIR);
}

/* A stack only the vendor ships is copied to /etc/pam.d first: a file
 * there with the one line alone would replace the whole vendor stack. */
static void plan_enable_stack(struct plan *pl, const struct entry_path *e)
{
	char header[PATH_MAX + 128], path[PATH_MAX];
	struct nsiso_err err = { "" };
	struct pam_stack_scan sc;
	struct conf_file cf;
	struct change *c;
	const char *unsafe;
	bool copy = false;
	size_t len;
	char *text;
	int rc = conf_file_read(PAM_ETC_DIR, e->service, false, &cf, &err);

	if (rc == 1) {
		copy = true;
		rc = conf_file_read(PAM_VENDOR_DIR, e->service, true, &cf, &err);
	}
	if (rc == 1) {
		say_missing(e);
		return;
	}
	if (rc < 0) {
		refuse(pl, "%s", err.msg);
		return;
	}
	/* The vendor's file is only read: its other names do not matter. */
	unsafe = copy ? config_unsafe_reason(&cf.st, false) : cf.unsafe;
	pam_stack_scan(cf.text, cf.len, &sc);
	if (!stack_appendable(pl, &cf, unsafe, &sc))
		goto out;
	header[0] = '\0';
	if (copy)
		pam_copy_header(e->service, header, sizeof(header));
	text = appended(header, cf.text, cf.len, NSISO_ENABLE_LINE, &len);
	if (text == NULL) {
		refuse(pl, "%s: %s", cf.path, strerror(ENOMEM));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", PAM_ETC_DIR, e->service);
	c = add_change(pl, path, text, len, copy ? NULL : &cf);
	if (c == NULL)
		goto out;
	if (copy) {
		c->mode = cf.st.st_mode & 0777;
		snprintf(c->what, sizeof(c->what),
			 "copied from %s and appended pam_nsiso as the last session line",
			 cf.path);
	} else {
		snprintf(c->what, sizeof(c->what),
			 "appended pam_nsiso as the last session line");
	}
out:
	conf_file_free(&cf);
}

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

static void plan_enable_manager(struct plan *pl)
{
	char want[2048];
	struct nsiso_err err = { "" };
	struct conf_file cf;
	struct change *c;
	const char *why;
	char *text;
	int rc;

	if (!entry_systemd_host()) {
		printf("user manager: no systemd (no %s): no user manager, nothing written\n",
		       CGPATH_SYSTEMD_MARKER);
		return;
	}
	why = conf_dir_unsafe(MANAGER_DROPIN_DIR);
	if (why != NULL) {
		refuse(pl, "%s: %s", MANAGER_DROPIN_DIR, why);
		return;
	}
	manager_dropin_text(want, sizeof(want));
	rc = conf_file_read(MANAGER_DROPIN_DIR, "nsiso.conf", false, &cf, &err);
	if (rc < 0) {
		refuse(pl, "%s", err.msg);
		return;
	}
	if (rc == 0 && cf.len == strlen(want) && memcmp(cf.text, want, cf.len) == 0) {
		printf("%s: written already: unchanged\n", MANAGER_DROPIN);
		goto out;
	}
	if (rc == 0 && (cf.unsafe != NULL || !starts_with(cf.text, MANAGER_DROPIN_MARK))) {
		refuse(pl, "%s: %s", MANAGER_DROPIN,
		       cf.unsafe ? cf.unsafe : "not written by nsiso enable: move it away first");
		goto out;
	}
	text = strdup(want);
	if (text == NULL) {
		refuse(pl, "%s: %s", MANAGER_DROPIN, strerror(ENOMEM));
		goto out;
	}
	c = add_change(pl, MANAGER_DROPIN, text, strlen(want), rc == 0 ? &cf : NULL);
	if (c == NULL)
		goto out;
	c->mkdir_mode = 0755;
	snprintf(c->what, sizeof(c->what), "%s",
		 rc == 0 ? "rewrote an older nsiso enable's drop-in: each user's manager starts inside the user's environment"
			 : "wrote the drop-in: each user's manager starts inside the user's environment");
	pl->manager = true;
out:
	if (rc == 0)
		conf_file_free(&cf);
}

/* The text without the lines disable removes: the marked pam_nsiso
 * lines, and the copy's header (skip_first). */
static char *without_enable_lines(const struct conf_file *cf, bool skip_first,
				  size_t *len)
{
	char *out = malloc(cf->len + 1);
	struct text_lines it;
	const char *line;
	size_t n;

	if (out == NULL)
		return NULL;
	*len = 0;
	text_lines_init(&it, cf->text, cf->len);
	while (text_lines_next(&it, &line, &n)) {
		bool has_nl = line + n < cf->text + cf->len;

		if ((skip_first && it.n == 1) || pam_line_is_marked(line, n))
			continue;
		memcpy(out + *len, line, n + has_nl);
		*len += n + has_nl;
	}
	out[*len] = '\0';
	return out;
}

/* Whether text is the vendor's stack as enable copied it (enable ended
 * a last line without a newline). */
static bool same_as_vendor(const char *service, const char *text, size_t len)
{
	struct conf_file v;
	struct nsiso_err err = { "" };
	bool same;

	if (conf_file_read(PAM_VENDOR_DIR, service, true, &v, &err) != 0)
		return false;
	same = len >= v.len && memcmp(text, v.text, v.len) == 0 &&
	       (len == v.len || (len == v.len + 1 && text[len - 1] == '\n'));
	conf_file_free(&v);
	return same;
}

static void plan_disable_stack(struct plan *pl, const struct entry_path *e)
{
	char header[PATH_MAX + 128];
	struct nsiso_err err = { "" };
	struct pam_stack_scan sc;
	struct conf_file cf;
	struct change *c;
	bool copy;
	size_t len;
	char *text;
	int rc = conf_file_read(PAM_ETC_DIR, e->service, false, &cf, &err);

	if (rc == 1)
		return;
	if (rc < 0) {
		refuse(pl, "%s", err.msg);
		return;
	}
	pam_stack_scan(cf.text, cf.len, &sc);
	pam_copy_header(e->service, header, sizeof(header));
	copy = starts_with(cf.text, header);
	if (sc.hand_line != 0)
		printf("%s:%u: a pam_nsiso line nsiso enable did not write: left as it is\n",
		       cf.path, sc.hand_line);
	if (sc.n_marked == 0 && !copy)
		goto out;
	if (cf.unsafe != NULL) {
		refuse(pl, "%s: %s", cf.path, cf.unsafe);
		goto out;
	}
	text = without_enable_lines(&cf, copy, &len);
	if (text == NULL) {
		refuse(pl, "%s: %s", cf.path, strerror(ENOMEM));
		goto out;
	}
	if (copy && same_as_vendor(e->service, text, len)) {
		free(text);
		c = add_change(pl, cf.path, NULL, 0, &cf);
		if (c != NULL)
			snprintf(c->what, sizeof(c->what),
				 "removed nsiso enable's copy of %s/%s (PAM reads that again)",
				 PAM_VENDOR_DIR, e->service);
		goto out;
	}
	c = add_change(pl, cf.path, text, len, &cf);
	if (c != NULL)
		snprintf(c->what, sizeof(c->what), "%s",
			 copy ? "removed the lines nsiso enable wrote; kept the copy, it was edited since"
			      : "removed the line nsiso enable appended");
out:
	conf_file_free(&cf);
}

static void plan_disable_manager(struct plan *pl)
{
	struct conf_file cf;
	struct change *c;
	struct nsiso_err err = { "" };
	const char *why = conf_dir_unsafe(MANAGER_DROPIN_DIR);
	int rc;

	if (why != NULL) {
		refuse(pl, "%s: %s", MANAGER_DROPIN_DIR, why);
		return;
	}
	rc = conf_file_read(MANAGER_DROPIN_DIR, "nsiso.conf", false, &cf, &err);
	if (rc == 1)
		return;
	if (rc < 0) {
		refuse(pl, "%s", err.msg);
		return;
	}
	if (!starts_with(cf.text, MANAGER_DROPIN_MARK)) {
		printf("%s: not written by nsiso enable: left as it is\n", cf.path);
	} else if (cf.unsafe != NULL) {
		refuse(pl, "%s: %s", cf.path, cf.unsafe);
	} else {
		c = add_change(pl, cf.path, NULL, 0, &cf);
		if (c != NULL) {
			snprintf(c->what, sizeof(c->what),
				 "removed the drop-in: managers started from now on run on the host");
			pl->manager = true;
		}
	}
	conf_file_free(&cf);
}

/* The file must still be what was checked, so that an edit made in the
 * meantime is neither lost nor missing from the backup. */
static int check_unchanged(const struct change *c, struct nsiso_err *e)
{
	const char *slash = strrchr(c->path, '/');
	struct conf_file now;
	char dir[PATH_MAX];
	bool same;
	int rc;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c->path), c->path);
	rc = conf_file_read(dir, slash + 1, false, &now, e);
	if (rc < 0)
		return -1;
	if (c->old == NULL)
		same = rc == 1;
	else
		same = rc == 0 && now.len == c->old_len &&
		       memcmp(now.text, c->old, now.len) == 0;
	conf_file_free(&now);
	if (!same)
		err_set(e, 0, "%s: changed while nsiso ran: run it again", c->path);
	return same ? 0 : -1;
}

static int apply_change(const struct change *c, struct nsiso_err *e)
{
	char backup[PATH_MAX] = "";

	if (check_unchanged(c, e) < 0)
		return -1;
	if (c->old != NULL &&
	    conf_backup(c->path, c->old, c->old_len, backup, sizeof(backup), e) < 0)
		return -1;
	if (c->text != NULL ? conf_write_atomic(c->path, c->text, c->len, c->uid,
						c->gid, c->mode, c->mkdir_mode,
						e) < 0
			    : conf_remove(c->path, e) < 0)
		return -1;
	printf("%s: %s", c->path, c->what);
	if (backup[0] != '\0')
		printf(" (backup: %s)", backup);
	putchar('\n');
	return 0;
}

/* Writes every planned change; stops at the first failure, saying what
 * was changed and what was not. */
static int apply(const struct plan *pl)
{
	struct nsiso_err err = { "" };

	for (size_t i = 0; i < pl->n; i++) {
		if (pl->dry_run) {
			printf("dry run, not done: %s: %s\n", pl->c[i].path, pl->c[i].what);
			continue;
		}
		if (apply_change(&pl->c[i], &err) < 0) {
			printf("%s\nnsiso %s: stopped: the files above were changed, %s and the rest were not\n",
			       err.msg, pl->cmd->name, pl->c[i].path);
			return -1;
		}
	}
	return 0;
}

static void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->c[i].text);
		free(pl->c[i].old);
	}
}

/* After the drop-in changed: systemd reads unit files only when told. */
static int daemon_reload(void)
{
	const char *args[] = { "daemon-reload", NULL };
	char out[1024];
	int rc;

	if (!entry_systemd_host())
		return 0;
	rc = systemctl_run(args, out, sizeof(out));
	if (rc == 0) {
		printf("systemctl daemon-reload: done\n");
		return 0;
	}
	if (rc > 0)
		printf("systemctl daemon-reload failed (exit %d): %s\n", rc,
		       out[0] ? out : "no output");
	return -1;
}

/* enable made the directory if it was missing; an empty one goes too. */
static void remove_dropin_dir(void)
{
	if (rmdir(MANAGER_DROPIN_DIR) == 0)
		printf("%s: removed (empty)\n", MANAGER_DROPIN_DIR);
	else if (errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		printf("rmdir %s: %s\n", MANAGER_DROPIN_DIR, strerror(errno));
}

/* 0 to go on; 1 after --help; -1 bad usage; -2 not root. */
static int parse_args(const struct command *cmd, int argc, char **argv,
		      bool *dry_run)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0 && !*dry_run) {
			*dry_run = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: nsiso %s [--dry-run]\n%s", cmd->name, cmd->help);
			return 1;
		} else {
			fprintf(stderr, "usage: nsiso %s [--dry-run]\n", cmd->name);
			return -1;
		}
	}
	if (!*dry_run && geteuid() != 0) {
		fprintf(stderr, "nsiso %s: only root can change %s (--dry-run shows what it would do)\n",
			cmd->name, PAM_ETC_DIR);
		return -2;
	}
	return 0;
}

/* The end of both commands: the plan is written, or nothing is. */
static int finish_plan(struct plan *pl)
{
	int rc = 0;

	if (pl->refused > 0) {
		printf("nsiso %s: nothing changed: %d file%s cannot be changed safely (above)\n",
		       pl->cmd->name, pl->refused, pl->refused == 1 ? "" : "s");
		rc = -1;
	} else if (pl->n == 0) {
		printf("nsiso %s: nothing to change: %s\n", pl->cmd->name, pl->cmd->nothing);
	} else if (apply(pl) < 0) {
		rc = -1;
	} else if (pl->dry_run) {
		printf("nsiso %s: dry run: nothing changed\n", pl->cmd->name);
	}
	return rc;
}

static int args_exit(int rc)
{
	return rc == 1 ? EXIT_OK : rc == -1 ? EXIT_USAGE : EXIT_PROBLEMS;
}

/* Once enable's changes are written: systemd rereads the units, and the
 * checks of check --pam give the exit status. */
static int enable_after(const struct plan *pl)
{
	if (pl->manager && daemon_reload() < 0)
		return -1;
	printf("\n");
	return check_run(NSISO_DEFAULT_POLICY_DIR, true) == EXIT_OK ? 0 : -1;
}

static int disable_after(const struct plan *pl)
{
	if (!pl->manager)
		return 0;
	remove_dropin_dir();
	if (daemon_reload() < 0)
		return -1;
	printf("managers running inside environments stay there until they are restarted\n");
	return 0;
}

/* Plans every entry path's change, writes them all or none, then runs
 * the command's own last step. */
static int run_command(const struct command *cmd, int argc, char **argv)
{
	struct plan *pl = calloc(1, sizeof(*pl));
	int rc;

	if (pl == NULL) {
		fprintf(stderr, "nsiso %s: %s\n", cmd->name, strerror(ENOMEM));
		return EXIT_PROBLEMS;
	}
	pl->cmd = cmd;
	rc = parse_args(cmd, argc, argv, &pl->dry_run);
	if (rc != 0) {
		free(pl);
		return args_exit(rc);
	}
	if (cmd->plan_first != NULL)
		cmd->plan_first(pl);
	for (size_t i = 0; i < n_entry_paths; i++) {
		if (entry_paths[i].how == ENTRY_PAM)
			cmd->plan_stack(pl, &entry_paths[i]);
		else if (entry_paths[i].how == ENTRY_MANAGER)
			cmd->plan_manager(pl);
	}
	rc = finish_plan(pl);
	if (rc == 0 && !pl->dry_run)
		rc = cmd->after(pl);
	plan_free(pl);
	free(pl);
	return rc == 0 ? EXIT_OK : EXIT_PROBLEMS;
}

int cmd_enable(int argc, char **argv)
{
	static const struct command enable = {
		.name = "enable",
		.help = "Appends 'session required pam_nsiso.so' as the last session line of\n"
			"the stacks of sshd, login, su-l, runuser-l, cron and atd (copying a\n"
			"stack only /usr/lib/pam.d has to /etc/pam.d first), writes the\n"
			"user@.service drop-in on a systemd host, and ends with check --pam.\n"
			"Each changed file is backed up in /var/backups/nsiso first.\n",
		.nothing = "every entry path it covers is covered already",
		.plan_first = check_common_session,
		.plan_stack = plan_enable_stack,
		.plan_manager = plan_enable_manager,
		.after = enable_after,
	};

	return run_command(&enable, argc, argv);
}

int cmd_disable(int argc, char **argv)
{
	static const struct command disable = {
		.name = "disable",
		.help = "Removes the lines and files nsiso enable wrote, and nothing else.\n",
		.nothing = "no line or file of nsiso enable's is left",
		.plan_stack = plan_disable_stack,
		.plan_manager = plan_disable_manager,
		.after = disable_after,
	};

	return run_command(&disable, argc, argv);
}
