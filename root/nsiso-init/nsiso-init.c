/* nsiso-init, the environment's init: PID 1 of its PID namespace and the
 * holder of every namespace of the environment. Its exit is the teardown
 * (doc/DESIGN.md, "No bind-mount pins": their copies would outlive it).
 *
 * A small static (musl) binary that the helper execs in the init process
 * once the set-up is done (root/nsiso-helper/init.c): it lives as long as the
 * environment, one per user, so it carries no glibc or libmnl and
 * none of the helper's heap. The state comes in a sealed memfd (struct
 * init_state); it is never run by hand and refuses to be.
 *
 * It serves the socket (register, status, stop), reaps orphans, and ends
 * the environment when no login is registered and no process is left in
 * the PID namespace for `linger` seconds. Every way out goes through
 * teardown(), so no socket file or cgroup directory is left behind.
 *
 * nsiso stop ends the processes as logind ends a session scope
 * (systemd.kill(5) with SendSIGHUP=yes): SIGTERM and SIGCONT, then SIGHUP,
 * and SIGKILL for what is left after the policy's stop_grace. The grace
 * runs in the event loop: the init keeps answering meanwhile. */
#include "handoff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_teardown.h"
#include "errmsg.h"
#include "net_teardown.h"
#include "policy.h"
#include "proctitle.h"
#include "proto.h"
#include "rundir.h"
#include "utmp_dead.h"
#include "utmp_env.h"
#include "utmp_host.h"

/* Before the first login registers: how long a fresh environment waits for
 * the login that asked for it (which may have died meanwhile). */
#define STARTUP_GRACE_MS 30000
/* Without events, how often an idle environment recounts its processes
 * (a process whose parent lives outside the namespace exits silently), and
 * how soon a teardown that found the build lock taken tries again. */
#define IDLE_RECOUNT_MS 1000
/* During a stop's grace: how often the init looks whether every process
 * has ended, so that a stop whose jobs exit at once ends at once. */
#define STOP_RECOUNT_MS 100
#define MAX_CLIENTS NSISO_INIT_CLIENTS
/* How many times, a second apart, the init looks again for records of
 * ended logins whose terminal is gone (drop_client). */
/* The registered logins never fill the table: what is left serves root's
 * requests (nsiso list, stop) and logins still connecting. */
_Static_assert(POLICY_MAX_LOGINS + 64 <= MAX_CLIENTS,
	       "logins_max must leave room in the client table");
/* Descriptors: every client, the handed-over fds, and room to accept. */
#define FD_LIMIT (MAX_CLIENTS + 64)

struct client {
	int fd;
	bool registered;
	unsigned long long seq; /* accept order: the oldest is evicted first */
	bool stop_waiter;       /* asked OP_STOP: gets the report at the end */
	long long utmp_off;     /* its record in the environment's utmp, or -1 */
	int32_t login_pid;      /* the request's pid (utmp_env.h), or 0 */
};

/* The processes a stop signalled, in this PID namespace's numbers: taken
 * before any signal goes out, so none of them can be a reused pid; the
 * report counts them and utmp_dead.c touches only their records. */
struct pid_list {
	pid_t *pids;
	size_t n, cap;
};

struct init {
	struct init_state *st;
	int sig_fd, proc_fd, self_pidfd;
	int utmp_watch;          /* inotify on the environment's utmp, or -1 */
	/* After a login ended: its terminal may close a moment later (the
	 * caller closes the PAM session first), so the records whose
	 * terminal is gone are looked for again, once a second. */
	/* Static: the pages a fresh environment never uses stay untouched
	 * (no resident memory), and nothing can fail to allocate. */
	struct client clients[MAX_CLIENTS];
	struct pollfd pfds[MAX_CLIENTS + 4];
	size_t n_clients;
	unsigned long long next_seq;
	unsigned sessions;
	bool ever_registered;
	bool listen_paused;      /* out of fds: stop accepting until one frees */
	long long started;       /* CLOCK_REALTIME */
	long long start_mono_ms;
	long long idle_since_ms; /* -1 while something is alive */
	/* nsiso stop, between SIGTERM and SIGKILL */
	bool stopping;
	long long stop_deadline_ms;
	int stop_lock_fd;        /* the build lock, once it was free; or -1 */
	struct pid_list ended;
};

