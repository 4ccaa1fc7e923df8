/* nsiso-enter manager: the ExecStart of user@.service that `nsiso enable`
 * installs (drop-in user@.service.d/nsiso.conf). systemd starts it as the
 * user, after the stock systemd-user PAM stack, and after its
 * ExecStartPre=+ (`nsiso-helper build --uid %i --for-manager`, as root) made
 * sure the user's environment is live.
 *
 * For a user the policy does not isolate it simply becomes the manager
 * (exec). For an isolated user it registers with the environment, joins it
 * as a login does, drops to the user and forks systemd --user inside (a PID
 * namespace takes only children). It stays as the unit's main process:
 *   - signals systemd sends it (TERM at stop, HUP, INT ...) go to the
 *     manager, and it exits with the manager's status, so a stop is
 *     graceful and the unit ends inactive, not failed or SIGKILLed;
 *   - the manager's sd_notify messages come to a socket of ours and are
 *     sent on from this, the main, process: the unit keeps NotifyAccess=main
 *     and no user service can speak for user@.service;
 *   - its registration is the manager's "login": the environment lives
 *     while the manager does.
 * A policy whose environment cannot host the manager (a user namespace,
 * share = session) is refused: the manager then runs nowhere, never on
 * the host (doc/DESIGN.md, "The user manager on systemd hosts"). */
#include "enter.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "become_user.h"
#include "envjoin.h"
#include "errmsg.h"
#include "digest.h"
#include "policy.h" /* enum policy_share, NSISO_NS_* */
#include "proto.h"
#include "userinfo.h"

#ifndef NSISO_USER_MANAGER
#error "NSISO_USER_MANAGER (systemd's user manager) comes from the Makefile (SYSTEMD_USER_MANAGER)"
#endif

/* What the manager needs of the environment systemd gave us: PAM's and
 * systemd's variables, by name. Values are copied before the sanitizer
 * clears the environment and only ever reach the unprivileged manager. */
static const char *const kept_names[] = {
	"XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "LANG", "LANGUAGE",
	"LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_COLLATE", "LC_NUMERIC",
	"LC_TIME", "LC_MONETARY", "PATH", "TZ", "INVOCATION_ID",
	"JOURNAL_STREAM", "XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "MAIL",
};
#define N_KEPT (sizeof(kept_names) / sizeof(kept_names[0]))
#define KEPT_MAX 4096

