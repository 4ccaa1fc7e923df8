/* nssec-attack: the attacker's tool for tests/security (run as an
 * unprivileged test user unless a subcommand says otherwise). Each
 * subcommand tries one thing and prints "key=RESULT" lines, RESULT being
 * "OK" when the attempt worked or the errno name when it failed, so the
 * harness can assert on every step.
 *
 *   argc0 PATH                     execve PATH with argc == 0
 *   closefds PATH ARG...           exec with fds 0, 1 and 2 closed
 *   ptrace-running PATH ARG...     start PATH (setuid) blocked on a full
 *                                  stderr pipe, then attack it
 *   traceme-exec PATH              PTRACE_TRACEME, exec: euid at exec?
 *   attach-race N PATH ARG...      N times: exec PATH, attach at once
 *   procmem PID                    ptrace, /proc/PID/{mem,environ,...}
 *   connect SOCKET                 connect and ask to register
 *   tiocsti PATH                   TIOCSTI on an opened tty path
 *   fake-init SOCKET MODE [ARG]    (root) a forged init; MODE user UID |
 *                                  pidfd PID | uid UID
 *   stat PID                       "sid=N tty_nr=N" of PID
 *   hold SOCKET N                  (root) N connections that never ask;
 *                                  "held=K", then waits for stdin EOF
 *   killer UID DELAY_US            (root) wait for the helper building
 *                                  UID's environment, SIGKILL it after
 *                                  DELAY_US; prints "killed=1" or 0
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* The wire format is the product's own (built with -Iglibc-musl), so that a
 * forgery speaks the current protocol. */
#include "proto.h"
#define MAGIC NSISO_MAGIC
#define request nsiso_request
#define reply nsiso_reply

static const char *res(int ok)
{
	static char buf[64];

	if (ok)
		return "OK";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(errno) ?
		 strerrorname_np(errno) : "E?");
	return buf;
}

static int euid_of(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	int r = -1, e = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %d %d", &r, &e) == 2)
			break;
	fclose(f);
	return e;
}

static int do_argc0(char **argv)
{
	char *none[] = { NULL };
	char *env[] = { NULL };

	execve(argv[0], none, env);
	perror("execve");
	return 126;
}

static int do_closefds(char **argv)
{
	close(0);
	close(1);
	close(2);
	execv(argv[0], argv);
	return 126;
}

/* Attacks against a live pid; the caller has already checked it. */
static void attack_pid(pid_t pid)
{
	char path[64], buf[64];
	struct iovec local = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iovec remote = { .iov_base = (void *)0x400000, .iov_len = 8 };
	int fd, pidfd;
	long r;

	r = ptrace(PTRACE_ATTACH, pid, 0, 0);
	printf("attach=%s\n", res(r == 0));
	if (r == 0)
		ptrace(PTRACE_DETACH, pid, 0, 0);
	r = ptrace(PTRACE_SEIZE, pid, 0, 0);
	printf("seize=%s\n", res(r == 0));
	if (r == 0)
		ptrace(PTRACE_DETACH, pid, 0, 0);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	printf("mem_rw=%s\n", res(fd >= 0));
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDONLY);
	printf("mem_ro=%s\n", res(fd >= 0));
	if (fd >= 0)
		close(fd);
	r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	/* EFAULT means the permission check passed. */
	printf("vm_readv=%s\n", res(r >= 0 || errno == EFAULT));
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		/* environ opens, the permission check is on read */
		r = read(fd, buf, sizeof(buf));
		close(fd);
		printf("environ=%s\n", res(r > 0));
	} else {
		printf("environ=%s\n", res(0));
	}
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	r = readlink(path, buf, sizeof(buf));
	printf("cwd=%s\n", res(r >= 0));
	snprintf(path, sizeof(path), "/proc/%d/fd/0", (int)pid);
	fd = open(path, O_RDONLY);
	printf("fd0=%s\n", res(fd >= 0));
	if (fd >= 0)
		close(fd);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		int got = (int)syscall(SYS_pidfd_getfd, pidfd, 0, 0);
		printf("getfd=%s\n", res(got >= 0));
		if (got >= 0)
			close(got);
		close(pidfd);
	} else {
		printf("getfd=%s\n", res(0));
	}
}

