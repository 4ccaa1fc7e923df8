/* The environment's own utmp (doc/DESIGN.md, "who inside an environment").
 *
 * Inside, who and w drop records whose pid does not exist in the PID
 * namespace, and the host's file holds every user's logins. So an
 * environment with a mount namespace gets a file of its own,
 * NSISO_RUNDIR/ENV.utmp, bound over /run/utmp inside: what programs
 * inside write (utempter for tmux and screen, sshd's session process,
 * which joined the mount namespace) lands there, and nsiso-init adds its
 * logins' records (root/nsiso-init/utmp_env.c).
 *
 * create (helper, on the host, after the build lock): the file, made
 * fresh (O_CREAT|O_EXCL in the root-only directory, never following a
 * link) with the host's /run/utmp's group and mode. No /run/utmp on the
 * host: no file, nothing to cover. bind (the init, after the policy's
 * mounts, before the marker hides NSISO_RUNDIR): over /run/utmp, only if
 * that is still the host's file; otherwise the file goes again. remove:
 * the name, only if it is still the file made here. The host's /run/utmp
 * is opened too (host_utmp_fd): the init copies into it the records sshd
 * writes into the environment's file, so the host's who keeps listing
 * the logins (root/nsiso-init/utmp_host.c). */
#include "helper.h"
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"
#include "kernel_calls.h"

#define HOST_UTMP "/run/utmp"

void utmp_remove(struct init_state *st)
{
	struct stat sb;

	if (st->utmp_fd < 0)
		return;
	if (fstatat(st->rundir_fd, st->utmp_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			helper_error(errno, "stat %s/%s", NSISO_RUNDIR, st->utmp_name);
		return;
	}
	if ((uint64_t)sb.st_dev == st->utmp_dev && (uint64_t)sb.st_ino == st->utmp_ino &&
	    unlinkat(st->rundir_fd, st->utmp_name, 0) < 0 && errno != ENOENT)
		helper_error(errno, "remove %s/%s", NSISO_RUNDIR, st->utmp_name);
}

int utmp_step_create(struct build *b)
{
	struct init_state *st = &b->st;
	struct stat host, sb;
	int fd;

	if (!(b->plan->namespaces & NSISO_NS_MOUNT))
		return 0;
	if (lstat(HOST_UTMP, &host) < 0) {
		if (errno == ENOENT)
			return 0; /* no utmp on the host: who lists nothing there either */
		return err_set(&b->err, errno, "stat %s", HOST_UTMP);
	}
	if (!S_ISREG(host.st_mode))
		return 0; /* not a file a bind could cover as one */
	snprintf(st->utmp_name, sizeof(st->utmp_name), "%s.utmp", b->env_name);
	/* Left by an init that was killed: share = user holds the build
	 * lock, so no live environment owns it; a session's name is new. */
	if (unlinkat(st->rundir_fd, st->utmp_name, 0) < 0 && errno != ENOENT)
		return err_set(&b->err, errno, "remove stale %s/%s", NSISO_RUNDIR,
			       st->utmp_name);
	fd = openat(st->rundir_fd, st->utmp_name,
		    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(&b->err, errno, "create %s/%s", NSISO_RUNDIR,
			       st->utmp_name);
	st->utmp_fd = fd; /* from here a failure removes the name */
	if (fstat(fd, &sb) < 0)
		return err_set(&b->err, errno, "stat %s/%s", NSISO_RUNDIR,
			       st->utmp_name);
	st->utmp_dev = sb.st_dev;
	st->utmp_ino = sb.st_ino;
	/* The host's group (utmp on Debian) writes it, as utempter's
	 * setgid helper does; no one else ever may. */
	if (fchown(fd, 0, host.st_gid) < 0 ||
	    fchmod(fd, host.st_mode & 0664) < 0)
		return err_set(&b->err, errno, "give %s/%s the owner and mode of %s",
			       NSISO_RUNDIR, st->utmp_name, HOST_UTMP);
	st->host_utmp_dev = host.st_dev;
	st->host_utmp_ino = host.st_ino;
	/* The host's file itself, for the init's copies of sshd's records
	 * (root/nsiso-init/utmp_host.c): opened here, on the host, and
	 * only if it is still the file looked at above. */
	fd = open(HOST_UTMP, O_RDWR | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_set(&b->err, errno, "open %s", HOST_UTMP);
	st->host_utmp_fd = fd;
	if (fstat(fd, &sb) < 0)
		return err_set(&b->err, errno, "stat %s", HOST_UTMP);
	if (sb.st_dev != host.st_dev || sb.st_ino != host.st_ino)
		return err_set(&b->err, 0, "%s was replaced while the build opened it",
			       HOST_UTMP);
	return 0;
}

/* The init does without the file: it closes it and removes the name. */
static void drop(struct init_state *st)
{
	utmp_remove(st);
	close(st->utmp_fd);
	st->utmp_fd = -1;
	/* sshd writes into the policy's /run/utmp then, as without the
	 * environment's file: nothing to copy. */
	close(st->host_utmp_fd);
	st->host_utmp_fd = -1;
}

/* The file through its name in the environment's copy of NSISO_RUNDIR: a
 * clone must come from a mount of this mount namespace. */
static int open_own(struct build *b)
{
	char path[sizeof(NSISO_RUNDIR) + sizeof(b->st.utmp_name) + 1];
	struct stat sb;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NSISO_RUNDIR, b->st.utmp_name);
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(&b->err, errno, "open %s", path);
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_dev != b->st.utmp_dev ||
	    (uint64_t)sb.st_ino != b->st.utmp_ino) {
		err_set(&b->err, errno, "open %s: not the file the build made", path);
		close(fd);
		return -1;
	}
	return fd;
}

int utmp_step_bind(struct build *b)
{
	struct init_state *st = &b->st;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
	};
	struct stat sb;
	int target, src, tree, rc = -1;

	if (st->utmp_fd < 0)
		return 0;
	target = open(HOST_UTMP, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0 && errno != ENOENT && errno != ELOOP)
		return err_set(&b->err, errno, "open %s inside", HOST_UTMP);
	/* A policy that covers /run keeps its own choice: only the host's
	 * file is covered. */
	if (target < 0 || fstat(target, &sb) < 0 ||
	    (uint64_t)sb.st_dev != st->host_utmp_dev ||
	    (uint64_t)sb.st_ino != st->host_utmp_ino) {
		if (target >= 0)
			close(target);
		drop(st);
		return 0;
	}
	src = open_own(b);
	if (src < 0)
		goto out_target;
	tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0) {
		err_set(&b->err, errno, "clone %s/%s", NSISO_RUNDIR, st->utmp_name);
		goto out_src;
	}
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		err_set(&b->err, errno, "make %s/%s nosuid, nodev, noexec",
			NSISO_RUNDIR, st->utmp_name);
	else if (move_mount(tree, "", target, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		err_set(&b->err, errno, "bind %s/%s over %s", NSISO_RUNDIR,
			st->utmp_name, HOST_UTMP);
	else
		rc = 0;
	close(tree);
out_src:
	close(src);
out_target:
	close(target);
	return rc;
}
