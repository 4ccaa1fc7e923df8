/* The environment's own utmp, kept by its init (doc/DESIGN.md, "who
 * inside an environment"; the helper made the file and bound it over
 * /run/utmp inside: root/nsiso-helper/utmp.c).
 *
 * Inside, who drops a record whose pid does not exist in the PID
 * namespace (kill(pid, 0) fails with ESRCH). Two kinds of records would
 * carry such a pid:
 *
 *   - none at all: a login whose caller writes no record (su) but that
 *     has a terminal (PAM_TTY). The init writes one for it, with its own
 *     pid (1: a user's kill(1, 0) fails with EPERM, so who keeps it) and
 *     marks it dead when the registration closes. When the caller does
 *     write one for that terminal from inside (login(1), from its child
 *     in the PID namespace), the init's goes again, the caller's is
 *     copied into the host's file under the pid the caller registered
 *     with, and both end with the registration.
 *   - sshd's: its privileged process joined the mount namespace when it
 *     opened the PAM session, so its record lands here, with its own pid
 *     of the host's PID namespace (PAM_TTY is "ssh" when the session
 *     opens; the pty comes later). The init watches the file (inotify)
 *     and adopts a record of the user that is new since it last looked,
 *     whose pid is one a registered login sent and does not exist here:
 *     its pid becomes the init's, after a copy of it as sshd wrote it
 *     went into the host's file (utmp_host.c). sshd's logout record
 *     lands here too, over the same slot (from the same process). A sshd
 *     that was killed writes none: the last registration of the pid it
 *     sent closes, and the records that pid wrote are marked dead. A
 *     record with any other pid that does not exist here is left alone
 *     (who drops it): a user's own utempter call whose parent exited
 *     before the write makes one, with a pid the user chose, and copying
 *     that to the host would name a host process of the user's choosing.
 *
 * A record written from inside (utempter for tmux) carries a live pid of
 * the namespace when it appears, so it is never adopted, and a record
 * whose process died later is not new. Every access goes through the fd
 * the helper opened, never a path inside the environment. */
#include "utmp_env.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "errmsg.h"
#include "utmp_host.h"
#include "utmp_line.h"
#include "utmp_rec.h"

#define WHAT "the environment's utmp"
/* Records the adoption remembers (a utmp file has one slot per line in
 * use, reused): beyond them records are no longer adopted. */
#define KNOWN_MAX 1024

struct known {
	int16_t type;
	int32_t pid, sec, usec;
};

static struct known known[KNOWN_MAX];
static size_t n_known;

/* The records adopted, by slot, with the pid their writer gave them: a
 * registered login's, which ends with its registration when no logout
 * record came first. */
#define ADOPTED_MAX 512
struct adopted {
	off_t off;
	struct glibc_utmp rec; /* as its writer wrote it */
	bool used;
};
static struct adopted adopted[ADOPTED_MAX];

/* The pids the registered logins sent (sshd's privileged process, login),
 * with how many registrations each: a process may open two sessions. */
#define WRITERS_MAX 4096
struct writer {
	int32_t pid;
	unsigned n;
};
static struct writer writers[WRITERS_MAX];
static size_t n_writers;

/* The terminals of the registered logins that got a record of the init
 * (own_off). A caller that writes its own record from inside (login(1),
 * from its child in the PID namespace) makes the init's a duplicate: the
 * init's goes, and the caller's is copied into the host's file under the
 * pid the caller registered with (caller_off, until the registration
 * ends). */
#define TERMS_MAX 512
struct term {
	off_t own_off, caller_off; /* caller_off -1 until the caller writes */
	int32_t pid;
	char line[UTMP_LINE_SIZE];
	bool used;
};
static struct term terms[TERMS_MAX];

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, size);
	memcpy(dst, src, n < size ? n : size);
}

static struct known key_of(const struct glibc_utmp *u)
{
	return (struct known){ u->ut_type, u->ut_pid, u->tv_sec, u->tv_usec };
}

