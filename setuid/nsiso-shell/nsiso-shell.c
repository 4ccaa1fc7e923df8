/* nsiso-shell: the login shell wrapper that puts a session into a user
 * namespace (doc/DESIGN.md, "User namespaces: nsiso-shell": the PAM
 * caller cannot join one; the program the session execs can). Installed setuid root and set as the user's login
 * shell; sshd, login, su and runuser all exec it in place of the shell.
 *
 *   nsiso-shell                  (argv[0] "-nsiso-shell" for a login shell)
 *   nsiso-shell -c COMMAND       (ssh user cmd, su -c, scp, sftp)
 *
 * It acts for the real uid only and reads no policy file: nsiso-helper
 * (root, not setuid) reports what the user's policy says (digest.h).
 * When that policy does not list "user" it simply becomes the user and
 * execs the real shell. Otherwise:
 *   1 fork a child C, still root in the host's user namespace;
 *   2 unshare(CLONE_NEWUSER) in the wrapper itself, with the user's
 *     effective ids (the user owns the namespace and its usage counts as
 *     theirs) and CAP_SYS_ADMIN from the setuid start, so this works where
 *     unprivileged user namespaces are disabled;
 *   3 C writes "deny" to setgroups and the one-line uid_map and gid_map
 *     ("0 UID 1" for userns = root, "UID UID 1" for self) and exits;
 *   4 the wrapper applies the policy's bounding set and no_new_privs
 *     inside, takes the mapped ids, and execs the real shell with its
 *     own pid: the shell stays the PAM application's direct child.
 * Nothing else of the host is mapped (unless userns_subids adds the
 * user's /etc/subuid range from id 1 up), so the host's root stays
 * unmapped: setuid-root programs do not work inside.
 *
 * It does not setsid(): it is the session's shell, the terminal is the
 * user's own, and it runs no other program. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "become_user.h"
#include "caps.h"
#include "envjoin.h"
#include "digest.h"
#include "policy.h"
#include "sanitize.h"
#include "userinfo.h"

#define PROG NSISO_SHELL_NAME


/* Reports to the user's terminal and to authpriv, then fails closed. */
__attribute__((noreturn, format(printf, 2, 3))) static void
die(int errnum, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errnum != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, msg, strerror(errnum));
		syslog(LOG_AUTHPRIV | LOG_ERR, "uid %u: %s: %s",
		       (unsigned)getuid(), msg, strerror(errnum));
	} else {
		fprintf(stderr, "%s: %s\n", PROG, msg);
		syslog(LOG_AUTHPRIV | LOG_ERR, "uid %u: %s", (unsigned)getuid(),
		       msg);
	}
	_exit(1);
}

/* Strict argv: no arguments, or exactly "-c COMMAND". A start without
 * argv (argc 0, which Linux 5.18+ turns into one empty argv[0]) is never
 * a login. */
static bool args_ok(int argc, char **argv)
{
	if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
		return false;
	if (argc == 1)
		return true;
	return argc == 3 && strcmp(argv[1], "-c") == 0;
}

