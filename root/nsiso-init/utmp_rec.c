/* What every writer of a utmp-format file in the init shares (utmp_dead.c,
 * utmp_env.c, utmp_host.c): glibc's lock, whose record is the user's, and
 * a record ended as logout(3) ends it. */
#include "utmp_rec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "errmsg.h"

/* How long the lock is tried for: glibc holds it for one record's read
 * or write, and the init must stay responsive. */
#define LOCK_TRIES 50
#define LOCK_WAIT_NS 10000000L

int utmp_lock(int fd, const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec ts = { 0, LOCK_WAIT_NS };

	for (int i = 0; i < LOCK_TRIES; i++) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			break;
		nanosleep(&ts, NULL);
	}
	helper_error(errno, "lock %s", path);
	return -1;
}

void utmp_unlock(int fd)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	/* Unlocking an OFD lock on an open fd does not fail. */
	(void)fcntl(fd, F_OFD_SETLK, &fl);
}

bool utmp_is_users(const struct glibc_utmp *u, const char *user)
{
	size_t n = strlen(user);

	return n <= sizeof(u->ut_user) && strncmp(u->ut_user, user, sizeof(u->ut_user)) == 0 &&
	       (n == sizeof(u->ut_user) || u->ut_user[n] == '\0');
}

void utmp_end_record(struct glibc_utmp *u, const struct timeval *at)
{
	struct timeval now;

	if (at == NULL) {
		gettimeofday(&now, NULL);
		at = &now;
	}
	u->ut_type = UT_DEAD_PROCESS;
	memset(u->ut_user, 0, sizeof(u->ut_user));
	memset(u->ut_host, 0, sizeof(u->ut_host));
	u->tv_sec = (int32_t)at->tv_sec;
	u->tv_usec = (int32_t)at->tv_usec;
}
