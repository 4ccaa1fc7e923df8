/* NSISO_RUNDIR: a root-only directory, the only place environments are
 * found. Everything in it is trusted only because no one else can write
 * there, so it is checked every time it is opened. */
#ifndef NSISO_RUNDIR_H
#define NSISO_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "errmsg.h"

/* Opens (creating when create is set) NSISO_RUNDIR; refuses it unless it
 * is a real directory owned by root with mode 0700. Returns the fd, or -1
 * with the error in e (errno ENOENT when absent and !create). */
int rundir_open(int create, struct nsiso_err *e);

/* flock()s dirfd/name exclusively, creating it. Retries when the file was
 * unlinked between open and lock (a teardown removes it under the lock),
 * so the lock held is always the one the name points to. Returns the fd or
 * -1 with errno (EWOULDBLOCK when !wait and someone holds it). */
int rundir_lock(int dirfd, const char *name, bool wait);

#endif