/* Writes text to dirfd/name (a /proc/PID file) in one write(). */
static int write_proc(int dirfd, const char *name, const char *text,
		      const char *who)
{
	ssize_t len = (ssize_t)strlen(text);
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		fprintf(stderr, "%s: open %s/%s: %s\n", PROG, who, name,
			strerror(errno));
		return -1;
	}
	if (write(fd, text, (size_t)len) != len) {
		fprintf(stderr, "%s: write '%.*s' to %s/%s: %s\n", PROG,
			(int)strcspn(text, "\n"), text, who, name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* C: the privileged half, in the host's user namespace. It holds the
 * parent's /proc directory from before the unshare, so the maps it writes
 * can only ever land on the wrapper's own namespace. */
__attribute__((noreturn)) static void map_child(pid_t parent, int go_fd,
						const char *uid_map,
						const char *gid_map)
{
	char who[32], c;
	int dirfd;

	snprintf(who, sizeof(who), "/proc/%d", (int)parent);
	dirfd = open(who, O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", PROG, who,
			strerror(errno));
		_exit(1);
	}
	/* The parent died before we held it: the pid may be anyone's now. */
	if (getppid() != parent)
		_exit(1);
	/* EOF: the parent could not unshare and reports that itself. */
	if (read(go_fd, &c, 1) != 1)
		_exit(1);
	if (write_proc(dirfd, "setgroups", "deny", who) < 0 ||
	    write_proc(dirfd, "uid_map", uid_map, who) < 0 ||
	    write_proc(dirfd, "gid_map", gid_map, who) < 0)
		_exit(1);
	_exit(0);
}

/* CAP_SYS_ADMIN back into the effective set after the effective uid
 * changed (it emptied the effective set, not the permitted one). */
static int raise_sys_admin(void)
{
	struct cap_sets sets;

	if (caps_get(&sets) < 0)
		return -1;
	sets.effective |= CAP_BIT(CAP_SYS_ADMIN);
	return caps_set(&sets);
}

/* Steps 1-3: a new user namespace with the one-line maps (plus the
 * subordinate range with userns_subids). */
static void enter_userns(uid_t uid, gid_t gid, const struct policy_digest *d)
{
	char uid_map[128], gid_map[128], extra_u[64] = "", extra_g[64] = "";
	int go[2], status = 0;
	pid_t child, parent = getpid();

	/* userns_subids: "1 START COUNT" from the admin's /etc/subuid and
	 * /etc/subgid, which nsiso-helper read and checked. */
	if (d->subids) {
		if (d->subid_error[0] != '\0')
			die(0, "%s", d->subid_error);
		snprintf(extra_u, sizeof(extra_u), "1 %lu %lu\n", d->subuid_start,
			 d->subuid_count);
		snprintf(extra_g, sizeof(extra_g), "1 %lu %lu\n", d->subgid_start,
			 d->subgid_count);
	}
	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n%s",
		 d->userns_root ? 0u : (unsigned)uid, (unsigned)uid, extra_u);
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n%s",
		 d->userns_root ? 0u : (unsigned)gid, (unsigned)gid, extra_g);
	if (pipe2(go, O_CLOEXEC) < 0)
		die(errno, "pipe");
	child = fork();
	if (child < 0)
		die(errno, "fork");
	if (child == 0) {
		close(go[1]);
		map_child(parent, go[0], uid_map, gid_map);
	}
	close(go[0]);
	/* The namespace is owned by whoever has the effective uid at
	 * unshare time, and the kernel charges the usage inside (processes,
	 * inotify instances, namespaces) to that owner up the chain: made as
	 * root, every user's session would spend root's limits and could
	 * starve root's own services. So it is made with the user's
	 * effective ids; the saved uid stays 0, so CAP_SYS_ADMIN (needed
	 * where unprivileged user namespaces are disabled) can be raised
	 * again from the permitted set. The process stays non-dumpable: the
	 * user cannot reach its /proc/PID/uid_map before the map writer. */
	if (setresgid((gid_t)-1, gid, (gid_t)-1) < 0 ||
	    setresuid((uid_t)-1, uid, (uid_t)-1) < 0 || raise_sys_admin() < 0 ||
	    unshare(CLONE_NEWUSER) < 0) {
		int saved = errno;

		close(go[1]); /* the child reads EOF and exits */
		(void)waitpid(child, NULL, 0);
		die(saved, "unshare(CLONE_NEWUSER) as uid %u", (unsigned)uid);
	}
	if (write(go[1], "g", 1) != 1)
		die(errno, "signal the map writer");
	close(go[1]);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			die(errno, "wait for the map writer");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die(0, "writing the user namespace's uid_map/gid_map failed (see above)");
}

/* The real shell, with the caller's arguments: "-bash" for a login shell,
 * "bash -c COMMAND" otherwise. */