static void remember(off_t off, const struct glibc_utmp *u)
{
	size_t i = (size_t)(off / (off_t)sizeof(*u));

	if (i >= KNOWN_MAX)
		return;
	known[i] = key_of(u);
	if (i >= n_known)
		n_known = i + 1;
}

static bool is_new(off_t off, const struct glibc_utmp *u)
{
	size_t i = (size_t)(off / (off_t)sizeof(*u));
	struct known k = key_of(u);

	if (i >= KNOWN_MAX)
		return false;
	return i >= n_known || known[i].type != k.type || known[i].pid != k.pid ||
	       known[i].sec != k.sec || known[i].usec != k.usec;
}

static int write_at(int fd, const struct glibc_utmp *u, off_t off)
{
	if (pwrite(fd, u, sizeof(*u), off) != (ssize_t)sizeof(*u)) {
		helper_error(errno, "write a record of %s", WHAT);
		return -1;
	}
	remember(off, u);
	return 0;
}

static struct writer *writer_of(int32_t pid)
{
	for (size_t i = 0; i < n_writers; i++)
		if (writers[i].pid == pid)
			return &writers[i];
	return NULL;
}

static void writer_add(int32_t pid)
{
	struct writer *w = writer_of(pid);

	if (pid <= 0)
		return;
	if (w != NULL)
		w->n++;
	else if (n_writers < WRITERS_MAX)
		writers[n_writers++] = (struct writer){ pid, 1 };
	else
		helper_error(0, "more than %d logins' callers in %s: the records of pid %d are not adopted",
			     WRITERS_MAX, WHAT, (int)pid);
}

/* Whether pid's last registration closed. */
static bool writer_drop(int32_t pid)
{
	struct writer *w = writer_of(pid);

	if (pid <= 0 || w == NULL || --w->n > 0)
		return false;
	*w = writers[--n_writers];
	return true;
}

/* Whether the record at off is still the one adopted as a: the init's
 * pid, the same line and id, a live login. */
static bool still_adopted(int fd, const struct adopted *a, pid_t self,
			  struct glibc_utmp *u)
{
	return pread(fd, u, sizeof(*u), a->off) == (ssize_t)sizeof(*u) &&
	       u->ut_type == UT_USER_PROCESS && u->ut_pid == (int32_t)self &&
	       memcmp(u->ut_id, a->rec.ut_id, sizeof(u->ut_id)) == 0 &&
	       memcmp(u->ut_line, a->rec.ut_line, sizeof(u->ut_line)) == 0;
}

static void adopt(off_t off, const struct glibc_utmp *u)
{
	for (size_t i = 0; i < ADOPTED_MAX; i++)
		if (!adopted[i].used) {
			adopted[i] = (struct adopted){
				.used = true, .off = off, .rec = *u,
			};
			return;
		}
	/* Only sshd's own logout record ends it then. */
	helper_error(0, "more than %d logins adopted in %s: one is not followed",
		     ADOPTED_MAX, WHAT);
}

static struct adopted *adopted_at(off_t off)
{
	for (size_t i = 0; i < ADOPTED_MAX; i++)
		if (adopted[i].used && adopted[i].off == off)
			return &adopted[i];
	return NULL;
}

/* Forgets the adopted records that ended (their writer's logout record,
 * its registration's end, a reused slot); the host's copies follow them. */
static void follow(int fd, int host_fd, pid_t self)
{
	struct glibc_utmp u;

	for (size_t i = 0; i < ADOPTED_MAX; i++)
		if (adopted[i].used && !still_adopted(fd, &adopted[i], self, &u))
			adopted[i].used = false;
	utmp_host_follow(host_fd, fd);
}

