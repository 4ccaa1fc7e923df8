/* The environment's own cgroup v2 directory, <cgroup2>/<parent>/<env>
 * (parent: the policy's cgroup_parent, "nsiso" by default).
 *
 * The init must not stay in the first login's cgroup (its logind scope):
 * ending that one login (KillUserProcesses, terminate-session) would kill
 * the init and every other login of the user with it. The environment's
 * init is created directly in its own directory with
 * clone3(CLONE_INTO_CGROUP): moving a running process by writing
 * cgroup.procs waits for an RCU grace period, the largest part of a first
 * login (tests/bench/RESULTS.md); where clone3 cannot place it (a
 * seccomp filter that hides clone3, or a kernel before 5.7) it is cloned
 * without and writes itself there.
 *
 * With "cgroup" in the policy on a host without systemd, this directory is
 * the environment's: its limits are written here, every joining process
 * moves in (envjoin.c), and the cgroup namespace is rooted here. On a
 * systemd host the limits go on the user's slice instead (slice.c): logind
 * owns the login's scope and systemd the tree, so nothing is moved behind
 * their backs. */
#include "helper.h"
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgpath.h"
#include "cgroup_teardown.h"
#include "errmsg.h"
#include "mountinfo.h"
#include "namespaces.h"
#include "proto.h"
#include "rundir.h"

struct found {
	char *out;
	size_t len;
};

static int is_cgroup2(const struct mountinfo_entry *e, void *arg)
{
	struct found *f = arg;

	/* A bind of a subtree (or a mount made inside a cgroup namespace)
	 * is not the root: enabling controllers and leaving for "the root"
	 * would act one level too low. */
	if (strcmp(e->fstype, "cgroup2") != 0 || strcmp(e->root, "/") != 0)
		return 0;
	snprintf(f->out, f->len, "%s", e->point);
	return 1;
}

/* Where systemd mounts the cgroup2 hierarchy: the unified layout, then
 * the hybrid one. */
static const char *const usual_cgroup2[] = { "/sys/fs/cgroup",
					     "/sys/fs/cgroup/unified" };

/* Whether path is where the root of the cgroup2 hierarchy is mounted:
 * cgroup2's filesystem, without the cgroup.type file that the kernel
 * gives every cgroup but the root (so not a bind of a subtree, nor a
 * mount made inside a cgroup namespace: is_cgroup2's rule). */
