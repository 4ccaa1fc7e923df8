/* The policy's mounts, made from inside the environment's mount namespace.
 *
 * Every target and source is opened with openat2(RESOLVE_NO_SYMLINKS) and
 * mounted through that fd with the new mount API, so a symlink swapped into
 * a user-writable path between check and mount cannot redirect a mount
 * (the pam_namespace and firejail class of bugs). Paths built from the
 * user's name are opened with the user's fsuid: a root_squash NFS home is
 * reachable, and root's privileges never reach into a user's tree. */
#include "helper.h"
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "paths.h"
#include "proto.h"
#include "kernel_calls.h"

/* One mount being made: the plan it comes from (the marker's is a
 * built-in one), the mount, and the build (its error and step). */
struct mount_ctx {
	const struct env_plan *plan;
	const struct planned_mount *m;
	struct build *b;
};

/* "path:line: kind: verb object: reason" */
static int report(struct mount_ctx *c, const char *what, const char *object,
		  int errnum)
{
	return err_set(&c->b->err, errnum, "%s:%u: %s: %s %s",
		       c->plan->policy_path, c->m->line,
		       policy_mount_kind_name(c->m->kind), what, object);
}

static int refuse(struct mount_ctx *c, const char *object, const char *why)
{
	return err_set(&c->b->err, 0, "%s:%u: %s: '%s' refused: %s",
		       c->plan->policy_path, c->m->line,
		       policy_mount_kind_name(c->m->kind), object, why);
}

/* A user's FUSE daemon could leave the lookup below asleep for good:
 * refuse such a path before it (userfs.c). Fails closed when mountinfo
 * cannot be read. */
static int check_user_fs(struct mount_ctx *c, const char *path, bool per_user)
{
	char why[4400];
	int rc = userfs_check(c->plan, path, per_user, why, sizeof(why));

	if (rc < 0)
		return report(c, "read", "/proc/self/mountinfo", errno);
	if (rc > 0)
		return refuse(c, path, why);
	return 0;
}

/* /scratch/%u in a sticky world-writable /scratch: another user could
 * have made /scratch/alice first and would then read or plant alice's
 * files. A per-user path must belong to the user (or root). */
static int check_owner(struct mount_ctx *c, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return report(c, "fstat", path, errno);
	if (st.st_uid != c->plan->uid && st.st_uid != 0)
		return refuse(c, path,
			      "a per-user path must be owned by the user or root");
	return 0;
}

/* Opens path as O_PATH without following any symlink, as the user when
 * as_user is set. */
