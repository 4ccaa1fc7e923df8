/* The entry paths of a Debian server: every way a user's processes can
 * start, and how each is covered. One table for nsiso enable (what it
 * changes), check --pam (what it reports) and explain (where a user's
 * processes land). */
#ifndef NSISO_ENTRY_PATHS_H
#define NSISO_ENTRY_PATHS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum entry_how {
	ENTRY_PAM,     /* enable appends the pam_nsiso line to the stack */
	ENTRY_MANAGER, /* enable writes the user@.service drop-in */
	ENTRY_NAMED,   /* reported only: enable changes nothing */
};

struct entry_path {
	const char *name;     /* as the reports print it */
	enum entry_how how;
	const char *service;  /* the PAM service whose stack counts, or NULL */
	const char *program;  /* installed when this exists (or the stack does) */
	const char *starts;   /* what starts a user's processes this way */
	const char *gap;      /* ENTRY_NAMED: why it stays uncovered */
	bool root_only;       /* only root starts another user's processes so */
	bool no_login_shell;  /* runs $SHELL, not the login shell (nsiso-shell) */
};

extern const struct entry_path entry_paths[];
extern const size_t n_entry_paths;

enum entry_state {
	ENTRY_NOT_INSTALLED,
	ENTRY_COVERED,
	ENTRY_NOT_COVERED,
};

struct entry_status {
	enum entry_state state;
	const char *word;  /* "covered", "NOT covered", "not installed" ... */
	char detail[PATH_MAX + 1024]; /* where the line is, or what is missing; may be "" */
};

/* This host's state of one path, read now (stacks, the drop-in). */
void entry_path_status(const struct entry_path *e, struct entry_status *st);

/* systemd runs this host (its own test: /run/systemd/system). */
bool entry_systemd_host(void);

/* The user manager's coverage: a drop-in for user@.service that starts
 * each manager through the helper, inside the user's environment. */
#define MANAGER_DROPIN_DIR "/etc/systemd/system/user@.service.d"
#define MANAGER_DROPIN MANAGER_DROPIN_DIR "/nsiso.conf"
#define MANAGER_DROPIN_MARK "# Written by nsiso enable (nsiso(8))"

/* The drop-in's whole text, with the compiled-in helper path. */
void manager_dropin_text(char *buf, size_t len);

/* Prints, with prefix, one line per running user@UID.service of a user
 * the policy in policy_dir isolates whose main process is not the helper:
 * that manager started before nsiso enable and runs on the host. Returns
 * how many, or -1 when systemctl could not list them (said). */
int report_managers_outside(const char *policy_dir, const char *prefix);

/* Runs systemctl with args (after argv[0]): fixed environment, stdin
 * /dev/null, no shell. Its output (stdout and stderr) goes to out. Returns
 * its exit status, or -1 when it could not be run (said on stderr). */
int systemctl_run(const char *const args[], char *out, size_t outlen);

#endif
