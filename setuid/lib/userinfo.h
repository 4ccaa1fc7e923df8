/* The user as NSS sees it: canonical name, ids, primary group name. An
 * NSS failure is an error. (The groups that have policy files are looked
 * up by root/policy/usergroups.c: the setuid programs never need them.) */
#ifndef NSISO_USERINFO_H
#define NSISO_USERINFO_H

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
	char uid_str[16]; /* "%U" */
};

/* 0 on success; -1 with the error in e. */
int user_info_by_name(const char *name, struct user_info *u, struct nsiso_err *e);
int user_info_by_uid(uid_t uid, struct user_info *u, struct nsiso_err *e);
void user_info_free(struct user_info *u);

/* The name of group gid through NSS: 1 with *name (free it), 0 when the
 * gid has no entry, -1 with errno on an NSS failure. */
int user_group_name(gid_t gid, char **name);

#endif
