/* nsiso list, and the walk nsiso stop uses (stop.c): the live
 * environments, found only through the sockets in the root-only
 * NSISO_RUNDIR and answered by their inits. An init that does not answer
 * is listed as such and stopped through its pidfd (unanswered.c): none is
 * ever skipped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "envs.h"
#include "namespaces.h"
#include "policy.h"
#include "proto.h"
#include "load.h"
#include "rundir.h"
#include "unanswered.h"
#include "userinfo.h"

/* names: a NULL-terminated list of exact names or "prefix*"; NULL for
 * every name. */
static bool name_wanted(const char *name, const char *const *names)
{
	if (names == NULL)
		return true;
	for (; *names; names++) {
		size_t n = strlen(*names);

		if (n > 0 && (*names)[n - 1] == '*' ?
			    strncmp(name, *names, n - 1) == 0 :
			    strcmp(name, *names) == 0)
			return true;
	}
	return false;
}

/* "user-UID.sock" or "session-UID-N.sock": whose environment it is. */
static bool uid_of_socket(const char *name, uint32_t *uid)
{
	const char *p = strncmp(name, "user-", 5) == 0	     ? name + 5
			: strncmp(name, "session-", 8) == 0 ? name + 8
							     : NULL;
	char *end;
	unsigned long v;

	if (p == NULL || *p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno != 0 || v > UINT32_MAX || (*end != '.' && *end != '-'))
		return false;
	*uid = (uint32_t)v;
	return true;
}

/* What is known of an environment whose init did not answer: whose it is
 * (the socket's name) and which process holds it. */
static void fill_unanswered(struct env *e, int why)
{
	struct nsiso_err lookup_err = { "" };
	struct user_info u;

	e->answered = false;
	e->why = why;
	memset(&e->r, 0, sizeof(e->r));
	if (!uid_of_socket(e->socket, &e->r.uid))
		e->r.uid = UINT32_MAX;
	if (user_info_by_uid(e->r.uid, &u, &lookup_err) == 0) {
		snprintf(e->r.user, sizeof(e->r.user), "%s", u.name);
		user_info_free(&u);
	} else {
		snprintf(e->r.user, sizeof(e->r.user), "?");
	}
	if (e->init_pid <= 0)
		e->init_pid = unanswered_init_pid(e->socket);
}

enum env_answer env_ask(const char *socket_name, pid_t *init_pid,
			struct nsiso_reply *r, int *why)
{
	enum env_answer a;
	int s = proto_connect(socket_name, init_pid), pidfd;

	if (s < 0) {
		*init_pid = -1;
		*why = errno;
		if (errno == ENOENT || errno == ECONNREFUSED)
			return ENV_NONE;
		if (errno == EPERM)
			return ENV_NOT_ROOT;
		/* (A unix socket's connect never fails with ECONNRESET.) */
		return errno == ECONNRESET ? ENV_ENDING : ENV_UNANSWERED;
	}
	if (proto_call(s, OP_STATUS, r, &pidfd) == 0) {
		a = ENV_ANSWERED;
	} else {
		*why = errno;
		a = errno == ECONNRESET ? ENV_ENDING : ENV_UNANSWERED;
	}
	close(s);
	return a;
}

/* Asks the init at e->socket. 1: e filled (answered or not); 0: no
 * environment behind the name (stale, or ending as we asked). */
static int ask_env(struct env *e)
{
	switch (env_ask(e->socket, &e->init_pid, &e->r, &e->why)) {
	case ENV_ANSWERED:
		e->answered = true;
		return 1;
	case ENV_UNANSWERED:
		fill_unanswered(e, e->why);
		return 1;
	case ENV_NOT_ROOT:
		cli_error(0, "%s/%s is served by a process that is not root: not an environment, ignored",
			NSISO_RUNDIR, e->socket);
		return 0;
	case ENV_NONE:
	case ENV_ENDING:
		break;
	}
	return 0;
}

/* Calls fn for every live environment whose socket name is in names,
 * answered or not; returns how many, or -1. */
