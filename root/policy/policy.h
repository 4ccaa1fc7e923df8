/* Policy files: the pure parser shared by the module, the helper and the CLI.
 *
 * No I/O, no PAM, no globals: text in, a struct or a line:column error out.
 * That keeps "nsiso check" and a real login from ever disagreeing, and lets the
 * parser be unit-tested and fuzzed on its own. */
#ifndef NSISO_POLICY_H
#define NSISO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envlimits.h"
#include "namespaces.h" /* enum nsiso_ns */

/* Used when a policy isolates but has no "namespaces" line. */
#define NSISO_NS_DEFAULT \
	(NSISO_NS_MOUNT | NSISO_NS_UTS | NSISO_NS_IPC | NSISO_NS_PID)

/* Which file is being parsed: some keys belong to one kind only. */
enum policy_kind {
	POLICY_DEFAULT, /* DIR/default.conf */
	POLICY_USER,    /* DIR/user/NAME.conf */
	POLICY_GROUP,   /* DIR/group/NAME.conf */
};

enum policy_share {
	SHARE_USER,    /* every login of the user joins one environment */
	SHARE_SESSION, /* a fresh environment per login */
};

enum mount_kind {
	MOUNT_TMPFS,    /* tmpfs = PATH [OPTIONS] */
	MOUNT_BIND,     /* bind = SRC DST [ro] */
	MOUNT_READONLY, /* readonly = PATH */
	MOUNT_HIDE,     /* hide = PATH */
};

struct policy_mount {
	enum mount_kind kind;
	char *source;   /* bind only; may hold templates */
	char *target;   /* may hold templates */
	char *options;  /* tmpfs only: "size=...,mode=..."; NULL = defaults */
	bool readonly;  /* bind "ro" */
	unsigned line;
};

enum userns_mode {
	USERNS_SELF, /* userns = self: the user's uid maps to itself */
	USERNS_ROOT, /* userns = root: the user's uid is 0 inside */
};

/* The real shell nsiso-shell runs when the policy has no "shell" line. */
#define POLICY_DEFAULT_SHELL "/bin/bash"
/* The login shell wrapper's file name (nsiso-shell(8)). */
#define NSISO_SHELL_NAME "nsiso-shell"

enum net_mode {
	NET_UNSET,    /* no "network" line: loopback when "net" is listed */
	NET_LOOPBACK, /* network = loopback */
	NET_NETNS,    /* network = netns NAME */
	NET_VETH,     /* network = veth BRIDGE ADDRESS/PREFIX [GATEWAY] */
};

struct policy_network {
	enum net_mode mode;
	char *netns;         /* NET_NETNS: name template in /run/netns */
	char *bridge;        /* NET_VETH: the admin's bridge on the host */
	unsigned char addr[4];    /* NET_VETH: IPv4 address or pool base */
	unsigned prefix;
	bool pool;           /* host part 0: each user gets base + uid */
	bool has_gateway;
	unsigned char gateway[4];
};

/* The keys of a policy file, one row each in the key table
 * (root/policy/policy.c): name, handler, value limits, the file kinds it
 * may appear in and the namespace it needs. The order is the order the
 * whole-file rules are checked in, which decides the error a file that
 * breaks two of them is reported with: keep it when adding a key. */
enum policy_key {
	POLICY_KEY_ISOLATE,
	POLICY_KEY_UID_MIN,
	POLICY_KEY_PRIORITY,
	POLICY_KEY_LINGER,
	POLICY_KEY_LOGINS_MAX,
	POLICY_KEY_STOP_GRACE,
	POLICY_KEY_HOSTNAME,
	POLICY_KEY_TMPFS,         /* the mount keys, in enum mount_kind order */
	POLICY_KEY_BIND,
	POLICY_KEY_READONLY,
	POLICY_KEY_HIDE,
	POLICY_KEY_NETWORK,
	POLICY_KEY_NETNS_CREATE,
	POLICY_KEY_SHARE,
	POLICY_KEY_BOOTTIME_OFFSET,
	POLICY_KEY_MONOTONIC_OFFSET,
	POLICY_KEY_USERNS,
	POLICY_KEY_USERNS_SUBIDS,
	POLICY_KEY_MEMORY_MAX,    /* the limits, in enum limit_kind order */
	POLICY_KEY_PIDS_MAX,
	POLICY_KEY_CPU_WEIGHT,
	POLICY_KEY_CGROUP_PARENT,
	POLICY_KEY_CAPABILITIES,
	POLICY_KEY_NO_NEW_PRIVS,
	POLICY_KEY_SHELL,
	POLICY_KEY_NAMESPACES,
	POLICY_N_KEYS
};

/* The key of a resource limit (memory_max for LIMIT_MEMORY). */
#define POLICY_KEY_LIMIT(k) ((enum policy_key)(POLICY_KEY_MEMORY_MAX + (k)))

