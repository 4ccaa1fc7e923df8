/* Is the user in a group that has a policy file? The pure half: given
 * what NSS answered, member, not a member, or "cannot tell". A failed
 * look-up is never taken for "not a member" (nsiso-policy(5), WHICH FILE
 * APPLIES); root/policy/usergroups.c asks NSS. */
#ifndef NSISO_GROUPMATCH_H
#define NSISO_GROUPMATCH_H

#include <stddef.h>
#include <sys/types.h>

enum group_lookup {
	GROUP_FOUND,
	GROUP_ABSENT,   /* NSS answered: no such group */
	GROUP_FAILED,   /* NSS could not answer (err) */
};

/* getgrnam_r's answer for the name of a group file. */
struct group_answer {
	enum group_lookup status;
	int err;               /* GROUP_FAILED: the errno getgrnam_r returned */
	const char *name;      /* GROUP_FOUND: gr_name, gr_gid, gr_mem */
	gid_t gid;
	char *const *members;
};

/* The user's groups as getgrouplist() (initgroups) lists them. */
struct gid_list {
	gid_t *gids;
	size_t n;
};

enum membership {
	MEMBER_NO,
	MEMBER_YES,
	MEMBER_UNKNOWN,   /* the look-up failed: nobody can tell */
	MEMBER_ASK_LIST,  /* only the user's group list can tell: ask again with it */
};

/* Whether user (primary group gid primary) is in the group that the file
 * group/GROUP.conf names, from NSS's answer a for GROUP: a member when the
 * group is the user's primary group, or its member list names the user,
 * or (list not NULL) the user's group list holds its gid. The group must
 * be called GROUP as NSS spells it (a case-insensitive directory's match
 * for another spelling is not that group's file). list may be NULL while
 * nobody has asked for it: it costs a getgrouplist(), needed only for
 * groups that do not name their members (sssd's ignore_group_members). */
enum membership group_membership(const char *group, const struct group_answer *a,
				 const char *user, gid_t primary,
				 const struct gid_list *list);

#endif
