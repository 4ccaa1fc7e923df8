/* nsiso-shell: the login shell wrapper that puts a session into a user
 * namespace (doc/DESIGN.md, "User namespaces: nsiso-shell": the PAM
 * caller cannot join one; the program the session execs can). Installed setuid root and set as the user's login
 * shell; sshd, login, su and runuser all exec it in place of the shell.
 *
 *   nsiso-shell                  (argv[0] "-nsiso-shell" for a login shell)
 *   nsiso-shell -c COMMAND       (ssh user cmd, su -c, scp, sftp)
 *
 * It acts for the real uid only, reads the policy from the fixed policy
 * directory, and when that policy does not list "user" it simply becomes
 * the user and execs the real shell. Otherwise:
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
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "become_user.h"
#include "envjoin.h"
#include "load.h"
#include "policy.h"
#include "subid.h"
#include "userinfo.h"

#define PROG NSISO_SHELL_NAME
/* The environment handed to the real shell: the caller's, as a login
 * shell would get it. Bounded so that a huge one cannot exhaust us. */
#define MAX_ENV 4096
#define MAX_ENV_BYTES (1024 * 1024)

struct saved_state {
	char **env;          /* the caller's environment, copied */
	mode_t umask;
	sigset_t sigmask;
	struct rlimit core;
	int cwd_fd;          /* the caller's working directory, or -1 */
};

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

/* fds 0-2 must be open, or the first file we open becomes someone's
 * stdout; every other inherited fd is closed (the real shell of a login
 * gets only 0-2 from sshd, login and su anyway). */
static void sanitize_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			_exit(127);
	}
	if (close_range(3, ~0U, 0) < 0)
		_exit(127);
}

/* The environment as the caller passed it to execve(). glibc has already
 * removed LD_PRELOAD, TMPDIR and the like from environ (we are setuid),
 * but the shell is the user's and should get what a login gives it
 * (pam_tmpdir's TMPDIR, say): /proc/self/environ still holds the original
 * strings. NULL when it cannot be read; then environ serves. */
static char *read_original_env(size_t *len)
{
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap);
	int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);

	if (buf == NULL || fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (used == cap) {
			char *grown;

			if (cap >= MAX_ENV_BYTES)
				die(0, "the environment is too large (more than %d bytes)",
				    MAX_ENV_BYTES);
			grown = realloc(buf, cap * 2);
			if (grown == NULL)
				goto fail;
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	*len = used;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* The caller's environment is copied for the shell and then cleared: no
 * variable reaches the privileged part (NSS, the policy reader). */
static void save_env(struct saved_state *st)
{
	extern char **environ;
	size_t n = 0, bytes = 0, len = 0;
	char *orig = read_original_env(&len);

	if (orig != NULL) {
		for (size_t i = 0; i < len; i++)
			if (orig[i] == '\0')
				n++;
		if (len > 0 && orig[len - 1] != '\0')
			n++; /* cut short: the last string gets its NUL below */
		bytes = len;
	} else {
		for (char **e = environ; e != NULL && *e != NULL; e++) {
			n++;
			bytes += strlen(*e) + 1;
		}
	}
	if (n > MAX_ENV || bytes > MAX_ENV_BYTES)
		die(0, "the environment is too large (%zu variables, %zu bytes)", n,
		    bytes);
	st->env = calloc(n + 1, sizeof(char *));
	if (st->env == NULL)
		die(ENOMEM, "copy the environment");
	if (orig != NULL) {
		size_t i = 0, k = 0;

		while (i < len && k < n) {
			size_t l = strnlen(orig + i, len - i);

			st->env[k] = strndup(orig + i, l);
			if (st->env[k] == NULL)
				die(ENOMEM, "copy the environment");
			k++;
			i += l + 1;
		}
		free(orig);
	} else {
		for (size_t i = 0; i < n; i++) {
			st->env[i] = strdup(environ[i]);
			if (st->env[i] == NULL)
				die(ENOMEM, "copy the environment");
		}
	}
	if (clearenv() != 0 ||
	    setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0)
		die(errno, "clear the environment");
}

/* Everything inherited that could steer the privileged part is reset,
 * and remembered for the shell: the umask, the signal mask, the working
 * directory. Resource limits stay (pam_limits set them for the session),
 * except that no core file is written while we hold root. Every failure
 * below fails closed, so a limit can only make the login fail. */
static void sanitize(struct saved_state *st)
{
	sigset_t all;

	/* Not dumpable from the first line: no ptrace, no /proc/PID/mem, no
	 * core of a process that runs as root. */
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0)
		_exit(127);
	sanitize_fds();
	openlog(PROG, LOG_PID, LOG_AUTHPRIV);
	save_env(st);
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &st->sigmask) < 0)
		die(errno, "block signals");
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			/* EINVAL for the realtime signals glibc reserves: safe
			 * to ignore, they keep their default. */
			(void)signal(sig, SIG_DFL);
	if (getrlimit(RLIMIT_CORE, &st->core) < 0 ||
	    setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, st->core.rlim_max }) < 0)
		die(errno, "RLIMIT_CORE");
	st->umask = umask(077);
	st->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (chdir("/") < 0)
		die(errno, "chdir /");
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

