/* Which policy file applies to a user: pure resolution over parsed files. */
#ifndef NSISO_SELECT_H
#define NSISO_SELECT_H

#include <stddef.h>
#include <sys/types.h>

#include "policy.h"

struct policy_file {
	const char *path;
	const struct policy *policy; /* parsed, kind matching the path */
	/* Group files only: NULL when the user is in the group; else why
	 * nobody can tell whether the user is (an NSS failure). */
	const char *unknown;
};

enum choice_kind {
	CHOICE_NONE,    /* not isolated: no file, root, or below uid_min */
	CHOICE_USER,
	CHOICE_GROUP,
	CHOICE_DEFAULT,
	CHOICE_ERROR,   /* two group files with the same top priority, or
			 * one whose membership is unknown could apply */
};

struct policy_choice {
	enum choice_kind kind;
	const struct policy_file *file; /* the file that applies, or NULL */
	char why[512];                  /* for "nsiso explain" and errors */
};

/* user: DIR/user/NAME.conf or NULL; groups: the matching group files,
 * and those of groups whose membership is unknown (.unknown set): one of
 * these denies when its priority is not below the best matching file's
 * (or nothing matches), since it could be the one that applies;
 * def: DIR/default.conf or NULL; login_defs_uid_min: UID_MIN from
 * /etc/login.defs, used when default.conf sets no uid_min. */
void policy_select(const struct policy_file *user,
		   const struct policy_file *groups, size_t n_groups,
		   const struct policy_file *def, uid_t uid,
		   unsigned login_defs_uid_min, struct policy_choice *out);

#endif
