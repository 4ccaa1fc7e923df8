/* Registering with an environment's init and joining its namespaces.
 *
 * Register first, join second (doc/DESIGN.md, "Register, then join"):
 * the registration keeps the environment alive, so the init cannot end
 * between the two, and after setns(mnt) the host's NSISO_RUNDIR is no
 * longer visible. One setns() on the init's pidfd joins every namespace at
 * once; for the PID namespace it only sets where the caller's next child
 * goes. A time namespace is never joined: env_enter() unshares one for
 * the caller's children first. */
#include "module.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "policy.h"
#include "envjoin.h"
#include "proto.h"

enum nesting nesting_state(uid_t target, uid_t *owner)
{
	char path[128], buf[64];
	unsigned long uid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NSISO_RUNDIR, NSISO_MARKER);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == EACCES ? NEST_HOST : NEST_ERROR;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NEST_ERROR;
	buf[n] = '\0';
	if (sscanf(buf, "uid=%lu", &uid) != 1)
		return NEST_ERROR;
	*owner = (uid_t)uid;
	return *owner == target ? NEST_SAME : NEST_OTHER;
}

/* setns(CLONE_NEWNS) moves the caller to the environment's root
 * directory. A caller that goes on with relative names after the session
 * opened would miss its files: atd, which unlinks the job's output file
 * in its spool directory after the session closes, left one file per job
 * there. So the caller returns to its working directory, by path inside
 * the environment, when that path is the same directory there (same
 * device and inode); otherwise it stays at the environment's root. */
struct saved_cwd {
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	bool ok;
};

static void cwd_save(struct saved_cwd *c)
{
	struct stat sb;

	c->ok = getcwd(c->path, sizeof(c->path)) != NULL &&
		c->path[0] == '/' && strcmp(c->path, "/") != 0 &&
		stat(".", &sb) == 0;
	if (c->ok) {
		c->dev = sb.st_dev;
		c->ino = sb.st_ino;
	}
}

/* -1 only when the caller would be left in another directory than its
 * own (one a user may have put at that path inside the environment). */
static int cwd_restore(const struct saved_cwd *c)
{
	struct stat sb;

	/* A failed chdir leaves the caller at the environment's root,
	 * where setns put it. A directory that is not the same one sends
	 * it back there: the environment's "/" now. */
	if (!c->ok || chdir(c->path) < 0)
		return 0;
	if (stat(".", &sb) == 0 && sb.st_dev == c->dev && sb.st_ino == c->ino)
		return 0;
	return chdir("/");
}

int register_and_join(pam_handle_t *pamh, const struct module_args *a,
		      const char *name, uid_t uid, unsigned policy_namespaces)
{
	struct env_join j;
	struct saved_cwd cwd;
	struct nsiso_err e = { "" };
	const void *tty = NULL, *rhost = NULL;

	/* For the environment's own utmp (doc/DESIGN.md, "who inside an
	 * environment"): the init writes the login's record when PAM_TTY
	 * names a terminal. Unset items stay NULL; failing to read them
	 * only costs the record. */
	(void)pam_get_item(pamh, PAM_TTY, &tty);
	(void)pam_get_item(pamh, PAM_RHOST, &rhost);
	if (env_register_login(name, uid, tty, rhost, &j, &e) < 0) {
		/* No init there, or one that was ending: build anew. */
		if (errno == ENOENT || errno == ECONNREFUSED ||
		    errno == ECONNRESET || errno == EPIPE)
			return -1;
		pam_syslog(pamh, LOG_ERR, "%s", e.msg);
		return -2;
	}
	/* Who applies the bounding set and no_new_privs depends on 'user'
	 * (envjoin.c): the join follows the environment as built, nsiso-shell
	 * the policy as it is now. If they disagree, one of the two would
	 * skip them, or no_new_privs would stop nsiso-shell: refuse. */
	if ((j.reply.namespaces ^ policy_namespaces) & NSISO_NS_USER) {
		pam_syslog(pamh, LOG_ERR,
			   "the environment of %s was built %s a user namespace and the policy now says otherwise: end it with 'nsiso stop %s' so that the next login builds it anew",
			   j.reply.user,
			   (j.reply.namespaces & NSISO_NS_USER) ? "with" : "without",
			   j.reply.user);
		goto fail;
	}
	/* A login outside the user's slice (no pam_systemd in this stack,
	 * su from another user's session) would be unlimited inside. */
	if (env_check_limited_login(&j, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", e.msg);
		goto fail;
	}
	/* A threaded caller shares its fs_struct, and setns(CLONE_NEWNS)
	 * then fails with EINVAL; a private copy costs nothing. */
	if ((j.reply.namespaces & NSISO_NS_MOUNT) && unshare(CLONE_FS) < 0) {
		pam_syslog(pamh, LOG_ERR, "unshare(CLONE_FS): %m");
		goto fail;
	}
	cwd_save(&cwd);
	if (env_enter(&j, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", e.msg);
		goto fail;
	}
	if ((j.reply.namespaces & NSISO_NS_MOUNT) && cwd_restore(&cwd) < 0) {
		pam_syslog(pamh, LOG_ERR, "chdir / in the environment of %s: %m",
			   j.reply.user);
		goto fail;
	}
	if (a->debug)
		pam_syslog(pamh, LOG_DEBUG,
			   "joined the environment of %s (init pid %d, %u sessions)",
			   j.reply.user, (int)j.init_pid, j.reply.sessions);
	env_join_done(&j);
	return j.sock;
fail:
	env_join_done(&j);
	close(j.sock);
	return -2;
}