long long utmp_env_login(int fd, const char *user, const char *tty,
			 const char *rhost, int32_t pid)
{
	struct glibc_utmp u, rec;
	char line[UTMP_LINE_SIZE], id[UTMP_ID_SIZE];
	struct timeval now;
	off_t off = 0, slot = -1;

	if (fd < 0)
		return -1; /* no file */
	writer_add(pid);
	if (!utmp_line_of_tty(tty, line, id))
		return -1; /* a login without a terminal (sshd's "ssh") */
	memset(&rec, 0, sizeof(rec));
	rec.ut_type = UT_USER_PROCESS;
	rec.ut_pid = (int32_t)getpid();
	memcpy(rec.ut_line, line, sizeof(rec.ut_line));
	memcpy(rec.ut_id, id, sizeof(rec.ut_id));
	copy_field(rec.ut_user, sizeof(rec.ut_user), user);
	copy_field(rec.ut_host, sizeof(rec.ut_host), rhost);
	gettimeofday(&now, NULL);
	rec.tv_sec = (int32_t)now.tv_sec;
	rec.tv_usec = (int32_t)now.tv_usec;
	if (utmp_lock(fd, WHAT) < 0)
		return -1;
	/* pututline's slot: the one of the same id, else a free one, else
	 * the end. */
	for (;; off += (off_t)sizeof(u)) {
		ssize_t n = pread(fd, &u, sizeof(u), off);

		if (n != (ssize_t)sizeof(u))
			break; /* the end (a torn last record is overwritten) */
		if (memcmp(u.ut_id, id, sizeof(u.ut_id)) == 0 &&
		    u.ut_type != UT_USER_PROCESS) {
			slot = off;
			break;
		}
		if (slot < 0 && u.ut_type == UT_DEAD_PROCESS)
			slot = off;
	}
	if (slot < 0)
		slot = off;
	if (write_at(fd, &rec, slot) < 0)
		slot = -1;
	for (size_t i = 0; slot >= 0 && pid > 0 && i < TERMS_MAX; i++)
		if (!terms[i].used) {
			terms[i] = (struct term){ .used = true, .pid = pid,
						  .own_off = slot, .caller_off = -1 };
			memcpy(terms[i].line, line, sizeof(terms[i].line));
			break;
		}
	utmp_unlock(fd);
	return (long long)slot;
}

void utmp_env_logout(int fd, int host_fd, long long off, int32_t pid)
{
	pid_t self = getpid();
	struct glibc_utmp u;
	bool gone;

	if (fd < 0)
		return;
	gone = writer_drop(pid);
	if (utmp_lock(fd, WHAT) < 0)
		return;
	/* Still the login's record: sshd or login may have reused the slot. */
	if (off >= 0 && pread(fd, &u, sizeof(u), (off_t)off) == (ssize_t)sizeof(u) &&
	    u.ut_type == UT_USER_PROCESS && u.ut_pid == (int32_t)self &&
	    adopted_at((off_t)off) == NULL) {
		utmp_end_record(&u, NULL);
		(void)write_at(fd, &u, (off_t)off); /* logged */
	}
	/* The caller's own record of the login (login(1)'s, written from
	 * inside): its pid there is soon gone, nothing else ends it. */
	for (size_t i = 0; off >= 0 && i < TERMS_MAX; i++) {
		struct term *t = &terms[i];

		if (!t->used || t->pid != pid || t->own_off != (off_t)off)
			continue;
		if (t->caller_off >= 0 &&
		    pread(fd, &u, sizeof(u), t->caller_off) == (ssize_t)sizeof(u) &&
		    u.ut_type == UT_USER_PROCESS &&
		    memcmp(u.ut_line, t->line, sizeof(u.ut_line)) == 0) {
			utmp_end_record(&u, NULL);
			(void)write_at(fd, &u, t->caller_off);
		}
		t->used = false;
		break;
	}
	/* The registration of the process that wrote these records closed
	 * and its logout record did not come first: it was killed. */
	for (size_t i = 0; gone && i < ADOPTED_MAX; i++)
		if (adopted[i].used &&
		    adopted[i].rec.ut_pid == pid &&
		    still_adopted(fd, &adopted[i], self, &u)) {
			utmp_end_record(&u, NULL);
			(void)write_at(fd, &u, adopted[i].off);
		}
	follow(fd, host_fd, self);
	utmp_unlock(fd);
}

