/* A part of a fresh, detached mount (fsmount()), as a mount of its own.
 *
 * Linux 6.15 and later clone a part of a detached mount directly
 * (open_tree(mnt_fd, part, OPEN_TREE_CLONE)). Linux 6.1 (Debian 12) refuses
 * that with EINVAL: there the fresh mount is attached for a moment on a
 * staging point that only the environment's mount namespace sees (/ is a
 * slave there, so nothing propagates to the host), the part is cloned
 * from the attached copy, and the staging mount is detached again. Both
 * give the same mounts; the direct way saves the detach, whose RCU grace
 * period costs about a millisecond of every first login. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "proto.h"
#include "kernel_calls.h"

/* Closes trees[0..count). */
static void close_trees(int trees[], size_t count)
{
	while (count > 0) {
		count--;
		if (trees[count] >= 0)
			close(trees[count]);
	}
}

/* Clones each part straight from the detached mount. 0; or -1 with errno
 * and no tree open (EINVAL: a kernel before 6.15, which refuses). */
static int clone_direct(int mnt_fd, const char *const parts[], size_t count,
			int trees[])
{
	for (size_t done = 0; done < count; done++) {
		trees[done] = open_tree(mnt_fd, parts[done],
					OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						AT_SYMLINK_NOFOLLOW);
		if (trees[done] < 0) {
			int saved = errno;

			close_trees(trees, done);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

/* Fills trees[i] with a clone of parts[i] of mnt_fd (a detached mount
 * from fsmount(), used up by this call: after it, mnt_fd can only be
 * closed). Returns 0, or -1 with errno, *failed_step and no tree open. */
int clone_detached_parts(int mnt_fd, const char *const parts[], size_t count,
			 int trees[], const char **failed_step)
{
	char path[256];
	size_t done = 0;
	int saved = 0;

	if (clone_direct(mnt_fd, parts, count, trees) == 0)
		return 0;
	/* Only a kernel's refusal to clone a detached mount takes the staging
	 * way; any other error is the answer. */
	if (errno != EINVAL) {
		*failed_step = "clone";
		return -1;
	}
	/* NSISO_RUNDIR: root-owned, in every environment, and covered by the
	 * marker later; the staging mount sits on top of it only here. */
	if (move_mount(mnt_fd, "", AT_FDCWD, NSISO_RUNDIR,
		       MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		*failed_step = "attach for staging";
		return -1;
	}
	for (; done < count; done++) {
		snprintf(path, sizeof(path), "%s/%s", NSISO_RUNDIR, parts[done]);
		trees[done] = open_tree(AT_FDCWD, path,
					OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						AT_SYMLINK_NOFOLLOW);
		if (trees[done] < 0) {
			saved = errno;
			*failed_step = "clone";
			break;
		}
	}
	/* The staging mount is the top one on NSISO_RUNDIR, which is what
	 * umount takes; the clones hold the superblock on their own. */
	if (umount2(NSISO_RUNDIR, MNT_DETACH) < 0 && saved == 0) {
		saved = errno;
		*failed_step = "detach staging";
	}
	if (saved == 0)
		return 0;
	close_trees(trees, done);
	errno = saved;
	return -1;
}