struct policy {
	/* line[key]: the line that set the key (a repeatable mount key:
	 * its first line), 0 when the file does not give it */
	unsigned line[POLICY_N_KEYS];
	bool isolate;
	unsigned namespaces;        /* enum nsiso_ns bits */
	char *hostname;             /* template; NULL = keep the host's */
	struct policy_mount *mounts;
	size_t n_mounts;
	enum policy_share share;
	unsigned linger;            /* seconds */
	unsigned logins_max;        /* open logins at once */
	unsigned stop_grace;        /* seconds between SIGTERM and SIGKILL */
	unsigned uid_min;           /* default.conf only */
	int priority;               /* group files only */
	struct policy_network network;
	bool netns_create;          /* create a missing netns NAME */
	/* time: offsets (seconds) of the session's CLOCK_BOOTTIME and
	 * CLOCK_MONOTONIC; 0 when not given */
	long boottime_offset;
	long monotonic_offset;
	/* capabilities = LIST|none: the session's capability bounding set */
	bool has_capabilities;
	uint64_t cap_keep;          /* bit N: keep capability N */
	bool no_new_privs;
	/* user: how nsiso-shell maps the user (needs "user") */
	enum userns_mode userns;
	bool userns_subids;         /* also map /etc/subuid, /etc/subgid */
	char *shell;                /* shell = PATH; NULL: POLICY_DEFAULT_SHELL */
	/* cgroup: memory_max, pids_max, cpu_weight (need "cgroup") */
	struct env_limits limits;
	/* cgroup_parent = DIR: where environments' cgroups go on a host
	 * without systemd, relative to the cgroup v2 root; NULL: the
	 * default */
	char *cgroup_parent;
};

/* Whether the file gave the key. */
static inline bool policy_has(const struct policy *p, enum policy_key k)
{
	return p->line[k] != 0;
}

struct policy_error {
	unsigned line;  /* 1-based; 0 when the error is about the whole file */
	unsigned col;   /* 1-based; 0 when unknown */
	char msg[256];
};

/* Longest accepted value of a single line, in bytes. */
#define POLICY_MAX_LINE 4096
/* Upper bound on a policy file's size; larger files are refused. */
#define POLICY_MAX_SIZE (256 * 1024)
/* Bounds that keep an environment's set-up small and predictable. */
#define POLICY_MAX_MOUNTS 64
#define POLICY_MAX_LINGER (7u * 24 * 3600)
/* logins_max: open logins one environment serves at once. The init's
 * table holds NSISO_INIT_CLIENTS connections; the rest of it is kept for
 * root's requests (nsiso list, stop) and logins that are connecting. */
#define POLICY_DEFAULT_LOGINS_MAX 1000u
#define POLICY_MAX_LOGINS 4000u
/* stop_grace: how long nsiso stop lets the environment's processes act on
 * SIGTERM and SIGHUP before SIGKILL. systemd waits 90 s for a session
 * scope; an admin who typed nsiso stop waits here, and a login that comes
 * meanwhile waits for the stop (at most the module's 45 s), so 10 s. The
 * bound keeps a stop an admin can wait for. */
#define POLICY_DEFAULT_STOP_GRACE 10u
#define POLICY_MAX_STOP_GRACE 300u
/* boottime_offset / monotonic_offset: at most ten years either way. */
#define POLICY_MAX_TIME_OFFSET 315360000L
/* cgroup_parent when the policy names none; and its longest value. */
#define POLICY_DEFAULT_CGROUP_PARENT "nsiso"
#define POLICY_MAX_CGROUP_PARENT 128
/* tmpfs options used when a tmpfs line gives no size. */
#define POLICY_TMPFS_DEFAULT_SIZE "size=256m"

/* Parses a whole file. Returns 0 and fills *out, or -1 and fills *err
 * (out is then left empty). text need not be NUL-terminated; NUL bytes
 * inside it are an error. */
int policy_parse(const char *text, size_t len, enum policy_kind kind,
		 struct policy *out, struct policy_error *err);

void policy_free(struct policy *p);

const char *policy_mount_kind_name(enum mount_kind kind);

/* A key's name as policy files spell it ("memory_max"), or NULL for a
 * value that is not a key. */
const char *policy_key_name(enum policy_key k);

/* For the unit tests: true, with the first fault in buf, when a row of
 * the key table breaks a rule the parser relies on (a key without a row
 * or handler, a namespace need that is no namespace...). */
bool policy_key_table_fault(char *buf, size_t len);

/* Capability names the parser knows: "cap_chown" for 0 ... up to
 * POLICY_CAP_COUNT - 1; NULL beyond. */
#define POLICY_CAP_COUNT 41
const char *policy_cap_name(unsigned cap);

/* "cap_kill cap_net_raw" for a keep mask, "none" for 0; buf of at least
 * 800 bytes holds every name. */
void policy_cap_names(uint64_t keep, char *buf, size_t len);

/* True when a tmpfs with these options ("size=..,mode=..", NULL for none)
 * is writable by group or others (the default mode is 1777). */
bool policy_tmpfs_user_writable(const char *options);

/* Why the user manager (systemd --user, nsiso-helper manager) cannot run
 * in an environment of this policy, or NULL when it can: then it must not
 * run at all (never on the host). */
const char *policy_manager_refusal(const struct policy *p);

/* That refusal as the user reads it, for user under the policy file
 * path: one wording for the build user@.service runs first
 * (nsiso-helper build --for-manager) and for the manager itself. True
 * with the message in buf, false (buf untouched) when the manager may
 * run. */
bool policy_manager_refusal_message(const struct policy *p, const char *user,
				    const char *path, char *buf, size_t len);

#endif
