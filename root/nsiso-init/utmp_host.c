/* The host's copies of an environment's logins (doc/DESIGN.md, "who
 * inside an environment").
 *
 * sshd writes its login record from its privileged process, which joined
 * the environment's mount namespace when it opened the PAM session: the
 * record lands in the environment's own utmp, and the init adopts it
 * (utmp_env.c). The host's who, w and last must still list the login as
 * they did without the environment's file: with sshd's pid (a process of
 * the host) and sshd's pty. So, before adopting it, the init writes the
 * record as sshd wrote it into the host's /run/utmp, through the fd the
 * helper opened on the host, and marks that copy dead when the login's
 * record in the environment's file stops being the live adopted one:
 * sshd's own logout record (DEAD_PROCESS over the same slot, which it
 * writes into the environment's file from the same process), the init's
 * sweep after a killed sshd (utmp_env.c), or the end of the environment.
 *
 * Only records of the environment's user that a process of the host's
 * PID namespace wrote are copied (the ones adopted), never one written
 * from inside (tmux's, through utempter: its pid means nothing on the
 * host). A copy is marked dead only while its slot in the host's file
 * still holds it (same id, line and pid): sshd or login may have reused
 * the slot for a later login. */
#include "utmp_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "errmsg.h"

#define WHAT "the host's utmp"
/* Live copies followed at once: an environment's logins (at most the
 * policy's logins_max, itself bounded) with room to spare; beyond them a
 * login's copy is not written at all (logged), so none is left live. */
#define COPIES_MAX 512

struct copy {
	off_t env_off, host_off;
	int32_t env_pid;       /* the record's pid in the environment's file */
	struct glibc_utmp rec; /* as written into the host's file */
	bool used;
};

static struct copy copies[COPIES_MAX];

/* The slot pututline(3) takes for a login record: the record of the same
 * ut_id among INIT, LOGIN, USER and DEAD_PROCESS records, else the end. */
static off_t slot_of(int fd, const struct glibc_utmp *rec)
{
	struct glibc_utmp u;
	off_t off = 0;

	for (;; off += (off_t)sizeof(u)) {
		if (pread(fd, &u, sizeof(u), off) != (ssize_t)sizeof(u))
			return off; /* the end (a torn last record is overwritten) */
		if (u.ut_type >= UT_INIT_PROCESS && u.ut_type <= UT_DEAD_PROCESS &&
		    memcmp(u.ut_id, rec->ut_id, sizeof(u.ut_id)) == 0)
			return off;
	}
}

void utmp_host_add(int host_fd, long long env_off, const struct glibc_utmp *u,
		   int32_t env_pid)
{
	struct copy *c = NULL;

	if (host_fd < 0)
		return;
	for (size_t i = 0; i < COPIES_MAX && c == NULL; i++)
		if (!copies[i].used)
			c = &copies[i];
	if (c == NULL) {
		helper_error(0, "more than %d logins to copy into %s: this one is not listed there",
			     COPIES_MAX, WHAT);
		return;
	}
	if (utmp_lock(host_fd, WHAT) < 0)
		return; /* logged: the host's who misses this login */
	c->env_off = (off_t)env_off;
	c->env_pid = env_pid;
	c->rec = *u;
	c->host_off = slot_of(host_fd, u);
	if (pwrite(host_fd, u, sizeof(*u), c->host_off) == (ssize_t)sizeof(*u))
		c->used = true;
	else
		helper_error(errno, "write a login's record into %s", WHAT);
	utmp_unlock(host_fd);
}

/* Marks c's copy dead, as logout(3) does (no user, no host, the time of
 * the logout), if its slot still holds it. */
static void end_copy(int host_fd, struct copy *c)
{
	struct glibc_utmp u;

	if (utmp_lock(host_fd, WHAT) < 0)
		return; /* logged; still used: the next follow tries again */
	c->used = false;
	/* The whole record as it was copied: a slot that another login of
	 * the host took meanwhile (the same terminal, by chance the same
	 * pid) differs in its user or time and is left alone. */
	if (pread(host_fd, &u, sizeof(u), c->host_off) == (ssize_t)sizeof(u) &&
	    memcmp(&u, &c->rec, sizeof(u)) == 0) {
		utmp_end_record(&u, NULL);
		if (pwrite(host_fd, &u, sizeof(u), c->host_off) != (ssize_t)sizeof(u))
			helper_error(errno, "mark a login's record dead in %s", WHAT);
	}
	utmp_unlock(host_fd);
}

void utmp_host_follow(int host_fd, int env_fd)
{
	struct glibc_utmp u;

	if (host_fd < 0)
		return;
	for (size_t i = 0; i < COPIES_MAX; i++) {
		struct copy *c = &copies[i];

		if (!c->used)
			continue;
		/* Still the record copied: USER_PROCESS with its pid there
		 * (the init's, once adopted), the same line and id. sshd's
		 * logout overwrites the slot. */
		if (pread(env_fd, &u, sizeof(u), c->env_off) == (ssize_t)sizeof(u) &&
		    u.ut_type == UT_USER_PROCESS && u.ut_pid == c->env_pid &&
		    memcmp(u.ut_id, c->rec.ut_id, sizeof(u.ut_id)) == 0 &&
		    memcmp(u.ut_line, c->rec.ut_line, sizeof(u.ut_line)) == 0)
			continue;
		end_copy(host_fd, c);
	}
}

unsigned utmp_host_end(int host_fd)
{
	unsigned n = 0;

	if (host_fd < 0)
		return 0;
	for (size_t i = 0; i < COPIES_MAX; i++)
		if (copies[i].used) {
			end_copy(host_fd, &copies[i]);
			n++;
		}
	return n;
}