__attribute__((noreturn)) static void exec_shell(const char *shell,
						 int argc, char **argv,
						 const struct user_info *u,
						 struct caller_state *st)
{
	const char *base = strrchr(shell, '/');
	char arg0[256];
	char *args[4] = { arg0, NULL, NULL, NULL };

	base = base ? base + 1 : shell;
	snprintf(arg0, sizeof(arg0), "%s%s", argv[0][0] == '-' ? "-" : "",
		 base);
	if (argc == 3) {
		args[1] = argv[1];
		args[2] = argv[2];
	}
	/* Back to where the caller was, as the user (a directory the user
	 * cannot enter falls back to the home directory, then /). */
	if (st->cwd_fd < 0 || fchdir(st->cwd_fd) < 0) {
		if (chdir(u->home) < 0 && chdir("/") < 0)
			die(errno, "chdir");
	}
	if (st->cwd_fd >= 0)
		close(st->cwd_fd);
	umask(st->umask);
	if (setrlimit(RLIMIT_CORE, &st->core) < 0)
		die(errno, "restore RLIMIT_CORE");
	closelog();
	if (sigprocmask(SIG_SETMASK, &st->sigmask, NULL) < 0)
		die(errno, "restore the signal mask");
	execve(shell, args, st->env);
	die(errno, "exec %s", shell);
}

/* Drops every privilege of the setuid start: the user's own ids. */
static void become_user(uid_t uid, gid_t gid)
{
	if (drop_to_user_ids(uid, gid) < 0)
		die(errno, "drop privileges to uid %u", (unsigned)uid);
}

int main(int argc, char **argv)
{
	struct caller_state st;
	struct user_info u;
	struct policy_digest d;
	struct nsiso_err e = { "" };
	const char *shell = POLICY_DEFAULT_SHELL;
	uid_t uid = getuid();
	gid_t gid;

	sanitize_start(PROG, &st, SANITIZE_HAND_ON);
	openlog(PROG, LOG_PID, LOG_AUTHPRIV);
	if (!args_ok(argc, argv))
		die(0, "usage: %s [-c COMMAND] (it is a login shell)", PROG);
	if (user_info_by_uid(uid, &u, &e) < 0)
		die(0, "%s", e.msg);
	/* The primary group is the account's, as a login sets it, whatever
	 * real gid the invoker arrived with. */
	gid = u.gid;
	if (policy_digest_get(uid, &d, &e) < 0)
		die(0, "login refused: %s", e.msg);
	if (d.load_error[0] != '\0')
		die(0, "login refused: %s", d.load_error);
	if (d.shell[0] != '\0')
		shell = d.shell;
	/* Without privilege (no_new_privs, a cut bounding set, no setuid
	 * bit) the digest came from a helper the user could steer: it may
	 * pick the user's own shell, never a user namespace. */
	if (d.isolate && d.user && !d.trusted)
		die(0, "%s must run setuid root, with its privileges: the policy %s asks for a user namespace",
		    PROG, d.file);
	if (!d.isolate || !d.user) {
		/* Nothing to do: the user's real shell, as the user. The
		 * login's caller applied the policy's limits already; applying
		 * them again costs nothing and covers a caller that did not
		 * (an environment built while the policy still listed 'user'
		 * is refused by the module, this is the second lock). */
		if (d.isolate &&
		    env_limit_privileges(d.bound && geteuid() == 0, d.keep,
					 d.no_new_privs, &e) < 0)
			die(0, "%s", e.msg);
		if (geteuid() == 0)
			become_user(uid, gid);
		exec_shell(shell, argc, argv, &u, &st);
	}
	enter_userns(uid, gid, &d);
	/* Inside: a new user namespace starts with a full bounding set, and
	 * the PAM caller left the policy's limits to us (envjoin.c). */
	if (env_limit_privileges(d.bound, d.keep, d.no_new_privs, &e) < 0)
		die(0, "%s", e.msg);
	if (d.userns_root) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			die(errno, "become uid 0 in the user namespace");
	} else {
		become_user(uid, gid);
	}
	exec_shell(shell, argc, argv, &u, &st);
}
