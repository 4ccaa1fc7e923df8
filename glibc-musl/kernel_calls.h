/* The kernel calls that glibc 2.36 wraps and musl 1.2.3 does not: the new
 * mount API, close_range and pidfd_open; and MFD_NOEXEC_SEAL (Linux 6.3),
 * which Debian 12's headers lack. The builder is compiled with
 * both (musl for the installed, static nsiso-helper; glibc for its ASan
 * and fault-point builds), so under musl each is a plain syscall() with
 * the kernel's own argument types (linux/mount.h). */
#ifndef NSISO_KERNEL_CALLS_H
#define NSISO_KERNEL_CALLS_H

#include <fcntl.h>
#include <linux/mount.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

#ifdef __GLIBC__
#include <sys/pidfd.h>
#else
static inline int fsopen(const char *fs_name, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fs_name, flags);
}

static inline int fsconfig(int fd, unsigned int cmd, const char *key,
			   const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

static inline int move_mount(int from_dirfd, const char *from_path,
			     int to_dirfd, const char *to_path,
			     unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd,
			    to_path, flags);
}

static inline int open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

static inline int mount_setattr(int dirfd, const char *path,
				unsigned int flags, struct mount_attr *attr,
				size_t size)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, size);
}

static inline int close_range(unsigned int first, unsigned int last,
			      int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

static inline int pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}
#endif

#endif
