/* Reading nsiso-helper's digest of a user's policy (digest.h). */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NSISO_HELPER_PATH
#error "NSISO_HELPER_PATH comes from the Makefile (LIBEXECDIR), through build/install-paths.h"
#endif

/* Well above what the helper ever prints (a dozen lines of paths). */
#define DIGEST_MAX 16384

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return -1;
	*out = v[0] == '1';
	return 0;
}

static int copy_text(const char *v, char *out, size_t len)
{
	if (strlen(v) >= len)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int parse_range(const char *v, unsigned long *start, unsigned long *count)
{
	char extra;

	return sscanf(v, "%lu %lu%c", start, count, &extra) == 2 ? 0 : -1;
}

/* One "key value" line. 1 for "end", 0 for a known key, -1 otherwise. */
static int parse_line(char *line, struct policy_digest *d)
{
	char *v = strchr(line, ' ');
	char extra;

	if (strcmp(line, "end") == 0)
		return 1;
	if (v == NULL)
		return -1;
	*v++ = '\0';
	if (strcmp(line, "load_error") == 0)
		return copy_text(v, d->load_error, sizeof(d->load_error));
	if (strcmp(line, "isolate") == 0)
		return parse_bool(v, &d->isolate);
	if (strcmp(line, "file") == 0)
		return copy_text(v, d->file, sizeof(d->file));
	if (strcmp(line, "shell") == 0)
		return v[0] == '/' ? copy_text(v, d->shell, sizeof(d->shell)) : -1;
	if (strcmp(line, "user") == 0)
		return parse_bool(v, &d->user);
	if (strcmp(line, "userns_root") == 0)
		return parse_bool(v, &d->userns_root);
	if (strcmp(line, "bound") == 0)
		return parse_bool(v, &d->bound);
	if (strcmp(line, "keep") == 0)
		return sscanf(v, "%" SCNx64 "%c", &d->keep, &extra) == 1 ? 0 : -1;
	if (strcmp(line, "no_new_privs") == 0)
		return parse_bool(v, &d->no_new_privs);
	if (strcmp(line, "subids") == 0)
		return parse_bool(v, &d->subids);
	if (strcmp(line, "subuid") == 0)
		return parse_range(v, &d->subuid_start, &d->subuid_count);
	if (strcmp(line, "subgid") == 0)
		return parse_range(v, &d->subgid_start, &d->subgid_count);
	if (strcmp(line, "subid_error") == 0)
		return copy_text(v, d->subid_error, sizeof(d->subid_error));
	if (strcmp(line, "manager_refusal") == 0)
		return copy_text(v, d->manager_refusal, sizeof(d->manager_refusal));
	return -1;
}

int policy_digest_parse(const char *text, struct policy_digest *d,
			struct nsiso_err *e)
{
	char *copy = strdup(text), *line, *next;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if (copy == NULL)
		return err_set(e, ENOMEM, "read nsiso-helper's digest");
	for (line = copy; *line != '\0'; line = next) {
		int r;

		next = strchr(line, '\n');
		if (next == NULL) {
			err_set(e, 0, "read nsiso-helper's digest: the last line is cut short");
			goto out;
		}
		*next++ = '\0';
		r = parse_line(line, d);
		if (r < 0) {
			err_set(e, 0, "read nsiso-helper's digest: a line it does not know: '%.64s'",
				line);
			goto out;
		}
		if (r == 1) {
			rc = *next == '\0' ? 0 : err_set(e, 0, "read nsiso-helper's digest: text after its end");
			goto out;
		}
	}
	err_set(e, 0, "read nsiso-helper's digest: it has no end");
out:
	free(copy);
	return rc;
}

/* Whether this process can become root in every id: setuid root, with
 * CAP_SETUID and CAP_SETGID still permitted (a PAM caller's cut bounding
 * set or no_new_privs takes them away). */
static bool can_become_root(void)
{
	cap_flag_value_t setuid_ok = CAP_CLEAR, setgid_ok = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (caps == NULL)
		return false;
	(void)cap_get_flag(caps, CAP_SETUID, CAP_PERMITTED, &setuid_ok);
	(void)cap_get_flag(caps, CAP_SETGID, CAP_PERMITTED, &setgid_ok);
	cap_free(caps);
	return geteuid() == 0 && setuid_ok == CAP_SET && setgid_ok == CAP_SET;
}

/* The child: root in every id (as_root), else the real user's, with the
 * digest on stdout. Never returns. */
__attribute__((noreturn)) static void run_helper(uid_t uid, bool as_root, int out_fd)
{
	char uid_text[16];
	char *argv[] = { "nsiso-helper", "digest", "--uid", uid_text, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	gid_t gid = getgid();

	snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)uid);
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	if (as_root ? setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 ||
			      setresuid(0, 0, 0) < 0
		    : setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(127);
	execve(NSISO_HELPER_PATH, argv, envp);
	fprintf(stderr, "exec %s: %s\n", NSISO_HELPER_PATH, strerror(errno));
	_exit(127);
}

/* Everything the helper writes, up to DIGEST_MAX. */
static int read_all(int fd, char *buf, size_t len, struct nsiso_err *e)
{
	size_t used = 0;

	for (;;) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, errno, "read nsiso-helper's digest");
		if (n == 0)
			break;
		used += (size_t)n;
		if (used == len - 1)
			return err_set(e, 0, "read nsiso-helper's digest: more than %zu bytes",
				       len - 1);
	}
	buf[used] = '\0';
	return 0;
}

int policy_digest_get(uid_t uid, struct policy_digest *d, struct nsiso_err *e)
{
	static char text[DIGEST_MAX];
	bool as_root = can_become_root();
	int fds[2], status = 0, rc;
	pid_t child;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(e, errno, "run %s digest: pipe", NSISO_HELPER_PATH);
	child = fork();
	if (child < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(e, errno, "run %s digest: fork", NSISO_HELPER_PATH);
	}
	if (child == 0)
		run_helper(uid, as_root, fds[1]);
	close(fds[1]);
	rc = read_all(fds[0], text, sizeof(text), e);
	close(fds[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, errno, "run %s digest: wait", NSISO_HELPER_PATH);
	if (rc < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, 0, "run %s digest: it failed (status %d; see above)",
			       NSISO_HELPER_PATH, status);
	if (policy_digest_parse(text, d, e) < 0)
		return -1;
	d->trusted = as_root;
	return 0;
}