static char *kept_values[N_KEPT];
static char notify_upstream[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* Printable, no newline, bounded: anything else is dropped, not passed. */
static bool plain_value(const char *v)
{
	size_t n = strnlen(v, KEPT_MAX);

	if (n == KEPT_MAX)
		return false;
	for (const char *c = v; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

void manager_save_environment(void)
{
	const char *ns = getenv("NOTIFY_SOCKET");

	for (size_t i = 0; i < N_KEPT; i++) {
		const char *v = getenv(kept_names[i]);

		/* strdup failing leaves the variable out: the manager
		 * then starts without it, which it reports itself. */
		if (v != NULL && plain_value(v))
			kept_values[i] = strdup(v);
	}
	if (ns != NULL && (ns[0] == '/' || ns[0] == '@') &&
	    strlen(ns) < sizeof(notify_upstream) && plain_value(ns))
		memcpy(notify_upstream, ns, strlen(ns) + 1);
}

/* The journal has stderr (the unit's log); admins also find every
 * refusal in authpriv, where the module's are (helper_error does both). */
__attribute__((format(printf, 1, 2))) static void refuse(const char *fmt, ...)
{
	char msg[PATH_MAX + 1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	helper_error(0, "%s", msg);
}

/* The upstream notify socket, connected before we join (a path in the
 * host's mount namespace, or an abstract name in the host's network
 * namespace) and with the user's filesystem ids, so that a user who runs
 * this by hand cannot make root connect anywhere. -1 without one. */
static int connect_upstream(uid_t uid, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, saved;

	if (notify_upstream[0] == '\0')
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		helper_error(errno, "socket for NOTIFY_SOCKET");
		return -1;
	}
	memcpy(sa.sun_path, notify_upstream, strlen(notify_upstream));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(notify_upstream));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++; /* a path: with its terminating NUL */
	setfsgid(gid);
	setfsuid(uid);
	saved = connect(fd, (struct sockaddr *)&sa, len) < 0 ? errno : 0;
	setfsuid(0);
	setfsgid(0);
	if (saved != 0) {
		helper_error(saved, "connect to NOTIFY_SOCKET %s", notify_upstream);
		close(fd);
		return -1;
	}
	return fd;
}

/* Our own notify socket, for the manager: an abstract name the kernel
 * picks (autobind), in the environment's network namespace. Anyone there
 * may send to it; only the manager's messages are passed on. */
static int notify_listen(char *name, size_t len)
{
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa_family_t);
	int one = 1, fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		helper_error(errno, "socket for the manager's notifications");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sl) < 0) {
		helper_error(errno, "bind the manager's notification socket");
		close(fd);
		return -1;
	}
	sl = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0 ||
	    sl <= offsetof(struct sockaddr_un, sun_path) + 1) {
		helper_error(errno, "getsockname of the manager's notification socket");
		close(fd);
		return -1;
	}
	snprintf(name, len, "@%.*s", (int)(sl - offsetof(struct sockaddr_un, sun_path) - 1),
		 sa.sun_path + 1);
	return fd;
}

/* The lines of a notification the unit may act on. MAINPID, FDSTORE and
 * the like are not passed: the main process is and stays this one. */
static bool forwarded_line(const char *line, size_t len)
{
	static const char *const keys[] = {
		"READY=", "RELOADING=", "STOPPING=", "STATUS=", "ERRNO=",
		"MONOTONIC_USEC=", "EXTEND_TIMEOUT_USEC=", "WATCHDOG=",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (len >= strlen(keys[i]) && strncmp(line, keys[i], strlen(keys[i])) == 0)
			return true;
	return false;
}

/* One datagram: dropped unless it comes from the manager itself (its pid
 * and uid as the kernel reports them, SCM_CREDENTIALS); fds it carries
 * are closed. systemd splits a notification at '\n' and '\r' both, so
 * this does too: a "STATUS=x\rMAINPID=n" must not pass as one line. */
static void pass_notification(int in_fd, int out_fd, pid_t manager, uid_t uid)
{
	char buf[4096], out[4096];
	union {
		char raw[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.raw, .msg_controllen = sizeof(ctl.raw) };
	const struct ucred *cred = NULL;
	size_t used = 0;
	ssize_t n = recvmsg(in_fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS)
			cred = (const struct ucred *)CMSG_DATA(c);
		else if (c->cmsg_type == SCM_RIGHTS)
			for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(fd));
				close(fd);
			}
	}
	if (cred == NULL || cred->pid != manager || cred->uid != uid || out_fd < 0 ||
	    memchr(buf, '\0', (size_t)n) != NULL)
		return;
	buf[n] = '\0';
	for (char *line = buf, *end; line < buf + n; line = end + 1) {
		end = line + strcspn(line, "\n\r");
		if (forwarded_line(line, (size_t)(end - line)) &&
		    used + (size_t)(end - line) + 1 < sizeof(out)) {
			memcpy(out + used, line, (size_t)(end - line));
			used += (size_t)(end - line);
			out[used++] = '\n';
		}
	}
	/* systemd may be busy or restarting: a lost status line is harmless,
	 * and READY=1 lost would show as a start timeout, not a hole. */
	if (used > 0)
		(void)!send(out_fd, out, used, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The manager, in the child: the user's ids, the kept environment, our
 * notify socket. Never returns. */
__attribute__((noreturn)) static void exec_manager(const struct user_info *u,
						    const char *notify_name,
						    const sigset_t *mask)
{
	static char *const argv[] = { NSISO_USER_MANAGER, "--user", NULL };

	if (sigprocmask(SIG_UNBLOCK, mask, NULL) < 0)
		_exit(126);
	if (login_environment(u) < 0)
		_exit(126);
	for (size_t i = 0; i < N_KEPT; i++)
		if (kept_values[i] != NULL && setenv(kept_names[i], kept_values[i], 1) < 0)
			_exit(126);
	if (notify_name[0] != '\0' && setenv("NOTIFY_SOCKET", notify_name, 1) < 0)
		_exit(126);
	execv(argv[0], argv);
	fprintf(stderr, "nsiso-enter: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The main process's loop: signals to the manager, its notifications to
 * systemd, until it exits. Returns the exit status to end with. */
static int supervise(pid_t manager, uid_t uid, int sig_fd, int notify_fd,
		     int upstream_fd)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = sig_fd, .events = POLLIN },
				       { .fd = notify_fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int status;
		pid_t pid;

		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			/* Cannot wait for events: end the manager and wait for
			 * it plainly, rather than spin. */
			helper_error(errno, "poll");
			(void)kill(manager, SIGTERM);
			while (waitpid(manager, &status, 0) < 0 && errno == EINTR)
				;
			return WIFEXITED(status) ? WEXITSTATUS(status)
						 : 128 + WTERMSIG(status);
		}
		if (p[1].revents)
			pass_notification(notify_fd, upstream_fd, manager, uid);
		if (!p[0].revents)
			continue;
		while (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo != SIGCHLD)
				/* It may have just exited: ESRCH is fine. */
				(void)kill(manager, (int)si.ssi_signo);
		/* (sd-pam), systemd's PAM closer, is our child too. */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == manager)
				return WIFEXITED(status) ? WEXITSTATUS(status)
							 : 128 + WTERMSIG(status);
	}
}

