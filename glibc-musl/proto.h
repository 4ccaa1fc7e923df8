/* The environment socket: how the module, the CLI and an environment's
 * init talk. SOCK_SEQPACKET in a root-only directory; both sides check the
 * peer with SO_PEERCRED, and the init hands out its own pidfd so that a
 * join can only ever target the process that answered. */
#ifndef NSISO_PROTO_H
#define NSISO_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef NSISO_RUNDIR
#define NSISO_RUNDIR "/run/nsiso"
#endif
/* Inside an environment a read-only tmpfs covers NSISO_RUNDIR and holds
 * this file ("uid=N\n"): the host's sockets are out of reach and a nested
 * PAM call can tell whose environment it is in. */
#define NSISO_MARKER "environment"

/* The protocol's family, never changed again: an environment outlives a
 * package upgrade, and the new release's clients must still talk to the
 * init the previous one started. What changes is NSISO_PROTO_VERSION,
 * under one rule: a request and a reply only ever grow, new fields
 * appended after the old ones. A client reads any
 * reply from NSISO_PROTO_OLDEST on (fields an older init does not send
 * read as zero, which must mean "not used"), and refuses, never
 * misreads, anything else (EPROTO): a longer reply than it knows, a
 * namespace or session flag it would not apply. */
#define NSISO_MAGIC 0x6e736933u /* "nsi3" */
#define NSISO_PROTO_VERSION 4u
/* Protocol 3 (the release before the field proto_version existed): its
 * reply ends at cgroup_dir, 800 bytes. */
#define NSISO_PROTO_OLDEST 3u
#define NSISO_REPLY_V3_SIZE 800u
/* Connections an init holds at once (registered logins, root's requests,
 * logins connecting); logins_max keeps room for root in it. */
#define NSISO_INIT_CLIENTS 4096
/* Seconds a client waits for an init's answer. */
#define PROTO_TIMEOUT_S 5
#define PROTO_TIMEOUT_TEXT "5 s"

enum nsiso_op {
	OP_REGISTER = 1, /* a login joins: reply carries the init's pidfd */
	OP_STATUS = 2,   /* nsiso list */
	OP_STOP = 3,     /* nsiso stop: end every process, then exit */
};

/* OP_STOP's grace when the request does not set one: the policy's. */
#define NSISO_GRACE_POLICY UINT32_MAX

/* An init reads at most the request it knows (SOCK_SEQPACKET drops the
 * rest of a longer message): an init of protocol 3 the first 8 bytes
 * ({magic, op}), one of 0.2.0 the first 12 (up to grace). A shorter
 * request of an older client reads as one with every later field at its
 * default (proto_request_accept). So a request grows at its end without
 * a new NSISO_PROTO_VERSION as long as every new field's default means
 * "not used": the version names the reply a client must read. */
struct nsiso_request {
	uint32_t magic;
	uint32_t op;
	/* Protocol 4 on. OP_STOP: seconds between SIGTERM and SIGKILL (at
	 * most the policy's bound), or NSISO_GRACE_POLICY */
	uint32_t grace;
	/* After 0.2.0. OP_REGISTER: the login's PAM_TTY and PAM_RHOST, for
	 * the environment's own utmp record ("" when unset: no record).
	 * Truncated to fit; NUL-terminated by proto_request_accept. */
	char tty[64];
	char rhost[256];
	/* After 0.2.0. OP_REGISTER: the registering process's pid in its own
	 * PID namespace (getpid(); 0: unknown). sshd and login write that
	 * pid into their utmp record: when the registration closes without
	 * their logout record (the caller was killed), the init ends the
	 * records that pid wrote (root/nsiso-init/utmp_env.c). */
	int32_t pid;
};
#define NSISO_REQUEST_V3_SIZE 8u
#define NSISO_REQUEST_V4_SIZE 12u

