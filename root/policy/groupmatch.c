/* Membership from NSS's answers, kept apart from the look-ups so that
 * every case, failures included, is unit-tested (tests/unit/test_groupmatch.c). */
#include "groupmatch.h"

#include <string.h>

enum membership group_membership(const char *group, const struct group_answer *a,
				 const char *user, gid_t primary,
				 const struct gid_list *list)
{
	if (a->status == GROUP_FAILED)
		return MEMBER_UNKNOWN;
	if (a->status == GROUP_ABSENT || a->name == NULL ||
	    strcmp(a->name, group) != 0)
		return MEMBER_NO;
	if (a->gid == primary)
		return MEMBER_YES;
	for (char *const *m = a->members; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return MEMBER_YES;
	if (list == NULL)
		return MEMBER_ASK_LIST;
	for (size_t i = 0; i < list->n; i++)
		if (list->gids[i] == a->gid)
			return MEMBER_YES;
	return MEMBER_NO;
}
