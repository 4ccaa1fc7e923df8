/* The environment's own utmp, kept by nsiso-init (utmp_env.c). fd is the
 * file the helper made (struct init_state's utmp_fd), -1 without one:
 * then every call does nothing. */
#ifndef NSISO_UTMP_ENV_H
#define NSISO_UTMP_ENV_H

#include <stdbool.h>
#include <stdint.h>

/* A USER_PROCESS record for a login whose tty names a terminal
 * (utmp_line.h), with the init's pid, user and rhost. Returns its offset
 * for utmp_env_logout, or -1 (no terminal, no file, or failed: logged). */
long long utmp_env_login(int fd, const char *user, const char *tty,
			 const char *rhost);

/* The record at off becomes DEAD_PROCESS, if it is still the init's. */
void utmp_env_logout(int fd, long long off);

/* After a change of the file: a record of user that is new since the
 * last scan and whose pid does not exist here (sshd's, written from the
 * host's PID namespace) is copied into the host's file (host_fd,
 * utmp_host.h) and gets the init's pid. With sweep (a registration
 * closed), the init's records whose terminal no process in proc_fd (the
 * environment's /proc) holds become dead. Then the host's copies follow
 * their records here. */
void utmp_env_scan(int fd, int host_fd, int proc_fd, const char *user,
		   bool sweep);

/* An inotify fd that becomes readable when the file changes, or -1
 * (logged: then sshd's records are not adopted). */
int utmp_env_watch(int fd);
/* Reads the pending events. */
void utmp_env_drain(int in);

/* Unlinks rundir/name if it is still the file (dev, ino). */
void utmp_env_remove(int rundir_fd, const char *name, uint64_t dev, uint64_t ino);

#endif