/* Zero-initialized (in .bss, not in the binary's .data): main() sets the
 * rest from the handoff. */
static struct init the_init;
/* The handoff, read once at start. */
static struct init_state the_state;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether pid has exited and waits for its parent (state Z in
 * /proc/PID/stat): it no longer runs, so SIGKILL did not end it. */
static bool is_zombie(const struct init *in, pid_t pid)
{
	char path[32], buf[256], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	fd = openat(in->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* gone meanwhile */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "PID (COMM) S ...": COMM may hold anything, ')' included. */
	close_paren = strrchr(buf, ')');
	return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

/* Adds pid to the list; out of memory the pid is left out, which only
 * leaves its utmp record as it is and its count out of the report. */
static void pid_list_add(struct pid_list *l, pid_t pid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		pid_t *grown = realloc(l->pids, cap * sizeof(*grown));

		if (grown == NULL)
			return;
		l->pids = grown;
		l->cap = cap;
	}
	l->pids[l->n++] = pid;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Sorted, each pid once (it may have been taken at SIGTERM and at
 * SIGKILL). */
static void pid_list_sort(struct pid_list *l)
{
	size_t out = 0;

	if (l->n == 0)
		return;
	qsort(l->pids, l->n, sizeof(*l->pids), cmp_pid);
	for (size_t i = 1; i < l->n; i++)
		if (l->pids[i] != l->pids[out])
			l->pids[++out] = l->pids[i];
	l->n = out + 1;
}

/* Processes in the PID namespace other than the init itself; with
 * `into`, their pids are added to it, and with `live_only` exited ones
 * that wait for their parent (zombies) are not counted. Without a PID
 * namespace the init cannot see the session's processes: logins count. */
static unsigned walk_processes(struct init *in, struct pid_list *into,
			       bool live_only)
{
	unsigned n = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	if (in->proc_fd < 0)
		return 0;
	fd = dup(in->proc_fd);
	if (fd < 0)
		return 1; /* cannot tell: assume alive rather than tear down */
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 1)
			continue;
		if (live_only && is_zombie(in, (pid_t)pid))
			continue;
		n++;
		if (into != NULL)
			pid_list_add(into, (pid_t)pid);
	}
	closedir(d);
	return n;
}

static unsigned count_processes(struct init *in)
{
	return walk_processes(in, NULL, false);
}

/* count: whether to count processes (a readdir of /proc); a login's
 * registration does not need the number, and it is on the login path. */
static void fill_reply(struct init *in, struct nsiso_reply *r, bool count)
{
	/* What never changes was filled by the helper while it built the
	 * environment (init_state_init in root/nsiso-helper/init.c). */
	*r = in->st->reply;
	r->sessions = in->sessions;
	r->processes = count ? count_processes(in) : 0;
	r->started = in->started;
}

static void drop_client(struct init *in, size_t i)
{
	if (in->clients[i].registered) {
		in->sessions--;
		/* The login ended: its record, and those its caller wrote
		 * and did not end (sshd killed). */
		utmp_env_logout(in->st->utmp_fd, in->st->host_utmp_fd,
				in->clients[i].utmp_off, in->clients[i].login_pid);
		utmp_env_scan(in->st->utmp_fd, in->st->host_utmp_fd, in->st->reply.user);
	}
	close(in->clients[i].fd);
	in->clients[i] = in->clients[--in->n_clients];
	in->listen_paused = false;
}