static int do_ptrace_running(char **argv)
{
	int p[2];
	pid_t pid;
	char fill[4096];
	int elevated = 0;

	memset(fill, 'x', sizeof(fill));
	if (pipe2(p, O_NONBLOCK) < 0)
		return 1;
	/* A full stderr pipe: the helper blocks in its first write, after
	 * its set-up, while it still runs with euid 0. */
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	while (write(p[1], fill, sizeof(fill)) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(126);
	}
	close(p[1]);
	for (int i = 0; i < 200; i++) {
		char path[64], st[4096];
		int fd;
		ssize_t n;

		if (euid_of(pid) == 0) {
			/* wait until it sleeps in the write */
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			fd = open(path, O_RDONLY);
			n = fd >= 0 ? read(fd, st, sizeof(st) - 1) : -1;
			if (fd >= 0)
				close(fd);
			if (n > 0) {
				st[n] = '\0';
				char *c = strrchr(st, ')');
				if (c && c[2] == 'S') {
					elevated = 1;
					break;
				}
			}
		}
		usleep(10000);
	}
	printf("elevated=%d\n", elevated);
	attack_pid(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}

static int do_traceme_exec(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[0], argv);
		_exit(126);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		printf("stopped=no\n");
		return 1;
	}
	printf("euid_at_exec=%d\n", euid_of(pid));
	kill(pid, SIGKILL);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	waitpid(pid, NULL, 0);
	return 0;
}

/* Attaches to a freshly exec'd setuid program as early as possible; a
 * trace that survives into the privileged image would be a gain. */
static int do_attach_race(int n, char **argv)
{
	int attached = 0, gained = 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			int dn = open("/dev/null", O_WRONLY);
			dup2(dn, 1);
			dup2(dn, 2);
			execv(argv[0], argv);
			_exit(126);
		}
		if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXEC) == 0) {
			attached++;
			while (waitpid(pid, &st, 0) == pid) {
				if (WIFEXITED(st) || WIFSIGNALED(st))
					break;
				if (WIFSTOPPED(st) &&
				    (st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
					if (euid_of(pid) == 0)
						gained++;
				}
				ptrace(PTRACE_CONT, pid, 0,
				       WIFSTOPPED(st) && WSTOPSIG(st) != SIGTRAP ?
				       WSTOPSIG(st) : 0);
			}
		} else {
			waitpid(pid, &st, 0);
		}
	}
	printf("iterations=%d attached=%d gained=%d\n", n, attached, gained);
	return 0;
}

static int do_procmem(pid_t pid)
{
	attack_pid(pid);
	return 0;
}

static int do_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct request req = { .magic = MAGIC, .op = 1 };
	struct reply r;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), got = 0;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("connect=%s\n", res(0));
		return 0;
	}
	printf("connect=OK\n");
	n = send(fd, &req, sizeof(req), MSG_NOSIGNAL);
	printf("send=%s\n", res(n == (ssize_t)sizeof(req)));
	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		printf("reply=%s\n", res(0));
	else if (n == 0)
		printf("reply=EOF\n");
	else
		printf("reply=OK\n");
	if (n > 0)
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
		     c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_type == SCM_RIGHTS)
				got = 1;
	printf("fd=%s\n", got ? "received" : "none");
	return 0;
}

static int do_tiocsti(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY);
	char c = '#';

	printf("open=%s\n", res(fd >= 0));
	if (fd < 0)
		return 0;
	printf("tiocsti=%s\n", res(ioctl(fd, TIOCSTI, &c) == 0));
	return 0;
}

/* A forged environment socket. "user UID": bound by root (only root can
 * write the directory) but listened on as UID, so SO_PEERCRED names UID.
 * "pidfd PID": root, but hands out the pidfd of PID. "uid UID": root,
 * own pidfd, but claims to be UID's environment. */