int for_each_env(void (*fn)(const struct env *, void *), void *ctx,
		 const char *const *names)
{
	struct nsiso_err why = { "" };
	struct dirent *de;
	int count = 0, fd = rundir_open(0, &why);
	DIR *d;

	if (fd < 0) {
		if (errno != ENOENT)
			cli_error(0, "%s", why.msg);
		return errno == ENOENT ? 0 : -1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct env e;

		if (n < 6 || n >= sizeof(e.socket) ||
		    strcmp(de->d_name + n - 5, ".sock") != 0 ||
		    !name_wanted(de->d_name, names))
			continue;
		memset(&e, 0, sizeof(e));
		memcpy(e.socket, de->d_name, n + 1);
		if (ask_env(&e) == 1) {
			fn(&e, ctx);
			count++;
		}
	}
	closedir(d);
	return count;
}

static unsigned long ns_inode(pid_t pid, const char *name)
{
	char path[64], link[64];
	unsigned long ino = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	/* "mnt:[4026531840]" */
	if (sscanf(strchr(link, '[') ? strchr(link, '[') + 1 : "", "%lu", &ino) != 1)
		return 0;
	return ino;
}

static const char *net_mode_name(uint32_t mode)
{
	switch (mode) {
	case NET_LOOPBACK:
		return "loopback";
	case NET_NETNS:
		return "netns";
	case NET_VETH:
		return "veth";
	default:
		return "host";
	}
}

/* The policy directory a file was read from: DIR/default.conf,
 * DIR/user/NAME.conf or DIR/group/NAME.conf. */
static bool policy_dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL)
		return false;
	n = (size_t)(slash - path);
	if (strcmp(slash, "/default.conf") != 0) {
		if (n >= 5 && strncmp(slash - 5, "/user", 5) == 0)
			n -= 5;
		else if (n >= 6 && strncmp(slash - 6, "/group", 6) == 0)
			n -= 6;
		else
			return false;
	}
	if (n == 0 || n >= len)
		return false;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return true;
}

/* Would a build now read another policy than this environment's? Another
 * file applies (a user or group file was added or removed), the file is
 * gone, or it was modified since. */
static bool policy_changed(const struct env *e)
{
	struct nsiso_err lookup_err = { "" }, err = { "" };
	struct loaded_policy lp;
	struct user_info u;
	struct stat st;
	char dir[PATH_MAX];
	bool changed = true;

	if (stat(e->r.policy_path, &st) < 0)
		return true; /* the file it was built from is gone */
	if ((long long)st.st_mtime != e->r.policy_mtime)
		return true;
	if (!policy_dir_of(e->r.policy_path, dir, sizeof(dir)) ||
	    user_info_by_uid(e->r.uid, &u, &lookup_err) < 0)
		return false; /* cannot tell: report what is certain only */
	if (policy_load(dir, &u, &lp, &err) == 0) {
		changed = strcmp(lp.path, e->r.policy_path) != 0;
		loaded_policy_free(&lp);
	}
	user_info_free(&u);
	return changed;
}