/* Whether u, a new record of the user at off with a pid of the
 * environment, is the caller's own record of a registered login's
 * terminal (login(1) writes one from its child): then the init's record
 * of that terminal goes (who would list the login twice), and u is copied
 * into the host's file with the pid the caller registered with, a process
 * of the host: the host's who listed the login before the environment
 * had a file of its own (then under its pid inside, which means nothing
 * there). */
static bool callers_record(int fd, int host_fd, off_t off,
			   const struct glibc_utmp *u)
{
	struct glibc_utmp own, copy;

	for (size_t i = 0; i < TERMS_MAX; i++) {
		struct term *t = &terms[i];

		if (!t->used || t->caller_off >= 0 || off == t->own_off ||
		    memcmp(u->ut_line, t->line, sizeof(t->line)) != 0)
			continue;
		t->caller_off = off;
		if (pread(fd, &own, sizeof(own), t->own_off) == (ssize_t)sizeof(own) &&
		    own.ut_type == UT_USER_PROCESS && own.ut_pid == (int32_t)getpid() &&
		    memcmp(own.ut_line, t->line, sizeof(t->line)) == 0) {
			utmp_end_record(&own, NULL);
			(void)write_at(fd, &own, t->own_off);
		}
		copy = *u;
		copy.ut_pid = t->pid;
		utmp_host_add(host_fd, (long long)off, &copy, u->ut_pid);
		remember(off, u);
		return true;
	}
	return false;
}

void utmp_env_scan(int fd, int host_fd, const char *user)
{
	pid_t self = getpid();
	struct glibc_utmp u;
	off_t off = 0;

	if (fd < 0 || utmp_lock(fd, WHAT) < 0)
		return;
	for (;; off += (off_t)sizeof(u)) {
		ssize_t n = pread(fd, &u, sizeof(u), off);

		if (n != (ssize_t)sizeof(u))
			break;
		if (u.ut_type != UT_USER_PROCESS || !utmp_is_users(&u, user)) {
			remember(off, &u);
			continue;
		}
		/* Only a registered caller's record (sshd's, with the pid
		 * the module sent): a pid that merely does not exist here
		 * could be any host process's, made so by a user's own
		 * utempter call whose parent exited before the write. */
		if (u.ut_pid != (int32_t)self && u.ut_pid > 0 && is_new(off, &u) &&
		    writer_of(u.ut_pid) != NULL &&
		    kill((pid_t)u.ut_pid, 0) < 0 && errno == ESRCH) {
			/* As its writer made it, for the host's who. */
			utmp_host_add(host_fd, (long long)off, &u, (int32_t)self);
			adopt(off, &u);
			u.ut_pid = (int32_t)self;
			(void)write_at(fd, &u, off); /* logged */
			continue;
		}
		if (u.ut_pid != (int32_t)self && is_new(off, &u) &&
		    callers_record(fd, host_fd, off, &u))
			continue;
		remember(off, &u);
	}
	follow(fd, host_fd, self);
	utmp_unlock(fd);
}

int utmp_env_watch(int fd)
{
	char path[32];
	int in;

	if (fd < 0)
		return -1;
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0) {
		helper_error(errno, "inotify_init1 for %s: sshd's records are not adopted", WHAT);
		return -1;
	}
	/* The environment's /proc (the init's): the fd's own file. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (inotify_add_watch(in, path, IN_MODIFY) < 0) {
		helper_error(errno, "watch %s: sshd's records are not adopted", WHAT);
		close(in);
		return -1;
	}
	return in;
}

void utmp_env_drain(int in)
{
	char buf[4096];

	/* Only that something changed matters; EAGAIN ends it. */
	while (read(in, buf, sizeof(buf)) > 0)
		;
}

void utmp_env_remove(int rundir_fd, const char *name, uint64_t dev, uint64_t ino)
{
	struct stat sb;

	if (fstatat(rundir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return; /* gone already, or unreadable: nothing ours to remove */
	/* A failure leaves the name to the next build, which removes it
	 * under the build lock (utmp_step_create). */
	if ((uint64_t)sb.st_dev == dev && (uint64_t)sb.st_ino == ino)
		(void)unlinkat(rundir_fd, name, 0);
}