static int do_fake_init(const char *path, const char *mode, const char *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0), pidfd;
	pid_t fdpid = getpid();
	uint32_t claim = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bind");
		return 1;
	}
	chmod(path, 0600);
	if (strcmp(mode, "user") == 0) {
		uid_t u = (uid_t)atoi(arg);
		if (setresgid(u, u, u) < 0 || setresuid(u, u, u) < 0) {
			perror("setresuid");
			return 1;
		}
		claim = u;
	} else if (strcmp(mode, "pidfd") == 0) {
		fdpid = atoi(arg);
	} else {
		claim = (uint32_t)atoi(arg);
	}
	if (listen(s, 8) < 0)
		return 1;
	pidfd = (int)syscall(SYS_pidfd_open, fdpid, 0);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		struct request req;
		struct reply r;
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm;

		if (c < 0)
			continue;
		if (recv(c, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
			close(c);
			continue;
		}
		memset(&r, 0, sizeof(r));
		memset(&ctl, 0, sizeof(ctl));
		r.magic = MAGIC;
		r.proto_version = NSISO_PROTO_VERSION;
		r.namespaces = 1 | 2 | 4 | 8;
		r.uid = claim;
		r.sessions = 1;
		snprintf(r.user, sizeof(r.user), "forged");
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pidfd, sizeof(int));
		if (pidfd < 0) {
			msg.msg_control = NULL;
			msg.msg_controllen = 0;
		}
		(void)sendmsg(c, &msg, MSG_NOSIGNAL);
		fprintf(stderr, "fake-init: answered op %u\n", req.op);
		/* keep the connection: a real init holds registrations */
	}
}

static int do_stat(pid_t pid)
{
	char path[64], st[4096];
	int fd, sid = -1, tty = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	st[n] = '\0';
	/* after "(comm)": state ppid pgrp session tty_nr */
	if (sscanf(strrchr(st, ')') + 2, "%*c %*d %*d %d %d", &sid, &tty) != 2)
		return 1;
	printf("sid=%d tty_nr=%d\n", sid, tty);
	return 0;
}

/* Polls /proc for "nsiso-helper build --uid UID" (up to 5 s). */
static int do_killer(const char *uid, long delay_us)
{
	char want[64];
	int wlen = snprintf(want, sizeof(want), "nsiso-helper%cbuild%c--uid%c%s",
			    0, 0, 0, uid) + 1;
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d)) != NULL) {
			char path[300], buf[256];
			int fd;
			ssize_t n;

			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			n = read(fd, buf, sizeof(buf));
			close(fd);
			if (n >= wlen && memcmp(buf, want, (size_t)wlen) == 0) {
				pid_t pid = atoi(de->d_name);

				closedir(d);
				if (delay_us > 0)
					usleep((useconds_t)delay_us);
				printf("killed=%d\n", kill(pid, SIGKILL) == 0);
				return 0;
			}
		}
		if (d)
			closedir(d);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 5)
			break;
	}
	printf("killed=0\n");
	return 0;
}

/* A flood of connections that never send a request, as a user could make
 * with many stalled logins: the init must still serve root's requests. */
static int hold(const char *path, int n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct rlimit rl = { .rlim_cur = (rlim_t)n + 64, .rlim_max = (rlim_t)n + 64 };
	int held = 0;
	char c;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		printf("setrlimit=%s\n", res(0));
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			printf("connect=%s\n", res(0));
			break;
		}
		held++;
	}
	printf("held=%d\n", held);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment in attack.c\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "argc0") == 0)
		return do_argc0(argv + 2);
	if (strcmp(argv[1], "closefds") == 0)
		return do_closefds(argv + 2);
	if (strcmp(argv[1], "ptrace-running") == 0)
		return do_ptrace_running(argv + 2);
	if (strcmp(argv[1], "traceme-exec") == 0)
		return do_traceme_exec(argv + 2);
	if (strcmp(argv[1], "attach-race") == 0 && argc > 3)
		return do_attach_race(atoi(argv[2]), argv + 3);
	if (strcmp(argv[1], "procmem") == 0)
		return do_procmem(atoi(argv[2]));
	if (strcmp(argv[1], "connect") == 0)
		return do_connect(argv[2]);
	if (strcmp(argv[1], "tiocsti") == 0)
		return do_tiocsti(argv[2]);
	if (strcmp(argv[1], "fake-init") == 0 && argc > 4)
		return do_fake_init(argv[2], argv[3], argv[4]);
	if (strcmp(argv[1], "killer") == 0 && argc > 3)
		return do_killer(argv[2], atol(argv[3]));
	if (strcmp(argv[1], "hold") == 0 && argc > 3)
		return hold(argv[2], atoi(argv[3]));
	if (strcmp(argv[1], "stat") == 0)
		return do_stat(atoi(argv[2]));
	fprintf(stderr, "unknown subcommand %s\n", argv[1]);
	return 2;
}
