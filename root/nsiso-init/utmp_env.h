/* The environment's own utmp, kept by nsiso-init (utmp_env.c). fd is the
 * file the helper made (struct init_state's utmp_fd), -1 without one:
 * then every call does nothing. */
#ifndef NSISO_UTMP_ENV_H
#define NSISO_UTMP_ENV_H

#include <stdbool.h>
#include <stdint.h>

/* A registration: pid is the registering process's (the request's; 0:
 * unknown), whose utmp records end with its last registration. With a
 * tty that names a terminal (utmp_line.h), a USER_PROCESS record with
 * the init's pid, user and rhost. Returns its offset for
 * utmp_env_logout, or -1 (no terminal, no file, or failed: logged). */
long long utmp_env_login(int fd, const char *user, const char *tty,
			 const char *rhost, int32_t pid);

/* The registration of pid ended: its record at off (-1: none) becomes
 * DEAD_PROCESS if it is still the init's, and, when pid has no other
 * registration, so do the records pid wrote that are still live here
 * (its logout record did not come first: it was killed). The host's
 * copies follow (host_fd, utmp_host.h). */
void utmp_env_logout(int fd, int host_fd, long long off, int32_t pid);

/* After a change of the file: a record of user that is new since the
 * last scan, whose pid is one a registered login sent (sshd's privileged
 * process) and does not exist here (it is the host's), is copied into the
 * host's file (host_fd, utmp_host.h) and gets the init's pid. A record of
 * any other writer is left as it is. Then the host's copies follow their
 * records here. */
void utmp_env_scan(int fd, int host_fd, const char *user);

/* An inotify fd that becomes readable when the file changes, or -1
 * (logged: then sshd's records are not adopted). */
int utmp_env_watch(int fd);
/* Reads the pending events. */
void utmp_env_drain(int in);

/* Unlinks rundir/name if it is still the file (dev, ino). */
void utmp_env_remove(int rundir_fd, const char *name, uint64_t dev, uint64_t ino);

#endif
