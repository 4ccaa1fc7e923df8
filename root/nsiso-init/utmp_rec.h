/* glibc's utmp record as it lies on disk, the lock its readers and
 * writers take, and what every writer of it in the init does (utmp_rec.c):
 * utmp_dead.c, utmp_env.c and utmp_host.c (musl's utmp functions do
 * nothing). */
#ifndef NSISO_UTMP_REC_H
#define NSISO_UTMP_REC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

/* glibc's struct utmp on Linux, as it lies on disk (64-bit and 32-bit
 * x86 alike: the times are 32-bit there). */
struct glibc_utmp {
	int16_t ut_type;
	int16_t pad;
	int32_t ut_pid;
	char ut_line[32];
	char ut_id[4];
	char ut_user[32];
	char ut_host[256];
	int16_t e_termination, e_exit;
	int32_t ut_session;
	int32_t tv_sec, tv_usec;
	int32_t ut_addr_v6[4];
	char reserved[20];
};
_Static_assert(sizeof(struct glibc_utmp) == 384, "glibc's utmp record is 384 bytes");

#define UT_INIT_PROCESS 5
#define UT_USER_PROCESS 7
#define UT_DEAD_PROCESS 8

/* The write lock glibc's readers and writers take (a write lock on the
 * whole file, which an OFD lock conflicts with), tried for about half a
 * second: 0, or -1 (logged with path). */
int utmp_lock(int fd, const char *path);
void utmp_unlock(int fd);

/* Whether u's ut_user is user (the field need not end in a NUL). */
bool utmp_is_users(const struct glibc_utmp *u, const char *user);

/* Ends u as logout(3) does: DEAD_PROCESS, no user, no host, the time at
 * (or now, with NULL). */
void utmp_end_record(struct glibc_utmp *u, const struct timeval *at);

#endif