/* A client we cannot keep still gets an answer: EBUSY tells the module that
 * the environment is alive (so it must not build a second one). */
static void tell_busy(struct init *in, int fd)
{
	struct nsiso_reply r;

	fill_reply(in, &r, false);
	r.error = EBUSY;
	/* The client may be gone already: nothing to do about it. */
	(void)proto_send_reply(fd, &r, -1);
}

/* Makes room for a new connection: the oldest client that has not
 * registered and does not wait for a stop's report (root's) goes (a login that connected long ago and never asked, or a
 * finished status query). Registered logins are at most logins_max, so
 * with a full table such a client always exists, and no user can keep
 * root's requests out by connecting and never asking. It is told EBUSY
 * first, as a refused new client is: a login must not take the close for an
 * ending environment and build a second one. */
static bool evict_unregistered(struct init *in)
{
	size_t oldest = in->n_clients;

	for (size_t i = 0; i < in->n_clients; i++)
		if (!in->clients[i].registered && !in->clients[i].stop_waiter &&
		    (oldest == in->n_clients ||
		     in->clients[i].seq < in->clients[oldest].seq))
			oldest = i;
	if (oldest == in->n_clients)
		return false;
	tell_busy(in, in->clients[oldest].fd);
	drop_client(in, oldest);
	return true;
}

static void handle_request(struct init *in, size_t i);

/* Connections taken (and answered, when their request is there) per
 * round of the main loop: a stream of them still leaves the signals,
 * the other clients and the stop's deadline their turn. */
#define ACCEPT_PER_ROUND 64

static void accept_clients(struct init *in)
{
	for (int taken = 0; taken < ACCEPT_PER_ROUND; taken++) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		int fd = accept4(in->st->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			/* Out of fds (the host's table, or ours if an admin
			 * lowered it): free one and go on; with nothing to
			 * free stop polling the socket (it stays readable:
			 * no busy loop) until a client leaves. EAGAIN and
			 * aborted connects just end the round. */
			if (errno == EMFILE || errno == ENFILE) {
				if (evict_unregistered(in))
					continue;
				in->listen_paused = true;
			}
			return;
		}
		/* Only root (the module, the CLI, the helper) may talk to an
		 * environment; the directory is root-only, this is the second
		 * lock on the door. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    cred.uid != 0) {
			close(fd);
			continue;
		}
		if (in->n_clients == MAX_CLIENTS && !evict_unregistered(in)) {
			tell_busy(in, fd);
			close(fd);
			continue;
		}
		in->clients[in->n_clients++] = (struct client){
			.fd = fd, .seq = in->next_seq++, .utmp_off = -1,
		};
		/* A login sends its request right after connecting, so it is
		 * usually queued by the time this runs: answered now, the
		 * login is not kept waiting for another wake-up of the init
		 * (each costs a context switch). Nothing there yet: the next
		 * poll() sees it (handle_request leaves on EAGAIN). */
		handle_request(in, in->n_clients - 1);
	}
}

/* The build lock of a share=user environment, if free (never waited for:
 * a helper holding it may be asking this init right now), or -1. */
static int try_build_lock(const struct init_state *st)
{
	char name[64];

	if (st->reply.share != SHARE_USER)
		return -1;
	proto_user_lock_name(st->reply.uid, name, sizeof(name));
	return rundir_lock(st->rundir_fd, name, false);
}

/* The second answer to each nsiso stop that waits: what the stop did.
 * The connection closes when the init exits, which tells the CLI that the
 * environment is gone. */
static void report_stop(struct init *in, unsigned killed, unsigned utmp_dead)
{
	struct nsiso_reply r;

	fill_reply(in, &r, false);
	r.ended = (uint32_t)in->ended.n;
	r.killed = killed;
	r.utmp_dead = utmp_dead;
	r.stop_flags = NSISO_STOP_REPORT;
	if (!(in->st->reply.namespaces & NSISO_NS_PID))
		r.stop_flags |= NSISO_STOP_NO_PIDNS;
	for (size_t i = 0; i < in->n_clients; i++)
		if (in->clients[i].stop_waiter)
			/* A caller that gave up waiting is gone: nothing to
			 * tell it. */
			(void)proto_send_reply(in->clients[i].fd, &r, -1);
}

