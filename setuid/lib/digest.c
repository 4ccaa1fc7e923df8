/* Reading nsiso-helper's digest of a user's policy (digest.h). */
#include "digest.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"

#ifndef NSISO_HELPER_PATH
#error "NSISO_HELPER_PATH comes from the Makefile (LIBEXECDIR), through build/install-paths.h"
#endif

/* Well above what the helper ever prints (a dozen lines of paths). */
#define DIGEST_MAX 16384

/* How a digest line's value is read, and where it goes. */
enum digest_kind {
	DIGEST_TEXT,     /* copied; must fit */
	DIGEST_ABS_PATH, /* a text that starts with '/' */
	DIGEST_BOOL,     /* "0" or "1" */
	DIGEST_HEX64,    /* a uint64_t in hex */
	DIGEST_RANGE,    /* "START COUNT": two unsigned longs, the second
			  * right after the first in struct policy_digest */
};

struct digest_key {
	const char *name;
	enum digest_kind kind;
	size_t offset, size; /* of the field in struct policy_digest */
};

#define FIELD(f) offsetof(struct policy_digest, f), sizeof(((struct policy_digest *)0)->f)

/* Every line the helper writes (root/nsiso-resolve/digest.c), once. */
static const struct digest_key digest_keys[] = {
	{ "load_error", DIGEST_TEXT, FIELD(load_error) },
	{ "isolate", DIGEST_BOOL, FIELD(isolate) },
	{ "file", DIGEST_TEXT, FIELD(file) },
	{ "shell", DIGEST_ABS_PATH, FIELD(shell) },
	{ "user", DIGEST_BOOL, FIELD(user) },
	{ "userns_root", DIGEST_BOOL, FIELD(userns_root) },
	{ "bound", DIGEST_BOOL, FIELD(bound) },
	{ "keep", DIGEST_HEX64, FIELD(keep) },
	{ "no_new_privs", DIGEST_BOOL, FIELD(no_new_privs) },
	{ "subids", DIGEST_BOOL, FIELD(subids) },
	{ "subuid", DIGEST_RANGE, FIELD(subuid_start) },
	{ "subgid", DIGEST_RANGE, FIELD(subgid_start) },
	{ "subid_error", DIGEST_TEXT, FIELD(subid_error) },
	{ "manager_refusal", DIGEST_TEXT, FIELD(manager_refusal) },
};

_Static_assert(offsetof(struct policy_digest, subuid_count) ==
		       offsetof(struct policy_digest, subuid_start) + sizeof(unsigned long) &&
	       offsetof(struct policy_digest, subgid_count) ==
		       offsetof(struct policy_digest, subgid_start) + sizeof(unsigned long),
	       "a range's count follows its start");

/* One value v into the field of k. 0, or -1 when it does not parse. */
static int parse_value(const struct digest_key *k, const char *v, char *field)
{
	char extra;

	switch (k->kind) {
	case DIGEST_ABS_PATH:
		if (v[0] != '/')
			return -1;
		/* fall through */
	case DIGEST_TEXT:
		if (strlen(v) >= k->size)
			return -1;
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case DIGEST_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return -1;
		*(bool *)(void *)field = v[0] == '1';
		return 0;
	case DIGEST_HEX64:
		return sscanf(v, "%" SCNx64 "%c", (uint64_t *)(void *)field, &extra) == 1 ? 0 : -1;
	case DIGEST_RANGE:
		return sscanf(v, "%lu %lu%c", (unsigned long *)(void *)field,
			      (unsigned long *)(void *)field + 1, &extra) == 2 ? 0 : -1;
	}
	return -1;
}

/* One "key value" line. 1 for "end", 0 for a known key, -1 otherwise. */
static int parse_line(char *line, struct policy_digest *d)
{
	char *v = strchr(line, ' ');

	if (strcmp(line, "end") == 0)
		return 1;
	if (v == NULL)
		return -1;
	*v++ = '\0';
	for (size_t i = 0; i < sizeof(digest_keys) / sizeof(digest_keys[0]); i++)
		if (strcmp(line, digest_keys[i].name) == 0)
			return parse_value(&digest_keys[i], v,
					   (char *)d + digest_keys[i].offset);
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
	const uint64_t needed = CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID);
	struct cap_sets sets;

	return geteuid() == 0 && caps_get(&sets) == 0 &&
	       (sets.permitted & needed) == needed;
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
