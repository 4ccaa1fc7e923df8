/* One build of an environment, as named steps (build.c runs them; init.c,
 * network.c, cgroup.c, mounts.c and slice.c contribute their own).
 *
 * Every value of a build lives once, in struct build: the plan is read
 * through b->plan, what nsiso-init keeps is b->st (the handoff), and the
 * rest belongs to the helper and the init it clones. The
 * struct is passed to every step, so nothing crosses a fork through
 * file-scope state. A step that fails fills b->err ("verb object:
 * reason", errmsg.h) and returns -1; the error then travels as it is, up
 * the helper's stack or over the status pipe, and leaves through
 * helper_report() in one place. */
#ifndef NSISO_BUILD_H
#define NSISO_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"
#include "handoff.h"
#include "netlink.h"
#include "plan.h"

/* Memory the helper shares with its forks until the init execs
 * nsiso-init (build.c). */
struct setup_shared;

struct build {
	const struct env_plan *plan;
	struct init_state st; /* the handoff: everything nsiso-init keeps */
	struct nsiso_err err; /* the first failure, with its context */
	char lock_name[64];   /* share = user: the build lock's name */
	char env_name[80];    /* the cgroup directory's name */
	char init_path[4096 + sizeof(NSISO_INIT_NAME) + 1]; /* for messages */
	int lock_fd;
	int exe_fd;           /* nsiso-init, opened O_PATH */
	int cgroup_fd;        /* the environment's cgroup; -2 without v2 */
	bool in_cgroup;       /* the init was born in it (clone3) */
	int status[2];        /* the init's report to the helper */
	pid_t child;          /* the init, the helper's child until it exits */
	/* In the init: its steps are announced to the helper
	 * (setup_step_set), the helper's own are not. */
	bool is_setup;
	struct nl host_nl;    /* veth: netlink on the host, used by the init */
	int publish_fd;       /* netns_create: the init's netns, to publish */
	struct setup_shared *shared;
};

/* One named step. run returns 0 to go on, -1 failed (b->err says why), 1
 * nothing more to do (success). fault: the fault point reached after the
 * step succeeded (fault.h), or NULL. */
struct step {
	const char *name;
	int (*run)(struct build *b);
	const char *fault;
};

/* Runs the steps in order, each announced with setup_step_set() (in the
 * init, so an overdue set-up names the step it hung on): 0 all
 * done, 1 a step finished the build, -1 a step failed. */
int run_steps(struct build *b, const struct step *steps, size_t count);
#define RUN_STEPS(b, steps) run_steps(b, steps, sizeof(steps) / sizeof(steps[0]))

/* The set-up's current step ("%s:%u: bind: lookup of /x"), kept where the
 * helper reads it if the set-up does not finish in time; only the init
 * writes it. */
void setup_step_set(struct build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* network.c. host (helper): open the admin's netns, check the bridge,
 * remove a stale host end. enter (the init, first): join the admin's
 * netns or unshare a new one. inside (the init): lo up, the veth, sysfs and /etc/netns
 * binds, removing what it made on failure. publish (the init,
 * netns_create): the new netns as /run/netns/NAME. */
int net_step_prepare_host(struct build *b);
int net_step_enter(struct build *b);
int net_step_setup_inside(struct build *b);
int net_step_publish(struct build *b);

/* mounts.c, in the init: the plan's mounts, a fresh mqueue on /dev/mqueue
 * (IPC), and the cover of NSISO_RUNDIR holding the marker file. */
int mounts_step_apply(struct build *b);
int mounts_step_mqueue(struct build *b);
int mounts_step_marker(struct build *b);

/* hosts.c, in the init: with a host name of its own (uts, mount), a
 * read-only copy of the host's /etc/hosts plus "127.0.1.1 NAME" over
 * /etc/hosts inside, unless the host's file names it already. */
int hosts_step_name(struct build *b);

/* cgroup.c. open (helper): makes <cgroup2>/<cgroup_parent>/ENV (with
 * "cgroup" and no systemd: the controllers and limits too), fills st's
 * cgroup fields and b->cgroup_fd (-2 without cgroup v2 and no "cgroup").
 * clone: the init, with the namespaces of ns_flags (clone3's flags),
 * born in that cgroup when the kernel can (b->in_cgroup); the helper's
 * value of fork(). enter (the init): moves there unless born there.
 * close: the fds open kept for teardown. */
int cgroup_step_open(struct build *b);
pid_t cgroup_clone(struct build *b, uint64_t ns_flags);
int cgroup_step_enter(struct build *b);
void env_cgroup_close(struct init_state *st);

/* slice.c, helper: "cgroup" on a systemd host: the limits on the user's
 * slice (systemctl set-property), after checking that the login
 * building the environment is in that slice. */
int slice_step_apply(struct build *b);

/* init.c. open (helper): nsiso-init next to this helper, O_PATH, before
 * any namespace or mount changes what the path shows; checked like a
 * setuid binary's own file. prepare (the init): signals, pidfd, /proc,
 * the reply template. exec (the init): hands b->st over in a sealed memfd
 * and execs nsiso-init; returns only on failure. */
int init_step_open_binary(struct build *b);
int init_step_prepare(struct build *b);
int init_step_exec(struct build *b);
/* The plan's part of the handoff, and every fd -1. */
void init_state_init(struct init_state *st, const struct env_plan *plan);

/* utmp.c. create (helper): the environment's own utmp in NSISO_RUNDIR
 * (with a mount namespace, when the host has /run/utmp). bind (the
 * init): over /run/utmp inside, when that is still the host's file;
 * else the file goes. remove: its name, if still the file made. */
int utmp_step_create(struct build *b);
int utmp_step_bind(struct build *b);
void utmp_remove(struct init_state *st);

/* build.c, the init, first: no loginuid (and host PID 1's rlimits, which
 * it inherits): nothing of the login that happens to build the
 * environment. */
int shed_step_login(struct build *b);

#endif
