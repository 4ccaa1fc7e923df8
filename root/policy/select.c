/* Resolution order: user file, else the highest-priority matching group
 * file, else default.conf for users at or above uid_min. Root is isolated
 * only by its own user file, so a broken group or default policy can never
 * lock the administrator out. A group file whose membership NSS could not
 * establish decides nothing, but may not be passed over either when it
 * could have won: then the choice is an error, never default.conf. */
#include "select.h"

#include <stdio.h>
#include <string.h>

void policy_select(const struct policy_file *user,
		   const struct policy_file *groups, size_t n_groups,
		   const struct policy_file *def, uid_t uid,
		   unsigned login_defs_uid_min, struct policy_choice *out)
{
	const struct policy_file *best = NULL, *unknown = NULL;
	size_t n_match = 0;
	unsigned uid_min;

	memset(out, 0, sizeof(*out));
	if (user != NULL) {
		out->kind = CHOICE_USER;
		out->file = user;
		snprintf(out->why, sizeof(out->why), "%s: the user's own file",
			 user->path);
		return;
	}
	if (uid == 0) {
		out->kind = CHOICE_NONE;
		snprintf(out->why, sizeof(out->why),
			 "root is isolated only by user/root.conf");
		return;
	}
	for (size_t i = 0; i < n_groups; i++) {
		const struct policy_file *g = &groups[i];

		if (g->unknown != NULL) {
			if (unknown == NULL ||
			    g->policy->priority > unknown->policy->priority)
				unknown = g;
			continue;
		}
		n_match++;
		if (best == NULL || g->policy->priority > best->policy->priority)
			best = g;
	}
	/* At the best file's priority it would tie, which denies as well. */
	if (unknown != NULL &&
	    (best == NULL || unknown->policy->priority >= best->policy->priority)) {
		out->kind = CHOICE_ERROR;
		snprintf(out->why, sizeof(out->why),
			 "%s (priority %d) could apply, but %s; only a user file or a group file of higher priority decides without it",
			 unknown->path, unknown->policy->priority, unknown->unknown);
		return;
	}
	if (best != NULL) {
		for (size_t i = 0; i < n_groups; i++) {
			const struct policy_file *g = &groups[i];

			if (g != best && g->unknown == NULL &&
			    g->policy->priority == best->policy->priority) {
				out->kind = CHOICE_ERROR;
				snprintf(out->why, sizeof(out->why),
					 "%s and %s both match with priority %d: give one a higher priority",
					 best->path, g->path,
					 best->policy->priority);
				return;
			}
		}
		out->kind = CHOICE_GROUP;
		out->file = best;
		snprintf(out->why, sizeof(out->why),
			 "%s: the highest-priority group file (priority %d) of %zu matching",
			 best->path, best->policy->priority, n_match);
		return;
	}
	if (def == NULL) {
		out->kind = CHOICE_NONE;
		snprintf(out->why, sizeof(out->why),
			 "no user, group or default policy file applies");
		return;
	}
	uid_min = policy_has(def->policy, POLICY_KEY_UID_MIN) ? def->policy->uid_min
					   : login_defs_uid_min;
	if ((unsigned)uid < uid_min) {
		out->kind = CHOICE_NONE;
		snprintf(out->why, sizeof(out->why),
			 "uid %u is below uid_min %u (%s): system accounts are not isolated by default.conf",
			 (unsigned)uid, uid_min,
			 policy_has(def->policy, POLICY_KEY_UID_MIN) ? def->path
						  : "/etc/login.defs UID_MIN");
		return;
	}
	out->kind = CHOICE_DEFAULT;
	out->file = def;
	snprintf(out->why, sizeof(out->why), "%s: the default policy", def->path);
}
