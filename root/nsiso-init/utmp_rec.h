/* glibc's utmp record as it lies on disk, and the lock its readers and
 * writers take: what utmp_dead.c and utmp_env.c read and write (musl's
 * utmp functions do nothing). */
#ifndef NSISO_UTMP_REC_H
#define NSISO_UTMP_REC_H

#include <stdint.h>

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

#endif
