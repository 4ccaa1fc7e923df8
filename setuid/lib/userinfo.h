/* The user as NSS sees it: canonical name, ids, primary and supplementary
 * group names. An NSS failure is an error, never "no groups". */
#ifndef NSISO_USERINFO_H
#define NSISO_USERINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "errmsg.h"

struct user_info {
	char *name;       /* canonical name returned by NSS */
	uid_t uid;
	gid_t gid;
	char *home;
	char *shell;
	char *group;      /* primary group name ("%g"); the gid in decimal if nameless */
	char **groups;    /* names of every group the user is in, primary too;
			   * filled by user_info_load_groups() */
	size_t n_groups;
	bool groups_loaded;
	char uid_str[16]; /* "%U" */
};

/* 0 on success; -1 with the error in e. */
int user_info_by_name(const char *name, struct user_info *u, struct nsiso_err *e);
int user_info_by_uid(uid_t uid, struct user_info *u, struct nsiso_err *e);
void user_info_free(struct user_info *u);

/* The name of group gid through NSS: 1 with *name (free it), 0 when the
 * gid has no entry, -1 with errno on an NSS failure. */
int user_group_name(gid_t gid, char **name);

/* Looks up every group of the user (getgrouplist + names). Only needed
 * when group policy files exist, so a login without them skips the most
 * expensive NSS call. 0, or -1 with a message (an NSS failure).
 * root/policy/usergroups.c: the setuid programs never need it. */
int user_info_load_groups(struct user_info *u, struct nsiso_err *e);

#endif