struct nsiso_reply {
	uint32_t magic;
	int32_t error;        /* 0 or an errno value */
	uint32_t namespaces;  /* enum nsiso_ns bits the environment has */
	uint32_t uid;
	uint32_t sessions;    /* registered logins still open */
	uint32_t processes;   /* processes in the PID namespace, init excluded */
	uint32_t linger;
	uint32_t share;       /* enum policy_share */
	uint32_t net_mode;    /* enum net_mode */
	int64_t started;      /* CLOCK_REALTIME seconds */
	int64_t policy_mtime; /* mtime of the policy file it was built from */
	char user[64];
	char hostname[65];
	char policy_path[256];
	/* What each joining process applies to itself (plan_fill_reply) */
	int64_t boottime_offset;  /* seconds; with NSISO_NS_TIME */
	int64_t monotonic_offset;
	uint64_t cap_keep;        /* with NSISO_SESSION_CAPS: bit N keeps cap N */
	uint32_t session_flags;   /* NSISO_SESSION_* */
	/* The policy's logins_max: registrations beyond it are refused with
	 * EUSERS (0 from a build before the key existed: no bound). */
	uint32_t logins_max;
	/* NSISO_SESSION_CGROUP_MOVE: the environment's cgroup directory
	 * (host path), which each joining process moves itself into */
	char cgroup_dir[320];
	/* Protocol 4 on. */
	uint32_t proto_version;   /* NSISO_PROTO_VERSION of the init's build */
	char release[60];         /* its release (debian/changelog) */
	/* The policy's stop_grace (seconds). */
	uint32_t stop_grace;
	/* OP_STOP answers twice: at once, with stop_grace the grace in effect,
	 * and when every process has ended, just before the init exits, with
	 * what the stop did: the processes it signalled (ended) and those of
	 * them still alive when the grace ran out (killed: SIGKILL).
	 * utmp_dead: utmp records of the ended processes marked dead. */
	uint32_t ended;
	uint32_t killed;
	uint32_t utmp_dead;
	uint32_t stop_flags;      /* NSISO_STOP_* */
};

/* session_flags */
#define NSISO_SESSION_CAPS 1u /* set the bounding set to cap_keep */
#define NSISO_SESSION_NNP 2u  /* PR_SET_NO_NEW_PRIVS */
/* cgroup namespace, host without systemd: move into cgroup_dir, then
 * setns into the environment's cgroup namespace (rooted there) */
#define NSISO_SESSION_CGROUP_MOVE 4u
/* cgroup namespace, systemd host: stay in logind's session scope (the
 * limits are on the user's slice) and unshare a cgroup namespace rooted
 * at it */
#define NSISO_SESSION_CGROUP_OWN 8u
/* ... and the environment has limits: the login must be in the user's
 * slice for them to reach it */
#define NSISO_SESSION_CGROUP_LIMITS 16u
/* Every flag this build applies: a reply with another one is refused. */
#define NSISO_SESSION_KNOWN 31u

/* stop_flags */
#define NSISO_STOP_REPORT 1u  /* the second answer to OP_STOP: the report */
#define NSISO_STOP_NO_PIDNS 2u /* no PID namespace: nothing was signalled */

/* Socket and lock names inside NSISO_RUNDIR. */
void proto_user_socket_name(uid_t uid, char *buf, size_t len);
void proto_user_lock_name(uid_t uid, char *buf, size_t len);

/* Sends a reply, with fd attached when fd >= 0. Returns 0 or -1 (errno). */
int proto_send_reply(int sock, const struct nsiso_reply *r, int fd);

/* Receives a reply of any protocol from NSISO_PROTO_OLDEST on; one of
 * protocol 3 comes back with proto_version 3 and the later fields zero.
 * *fd gets an attached fd (O_CLOEXEC) or -1. */
int proto_recv_reply(int sock, struct nsiso_reply *r, int *fd);

/* Connects to NSISO_RUNDIR/name with a fresh SOCK_SEQPACKET socket and
 * checks that the peer is root. Returns the fd, or -1 with errno
 * (ENOENT/ECONNREFUSED: no live environment; EPERM: peer not root). The
 * peer's pid in the caller's PID namespace is stored in *peer_pid. */
int proto_connect(const char *name, pid_t *peer_pid);

/* Whether n bytes received into r are a reply this build reads: of a
 * protocol from NSISO_PROTO_OLDEST on, with no namespace or session flag
 * it would not apply (pure; tests/unit/test_proto.c). */
bool proto_reply_accept(struct nsiso_reply *r, size_t n);

/* Whether n bytes received into req are a request this init serves: the
 * magic, and a size of a known layout (8, 12 or the whole struct; a
 * newer client's longer one arrives cut to the whole struct). The fields
 * a shorter request lacks get their defaults and the strings are
 * terminated (pure; tests/unit/test_proto.c). */
bool proto_request_accept(struct nsiso_request *req, size_t n);

/* OP_REGISTER carrying the login's tty and remote host (NULL: none) and
 * the caller's pid. */
int proto_call_register(int sock, const char *tty, const char *rhost,
			int32_t pid, struct nsiso_reply *r, int *fd);

/* Sends op and receives the reply (and fd for OP_REGISTER). */
int proto_call(int sock, enum nsiso_op op, struct nsiso_reply *r, int *fd);
/* The same, with OP_STOP's grace (NSISO_GRACE_POLICY: the policy's). */
int proto_call_grace(int sock, enum nsiso_op op, uint32_t grace,
		     struct nsiso_reply *r, int *fd);

/* The pid a pidfd refers to (PIDFD_GET_INFO, else /proc/self/fdinfo);
 * -1 on error. */
pid_t proto_pidfd_pid(int pidfd);

#endif