/* Ends the environment: no one may find it any more, every process in it
 * is killed (the kernel does that when PID 1 exits, too), the cgroup goes,
 * and only then the build lock (lock_fd, or taken here when free) is
 * removed, so a new build never meets half of the old one. The kernel
 * frees the namespaces when the init exits. */
__attribute__((noreturn)) static void teardown(struct init *in, int lock_fd)
{
	struct init_state *st = in->st;
	struct stat sb;
	unsigned killed = 0, utmp_dead = 0;

	/* Ended by nsiso stop, SIGTERM or a failed start: the lock file goes
	 * with the environment instead of staying behind for every user
	 * ever stopped. */
	if (lock_fd < 0)
		lock_fd = in->stop_lock_fd;
	if (lock_fd < 0)
		lock_fd = try_build_lock(st);
	if (fstatat(st->rundir_fd, st->socket_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sb.st_dev == st->socket_dev && sb.st_ino == st->socket_ino)
		/* Failure leaves a stale socket, which the next build
		 * removes under the lock: safe to ignore. */
		(void)unlinkat(st->rundir_fd, st->socket_name, 0);
	close(st->listen_fd);
	if (st->reply.namespaces & NSISO_NS_PID) {
		/* What is left when the grace ran out (or at once, without
		 * one): counted for the report and listed, before the
		 * signal, for the utmp records. */
		killed = walk_processes(in, &in->ended, true);
		/* PID 1's kill(-1) reaches every process of its namespace. */
		(void)kill(-1, SIGKILL);
		pid_list_sort(&in->ended);
		utmp_dead = utmp_mark_dead(NSISO_UTMP_PATH, NSISO_WTMP_PATH,
					   st->reply.user, in->ended.pids,
					   in->ended.n);
	}
	/* The host's copies of the logins it ended (or that ended without
	 * a logout record): who on the host lists no phantom of them. */
	utmp_dead += utmp_host_end(st->host_utmp_fd);
	/* Only this mount namespace saw it, and it ends with the init. */
	if (st->utmp_fd >= 0)
		utmp_env_remove(st->rundir_fd, st->utmp_name, st->utmp_dev,
				st->utmp_ino);
	report_stop(in, killed, utmp_dead);
	net_teardown_inside(st);
	net_unpublish(st);
	/* share = session: waits, without a deadline, for the logins
	 * outside the PID namespace that joined the cgroup to leave it
	 * (cgroup_teardown.c). Nothing can find the environment any more
	 * and it holds no lock: only this process waits. Its connections
	 * close first: nsiso stop (waiting for EOF) and the logins learn
	 * now that the environment has ended. */
	if (st->reply.share == SHARE_SESSION)
		for (size_t i = 0; i < in->n_clients; i++)
			close(in->clients[i].fd);
	env_cgroup_leave_and_remove(st);
	if (lock_fd >= 0) {
		char name[64];

		/* Removed under the lock; a waiter notices the unlink and
		 * locks a fresh file (rundir_lock). */
		proto_user_lock_name(st->reply.uid, name, sizeof(name));
		(void)unlinkat(st->rundir_fd, name, 0);
	}
	_exit(0);
}

/* nsiso stop: SIGTERM and SIGCONT to every process, then SIGHUP (logind's
 * session scopes: systemd.kill(5), SendSIGHUP=yes; SIGHUP is what ends an
 * interactive shell, which ignores SIGTERM), and teardown's SIGKILL for
 * what is left after grace_s, or as soon as nothing is. A second stop
 * may shorten the grace, never lengthen it. Without a PID namespace the
 * init cannot see the processes: it ends at once, as before. */
static void start_stop(struct init *in, unsigned grace_s)
{
	long long deadline = now_ms() + (long long)grace_s * 1000;

	if (!(in->st->reply.namespaces & NSISO_NS_PID) || grace_s == 0)
		teardown(in, -1);
	if (in->stopping) {
		if (deadline < in->stop_deadline_ms)
			in->stop_deadline_ms = deadline;
		return;
	}
	in->stopping = true;
	in->stop_deadline_ms = deadline;
	/* Held through the grace when free: a login that comes meanwhile
	 * waits in the helper for this environment to be gone, then gets a
	 * new one (nsiso-policy(5), stop_grace). */
	in->stop_lock_fd = try_build_lock(in->st);
	(void)walk_processes(in, &in->ended, false);
	/* kill(-1) fails only when there is no process to signal. */
	(void)kill(-1, SIGTERM);
	(void)kill(-1, SIGCONT);
	(void)kill(-1, SIGHUP);
}

/* The environment is idle: end it unless a login is about to join. The
 * build lock orders this against a helper that is checking liveness, and
 * a connection already queued on the socket means someone is joining. */
static void try_teardown(struct init *in)
{
	struct init_state *st = in->st;
	struct pollfd p = { .fd = st->listen_fd, .events = POLLIN };
	int lock_fd = try_build_lock(st);

	if (lock_fd < 0 && st->reply.share == SHARE_USER)
		return; /* a helper holds it: try again on the next tick */
	if (poll(&p, 1, 0) > 0) {
		if (lock_fd >= 0)
			close(lock_fd);
		in->idle_since_ms = -1;
		return;
	}
	teardown(in, lock_fd);
}

static void handle_request(struct init *in, size_t i)
{
	struct nsiso_request req;
	struct nsiso_reply r;
	struct client *c = &in->clients[i];
	ssize_t n = recv(c->fd, &req, sizeof(req), MSG_DONTWAIT);
	int fd = -1;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* A client of an earlier release sends a shorter request: its stop
	 * gets the policy's grace, its login no utmp record. */
	if (n < 0 || !proto_request_accept(&req, (size_t)n)) {
		drop_client(in, i); /* closed (a login ended) or garbage */
		return;
	}
	fill_reply(in, &r, req.op != OP_REGISTER);
	switch (req.op) {
	case OP_REGISTER:
		/* A login during a stop's grace would be killed with the
		 * rest: ECONNRESET tells it the environment is ending, and
		 * it builds anew (the helper waits for the build lock this
		 * init holds until it is gone). */
		if (in->stopping) {
			r.error = ECONNRESET;
			break;
		}
		if (c->registered) {
			r.error = EALREADY;
			break;
		}
		/* One user's registrations are bounded by the policy
		 * (logins_max, in every reply), not by the table. */
		if (in->sessions >= r.logins_max) {
			r.error = EUSERS;
			break;
		}
		c->registered = true;
		in->sessions++;
		c->login_pid = req.pid;
		c->utmp_off = utmp_env_login(in->st->utmp_fd, r.user, req.tty,
					     req.rhost, req.pid);
		in->ever_registered = true;
		in->idle_since_ms = -1;
		r.sessions = in->sessions;
		fd = in->self_pidfd;
		break;
	case OP_STATUS:
		break;
	case OP_STOP:
		/* A login's registration fd lives on in processes such as
		 * sshd's post-auth child: it may not end the environment. */
		if (c->registered) {
			r.error = EPERM;
			break;
		}
		{
			unsigned grace = req.grace == NSISO_GRACE_POLICY ? r.stop_grace
				       : req.grace < POLICY_MAX_STOP_GRACE ? req.grace
				       : POLICY_MAX_STOP_GRACE;

			/* Answer first, with the grace in effect: the caller
			 * then waits for the report and the socket's close. */
			if (in->stopping) {
				long long left = in->stop_deadline_ms - now_ms();
				unsigned left_s = left > 0 ? (unsigned)((left + 999) / 1000) : 0;

				r.stop_grace = grace < left_s ? grace : left_s;
			} else {
				r.stop_grace = grace;
			}
			c->stop_waiter = proto_send_reply(c->fd, &r, -1) == 0;
			start_stop(in, grace);
			return;
		}
	default:
		r.error = EOPNOTSUPP;
	}
	if (proto_send_reply(c->fd, &r, fd) < 0)
		drop_client(in, i);
}

static void reap(struct init *in)
{
	struct signalfd_siginfo si;

	while (read(in->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM)
			teardown(in, -1);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Milliseconds to wait in poll(), or -1; tears down when due. */
static int check_idle(struct init *in)
{
	long long now = now_ms();
	long long linger_ms = (long long)in->st->reply.linger * 1000;

	if (in->stopping) {
		long long left = in->stop_deadline_ms - now;

		/* Zombies do not count: one whose parent is outside the
		 * namespace (su, stopped by its user) is never reaped here,
		 * and it no longer runs. */
		if (left <= 0 || walk_processes(in, NULL, true) == 0)
			teardown(in, -1);
		if (in->stop_lock_fd < 0)
			in->stop_lock_fd = try_build_lock(in->st);
		return left < STOP_RECOUNT_MS ? (int)left : STOP_RECOUNT_MS;
	}
	if (!in->ever_registered) {
		long long left = in->start_mono_ms + STARTUP_GRACE_MS - now;
		if (left <= 0)
			try_teardown(in);
		return left > 0 ? (int)left : IDLE_RECOUNT_MS;
	}
	if (in->sessions > 0 || count_processes(in) > 0) {
		in->idle_since_ms = -1;
		return in->sessions > 0 ? -1 : IDLE_RECOUNT_MS;
	}
	if (in->idle_since_ms < 0)
		in->idle_since_ms = now;
	if (now - in->idle_since_ms >= linger_ms) {
		try_teardown(in);
		return IDLE_RECOUNT_MS;
	}
	{
		long long left = in->idle_since_ms + linger_ms - now;
		return left < IDLE_RECOUNT_MS ? (int)left : IDLE_RECOUNT_MS;
	}
}

__attribute__((noreturn)) static void init_main(struct init *in)
{
	struct init_state *st = in->st;

	in->started = (long long)time(NULL);
	in->start_mono_ms = now_ms();
	for (;;) {
		int timeout = check_idle(in);
		size_t n = 0, first_client;

		in->pfds[n++] = (struct pollfd){ .fd = in->sig_fd, .events = POLLIN };
		in->pfds[n++] = (struct pollfd){
			.fd = in->listen_paused ? -1 : st->listen_fd,
			.events = POLLIN,
		};
		in->pfds[n++] = (struct pollfd){ .fd = in->utmp_watch, .events = POLLIN };
		first_client = n;
		for (size_t i = 0; i < in->n_clients; i++)
			in->pfds[n++] = (struct pollfd){ .fd = in->clients[i].fd,
							 .events = POLLIN };
		if (poll(in->pfds, n, timeout) < 0 && errno != EINTR)
			teardown(in, -1); /* cannot wait: end cleanly */
		if (in->pfds[0].revents)
			reap(in);
		/* Walk clients backwards: drop_client moves the last one. */
		for (size_t i = n; i-- > first_client;)
			if (in->pfds[i].revents)
				handle_request(in, i - first_client);
		if (in->pfds[1].revents)
			accept_clients(in);
		if (in->pfds[2].revents) {
			utmp_env_drain(in->utmp_watch);
			utmp_env_scan(st->utmp_fd, st->host_utmp_fd, st->reply.user);
		}
	}
}

/* Why it refuses: to the log, and to stderr, which is /dev/null when the
 * helper execs it and the terminal of anyone who runs it by hand. */
static int refuse(const char *why, int errnum)
{
	helper_error(errnum, "%s", why);
	fprintf(stderr,
		"nsiso-init: it is started by nsiso-helper as an environment's init, never by hand\n");
	return 1;
}

/* Room for a full client table: the init inherits the host's PID 1
 * limits (copy_init_rlimits in the helper), often a soft 1024, and out of
 * descriptors it could not accept root's requests. Never lowered. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		helper_error(errno, "getrlimit(RLIMIT_NOFILE)");
		return;
	}
	if (rl.rlim_cur >= FD_LIMIT)
		return;
	rl.rlim_cur = FD_LIMIT;
	if (rl.rlim_max < FD_LIMIT)
		rl.rlim_max = FD_LIMIT;
	/* On failure the init still works: a full fd table evicts clients
	 * that have not registered (accept_clients), as a full table does. */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		helper_error(errno, "setrlimit(RLIMIT_NOFILE, %d)", FD_LIMIT);
}

/* The handoff: "--handoff FD", FD a memfd sealed against every change,
 * holding exactly one struct init_state of this build. */
static int read_handoff(int argc, char **argv, struct init_state *st)
{
	const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	struct stat sb;
	char *end;
	long fd;
	int have;

	if (argc != 3 || strcmp(argv[1], "--handoff") != 0 || argv[2][0] < '0' ||
	    argv[2][0] > '9')
		return refuse("usage: nsiso-init --handoff FD", 0);
	errno = 0;
	fd = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || fd < 3 || fd > 65535)
		return refuse("the handoff fd is not a number above 2", 0);
	if (fstat((int)fd, &sb) < 0)
		return refuse("the handoff fd", errno);
	have = fcntl((int)fd, F_GET_SEALS);
	if (have < 0)
		return refuse("the handoff fd is not a sealed memfd", errno);
	if ((have & seals) != seals || !S_ISREG(sb.st_mode) ||
	    sb.st_size != (off_t)sizeof(*st))
		return refuse("the handoff fd is not a sealed memfd of the right size", 0);
	if (pread((int)fd, st, sizeof(*st), 0) != (ssize_t)sizeof(*st))
		return refuse("read the handoff", errno);
	close((int)fd);
	if (st->magic != NSISO_HANDOFF_MAGIC || st->version != NSISO_HANDOFF_VERSION ||
	    st->size != sizeof(*st) || st->reply_size != sizeof(struct nsiso_reply)) {
		helper_error(0,
			"handoff magic %#x version %u size %u/%u, this build: %#x %u %zu/%zu",
			st->magic, st->version, st->size, st->reply_size,
			NSISO_HANDOFF_MAGIC, NSISO_HANDOFF_VERSION, sizeof(*st),
			sizeof(struct nsiso_reply));
		return refuse("the handoff is not from this build of nsiso-helper", 0);
	}
	/* Strings the helper wrote with snprintf: terminated, but a torn
	 * one must not make the init read past its field. */
	st->reply.user[sizeof(st->reply.user) - 1] = '\0';
	st->reply.hostname[sizeof(st->reply.hostname) - 1] = '\0';
	st->reply.policy_path[sizeof(st->reply.policy_path) - 1] = '\0';
	st->reply.cgroup_dir[sizeof(st->reply.cgroup_dir) - 1] = '\0';
	st->netns_name[sizeof(st->netns_name) - 1] = '\0';
	st->socket_name[sizeof(st->socket_name) - 1] = '\0';
	st->cgroup_root[sizeof(st->cgroup_root) - 1] = '\0';
	st->cgroup_dir[sizeof(st->cgroup_dir) - 1] = '\0';
	st->cgroup_name[sizeof(st->cgroup_name) - 1] = '\0';
	st->utmp_name[sizeof(st->utmp_name) - 1] = '\0';
	return 0;
}

/* After a valid handoff the helper waits on status_fd and the network
 * half may already exist (a veth, a /run/netns name on the host): a
 * refusal now says why over the pipe and removes those, as a failed
 * set-up would, instead of leaving a name that makes every later build
 * of this user fail. */
static int refuse_built(struct init_state *st, const char *why, int errnum)
{
	struct nsiso_err e = { .msg = "" };

	/* As the set-up reports: the error as it is (errmsg.h). The helper
	 * may be gone; the cleanup below still runs. */
	err_set(&e, errnum, "nsiso-init: %s", why);
	(void)!write(st->status_fd, &e, sizeof(e));
	net_teardown_inside(st);
	net_unpublish(st);
	return refuse(why, errnum);
}

/* A name the init joins to a directory fd: one path component. */
static bool plain_name(const char *name)
{
	return strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

int main(int argc, char **argv)
{
	struct init *in = &the_init;
	struct init_state *st = &the_state;
	char title[128];

	/* Its stderr is /dev/null from the helper: syslog carries what it
	 * reports (errmsg.c). */
	helper_log_setup("nsiso-init", false);
	/* An exec resets dumpability: as in the helper, nothing of this
	 * root process (its memory, its fds) is for ptrace or /proc. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return refuse("prctl(PR_SET_DUMPABLE)", errno);
	/* Only root's exec from the helper: never setuid or with file
	 * capabilities (a packaging mistake), where a user would choose
	 * the handoff and its fds. */
	if (getuid() != 0 || geteuid() != 0 || getauxval(AT_SECURE) != 0)
		return refuse("not root, or started setuid or with file capabilities", 0);
	if (argc < 1 || read_handoff(argc, argv, st) != 0)
		return 1;
	if (!plain_name(st->socket_name) || !plain_name(st->cgroup_name) ||
	    !plain_name(st->netns_name) ||
	    (st->utmp_fd >= 0 && !plain_name(st->utmp_name)))
		return refuse("a name in the handoff is not a plain file name", 0);
	/* PID 1 of the environment's PID namespace: its parent is outside
	 * (getppid() 0). Without a PID namespace there is no PID 1. */
	if ((st->reply.namespaces & NSISO_NS_PID) && (getpid() != 1 || getppid() != 0))
		return refuse_built(st, "not PID 1 of a PID namespace", 0);
	{
		/* Every fd it must hold is open (the helper cleared
		 * FD_CLOEXEC on exactly these, -1 where unused); it execs
		 * nothing itself, the flag only keeps them from ever leaking
		 * on. */
		int held[INIT_FDS_MAX];

		init_state_fds(st, held);
		for (int i = 0; i < INIT_FDS_MAX; i++) {
			if (held[i] < 0 && i >= INIT_FDS_ALWAYS)
				continue;
			if (fcntl(held[i], F_SETFD, FD_CLOEXEC) < 0)
				return refuse_built(st, "a handed-over fd is not open", errno);
		}
	}
	raise_fd_limit();
	in->st = st;
	in->idle_since_ms = -1;
	in->stop_lock_fd = -1;
	in->sig_fd = st->sig_fd;
	in->self_pidfd = st->self_pidfd;
	in->proc_fd = st->proc_fd;
	in->utmp_watch = utmp_env_watch(st->utmp_fd);
	proctitle_init(argc, argv);
	snprintf(title, sizeof(title), "nsiso-init: %.63s%s", st->reply.user,
		 st->reply.share == SHARE_SESSION ? " (session)" : "");
	proctitle_set(title);
	/* SIGPIPE is ignored (init_prepare): a helper that died makes this
	 * write fail, and the environment ends at once instead of waiting
	 * out the start-up grace for a login that will never register. */
	if (write(st->status_fd, "K", 1) != 1)
		teardown(in, -1);
	close(st->status_fd);
	init_main(in);
}