/* "mnt:4026532178 uts:4026532179 ...", the numbers lsns shows. */
static void ns_inodes(const struct env *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NSISO_NS_COUNT && used < len; i++) {
		const struct nsiso_ns_info *ns = &nsiso_ns_table[i];
		int n;

		if (!(e->r.namespaces & ns->bit))
			continue;
		n = snprintf(buf + used, len - used, "%s%s:%lu", used ? " " : "",
			     ns->proc_name, ns_inode(e->init_pid, ns->proc_name));
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* Without an answer, the socket's name says how it is shared. */
static const char *share_of_socket(const struct env *e)
{
	return strncmp(e->socket, "session-", 8) == 0 ? "session" : "user";
}

static void print_unanswered_row(const struct env *e)
{
	char pid[16] = "-";

	if (e->init_pid > 0)
		snprintf(pid, sizeof(pid), "%d", (int)e->init_pid);
	printf("%-16s %6u %8s %6s %8s %7s %-8s %-9s %-20s %-12s not answering: %s (nsiso stop %s ends it)\n",
	       e->r.user, e->r.uid, "?", "?", pid, "?", share_of_socket(e),
	       "?", "?", "?", unanswered_why(e->why), e->r.user);
}

/* The release whose nsiso-init serves the environment: an init from
 * before protocol 4 does not say, so its protocol stands in. */
static void release_of(const struct env *e, char *buf, size_t len)
{
	if (e->r.release[0] != '\0')
		snprintf(buf, len, "%s", e->r.release);
	else
		snprintf(buf, len, "protocol-%u", e->r.proto_version);
}

static void print_row(const struct env *e, void *ctx)
{
	char ns[256], release[sizeof(e->r.release) + 16];
	long long age = (long long)time(NULL) - e->r.started;

	(void)ctx;
	if (!e->answered) {
		print_unanswered_row(e);
		return;
	}
	ns_inodes(e, ns, sizeof(ns));
	release_of(e, release, sizeof(release));
	printf("%-16s %6u %8u %6u %8d %7lld %-8s %-9s %-20s %-12s %s%s\n", e->r.user,
	       e->r.uid, e->r.sessions, e->r.processes, (int)e->init_pid, age,
	       e->r.share ? "session" : "user", net_mode_name(e->r.net_mode),
	       e->r.hostname[0] ? e->r.hostname : "-", release, ns,
	       policy_changed(e) ? " (built from an older policy)" : "");
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct env *e, void *ctx)
{
	int *first = ctx;

	printf("%s\n  {\"user\": ", *first ? "" : ",");
	*first = 0;
	json_string(e->r.user);
	if (!e->answered) {
		printf(", \"uid\": %u, \"answering\": false, \"share\": \"%s\", \"error\": ",
		       e->r.uid, share_of_socket(e));
		json_string(unanswered_why(e->why));
		printf(", \"init_pid\": %d, \"socket\": ", (int)e->init_pid);
		json_string(e->socket);
		printf("}");
		return;
	}
	printf(", \"answering\": true");
	printf(", \"uid\": %u, \"sessions\": %u, \"logins_max\": %u, \"processes\": %u, \"init_pid\": %d, "
	       "\"started\": %lld, \"share\": \"%s\", \"linger\": %u, \"hostname\": ",
	       e->r.uid, e->r.sessions, e->r.logins_max, e->r.processes, (int)e->init_pid,
	       (long long)e->r.started, e->r.share ? "session" : "user",
	       e->r.linger);
	json_string(e->r.hostname);
	printf(", \"network\": \"%s\", \"policy\": ", net_mode_name(e->r.net_mode));
	json_string(e->r.policy_path);
	printf(", \"policy_changed\": %s, \"socket\": ",
	       policy_changed(e) ? "true" : "false");
	json_string(e->socket);
	printf(", \"protocol\": %u, \"release\": ", e->r.proto_version);
	if (e->r.release[0] != '\0')
		json_string(e->r.release);
	else
		printf("null");
	printf(", \"namespaces\": {");
	for (size_t i = 0, n = 0; i < NSISO_NS_COUNT; i++) {
		const struct nsiso_ns_info *ns = &nsiso_ns_table[i];

		if (!(e->r.namespaces & ns->bit))
			continue;
		printf("%s\"%s\": %lu", n++ ? ", " : "", ns->proc_name,
		       ns_inode(e->init_pid, ns->proc_name));
	}
	printf("}}");
}

int cmd_list(int argc, char **argv)
{
	bool json = false;
	int n;

	if (argc == 2 && strcmp(argv[1], "--json") == 0) {
		json = true;
	} else if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		puts("usage: nsiso list [--json]\nLists live environments.");
		return EXIT_OK;
	} else if (argc != 1) {
		fputs("usage: nsiso list [--json]\n", stderr);
		return EXIT_USAGE;
	}
	if (json) {
		int first = 1;

		printf("[");
		n = for_each_env(print_json, &first, NULL);
		printf("%s]\n", first ? "" : "\n");
	} else {
		printf("%-16s %6s %8s %6s %8s %7s %-8s %-9s %-20s %-12s %s\n", "USER", "UID",
		       "SESSIONS", "PROCS", "INIT", "AGE(s)", "SHARE", "NETWORK",
		       "HOSTNAME", "RELEASE", "NAMESPACES");
		n = for_each_env(print_row, NULL, NULL);
	}
	return n < 0 ? EXIT_PROBLEMS : EXIT_OK;
}
