/* What the setuid programs need of a user's policy, as nsiso-helper
 * (root, not setuid) reports it: no setuid program parses a policy file
 * (doc/DESIGN.md, "Privilege"). `nsiso-helper digest --uid UID` prints
 * one "key value" line each and "end" (root/nsiso-resolve/digest.c, run by nsiso-helper digest);
 * digest.c runs it and reads that. */
#ifndef NSISO_DIGEST_H
#define NSISO_DIGEST_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"

struct policy_digest {
	/* From nsiso-helper run as root. False when the caller could not
	 * become root (no_new_privs, a cut bounding set, no setuid bit) and
	 * ran it as the user, who may have shaped what it said: then only
	 * what the user could do anyway may follow from it. */
	bool trusted;
	char load_error[1024]; /* the policy could not be read: the reason */
	bool isolate;          /* a policy applies and isolates the user */
	char file[PATH_MAX];   /* the policy file that applies */
	char shell[PATH_MAX];  /* its "shell", or "" */
	bool user;             /* its namespaces include "user" */
	bool userns_root;      /* userns = root (else self) */
	bool bound;            /* a "capabilities" line: cut the bounding set */
	uint64_t keep;         /* the capabilities it keeps (bit N: cap N) */
	bool no_new_privs;
	/* userns_subids: the ranges from /etc/subuid and /etc/subgid, or
	 * the reason there are none (a user namespace is then refused). */
	bool subids;
	unsigned long subuid_start, subuid_count, subgid_start, subgid_count;
	char subid_error[1024];
	/* Why systemd --user may not run in this environment, or "". */
	char manager_refusal[PATH_MAX + 1024];
};

/* The digest of uid's policy, from NSISO_HELPER_PATH run as root when the
 * caller can become root (setuid root: all its uids become 0 in the
 * child), else as the user (d->trusted false); its environment is PATH
 * alone. 0, or -1 with e filled ("run nsiso-helper digest: ..."); a
 * policy that cannot be read is not -1 but load_error. */
int policy_digest_get(uid_t uid, struct policy_digest *d, struct nsiso_err *e);

/* The digest's lines into d (the helper's side writes them). 0, or -1
 * with the line that is wrong in e. Pure; unit-tested. */
int policy_digest_parse(const char *text, struct policy_digest *d,
			struct nsiso_err *e);

#endif
