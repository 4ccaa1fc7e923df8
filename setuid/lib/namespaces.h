/* The namespaces pam_nsiso knows: one table of what each is called in a
 * policy, its bit in a policy, plan or reply, its CLONE_NEW* flag and its
 * file in /proc/PID/ns. The parser, the join, the build and the CLI all
 * read it; nothing else lists namespaces.
 *
 * Pure: no I/O, no syscalls (unit-tested in tests/unit/test_namespaces.c). */
#ifndef NSISO_NAMESPACES_H
#define NSISO_NAMESPACES_H

#include <stddef.h>

/* Namespace bits, in the order the policy's "namespaces" key lists them. */
enum nsiso_ns {
	NSISO_NS_MOUNT = 1u << 0,
	NSISO_NS_UTS = 1u << 1,
	NSISO_NS_IPC = 1u << 2,
	NSISO_NS_PID = 1u << 3,
	NSISO_NS_NET = 1u << 4,
	NSISO_NS_CGROUP = 1u << 5,
	NSISO_NS_TIME = 1u << 6,
	NSISO_NS_USER = 1u << 7,
};

#define NSISO_NS_COUNT 8

struct nsiso_ns_info {
	const char *name;      /* in policies and messages: "mount" */
	unsigned bit;          /* enum nsiso_ns */
	int clone_flag;        /* CLONE_NEWNS */
	const char *proc_name; /* the file in /proc/PID/ns: "mnt" */
};

/* Ordered by bit: nsiso_ns_table[i].bit == 1u << i. */
extern const struct nsiso_ns_info nsiso_ns_table[NSISO_NS_COUNT];

/* The entry of a policy name ("mount"), or NULL. */
const struct nsiso_ns_info *nsiso_ns_by_name(const char *name);

/* The entry of one bit, or NULL when bit is not exactly one known bit. */
const struct nsiso_ns_info *nsiso_ns_by_bit(unsigned bit);

/* The CLONE_NEW* flags of the namespaces in these bits (unknown bits are
 * ignored). */
int nsiso_ns_clone_flags(unsigned namespaces);

/* The CLONE_NEW* flags of the namespaces in these bits that an
 * environment holds: the build unshares them and a join enters them with
 * setns. All but time and user, which every login makes of its own (a
 * join its time namespace, nsiso-shell its user namespace). */
int nsiso_ns_env_clone_flags(unsigned namespaces);

/* "mount uts ..." for messages, in table order; buf of at least 64 bytes
 * holds every name. Stops before a name that does not fit. */
void nsiso_ns_names(unsigned namespaces, char *buf, size_t len);

#endif
