/* nsiso-resolve digest --uid UID (run by nsiso-helper digest): the few
 * facts of a user's policy that the setuid programs act on
 * (setuid/lib/digest.h), so that they parse no policy file and read none
 * of the admin's files themselves: the policy parser and the /etc/subuid
 * reader run here, in a program without the setuid bit (doc/DESIGN.md,
 * "Privilege"). The setuid programs become root in every id before they
 * run it; one that has lost its privileges runs it as the user, who may
 * ask for their own uid only (main.c), and trusts that answer less. */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "load.h"
#include "login_defs.h"
#include "subid.h"

/* The subordinate ranges are at most this long (subuid(5) files are a
 * line per user); anything larger is refused, not read in part. */
#define SUBID_FILE_MAX (1024 * 1024)

/* A value on one line: a newline or other control character would start
 * a line of its own, so each becomes a space. */
static void put(const char *key, const char *value)
{
	printf("%s ", key);
	for (const char *c = value; *c != '\0'; c++)
		putchar((unsigned char)*c < 0x20 || *c == 0x7f ? ' ' : *c);
	putchar('\n');
}

/* One of /etc/subuid, /etc/subgid, read like a policy file (it decides
 * which host ids the user gets, so only root may be able to change it).
 * 1 with the range, 0 (why says it) when there is none or it is unsafe. */
static int subid_range(const char *file, const struct user_info *u,
		       unsigned long own_id, unsigned long min_start,
		       unsigned long *start, unsigned long *count, char *why,
		       size_t len)
{
	struct nsiso_err err = { "" };
	char *text = NULL;
	size_t n = 0;
	int rc = 0;

	switch (trusted_file_read(AT_FDCWD, file, file, SUBID_FILE_MAX, &text, &n,
				  &err)) {
	case 0:
		break;
	case 1:
		snprintf(why, len, "userns_subids: %s has no range for %s (there is no %s)",
			 file, u->name, file);
		return 0;
	default:
		snprintf(why, len, "%s", err.msg);
		return 0;
	}
	/* Both files name the user (or their uid); own_id is the uid or
	 * the gid, which is mapped separately and may not be in the range. */
	switch (subid_find(text, n, u->name, (unsigned long)u->uid, own_id,
			   min_start, start, count, &err)) {
	case 1:
		rc = 1;
		break;
	case 0:
		snprintf(why, len, "userns_subids: %s has no range for %s", file, u->name);
		break;
	default:
		snprintf(why, len, "%s: %s", file, err.msg);
	}
	free(text);
	return rc;
}

static void put_subids(const struct user_info *u)
{
	struct nsiso_err err = { "" };
	unsigned long us, uc, gs, gc;
	unsigned uid_min, gid_min;
	char line[64], why[PATH_MAX + 256], *defs;
	size_t defs_len;

	if (login_defs_read(&defs, &defs_len, &err) < 0) {
		put("subid_error", err.msg);
		return;
	}
	uid_min = login_defs_scan(defs, defs_len, "SUB_UID_MIN", 100000);
	gid_min = login_defs_scan(defs, defs_len, "SUB_GID_MIN", 100000);
	free(defs);
	if (!subid_range("/etc/subuid", u, (unsigned long)u->uid, uid_min,
			 &us, &uc, why, sizeof(why)) ||
	    !subid_range("/etc/subgid", u, (unsigned long)u->gid, gid_min,
			 &gs, &gc, why, sizeof(why))) {
		put("subid_error", why);
		return;
	}
	snprintf(line, sizeof(line), "%lu %lu", us, uc);
	put("subuid", line);
	snprintf(line, sizeof(line), "%lu %lu", gs, gc);
	put("subgid", line);
}

static void put_policy(const struct loaded_policy *lp, const struct user_info *u)
{
	const struct policy *p = &lp->policy;
	char refusal[PATH_MAX + 1024];

	put("file", lp->path);
	if (p->shell != NULL)
		put("shell", p->shell);
	put("isolate", p->isolate ? "1" : "0");
	put("user", (p->namespaces & NSISO_NS_USER) ? "1" : "0");
	put("userns_root", p->userns == USERNS_ROOT ? "1" : "0");
	put("bound", p->has_capabilities ? "1" : "0");
	printf("keep %" PRIx64 "\n", p->cap_keep);
	put("no_new_privs", p->no_new_privs ? "1" : "0");
	put("subids", p->userns_subids ? "1" : "0");
	if (p->isolate && (p->namespaces & NSISO_NS_USER) && p->userns_subids)
		put_subids(u);
	if (p->isolate &&
	    policy_manager_refusal_message(p, u->name, lp->path, refusal, sizeof(refusal)))
		put("manager_refusal", refusal);
}

int helper_digest(uid_t uid, const char *policy_dir)
{
	struct nsiso_err lookup_err = { "" }, err = { "" };
	struct user_info u;
	struct loaded_policy lp;

	if (user_info_by_uid(uid, &u, &lookup_err) < 0) {
		put("load_error", lookup_err.msg);
	} else {
		if (policy_load(policy_dir, &u, &lp, &err) < 0) {
			put("load_error", err.msg);
		} else {
			if (lp.kind != CHOICE_NONE)
				put_policy(&lp, &u);
			loaded_policy_free(&lp);
		}
		user_info_free(&u);
	}
	printf("end\n");
	if (fflush(stdout) != 0) {
		helper_error(errno, "write the digest");
		return 1;
	}
	return 0;
}
