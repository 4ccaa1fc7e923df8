/* Environments whose init does not answer (its table full of a hostile
 * user's connections, stuck, or of another build): found and ended
 * without its help, so that nsiso list and stop never skip one.
 *
 * The init is found as the holder of the listening socket: the kernel's
 * /proc/net/unix names the socket inode bound at the path, and only the
 * init holds that inode. Its pidfd is then the handle: a pid is checked
 * again after the pidfd is open, so a recycled pid is never signalled. */
#include "unanswered.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proto.h"

/* __SO_ACCEPTCON in /proc/net/unix's Flags: a listening socket. */
#define UNIX_FLAG_LISTENING 0x10000ul

/* The inode of the socket listening at path, or 0. The host's network
 * namespace shows it: the helper binds the socket before making any. */
static unsigned long listening_inode(const char *path)
{
	char line[PATH_MAX + 128];
	unsigned long ino = 0;
	FILE *f = fopen("/proc/net/unix", "re");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long flags, inode;
		char name[PATH_MAX + 1];

		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %lu %4096s", &flags,
			   &inode, name) == 3 &&
		    (flags & UNIX_FLAG_LISTENING) && strcmp(name, path) == 0) {
			ino = inode;
			break;
		}
	}
	fclose(f);
	return ino;
}

/* Whether process pid holds the socket inode ino. */
static bool holds_socket(pid_t pid, unsigned long ino)
{
	char dir[64], path[384], link[64], want[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	d = opendir(dir);
	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	closedir(d);
	return found;
}

static bool is_init(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strcmp(comm, "nsiso-init\n") == 0;
}

const char *unanswered_why(int errnum)
{
	switch (errnum) {
	case EAGAIN:
	case ETIMEDOUT:
		return "no answer within " PROTO_TIMEOUT_TEXT;
	case EPROTO:
		return "it speaks another protocol (an init of another build)";
	case EBUSY:
		return "it is busy (its client table is full)";
	default:
		return strerror(errnum);
	}
}

pid_t unanswered_init_pid(const char *socket_name)
{
	char path[PATH_MAX];
	unsigned long ino;
	struct dirent *de;
	pid_t pid = -1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", NSISO_RUNDIR, socket_name);
	ino = listening_inode(path);
	if (ino == 0)
		return -1;
	d = opendir("/proc");
	if (d == NULL)
		return -1;
	while (pid < 0 && (de = readdir(d)) != NULL) {
		char *end;
		long n = strtol(de->d_name, &end, 10);

		if (*end == '\0' && n > 0 && is_init((pid_t)n) &&
		    holds_socket((pid_t)n, ino))
			pid = (pid_t)n;
	}
	closedir(d);
	return pid;
}

/* A pidfd for the init at pid, or -1 if pid is no longer it. */
static int init_pidfd(pid_t pid, const char *socket_name)
{
	char path[PATH_MAX];
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", NSISO_RUNDIR, socket_name);
	/* Checked after the pidfd exists: a process that has the socket
	 * now is the one the pidfd refers to (a new process at a recycled
	 * pid cannot hold the old init's socket). */
	if (!is_init(pid) || !holds_socket(pid, listening_inode(path))) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

static bool exited_within(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

int unanswered_end(pid_t pid, const char *socket_name, char *how, size_t len)
{
	int fd;

	if (pid <= 0)
		pid = unanswered_init_pid(socket_name);
	if (pid <= 0 || (fd = init_pidfd(pid, socket_name)) < 0) {
		snprintf(how, len, "no process holds %s/%s any more",
			 NSISO_RUNDIR, socket_name);
		return 0; /* it ended meanwhile */
	}
	/* SIGTERM first: the init's own teardown removes its socket,
	 * network and cgroup, as an answered stop does; SIGCONT lets a
	 * stopped init act on it at once. */
	if (syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) < 0 ||
	    syscall(SYS_pidfd_send_signal, fd, SIGCONT, NULL, 0) < 0) {
		snprintf(how, len, "send SIGTERM to init %d: %s", (int)pid,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (exited_within(fd, 10000)) {
		snprintf(how, len, "ended through its pidfd (SIGTERM to init %d)",
			 (int)pid);
		close(fd);
		return 0;
	}
	if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0 ||
	    !exited_within(fd, 10000)) {
		snprintf(how, len, "init %d survived SIGTERM and SIGKILL: %s",
			 (int)pid, strerror(errno ? errno : ETIMEDOUT));
		close(fd);
		return -1;
	}
	snprintf(how, len,
		 "killed through its pidfd (init %d ignored SIGTERM for 10 s; its socket file and cgroup directory are removed by the user's next build)",
		 (int)pid);
	close(fd);
	return 0;
}
