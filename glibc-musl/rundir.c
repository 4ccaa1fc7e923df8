#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"

int rundir_open(int create, struct nsiso_err *e)
{
	struct stat st;
	int fd;

	if (create && mkdir(NSISO_RUNDIR, 0700) < 0 && errno != EEXIST)
		return err_set(e, errno, "mkdir %s", NSISO_RUNDIR);
	fd = open(NSISO_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open %s", NSISO_RUNDIR);
	if (fstat(fd, &st) < 0) {
		err_set(e, errno, "fstat %s", NSISO_RUNDIR);
		close(fd);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & 077) != 0) {
		close(fd);
		errno = EPERM;
		return err_set(e, 0, "%s is refused: it must be owned by root with mode 0700 (found uid %u, mode %04o)",
			       NSISO_RUNDIR, (unsigned)st.st_uid,
			       (unsigned)(st.st_mode & 07777));
	}
	return fd;
}

int rundir_lock(int dirfd, const char *name, bool wait)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		struct stat held, named;
		int fd = openat(dirfd, name,
				O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0 ||
		    fstat(fd, &held) < 0) {
			int saved = errno;
			close(fd);
			return errno = saved, -1;
		}
		if (fstatat(dirfd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
		    named.st_dev == held.st_dev && named.st_ino == held.st_ino)
			return fd;
		close(fd); /* unlinked while we waited: lock the new one */
	}
	return errno = EDEADLK, -1;
}