static bool is_cgroup2_root(const char *path)
{
	char type[64];
	struct statfs sf;

	if (statfs(path, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		return false;
	snprintf(type, sizeof(type), "%s/cgroup.type", path);
	return access(type, F_OK) < 0 && errno == ENOENT;
}

/* The initial cgroup namespace has a fixed inode number
 * (PROC_CGROUP_INIT_INO in linux/proc_ns.h). */
#define INITIAL_CGROUP_NS_INO 0xEFFFFFFBU

static bool in_initial_cgroup_ns(void)
{
	struct stat sb;

	return stat("/proc/self/ns/cgroup", &sb) == 0 &&
	       sb.st_ino == INITIAL_CGROUP_NS_INO;
}

/* Finds the cgroup2 mount point; 0 when found. The usual places first,
 * with two system calls each: the kernel writes the whole mount table
 * for a read of mountinfo, a quarter of a millisecond of every first
 * login here. */
static int find_cgroup2(char *out, size_t len)
{
	struct found f = { out, len };

	/* Only in the initial cgroup namespace: inside another one,
	 * mountinfo's root field (what is_cgroup2 reads) is relative to that
	 * namespace, and a mount of the hierarchy's root is not its root. */
	if (!in_initial_cgroup_ns())
		return mountinfo_each(is_cgroup2, &f) == 1 ? 0 : -1;
	for (size_t i = 0; i < sizeof(usual_cgroup2) / sizeof(usual_cgroup2[0]); i++) {
		if (is_cgroup2_root(usual_cgroup2[i])) {
			snprintf(out, len, "%s", usual_cgroup2[i]);
			return 0;
		}
	}
	return mountinfo_each(is_cgroup2, &f) == 1 ? 0 : -1;
}

/* Whether the word is in a space-separated controller list. */
static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static int read_small(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_file(int dirfd, const char *name, const char *value,
		      const char *dir, struct nsiso_err *e)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return err_set(e, errno, "open %s/%s", dir, name);
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value)) {
		err_set(e, n < 0 ? errno : EIO, "write '%s' to %s/%s", value,
			dir, name);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A small file of the directory dir names, for read_small. */
static int read_in(const char *dir, const char *name, char *buf, size_t len,
		   struct nsiso_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open %s", dir);
	if (read_small(fd, name, buf, len) < 0) {
		err_set(e, errno, "read %s/%s", dir, name);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Every controller the policy's limits need must be in the hierarchy: on
 * a hybrid host they are all bound to cgroup v1. */
static int check_controllers(const struct env_plan *plan, const char *root,
			     struct nsiso_err *e)
{
	char have[512];

	if (read_in(root, "cgroup.controllers", have, sizeof(have), e) < 0)
		return -1;
	for (int k = 0; k < N_LIMITS; k++) {
		if (!plan->limits.set[k] ||
		    listed(have, limit_controller((enum limit_kind)k)))
			continue;
		return err_set(e, 0,
			       "%s:%u: %s: the cgroup v2 hierarchy at %s has no '%s' controller (it offers '%s'; on a hybrid host it is bound to cgroup v1)",
			       plan->policy_path, plan->limits_line[k],
			       limit_key((enum limit_kind)k), root,
			       limit_controller((enum limit_kind)k), have);
	}
	return 0;
}

/* Enables, for dir's children, each controller the limits need that
 * its cgroup.subtree_control lacks. */
static int enable_for_children(const struct env_plan *plan, const char *dir,
			       struct nsiso_err *e)
{
	char enabled[512], want[64];
	int fd, rc = 0;

	if (read_in(dir, "cgroup.subtree_control", enabled, sizeof(enabled), e) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open %s", dir);
	for (int k = 0; k < N_LIMITS && rc == 0; k++) {
		const char *c = limit_controller((enum limit_kind)k);

		if (!plan->limits.set[k] || listed(enabled, c))
			continue;
		snprintf(want, sizeof(want), "+%s", c);
		rc = write_file(fd, "cgroup.subtree_control", want, dir, e);
	}
	close(fd);
	return rc;
}

/* mkdir -p of the policy's cgroup_parent below the root (one fixed path,
 * checked by the parser: no dots, no templates) into out. With enable,
 * the limits' controllers are enabled for the children of each directory
 * from the root down to the parent. */
static int make_parent(const struct env_plan *plan, const char *root,
		       bool enable, char *out, size_t len, struct nsiso_err *e)
{
	const char *p = plan->cgroup_parent;

	snprintf(out, len, "%s", root);
	if (enable && enable_for_children(plan, out, e) < 0)
		return -1;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		size_t used = strlen(out);

		snprintf(out + used, len - used, "/%.*s", (int)n, p);
		if (mkdir(out, 0755) < 0 && errno != EEXIST)
			return err_set(e, errno, "mkdir %s", out);
		if (enable && enable_for_children(plan, out, e) < 0)
			return -1;
		p += n + (p[n] == '/');
	}
	return 0;
}

/* The policy's limits, and the kernel's defaults where it sets none: a
 * directory left by an earlier environment must not pass its limits on. */
static int write_limits(int fd, const struct env_plan *plan, const char *dir,
			struct nsiso_err *e)
{
	for (int k = 0; k < N_LIMITS; k++) {
		enum limit_kind lk = (enum limit_kind)k;
		uint64_t v = plan->limits.set[k] ? plan->limits.value[k]
						 : limit_default(lk);
		char value[32];

		if (!plan->limits.set[k] &&
		    faccessat(fd, limit_cgroup_file(lk), F_OK, 0) < 0)
			continue; /* controller not enabled here: nothing set */
		limit_cgroup_value(lk, v, value, sizeof(value));
		if (write_file(fd, limit_cgroup_file(lk), value, dir, e) < 0)
			return -1;
	}
	return 0;
}

/* Whether NAME is an environment's: "user-UID" (*uid set, *session
 * false) or "session-UID-SUFFIX" (*session true). */
static bool env_dir_name(const char *name, unsigned *uid, bool *session)
{
	const char *p;
	char *end;
	unsigned long u;

	*session = strncmp(name, "session-", 8) == 0;
	if (*session)
		p = name + 8;
	else if (strncmp(name, "user-", 5) == 0)
		p = name + 5;
	else
		return false;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	u = strtoul(p, &end, 10);
	if (errno != 0 || u > 0xfffffffful)
		return false;
	*uid = (unsigned)u;
	return *session ? end[0] == '-' && end[1] != '\0' : *end == '\0';
}

static bool socket_exists(int rundir_fd, const char *sock)
{
	struct stat sb;

	return fstatat(rundir_fd, sock, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	       errno != ENOENT;
}

/* Removes the empty directories of environments that ended without
 * removing theirs (an init killed by SIGKILL, a crash, a share = user
 * teardown that an open login outlasted). Why it never removes one in
 * use:
 *  - rmdir fails with EBUSY while a process is in the directory, so a
 *    running environment (its init is in it) keeps it;
 *  - a build makes its socket in /run/nsiso before its directory, and
 *    its init moves in only later; an init unlinks its socket before it
 *    removes the directory. A directory whose socket exists is skipped:
 *    it may be starting (empty for a moment) or live;
 *  - session-UID-SUFFIX names are random and used once: with no socket,
 *    no build will ever move into that one (its own init, still waiting
 *    for a stopped login, gets ENOENT, which is done for it);
 *  - user-UID is reused by that user's next build, which holds the
 *    user's build lock from before its socket exists until its init is
 *    in: the sweep takes that lock without waiting (skips if held) and
 *    looks at the socket again under it. Our own build's user is held
 *    by us, so skipped: its directory is reused.
 * Errors other than "in use" or "gone" are reported, never fatal. */
static void sweep_leftovers(const struct init_state *st, const char *parent)
{
	int fd = dup(st->cgroup_parent_fd);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		helper_error(errno, "sweep: read %s", parent);
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char sock[128], lock[64];
		int lock_fd = -1;
		unsigned uid;
		bool session;

		if (de->d_type != DT_DIR ||
		    !env_dir_name(de->d_name, &uid, &session) ||
		    snprintf(sock, sizeof(sock), "%s.sock", de->d_name) >=
			    (int)sizeof(sock) ||
		    socket_exists(st->rundir_fd, sock))
			continue;
		if (!session) {
			proto_user_lock_name(uid, lock, sizeof(lock));
			lock_fd = rundir_lock(st->rundir_fd, lock, false);
			if (lock_fd < 0 || socket_exists(st->rundir_fd, sock)) {
				if (lock_fd >= 0)
					close(lock_fd);
				continue;
			}
		}
		if (unlinkat(st->cgroup_parent_fd, de->d_name, AT_REMOVEDIR) < 0 &&
		    errno != EBUSY && errno != ENOENT && errno != ENOTEMPTY)
			helper_error(errno, "sweep: remove leftover cgroup %s/%s",
				     parent, de->d_name);
		if (lock_fd >= 0) {
			/* As an init's teardown does: the file goes under
			 * the lock; a waiter locks a fresh one. */
			(void)unlinkat(st->rundir_fd, lock, 0);
			close(lock_fd);
		}
	}
	closedir(d);
}

/* The root's cgroup.procs (where the init goes to let its directory go)
 * and the parent directory, made as needed, with the controllers the
 * limits need; fills st's cgroup_root*, cgroup_parent_fd. */
static int open_parent(struct build *b, bool enable, char *parent, size_t len)
{
	struct init_state *st = &b->st;
	char procs[1100];

	if (enable && check_controllers(b->plan, st->cgroup_root, &b->err) < 0)
		return -1;
	if (make_parent(b->plan, st->cgroup_root, enable, parent, len, &b->err) < 0)
		return -1;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", st->cgroup_root);
	st->cgroup_root_procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (st->cgroup_root_procs_fd < 0)
		return err_set(&b->err, errno, "open %s", procs);
	st->cgroup_parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->cgroup_parent_fd < 0)
		return err_set(&b->err, errno, "open %s", parent);
	return 0;
}

/* The environment's own directory below the parent: its fd, or -1. */
static int make_env_dir(struct build *b, const char *parent)
{
	struct init_state *st = &b->st;
	int fd = -1;

	snprintf(st->cgroup_name, sizeof(st->cgroup_name), "%s", b->env_name);
	snprintf(st->cgroup_dir, sizeof(st->cgroup_dir), "%s/%s", parent,
		 b->env_name);
	if (strlen(st->cgroup_dir) >= sizeof(((struct nsiso_reply *)0)->cgroup_dir))
		return err_set(&b->err, ENAMETOOLONG,
			       "make cgroup %s (joining logins are told the path; shorten cgroup_parent)",
			       st->cgroup_dir);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (mkdirat(st->cgroup_parent_fd, b->env_name, 0755) < 0 &&
		    errno != EEXIST)
			return err_set(&b->err, errno, "mkdir %s", st->cgroup_dir);
		fd = openat(st->cgroup_parent_fd, b->env_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* ENOENT: the previous environment of this name removed
		 * it between our mkdir and open; make it once more. */
		if (fd >= 0 || errno != ENOENT)
			break;
	}
	if (fd < 0)
		return err_set(&b->err, errno, "open cgroup %s", st->cgroup_dir);
	return fd;
}

/* What each joining process needs to know of the cgroup (envjoin.c). */
static void reply_cgroup(struct build *b)
{
	struct nsiso_reply *r = &b->st.reply;

	if (!(b->plan->namespaces & NSISO_NS_CGROUP))
		return;
	if (b->st.cgroup_systemd) {
		r->session_flags |= NSISO_SESSION_CGROUP_OWN;
		if (limits_any(&b->plan->limits))
			r->session_flags |= NSISO_SESSION_CGROUP_LIMITS;
	} else {
		r->session_flags |= NSISO_SESSION_CGROUP_MOVE;
		/* Its length was checked against this field when the
		 * directory was made (make_env_dir). */
		memcpy(r->cgroup_dir, b->st.cgroup_dir, sizeof(r->cgroup_dir) - 1);
	}
}

/* Opens (making it) the environment's cgroup directory into b->cgroup_fd;
 * -2 there without cgroup v2 (no scope to leave) unless "cgroup" needs it. */
int cgroup_step_open(struct build *b)
{
	struct init_state *st = &b->st;
	bool cgroup_ns = (b->plan->namespaces & NSISO_NS_CGROUP) != 0;
	bool own_limits, enable;
	char parent[1200];
	int fd;

	if (find_cgroup2(st->cgroup_root, sizeof(st->cgroup_root)) < 0) {
		st->cgroup_root[0] = '\0';
		b->cgroup_fd = -2;
		if (!cgroup_ns)
			return 0;
		return err_set(&b->err, 0,
			       "%s: namespaces: 'cgroup' needs a cgroup v2 hierarchy, and none is mounted",
			       b->plan->policy_path);
	}
	st->cgroup_systemd = cgroup_ns && access(CGPATH_SYSTEMD_MARKER, F_OK) == 0;
	own_limits = cgroup_ns && !st->cgroup_systemd;
	enable = own_limits && limits_any(&b->plan->limits);
	if (open_parent(b, enable, parent, sizeof(parent)) < 0)
		goto fail;
	sweep_leftovers(st, parent);
	fd = make_env_dir(b, parent);
	if (fd < 0)
		goto fail;
	if (own_limits && write_limits(fd, b->plan, st->cgroup_dir, &b->err) < 0) {
		close(fd);
		env_cgroup_remove(st);
		goto fail;
	}
	b->cgroup_fd = fd;
	reply_cgroup(b);
	return 0;
fail:
	st->cgroup_dir[0] = '\0';
	env_cgroup_close(st);
	return -1;
}

void env_cgroup_close(struct init_state *st)
{
	if (st->cgroup_root_procs_fd >= 0)
		close(st->cgroup_root_procs_fd);
	if (st->cgroup_parent_fd >= 0)
		close(st->cgroup_parent_fd);
	st->cgroup_root_procs_fd = st->cgroup_parent_fd = -1;
}

/* A child with the namespaces of ns_flags (clone3's flags), born in the
 * cgroup when the kernel can (*placed): the value of fork(). The child is
 * a bare clone of this static musl program: musl's cached thread id is
 * the helper's there, so the init must not use raise(), abort() or
 * pthread functions (it does not). */
static pid_t clone_into(int cgroup_fd, uint64_t ns_flags, bool *placed)
{
	struct clone_args args = {
		.flags = ns_flags,
		.exit_signal = SIGCHLD,
	};
	long pid;

	*placed = false;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		/* Like fork(): no new stack, the child returns here. Nothing
		 * in the helper relies on pthread_atfork handlers. */
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*placed = true;
			return (pid_t)pid;
		}
		/* Only a kernel without CLONE_INTO_CGROUP (before 5.7), or a
		 * seccomp filter that hides clone3, is asked again without it
		 * (the child then joins the cgroup itself); ENOENT and the
		 * rest are the caller's. */
		if (errno != E2BIG && errno != EINVAL && errno != ENOSYS)
			return -1;
		args.flags = ns_flags;
		args.cgroup = 0;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	/* ENOSYS: a seccomp filter that answers so for clone3 (container
	 * runtimes' default profiles do, to make libcs use clone): clone
	 * takes the same namespace flags, and a child on the same stack. */
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, (unsigned long)ns_flags | SIGCHLD, 0L,
			      NULL, NULL, 0L);
	return (pid_t)pid;
}

pid_t cgroup_clone(struct build *b, uint64_t ns_flags)
{
	pid_t child = clone_into(b->cgroup_fd, ns_flags, &b->in_cgroup);

	if (child < 0 && errno == ENOENT && b->cgroup_fd >= 0) {
		/* An environment of this name that ended without the build
		 * lock (nsiso stop, SIGTERM) removed the directory between
		 * our open and the clone: make it once more. */
		close(b->cgroup_fd);
		b->cgroup_fd = -1;
		env_cgroup_close(&b->st);
		if (cgroup_step_open(b) < 0)
			return -1;
		child = clone_into(b->cgroup_fd, ns_flags, &b->in_cgroup);
	}
	if (child < 0) {
		char names[128];

		nsiso_ns_names(b->plan->namespaces &
				       ~(unsigned)(NSISO_NS_NET | NSISO_NS_CGROUP),
			       names, sizeof(names));
		err_set(&b->err, errno,
			"create the environment's init with namespaces %s%s%s",
			names[0] ? names : "(none)",
			b->st.cgroup_dir[0] ? " in cgroup " : "", b->st.cgroup_dir);
	}
	return child;
}

int cgroup_step_enter(struct build *b)
{
	int fd;

	/* Born in its cgroup already (clone3), or without one. */
	if (b->in_cgroup || b->cgroup_fd < 0)
		return 0;
	fd = openat(b->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		err_set(&b->err, errno, "join cgroup %s", b->st.cgroup_dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
