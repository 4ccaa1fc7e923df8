/* utmp records of processes an environment ended, marked dead.
 *
 * nsiso stop ends every process of the environment; those that wrote a
 * utmp record from inside (tmux and screen through utempter) may not get
 * to remove it, and the host's who and last then show a login that is
 * gone, under a pid that soon belongs to another process. logind does
 * not fix that either; logout(3) and utempter's removal do it by hand:
 * the record becomes DEAD_PROCESS without user or host, and wtmp gets a
 * logout record for the line.
 *
 * The init does it, not the CLI on the host: the records written inside
 * carry the pids of this PID namespace and lie in the file this mount
 * namespace sees (the host's, unless the policy hides /run). Only records
 * of the environment's own user whose pid was in the environment's pid
 * list, taken before any signal went out, are touched: no user can make
 * root mark another user's login dead, and no pid can be reused in a
 * namespace whose every process is being killed.
 *
 * musl's utmp functions do nothing, so the file is read here, in glibc's
 * layout (the one every reader on the host uses), under glibc's lock: a
 * write lock on the whole file, which an OFD lock conflicts with. */
#include "utmp_dead.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "utmp_rec.h"

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Opens a utmp-format file that root may write for the user's records:
 * a regular file owned by root, with one name (not a hard link someone
 * made elsewhere) and not writable by everyone. -1 when missing (errno
 * ENOENT), refused or failed (logged). */
static int open_checked(const char *path, int flags)
{
	struct stat sb;
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno != ENOENT)
			helper_error(errno, "open %s", path);
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		helper_error(errno, "stat %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || sb.st_nlink != 1 ||
	    (sb.st_mode & S_IWOTH)) {
		helper_error(0, "%s is not a regular file of root's with one link, writable by root and group only (mode %04o, uid %u, %lu links): its records are left as they are",
			     path, (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
			     (unsigned long)sb.st_nlink);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* Appends the logout records, under the lock (updwtmp(3)'s way). */
static void append_wtmp(const char *path, const struct glibc_utmp *recs,
			unsigned n)
{
	size_t len = (size_t)n * sizeof(*recs);
	int fd = open_checked(path, O_WRONLY | O_APPEND);

	if (fd < 0)
		return; /* no wtmp: last has nothing to show either way */
	if (utmp_lock(fd, path) == 0 && write(fd, recs, len) != (ssize_t)len)
		helper_error(errno, "append %u logout records to %s", n, path);
	close(fd); /* drops the lock */
}

unsigned utmp_mark_dead(const char *utmp_path, const char *wtmp_path,
			const char *user, const pid_t *pids, size_t n_pids)
{
	struct glibc_utmp u, *dead = NULL;
	unsigned n_dead = 0, marked = 0;
	struct timeval now;
	off_t off = 0;
	int fd;

	if (n_pids == 0)
		return 0;
	fd = open_checked(utmp_path, O_RDWR);
	if (fd < 0)
		return 0;
	if (utmp_lock(fd, utmp_path) < 0) {
		close(fd);
		return 0;
	}
	gettimeofday(&now, NULL);
	for (;; off += (off_t)sizeof(u)) {
		ssize_t n = pread(fd, &u, sizeof(u), off);
		struct glibc_utmp *grown;
		pid_t pid;

		if (n < 0)
			helper_error(errno, "read %s", utmp_path);
		if (n != (ssize_t)sizeof(u))
			break; /* the end (a torn last record is no one's) */
		pid = (pid_t)u.ut_pid;
		if (u.ut_type != UT_USER_PROCESS || !utmp_is_users(&u, user) ||
		    bsearch(&pid, pids, n_pids, sizeof(*pids), cmp_pid) == NULL)
			continue;
		utmp_end_record(&u, &now);
		if (pwrite(fd, &u, sizeof(u), off) != (ssize_t)sizeof(u)) {
			helper_error(errno, "mark the record of pid %d dead in %s",
				     (int)pid, utmp_path);
			break;
		}
		marked++;
		grown = realloc(dead, (n_dead + 1) * sizeof(*dead));
		if (grown == NULL)
			continue; /* marked; only its line in wtmp is missing */
		dead = grown;
		dead[n_dead++] = u;
	}
	close(fd); /* drops the lock */
	if (n_dead > 0)
		append_wtmp(wtmp_path, dead, n_dead);
	free(dead);
	return marked;
}
