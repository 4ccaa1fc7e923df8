/* A part of a fresh, detached mount (fsmount()), as a mount of its own.
 *
 * Linux 6.1 (Debian 12) refuses open_tree(OPEN_TREE_CLONE) with EINVAL on a
 * mount that is not attached to the caller's mount namespace; newer kernels
 * allow it. So the fresh mount is attached for a moment on a staging point
 * that only the environment's mount namespace sees (/ is a slave there, so
 * nothing propagates to the host), the part is cloned from the attached
 * copy, and the staging mount is detached again. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "proto.h"

/* Fills trees[i] with a clone of parts[i] of mnt_fd (a detached mount
 * from fsmount(), used up by this call: after it, mnt_fd can only be
 * closed). Returns 0, or -1 with errno, *failed_step and no tree open. */
int clone_detached_parts(int mnt_fd, const char *const parts[], size_t count,
			 int trees[], const char **failed_step)
{
	char path[256];
	size_t done = 0;
	int saved = 0;

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
	while (done > 0) {
		done--;
		if (trees[done] >= 0)
			close(trees[done]);
	}
	errno = saved;
	return -1;
}
