/* pamlat: times pam_open_session + pam_close_session in-process, without
 * pamtester's fork/exec/dynamic-link noise. Each login runs in a fresh
 * forked child (a joined environment cannot be left), the clock runs only
 * around the two PAM calls (pam_start/pam_end excluded).
 *
 *   pamlat seq SERVICE USER N
 *       N logins one after the other; prints one line per login: usec
 *       With PAMLAT_WARM_NSS set, each child first does getpwnam and
 *       getgrouplist for USER, as sshd/login/su have before the session
 *       opens, so NSS start-up is not counted against the module.
 *   pamlat par SERVICE HOLD_MS USER...
 *       one child per USER (repeat a name for parallel logins of one user);
 *       all start pam_open_session at the same moment and keep the session
 *       open until every child has opened (then HOLD_MS more), so that all
 *       sessions are open at once. Prints per child:
 *       "ok|fail open_usec mntns_inode", then "wall_usec" of the whole burst.
 *
 * The mount namespace the child ended in is read through a /proc/self/ns
 * directory fd opened before the join: after setns(mnt) the caller has no
 * /proc/self in the environment's procfs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int conv(int n, const struct pam_message **m, struct pam_response **r,
		void *d)
{
	(void)n; (void)m; (void)r; (void)d;
	return PAM_CONV_ERR;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int one_seq(const char *service, const char *user, int out)
{
	struct pam_conv c = { conv, NULL };
	pam_handle_t *h;
	long long t0, t1;
	char line[64];
	int rc;

	if (getenv("PAMLAT_WARM_NSS")) {
		/* What sshd, login and su have done before the session opens
		 * (getpwnam, initgroups): NSS modules loaded, files read. */
		struct passwd *pw = getpwnam(user);
		gid_t groups[256];
		int ng = 256;

		if (pw)
			(void)getgrouplist(user, pw->pw_gid, groups, &ng);
	}
	if (pam_start(service, user, &c, &h) != PAM_SUCCESS)
		return 1;
	t0 = now_ns();
	rc = pam_open_session(h, 0);
	if (rc == PAM_SUCCESS)
		rc = pam_close_session(h, 0);
	t1 = now_ns();
	pam_end(h, rc);
	if (rc != PAM_SUCCESS)
		return 1;
	snprintf(line, sizeof(line), "%lld\n", (t1 - t0) / 1000);
	return write(out, line, strlen(line)) > 0 ? 0 : 1;
}

static int seq(const char *service, const char *user, int n)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		int st;
		pid_t p = fork();

		if (p == 0)
			_exit(one_seq(service, user, 1));
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			failed++;
	}
	if (failed)
		fprintf(stderr, "pamlat: %d of %d logins failed\n", failed, n);
	return failed ? 1 : 0;
}

static void child_par(const char *service, const char *user, int go,
		      int done_w, int release, int hold_ms)
{
	struct pam_conv c = { conv, NULL };
	pam_handle_t *h;
	char b, line[128], link[64] = "?";
	unsigned long ino = 0;
	long long t0, t1;
	int rc, nsdir = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (pam_start(service, user, &c, &h) != PAM_SUCCESS)
		_exit(1);
	if (read(go, &b, 1) < 0) /* EOF: everyone is ready */
		_exit(1);
	t0 = now_ns();
	rc = pam_open_session(h, 0);
	t1 = now_ns();
	if (rc == PAM_SUCCESS && nsdir >= 0) {
		ssize_t n = readlinkat(nsdir, "mnt", link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			sscanf(link, "mnt:[%lu]", &ino);
		}
	}
	snprintf(line, sizeof(line), "%s %lld %lu\n",
		 rc == PAM_SUCCESS ? "ok" : "fail", (t1 - t0) / 1000, ino);
	(void)!write(done_w, line, strlen(line));
	close(done_w);
	/* Keep the session open until every child has opened its own. */
	(void)!read(release, &b, 1);
	if (hold_ms > 0)
		usleep((useconds_t)hold_ms * 1000);
	if (rc == PAM_SUCCESS)
		rc = pam_close_session(h, 0);
	pam_end(h, rc);
	_exit(rc == PAM_SUCCESS ? 0 : 1);
}

static int par(const char *service, int hold_ms, int n, char **users)
{
	int go[2], done[2], rel[2], failed = 0;
	long long t0, t1;
	char buf[65536];
	size_t used = 0;

	if (pipe(go) < 0 || pipe(done) < 0 || pipe(rel) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			return 1;
		if (p == 0) {
			close(go[1]); close(done[0]); close(rel[1]);
			child_par(service, users[i], go[0], done[1], rel[0], hold_ms);
		}
	}
	close(go[0]); close(done[1]); close(rel[0]);
	usleep(200000); /* every child has done pam_start */
	t0 = now_ns();
	close(go[1]);
	for (;;) { /* EOF once every child has reported */
		ssize_t r = read(done[0], buf + used, sizeof(buf) - 1 - used);
		if (r <= 0)
			break;
		used += (size_t)r;
	}
	t1 = now_ns();
	buf[used] = '\0';
	close(rel[1]);
	for (int i = 0; i < n; i++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	fputs(buf, stdout);
	printf("wall %lld\n", (t1 - t0) / 1000);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "seq") == 0)
		return seq(argv[2], argv[3], atoi(argv[4]));
	if (argc >= 5 && strcmp(argv[1], "par") == 0)
		return par(argv[2], atoi(argv[3]), argc - 4, argv + 4);
	fprintf(stderr, "usage: pamlat seq SERVICE USER N | par SERVICE HOLD_MS USER...\n");
	return 2;
}
