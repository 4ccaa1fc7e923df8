#include "become_user.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int drop_to_user_ids(uid_t uid, gid_t gid)
{
	if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -1;
	/* Belt and braces: if root could be regained, stop here. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int login_environment(const struct user_info *u)
{
	if (clearenv() != 0) {
		errno = ENOMEM; /* clearenv sets no errno (glibc's and musl's never fail) */
		return -1;
	}
	if (setenv("HOME", u->home, 1) < 0 || setenv("USER", u->name, 1) < 0 ||
	    setenv("LOGNAME", u->name, 1) < 0 || setenv("SHELL", u->shell, 1) < 0 ||
	    setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1) < 0)
		return -1;
	return 0;
}

/* XDG_RUNTIME_DIR, as pam_systemd sets it for a login, when logind made
 * the user's directory: systemctl --user, busctl --user and the session
 * bus find the user's manager (inside the environment) through it. */
static void set_runtime_dir(uid_t uid)
{
	char dir[64];
	struct stat sb;

	snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned)uid);
	if (lstat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == uid &&
	    setenv("XDG_RUNTIME_DIR", dir, 1) < 0)
		_exit(126);
}

void become_user_exec(const char *prog, const struct user_info *u,
		      const char *term, char **cmd)
{
	char arg0[256], term_copy[64];
	const char *base = strrchr(u->shell, '/');

	/* term may point into the environment that clearenv() drops. */
	if (term != NULL) {
		snprintf(term_copy, sizeof(term_copy), "%s", term);
		term = term_copy;
	}

	if (initgroups(u->name, u->gid) < 0 ||
	    drop_to_user_ids(u->uid, u->gid) < 0) {
		fprintf(stderr, "%s: drop privileges to %s: %s\n", prog,
			u->name, strerror(errno));
		_exit(126);
	}
	if (chdir(u->home) < 0 && chdir("/") < 0)
		_exit(126);
	if (login_environment(u) < 0 ||
	    (term != NULL && setenv("TERM", term, 1) < 0))
		_exit(126);
	set_runtime_dir(u->uid);
	if (cmd != NULL && cmd[0] != NULL) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "%s: exec %s: %s\n", prog, cmd[0],
			strerror(errno));
		_exit(127);
	}
	/* "-bash": a login shell, as sshd and login start it. */
	snprintf(arg0, sizeof(arg0), "-%s", base ? base + 1 : u->shell);
	execl(u->shell, arg0, (char *)NULL);
	fprintf(stderr, "%s: exec %s: %s\n", prog, u->shell, strerror(errno));
	_exit(127);
}

int shell_quote_command(char **cmd, char *buf, size_t len)
{
	size_t used = 0;

	for (char **c = cmd; *c != NULL; c++) {
		const char *in = *c;

		/* ' word ' plus a space; every ' inside becomes '\'' */
		if (c != cmd) {
			if (used + 1 >= len)
				return -1;
			buf[used++] = ' ';
		}
		if (used + 1 >= len)
			return -1;
		buf[used++] = '\'';
		for (; *in != '\0'; in++) {
			if (*in == '\'') {
				if (used + 4 >= len)
					return -1;
				memcpy(buf + used, "'\\''", 4);
				used += 4;
			} else {
				if (used + 1 >= len)
					return -1;
				buf[used++] = *in;
			}
		}
		if (used + 1 >= len)
			return -1;
		buf[used++] = '\'';
	}
	if (used >= len)
		return -1;
	buf[used] = '\0';
	return 0;
}