static int open_no_symlinks(struct mount_ctx *c, const char *path,
			    bool as_user)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd, saved;

	if (check_user_fs(c, path, as_user) < 0)
		return -1;
	setup_step_set(c->b, "%s:%u: %s: lookup of %s", c->plan->policy_path,
		       c->m->line, policy_mount_kind_name(c->m->kind), path);
	if (as_user) {
		setfsgid(c->plan->gid);
		setfsuid(c->plan->uid);
	}
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	saved = errno;
	if (as_user) {
		setfsuid(0);
		setfsgid(0);
	}
	if (fd < 0) {
		if (saved == ELOOP)
			return refuse(c, path,
				      "a component is a symlink (name the real path)");
		/* "open X failed: reason": the shape the tests and the
		 * manual show for a missing path. */
		return err_set(&c->b->err, saved, "%s:%u: %s: open %s failed",
			       c->plan->policy_path, c->m->line,
			       policy_mount_kind_name(c->m->kind), path);
	}
	if (as_user && check_owner(c, fd, path) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int attach(struct mount_ctx *c, int mnt_fd, int target_fd)
{
	if (move_mount(mnt_fd, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return report(c, "mount on", c->m->target, errno);
	return 0;
}

static int set_attr(struct mount_ctx *c, int tree_fd, unsigned long long attr,
		    bool recursive)
{
	struct mount_attr ma = { .attr_set = attr };

	if (mount_setattr(tree_fd, "",
			  AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &ma,
			  sizeof(ma)) < 0)
		return report(c, "set attributes of", c->m->target, errno);
	return 0;
}

/* A detached tmpfs with the given comma-separated options. */
static int make_tmpfs(struct mount_ctx *c, const char *options,
		      unsigned long long attr)
{
	char opts[256];
	char *save = NULL;
	int fs, mnt;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return report(c, "fsopen", "tmpfs", errno);
	/* The source name shows in mountinfo: admins see whose mount it is.
	 * An older kernel without "source" support only loses the label. */
	(void)fsconfig(fs, FSCONFIG_SET_STRING, "source", "nsiso", 0);
	snprintf(opts, sizeof(opts), "%s", options);
	for (char *o = strtok_r(opts, ",", &save); o;
	     o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');

		if (eq == NULL)
			continue; /* the parser admits key=value options only */
		*eq = '\0';
		if (fsconfig(fs, FSCONFIG_SET_STRING, o, eq + 1, 0) < 0) {
			int saved = errno;
			char what[300];

			snprintf(what, sizeof(what), "tmpfs option %s=%s for", o,
				 eq + 1);
			close(fs);
			return report(c, what, c->m->target, saved);
		}
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int saved = errno;
		close(fs);
		return report(c, "create tmpfs for", c->m->target, saved);
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attr);
	close(fs);
	if (mnt < 0)
		return report(c, "fsmount tmpfs for", c->m->target, errno);
	return mnt;
}

static int mount_tmpfs(struct mount_ctx *c, int target_fd)
{
	int mnt = make_tmpfs(c, c->m->options,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	int rc;

	if (mnt < 0)
		return -1;
	rc = attach(c, mnt, target_fd);
	close(mnt);
	return rc;
}

#define HIDE_RO (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | \
		 MOUNT_ATTR_NOEXEC)

/* The empty file "empty", readable by all, in the tmpfs mnt. */
static int make_placeholder(struct mount_ctx *c, int mnt)
{
	int f = openat(mnt, "empty", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);

	if (f < 0)
		return report(c, "create placeholder for", c->m->target, errno);
	/* The helper's umask is 077: readable by all, as a hidden file reads
	 * empty rather than "Permission denied". */
	if (fchmod(f, 0444) < 0) {
		report(c, "chmod placeholder for", c->m->target, errno);
		close(f);
		return -1;
	}
	close(f);
	return 0;
}

/* A file: bind an empty read-only file from a private tmpfs over it. */
static int hide_file(struct mount_ctx *c, int target_fd)
{
	static const char *const parts[] = { "empty" };
	const char *step = "";
	int mnt, tree = -1, rc = -1;

	mnt = make_tmpfs(c, "size=4k,nr_inodes=16,mode=0755", 0);
	if (mnt < 0)
		return -1;
	if (make_placeholder(c, mnt) < 0)
		goto out;
	if (clone_detached_parts(mnt, parts, 1, &tree, &step) < 0) {
		tree = -1;
		report(c, step, "placeholder", errno);
		goto out;
	}
	if (set_attr(c, tree, HIDE_RO, false) == 0)
		rc = attach(c, tree, target_fd);
out:
	if (tree >= 0)
		close(tree);
	close(mnt);
	return rc;
}

/* An empty, read-only directory or file over target. */
static int mount_hide(struct mount_ctx *c, int target_fd)
{
	struct stat st;
	int mnt, rc;

	if (fstat(target_fd, &st) < 0)
		return report(c, "fstat", c->m->target, errno);
	if (!S_ISDIR(st.st_mode))
		return hide_file(c, target_fd);
	mnt = make_tmpfs(c, "size=4k,nr_inodes=16,mode=0555", HIDE_RO);
	if (mnt < 0)
		return -1;
	rc = attach(c, mnt, target_fd);
	close(mnt);
	return rc;
}

/* A source a user can write must not appear where setuid programs read
 * (doc/DESIGN.md, "Mount safety"): checked on the opened object itself. */
static int check_bind_source(struct mount_ctx *c, int src_fd)
{
	struct stat st;

	if (!path_is_setuid_sensitive(c->m->target))
		return 0;
	if (fstat(src_fd, &st) < 0)
		return report(c, "fstat", c->m->source, errno);
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return refuse(c, c->m->source,
			      "a source that is not root-owned or is group/world writable may not cover a path setuid programs read");
	return 0;
}

static int mount_bind(struct mount_ctx *c, int target_fd)
{
	unsigned long long attr = 0;
	int src, tree, rc = -1;

	src = open_no_symlinks(c, c->m->source, c->m->per_user_source);
	if (src < 0)
		return -1;
	if (check_bind_source(c, src) < 0)
		goto out_src;
	tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					  AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0) {
		report(c, "clone", c->m->source, errno);
		goto out_src;
	}
	if (c->m->readonly)
		attr |= MOUNT_ATTR_RDONLY;
	/* What the user controls must not carry setuid bits or devices. */
	if (c->m->per_user_source)
		attr |= MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (attr != 0 && set_attr(c, tree, attr, true) < 0)
		goto out_tree;
	rc = attach(c, tree, target_fd);
out_tree:
	close(tree);
out_src:
	close(src);
	return rc;
}

static int mount_readonly(struct mount_ctx *c, int target_fd)
{
	int tree, rc = -1;

	tree = open_tree(target_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return report(c, "clone", c->m->target, errno);
	if (set_attr(c, tree, MOUNT_ATTR_RDONLY, true) == 0)
		rc = attach(c, tree, target_fd);
	close(tree);
	return rc;
}

/* One planned mount, on its target opened without symlinks. */
static int apply_one(struct mount_ctx *c)
{
	int target, rc = -1;

	target = open_no_symlinks(c, c->m->target, c->m->per_user_target);
	if (target < 0)
		return -1;
	switch (c->m->kind) {
	case MOUNT_TMPFS:
		rc = mount_tmpfs(c, target);
		break;
	case MOUNT_BIND:
		rc = mount_bind(c, target);
		break;
	case MOUNT_READONLY:
		rc = mount_readonly(c, target);
		break;
	case MOUNT_HIDE:
		rc = mount_hide(c, target);
		break;
	}
	close(target);
	return rc;
}

int mounts_step_apply(struct build *b)
{
	for (size_t i = 0; i < b->plan->n_mounts; i++) {
		struct mount_ctx c = {
			.plan = b->plan, .m = &b->plan->mounts[i], .b = b,
		};

		if (apply_one(&c) < 0)
			return -1;
	}
	return 0;
}

#define MQUEUE_DIR "/dev/mqueue"

/* POSIX message queues are the IPC namespace's, but the host's
 * /dev/mqueue (systemd mounts one) shows the host's: a fresh mqueue
 * filesystem shows this process's. Nothing to do without the directory. */
int mounts_step_mqueue(struct build *b)
{
	struct stat sb;

	if (!(b->plan->namespaces & NSISO_NS_IPC) ||
	    !(b->plan->namespaces & NSISO_NS_MOUNT))
		return 0;
	if (lstat(MQUEUE_DIR, &sb) < 0) {
		if (errno == ENOENT)
			return 0; /* no mqueue mount point on this host */
		return err_set(&b->err, errno, "lstat %s", MQUEUE_DIR);
	}
	if (!S_ISDIR(sb.st_mode))
		return 0; /* not a mount point anyone uses */
	if (mount("mqueue", MQUEUE_DIR, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return err_set(&b->err, errno, "mount mqueue on %s", MQUEUE_DIR);
	return 0;
}

/* The marker file, "uid=N", in the detached tmpfs mnt. */
static int write_marker(struct mount_ctx *c, int mnt, uid_t uid)
{
	char text[32];
	ssize_t n;
	int f;

	f = openat(mnt, NSISO_MARKER, O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
	if (f < 0)
		return report(c, "create", NSISO_MARKER, errno);
	/* Readable by all: a user may check whether they are isolated. */
	if (fchmod(f, 0444) < 0) {
		report(c, "chmod", NSISO_MARKER, errno);
		close(f);
		return -1;
	}
	snprintf(text, sizeof(text), "uid=%u\n", (unsigned)uid);
	n = write(f, text, strlen(text));
	close(f);
	if (n != (ssize_t)strlen(text))
		return report(c, "write", NSISO_MARKER, n < 0 ? errno : EIO);
	return 0;
}

/* Covers NSISO_RUNDIR with a read-only tmpfs holding the marker file. */
int mounts_step_marker(struct build *b)
{
	static const struct planned_mount marker = {
		.kind = MOUNT_HIDE, .target = NSISO_RUNDIR,
	};
	static const struct env_plan none = { .policy_path = "(built-in)" };
	struct mount_ctx c = { .plan = &none, .m = &marker, .b = b };
	int mnt, target, rc = -1;

	if (!(b->plan->namespaces & NSISO_NS_MOUNT))
		return 0;
	mnt = make_tmpfs(&c, "size=4k,nr_inodes=16,mode=0755",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -1;
	if (write_marker(&c, mnt, b->plan->uid) < 0 ||
	    set_attr(&c, mnt, MOUNT_ATTR_RDONLY, false) < 0)
		goto out;
	target = open(NSISO_RUNDIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0) {
		report(&c, "open", NSISO_RUNDIR, errno);
		goto out;
	}
	rc = attach(&c, mnt, target);
	close(target);
out:
	close(mnt);
	return rc;
}
