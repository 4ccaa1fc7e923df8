/* nsiso check: every policy file through the same reader and parser a
 * login uses, so check and login never disagree. Every problem is printed
 * as path:line: reason; the exit status is 0 only when there is none. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "load.h"

/* isolating: the first file that isolates anyone, or that cannot be read
 * (its users' logins are denied where pam_nsiso runs, and start on the
 * host where it does not), for check --pam's entry paths. */
static char isolating[PATH_MAX + 128];

static void note_isolating(const char *display, const char *how)
{
	if (isolating[0] == '\0')
		snprintf(isolating, sizeof(isolating), "%s %s", display, how);
}

static int check_file(int dirfd, const char *name, const char *display,
		      enum policy_kind kind, int *priority)
{
	struct policy p;
	struct nsiso_err err = { "" };
	int rc = policy_read_file(dirfd, name, display, kind, &p, &err);

	if (rc < 0) {
		printf("%s\n", err.msg);
		note_isolating(display, "cannot be read (logins it applies to are denied)");
		return 1;
	}
	if (rc == 1)
		return 0;
	if (priority != NULL)
		*priority = p.priority;
	if (p.isolate)
		note_isolating(display, "isolates users");
	/* Whom it applies to comes from /etc/login.defs then, which a login
	 * reads under the same rules: a file it refuses denies them all. */
	if (kind == POLICY_DEFAULT && p.isolate &&
	    !policy_has(&p, POLICY_KEY_UID_MIN)) {
		unsigned uid_min;

		if (login_defs_uid_min(&uid_min, &err) < 0) {
			printf("%s (the uid_min of %s; logins it applies to are denied)\n",
			       err.msg, display);
			policy_free(&p);
			return 1;
		}
	}
	policy_free(&p);
	return 0;
}

static bool is_conf(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".conf") == 0 && name[0] != '.';
}

struct group_file {
	char name[256];  /* the group */
	int priority;
};

static bool in_group(const struct passwd *pw, const char *group)
{
	struct group *g = getgrnam(group);

	if (g == NULL)
		return false;
	if (pw->pw_gid == g->gr_gid)
		return true;
	for (char **m = g->gr_mem; *m; m++)
		if (strcmp(*m, pw->pw_name) == 0)
			return true;
	return false;
}

/* Two group files with the same priority deny the login of a user in both
 * groups: find such a user for every pair. */
static int check_priorities(const char *display, const struct group_file *gf,
			    size_t n)
{
	int problems = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++) {
			struct passwd *pw;

			if (gf[i].priority != gf[k].priority)
				continue;
			setpwent();
			while ((pw = getpwent()) != NULL)
				if (in_group(pw, gf[i].name) && in_group(pw, gf[k].name))
					break;
			if (pw != NULL) {
				printf("%s/%s.conf: priority %d is also that of %s/%s.conf, and %s is in both groups: that login is denied\n",
				       display, gf[i].name, gf[i].priority, display,
				       gf[k].name, pw->pw_name);
				problems++;
			}
			endpwent();
		}
	return problems;
}

static int check_subdir(int parentfd, const char *dir, const char *sub,
			enum policy_kind kind)
{
	char display[PATH_MAX];
	struct nsiso_err err = { "" };
	struct group_file *gf = NULL;
	size_t n_gf = 0;
	struct dirent *de;
	int problems = 0, fd;
	DIR *d;

	snprintf(display, sizeof(display), "%s/%s", dir, sub);
	fd = policy_open_dir(parentfd, sub, display, &err);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		printf("%s\n", err.msg);
		return 1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		printf("%s: cannot read: %s\n", display, strerror(errno));
		close(fd);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX + 256];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", display, de->d_name);
		if (!is_conf(de->d_name)) {
			printf("%s: ignored: not a NAME.conf file\n", path);
			continue;
		}
		{
			int priority = 0;
			int bad = check_file(dirfd(d), de->d_name, path, kind,
					     &priority);
			struct group_file *grown;

			problems += bad;
			if (bad || kind != POLICY_GROUP)
				continue;
			grown = realloc(gf, (n_gf + 1) * sizeof(*gf));
			if (grown == NULL)
				continue; /* out of memory: skip the cross-check */
			gf = grown;
			snprintf(gf[n_gf].name, sizeof(gf[n_gf].name), "%.*s",
				 (int)(strlen(de->d_name) - 5), de->d_name);
			gf[n_gf++].priority = priority;
		}
	}
	closedir(d);
	problems += check_priorities(display, gf, n_gf);
	free(gf);
	return problems;
}

int check_run(const char *dir, bool pam)
{
	char display[PATH_MAX];
	struct nsiso_err err = { "" };
	int problems = 0, fd;

	isolating[0] = '\0';
	fd = policy_open_dir(AT_FDCWD, dir, dir, &err);
	if (fd < 0) {
		int saved = errno;

		/* The exit status is 1 either way: its count adds nothing. */
		if (pam)
			(void)check_pam_stacks(dir, saved == ENOENT ? NULL : err.msg);
		if (saved == ENOENT)
			printf("%s: policy directory does not exist (nobody is isolated)\n", dir);
		else
			printf("%s\n", err.msg);
		return EXIT_PROBLEMS;
	}
	snprintf(display, sizeof(display), "%s/default.conf", dir);
	problems += check_file(fd, "default.conf", display, POLICY_DEFAULT, NULL);
	problems += check_subdir(fd, dir, "user", POLICY_USER);
	problems += check_subdir(fd, dir, "group", POLICY_GROUP);
	close(fd);
	if (pam)
		problems += check_pam_stacks(dir, isolating[0] ? isolating : NULL);
	if (problems == 0) {
		printf("%s: ok\n", dir);
		return EXIT_OK;
	}
	printf("%d problem%s found\n", problems, problems == 1 ? "" : "s");
	return EXIT_PROBLEMS;
}

int cmd_check(int argc, char **argv)
{
	const char *dir = NSISO_DEFAULT_POLICY_DIR;
	bool pam = false, has_dir = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			puts("usage: nsiso check [--pam] [DIR]\n"
			     "Validates every policy file; prints path:line: reason for each problem.\n"
			     "--pam also checks that pam_nsiso is the last session module of each\n"
			     "service in /etc/pam.d and is not in common-session, and reports each\n"
			     "entry path of this host (sshd, login, su-l, runuser-l, cron, atd, the\n"
			     "user manager, and those nsiso enable leaves) as covered or not: one\n"
			     "that nsiso enable covers and is not covered is a problem while the\n"
			     "policy isolates anyone.\n"
			     "Exit status 0 when clean, 1 when problems were found.");
			return EXIT_OK;
		} else if (strcmp(argv[i], "--pam") == 0 && !pam) {
			pam = true;
		} else if (argv[i][0] != '-' && !has_dir) {
			dir = argv[i];
			has_dir = true;
		} else {
			fputs("usage: nsiso check [--pam] [DIR]\n", stderr);
			return EXIT_USAGE;
		}
	}
	return check_run(dir, pam);
}
