/* A FUSE filesystem whose daemon never answers, as a user could mount with
 * fusermount and user_allow_other: usage fuse_hang MOUNTPOINT UID GID.
 * Mounts type fuse.hang on MOUNTPOINT (mount(2) as root, with the user's
 * user_id/group_id and allow_other, what fusermount would pass), prints
 * "mounted" and then holds /dev/fuse open without ever reading it, so
 * every lookup below MOUNTPOINT sleeps (killably) until this process is
 * killed; kill it, then umount MOUNTPOINT. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char opts[256];
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: fuse_hang MOUNTPOINT UID GID\n");
		return 2;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fuse_hang: open /dev/fuse: %s\n", strerror(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=%s,group_id=%s,allow_other", fd,
		 argv[2], argv[3]);
	if (mount("nssec-hang", argv[1], "fuse.hang", MS_NOSUID | MS_NODEV,
		  opts) < 0) {
		fprintf(stderr, "fuse_hang: mount on %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	printf("mounted\n");
	fflush(stdout);
	for (;;)
		pause();
}
