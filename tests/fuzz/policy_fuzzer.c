/* libFuzzer target: the policy parser, plan_make and the template and path
 * rules (the pure code that reads what an admin wrote and what NSS says).
 *
 * Input: byte 0 picks the file kind (default/user/group), byte 1 picks a
 * user (including hostile NSS names), the rest is the policy text.
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks
 * the rules a plan must keep whatever the text: no planned mount on a
 * forbidden target, every path normal, and no group/other-writable tmpfs
 * (by the mode the kernel will apply: the last one) over a tree that
 * setuid programs read. A broken rule aborts with the input saved.
 *
 *   make fuzz FUZZ_SECONDS=600 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namespaces.h"
#include "paths.h"
#include "plan.h"
#include "policy.h"
#include "template.h"

struct fake {
	const char *name, *group, *uid;
};

/* Names NSS could return: ordinary, setuid-tree names, traversal, a slash,
 * a template escape, control bytes, and long ones. */
static const struct fake users[] = {
	{ "alice", "alice", "1000" },
	{ "etc", "usr", "1001" },
	{ "..", ".", "1002" },
	{ "a/b", "g/h", "1003" },
	{ "%u", "%%", "1004" },
	{ "bad\nname", "tab\tgrp", "1005" },
	{ "", "", "0" },
	{ "proc", "sys", "4294967294" },
	{ "john_doe", "Domain Users", "70000" },
	{ "x", "y", "1" },
};
#define N_USERS (sizeof(users) / sizeof(users[0]))

static char long_name[300];

/* The mode the kernel applies: the last "mode=" of the list (1777 when
 * none). */
static unsigned long effective_mode(const char *opts)
{
	unsigned long mode = 01777;

	for (const char *o = opts; *o != '\0';) {
		if (strncmp(o, "mode=", 5) == 0)
			mode = strtoul(o + 5, NULL, 8);
		o += strcspn(o, ",");
		if (*o == ',')
			o++;
	}
	return mode;
}

static void check_plan(const struct env_plan *plan)
{
	for (size_t i = 0; i < plan->n_mounts; i++) {
		const struct planned_mount *m = &plan->mounts[i];

		if (path_abnormal_reason(m->target) != NULL)
			abort(); /* a planned target that is not normal */
		if (path_forbidden_target_reason(m->target) != NULL)
			abort(); /* a planned mount on a reserved path */
		if (m->kind == MOUNT_BIND &&
		    path_abnormal_reason(m->source) != NULL)
			abort();
		if (m->kind == MOUNT_TMPFS &&
		    path_is_setuid_sensitive(m->target) &&
		    (effective_mode(m->options) & 022) != 0)
			abort(); /* user-writable tmpfs over /etc, /usr... */
		if (m->kind == MOUNT_BIND && m->per_user_source &&
		    path_is_setuid_sensitive(m->target))
			abort(); /* per-user source over a setuid tree */
	}
	if (plan->set_hostname &&
	    hostname_invalid_reason(plan->hostname) != NULL)
		abort();
}

static void fuzz_templates(const char *s)
{
	struct template_vars v = { .user = "alice", .uid = "1000",
				   .group = "staff", .host = "web1" };
	char out[128], tiny[4];
	size_t bad;
	int checked = template_check(s, &bad);

	(void)template_is_per_user(s);
	if (template_expand(s, &v, out, sizeof(out)) == 0) {
		if (checked != 0)
			abort(); /* expanded what template_check refused */
		(void)hostname_invalid_reason(out);
	}
	(void)template_expand(s, &v, tiny, sizeof(tiny));
	(void)template_expand(s, &v, out, 0);
	if (s[0] == '/') {
		(void)path_abnormal_reason(s);
		(void)path_forbidden_target_reason(s);
		(void)path_is_setuid_sensitive(s);
		(void)path_covers(s, "/etc/pam.d");
		(void)path_covers("/etc", s);
	}
	(void)policy_tmpfs_user_writable(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum policy_kind kinds[] = { POLICY_DEFAULT, POLICY_USER,
						  POLICY_GROUP };
	struct policy p;
	struct policy_error perr;
	const char *text;
	size_t len;
	char *copy;

	if (size < 2)
		return 0;
	text = (const char *)data + 2;
	len = size - 2;

	if (policy_parse(text, len, kinds[data[0] % 3], &p, &perr) == 0) {
		struct user_info u;
		struct env_plan plan;
		struct nsiso_err err;
		char names[128];
		const struct fake *f = &users[data[1] % N_USERS];
		unsigned which = data[1] / N_USERS;

		memset(&u, 0, sizeof(u));
		if (long_name[0] == '\0')
			memset(long_name, 'n', sizeof(long_name) - 1);
		u.name = (char *)(which % 7 == 6 ? long_name : f->name);
		u.group = (char *)f->group;
		u.uid = (uid_t)strtoul(f->uid, NULL, 10);
		u.gid = u.uid;
		snprintf(u.uid_str, sizeof(u.uid_str), "%s", f->uid);
		/* Only namespaces of the table, all of which are built: why
		 * no "not supported" check follows the parser any more. */
		for (unsigned b = 1; b != 0; b <<= 1)
			if ((p.namespaces & b) && nsiso_ns_by_bit(b) == NULL)
				abort();
		nsiso_ns_names(p.namespaces, names, sizeof(names));
		for (size_t i = 0; i < p.n_mounts; i++) {
			enum policy_key k = (enum policy_key)(POLICY_KEY_TMPFS +
							      p.mounts[i].kind);

			(void)policy_mount_kind_name(p.mounts[i].kind);
			/* A mount key's line is its first mount line. */
			if (p.line[k] == 0 || p.line[k] > p.mounts[i].line)
				abort();
		}
		if (plan_make(&p, "/etc/security/nsiso/fuzz.conf", &u,
			      which % 2 ? "web1.example.org" : "h", &plan, &err) == 0) {
			check_plan(&plan);
			plan_free(&plan);
		} else if (plan.mounts != NULL || plan.n_mounts != 0) {
			abort(); /* a failed plan must be left empty */
		}
		policy_free(&p);
	} else if (perr.msg[0] == '\0') {
		abort(); /* an error without a message */
	}

	/* The same bytes as a template and as a path, NUL-terminated and
	 * cut at the first NUL as the parser's callers would see them. */
	copy = malloc(len + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, text, len);
	copy[len] = '\0';
	fuzz_templates(copy);
	free(copy);
	return 0;
}