/* Registers, joins and drops to the user. Returns the registration
 * socket, or -1 (reported). */
static int join_as_manager(const struct user_info *u)
{
	struct env_join j;
	struct nsiso_err e = { "" };
	char name[64];

	proto_user_socket_name(u->uid, name, sizeof(name));
	if (env_register(name, u->uid, &j, &e) < 0) {
		refuse("the user manager of %s cannot join its environment: %s",
		       u->name, errno == ENOENT || errno == ECONNREFUSED
			       ? "no live environment (the unit's ExecStartPre builds it: is nsiso enable's drop-in complete?)"
			       : e.msg);
		return -1;
	}
	/* What the live environment is counts, not what the policy says now:
	 * one built from an older policy with a user namespace would take
	 * the manager in without the limits nsiso-shell applies. */
	if ((j.reply.namespaces & NSISO_NS_USER) || j.reply.share != SHARE_USER) {
		refuse("the user manager of %s is refused, so that it never runs on the host: its live environment (built from %.*s) has %s (nsiso stop %s builds it anew from the policy)",
		       u->name, (int)sizeof(j.reply.policy_path), j.reply.policy_path,
		       (j.reply.namespaces & NSISO_NS_USER) ? "a user namespace" : "share = session",
		       u->name);
		env_join_done(&j);
		close(j.sock);
		return -1;
	}
	/* systemd --user manages the cgroup subtree systemd delegated to it
	 * and must see it as it is: neither the environment's cgroup
	 * namespace nor one of its own (the limits are the user slice's,
	 * which holds it). */
	j.reply.session_flags &= ~(uint32_t)NSISO_SESSION_CGROUP_OWN;
	j.reply.namespaces &= ~(uint32_t)NSISO_NS_CGROUP;
	if (env_check_limited_login(&j, &e) < 0 || env_enter(&j, &e) < 0) {
		refuse("the user manager of %s cannot join its environment: %s",
		       u->name, e.msg);
		env_join_done(&j);
		close(j.sock);
		return -1;
	}
	env_join_done(&j);
	if (initgroups(u->name, u->gid) < 0 || drop_to_user_ids(u->uid, u->gid) < 0) {
		helper_error(errno, "drop privileges to %s", u->name);
		close(j.sock);
		return -1;
	}
	return j.sock;
}

