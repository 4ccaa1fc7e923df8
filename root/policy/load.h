/* Reading the policy directory safely and resolving the user's policy.
 * The I/O half of policy handling; the module, helper and CLI all use it,
 * so a login and "nsiso check" read files under the same rules. */
#ifndef NSISO_LOAD_H
#define NSISO_LOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "select.h"
#include "userinfo.h"

/* The policy directory compiled in: defined by the Makefile alone
 * (SYSCONFDIR), through build/install-paths.h. */
#ifndef NSISO_DEFAULT_POLICY_DIR
#error "NSISO_DEFAULT_POLICY_DIR is not defined: build with make (it comes from the Makefile through -include build/install-paths.h)"
#endif

struct loaded_policy {
	enum choice_kind kind;     /* CHOICE_NONE: leave the user alone */
	char path[PATH_MAX];       /* the file that applies, or "" */
	char why[512];             /* one line for logs and "nsiso explain" */
	struct policy policy;      /* valid unless kind is CHOICE_NONE */
	bool no_policy_dir;        /* CHOICE_NONE because DIR is missing */
};

/* Resolves and parses the user's policy. Returns 0 (see kind), or -1 with
 * "path:line: reason" in e: an unsafe or broken file, an NSS failure
 * earlier, two group files with one priority, a missing DIR. */
int policy_load(const char *dir, struct user_info *u,
		struct loaded_policy *out, struct nsiso_err *e);

void loaded_policy_free(struct loaded_policy *lp);

/* Reads one policy file under the ownership rules (root-owned, not group
 * or world writable, a regular file, not a symlink) and parses it. Returns
 * 0, 1 when the file does not exist, -1 on error (e holds path:line). */
int policy_read_file(int dirfd, const char *name, const char *display_path,
		     enum policy_kind kind, struct policy *out,
		     struct nsiso_err *e);

/* The one careful reader of a file only root may change: opened without
 * following a symlink or blocking on a FIFO, checked through its fd by
 * config_unsafe_reason, at most max bytes, read whole into *text (NUL
 * added; free it). 0, 1 when it does not exist, -1 with the reason. */
int trusted_file_read(int dirfd, const char *name, const char *display_path,
		      size_t max, char **text, size_t *len, struct nsiso_err *e);

/* Why a file (want_dir: a directory) cannot be trusted as configuration
 * only root can change: not a regular file (directory), not root's, group
 * or world writable; NULL when it can. nsiso enable judges PAM stacks by
 * the same rule as policy files. */
struct stat;
const char *config_unsafe_reason(const struct stat *st, bool want_dir);

/* Opens a policy directory (or subdirectory) under the same rules.
 * Returns the fd, -1 with errno ENOENT when absent, or -1 with e set. */
int policy_open_dir(int parentfd, const char *name, const char *display_path,
		    struct nsiso_err *e);

/* /etc/login.defs, read whole under a policy file's rules: 0 with *text
 * (free it; NULL, length 0, without the file: shadow-utils' defaults
 * apply), or -1 with e when the file is there but unsafe or unreadable:
 * the caller fails rather than go on with a default the admin changed.
 * login_defs_scan (login_defs.h) reads a number out of it. */
int login_defs_read(char **text, size_t *len, struct nsiso_err *e);
/* Its UID_MIN: 0 with *value (1000 without the file or the setting), or
 * -1 with e (and *value 1000), as login_defs_read. */
int login_defs_uid_min(unsigned *value, struct nsiso_err *e);

/* True when name can be used as a policy file name ("NAME.conf"). */
bool policy_name_usable(const char *name);

#endif