/* True when this process is already in a user namespace other than the
 * initial one (a nested start from inside such a session, where our
 * setuid bit is ignored because its owner is unmapped). */
static bool in_child_userns(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* The initial namespace maps all of 0..4294967294. */
	return strstr(buf, "4294967295") == NULL;
}

/* Writes text to dirfd/name (a /proc/PID file) in one write(). */
static int write_proc(int dirfd, const char *name, const char *text,
		      const char *who)
{
	ssize_t len = (ssize_t)strlen(text);
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		fprintf(stderr, "%s: open %s/%s failed: %s\n", PROG, who, name,
			strerror(errno));
		return -1;
	}
	if (write(fd, text, (size_t)len) != len) {
		fprintf(stderr, "%s: write '%.*s' to %s/%s failed: %s\n", PROG,
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
		fprintf(stderr, "%s: open %s failed: %s\n", PROG, who,
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

/* userns_subids: "1 START COUNT" from the admin's /etc/subuid or
 * /etc/subgid, which must be root's and writable by root only (it decides
 * which host ids the user gets). A user without a range is refused. */
static void subid_line(const char *file, const struct user_info *u,
		       unsigned long own_id, unsigned long min_start, char *line,
		       size_t len)
{
	char err[256], *text;
	unsigned long start = 0, count = 0;
	struct stat sb;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		die(errno, "open %s", file);
	if (fstat(fd, &sb) < 0)
		die(errno, "stat %s", file);
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 022) ||
	    sb.st_size > MAX_ENV_BYTES)
		die(0, "%s must be a root-owned file that only root can write (and under 1 MB)",
		    file);
	text = malloc((size_t)sb.st_size + 1);
	if (text == NULL)
		die(ENOMEM, "read %s", file);
	n = read(fd, text, (size_t)sb.st_size);
	if (n < 0)
		die(errno, "read %s", file);
	close(fd);
	/* Both files name the user (or their uid); own_id is the uid or
	 * the gid, which is mapped separately and may not be in the range. */
	switch (subid_find(text, (size_t)n, u->name, (unsigned long)u->uid,
			   own_id, min_start, &start, &count, err, sizeof(err))) {
	case 1:
		break;
	case 0:
		die(0, "userns_subids: %s has no range for %s", file, u->name);
	default:
		die(0, "%s: %s", file, err);
	}
	free(text);
	snprintf(line, len, "1 %lu %lu\n", start, count);
}

/* CAP_SYS_ADMIN back into the effective set after the effective uid
 * changed (it emptied the effective set, not the permitted one). */
static int raise_sys_admin(void)
{
	const cap_value_t admin = CAP_SYS_ADMIN;
	cap_t caps = cap_get_proc();
	int rc;

	if (caps == NULL)
		return -1;
	rc = cap_set_flag(caps, CAP_EFFECTIVE, 1, &admin, CAP_SET);
	if (rc == 0)
		rc = cap_set_proc(caps);
	cap_free(caps);
	return rc;
}

/* Steps 1-3: a new user namespace with the one-line maps (plus the
 * subordinate range with userns_subids). */
static void enter_userns(uid_t uid, gid_t gid, enum userns_mode mode,
			 bool subids, const struct user_info *u)
{
	char uid_map[128], gid_map[128], extra_u[64] = "", extra_g[64] = "";
	int go[2], status = 0;
	pid_t child, parent = getpid();

	if (subids) {
		subid_line("/etc/subuid", u, (unsigned long)uid,
			   login_defs_value("SUB_UID_MIN", 100000), extra_u,
			   sizeof(extra_u));
		subid_line("/etc/subgid", u, (unsigned long)gid,
			   login_defs_value("SUB_GID_MIN", 100000), extra_g,
			   sizeof(extra_g));
	}
	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n%s",
		 mode == USERNS_ROOT ? 0u : (unsigned)uid, (unsigned)uid, extra_u);
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n%s",
		 mode == USERNS_ROOT ? 0u : (unsigned)gid, (unsigned)gid, extra_g);
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
						 struct saved_state *st)
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
	struct saved_state st = { .cwd_fd = -1 };
	struct user_info u;
	struct loaded_policy lp;
	char err[1024];
	const char *shell = POLICY_DEFAULT_SHELL;
	uid_t uid = getuid();
	gid_t gid;
	bool want;

	sanitize(&st);
	if (!args_ok(argc, argv))
		die(0, "usage: %s [-c COMMAND] (it is a login shell)", PROG);
	if (user_info_by_uid(uid, &u, err, sizeof(err)) < 0)
		die(0, "%s", err);
	/* The primary group is the account's, as a login sets it, whatever
	 * real gid the invoker arrived with. */
	gid = u.gid;
	if (policy_load(NSISO_DEFAULT_POLICY_DIR, &u, &lp, err, sizeof(err)) < 0)
		die(0, "login refused: %s", err);
	if (lp.kind != CHOICE_NONE && lp.policy.shell != NULL)
		shell = lp.policy.shell;
	want = lp.kind != CHOICE_NONE && lp.policy.isolate &&
	       (lp.policy.namespaces & NSISO_NS_USER);
	if (!want) {
		/* Nothing to do: the user's real shell, as the user. The
		 * login's caller applied the policy's limits already; applying
		 * them again costs nothing and covers a caller that did not
		 * (an environment built while the policy still listed 'user'
		 * is refused by the module, this is the second lock). */
		if (lp.kind != CHOICE_NONE && lp.policy.isolate &&
		    env_limit_privileges(lp.policy.has_capabilities &&
						 geteuid() == 0,
					 lp.policy.cap_keep,
					 lp.policy.no_new_privs, err,
					 sizeof(err)) < 0)
			die(0, "%s", err);
		if (geteuid() == 0)
			become_user(uid, gid);
		exec_shell(shell, argc, argv, &u, &st);
	}
	if (geteuid() != 0) {
		/* Started again from inside the namespace, where our setuid
		 * bit does not apply: already there. */
		if (in_child_userns())
			exec_shell(shell, argc, argv, &u, &st);
		die(0, "%s must be installed setuid root (the policy %s asks for a user namespace)",
		    PROG, lp.path);
	}
	enter_userns(uid, gid, lp.policy.userns, lp.policy.userns_subids, &u);
	/* Inside: a new user namespace starts with a full bounding set, and
	 * the PAM caller left the policy's limits to us (envjoin.c). */
	if (env_limit_privileges(lp.policy.has_capabilities, lp.policy.cap_keep,
				 lp.policy.no_new_privs, err, sizeof(err)) < 0)
		die(0, "%s", err);
	if (lp.policy.userns == USERNS_ROOT) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			die(errno, "become uid 0 in the user namespace");
	} else {
		become_user(uid, gid);
	}
	exec_shell(shell, argc, argv, &u, &st);
}