/* Whether the policy isolates the user: 1, 0, or -1 (reported; a broken
 * policy denies, as at login). nsiso-helper reads the policy. */
static int isolated(const struct user_info *u)
{
	struct policy_digest d;
	struct nsiso_err e = { "" };

	if (policy_digest_get(u->uid, &d, &e) < 0) {
		refuse("the user manager of %s is refused: %s", u->name, e.msg);
		return -1;
	}
	/* Run without its privileges (by hand, under no_new_privs): it
	 * could join nothing, and must not act on a digest the user could
	 * have shaped. */
	if (!d.trusted) {
		refuse("the user manager of %s is refused: nsiso-enter runs without its setuid privileges",
		       u->name);
		return -1;
	}
	if (d.load_error[0] != '\0') {
		refuse("the user manager of %s is refused: %s", u->name, d.load_error);
		return -1;
	}
	if (d.isolate && d.manager_refusal[0] != '\0') {
		refuse("%s", d.manager_refusal);
		return -1;
	}
	return d.isolate;
}

int run_user_manager(void)
{
	struct nsiso_err lookup_err = { "" };
	struct user_info u;
	char notify_name[sizeof(((struct sockaddr_un *)0)->sun_path) + 1] = "";
	int reg_fd, upstream_fd, notify_fd, sig_fd, rc;
	sigset_t mask;
	pid_t child;

	if (user_info_by_uid(getuid(), &u, &lookup_err) < 0) {
		helper_report(&lookup_err);
		return 1;
	}
	rc = isolated(&u);
	if (rc <= 0) {
		if (rc < 0) {
			user_info_free(&u);
			return 1;
		}
		/* Not isolated: the manager as systemd would start it. */
		if (initgroups(u.name, u.gid) < 0 || drop_to_user_ids(u.uid, u.gid) < 0) {
			helper_error(errno, "drop privileges to %s", u.name);
			return 1;
		}
		sigemptyset(&mask);
		exec_manager(&u, notify_upstream, &mask);
	}
	upstream_fd = connect_upstream(u.uid, u.gid);
	reg_fd = join_as_manager(&u);
	if (reg_fd < 0) {
		user_info_free(&u);
		return 1;
	}
	notify_fd = notify_listen(notify_name, sizeof(notify_name));
	sigemptyset(&mask);
	/* Every signal systemd may send is passed on, the realtime ones too
	 * (SIGRTMIN+24 asks a user manager to exit). */
	for (int s = 1; s <= SIGRTMAX; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS &&
		    s != SIGFPE && s != SIGILL && s != SIGTRAP && s != SIGABRT &&
		    s != SIGSYS && s != SIGTSTP && s != SIGTTIN && s != SIGTTOU &&
		    (s < 32 || s >= SIGRTMIN)) /* glibc keeps 32 and 33 */
			sigaddset(&mask, s);
	if (notify_fd < 0 || sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		if (notify_fd >= 0)
			helper_error(errno, "signalfd");
		user_info_free(&u);
		return 1;
	}
	child = fork();
	if (child < 0) {
		helper_error(errno, "fork the user manager");
		user_info_free(&u);
		return 1;
	}
	if (child == 0) {
		close(reg_fd);
		close(sig_fd);
		if (upstream_fd >= 0)
			close(upstream_fd);
		exec_manager(&u, notify_name, &mask);
	}
	rc = supervise(child, u.uid, sig_fd, notify_fd, upstream_fd);
	/* Closing the registration is the manager's "logout". */
	close(reg_fd);
	user_info_free(&u);
	return rc;
}
