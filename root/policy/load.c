/* Policy files are trusted input only if only root can change them (as
 * with sudoers and sshd's StrictModes): every file and directory is opened
 * without following symlinks and checked through its fd, so what is checked
 * is what is read. */
#include "load.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *config_unsafe_reason(const struct stat *st, bool want_dir)
{
	if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return want_dir ? "not a directory" : "not a regular file";
	if (st->st_uid != 0)
		return "not owned by root";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "group or world writable";
	return NULL;
}

int policy_open_dir(int parentfd, const char *name, const char *display_path,
		    char *err, size_t errlen)
{
	struct stat st;
	const char *why;
	int fd = openat(parentfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		int saved = errno;

		if (saved == ENOENT)
			return errno = ENOENT, -1;
		/* O_DIRECTORY|O_NOFOLLOW on a symlink gives ENOTDIR, not
		 * ELOOP: name the symlink rather than "Not a directory". */
		if (saved == ENOTDIR &&
		    fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			saved = ELOOP;
		snprintf(err, errlen, "%s: refused: %s", display_path,
			 saved == ELOOP ? "a symlink" : strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "fstat %s: %s", display_path,
			 strerror(errno));
		close(fd);
		return errno = EIO, -1;
	}
	why = config_unsafe_reason(&st, true);
	if (why != NULL) {
		snprintf(err, errlen, "%s: refused: %s", display_path, why);
		close(fd);
		return errno = EPERM, -1;
	}
	return fd;
}

int trusted_file_read(int dirfd, const char *name, const char *display_path,
		      size_t max, char **text, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	const char *why;
	char *buf = NULL;
	size_t used = 0;
	int fd;

	/* O_NONBLOCK: a FIFO planted here must not hang the login before
	 * fstat refuses it. */
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: refused: %s", display_path,
			 errno == ELOOP ? "a symlink" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "fstat %s: %s", display_path,
			 strerror(errno));
		goto fail;
	}
	why = config_unsafe_reason(&st, false);
	if (why != NULL) {
		snprintf(err, errlen, "%s: refused: %s", display_path, why);
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s: refused: larger than %zu bytes",
			 display_path, max);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", display_path);
		goto fail;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "read %s: %s",
				 display_path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > (size_t)st.st_size) {
			snprintf(err, errlen, "%s: file grew while read",
				 display_path);
			goto fail;
		}
	}
	close(fd);
	buf[used] = '\0';
	*text = buf;
	*len = used;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

int policy_read_file(int dirfd, const char *name, const char *display_path,
		     enum policy_kind kind, struct policy *out, char *err,
		     size_t errlen)
{
	struct policy_error perr;
	char *buf = NULL;
	size_t len = 0;
	int rc = trusted_file_read(dirfd, name, display_path, POLICY_MAX_SIZE,
				   &buf, &len, err, errlen);

	if (rc != 0)
		return rc;
	rc = -1;
	if (policy_parse(buf, len, kind, out, &perr) < 0) {
		if (perr.line > 0)
			snprintf(err, errlen, "%s:%u: %s", display_path,
				 perr.line, perr.msg);
		else
			snprintf(err, errlen, "%s: %s", display_path, perr.msg);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

bool policy_name_usable(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
	       strlen(name) < 200;
}

unsigned login_defs_value(const char *name, unsigned fallback)
{
	FILE *f = fopen("/etc/login.defs", "re");
	size_t len = strlen(name);
	char line[512];
	unsigned value = fallback;

	if (f == NULL) /* no login.defs: the shadow-utils default applies */
		return value;
	/* On every login's path (UID_MIN): a line counts when its first
	 * word is NAME and a number follows, as sscanf("%31s %u") would
	 * read it; the ~400 others (mostly comments) cost a compare. */
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;
		unsigned v;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, name, len) == 0 &&
		    (p[len] == '\0' || isspace((unsigned char)p[len])) &&
		    sscanf(p + len, "%u", &v) == 1)
			value = v;
	}
	fclose(f);
	return value;
}

unsigned login_defs_uid_min(void)
{
	return login_defs_value("UID_MIN", 1000);
}

/* Opens DIR/sub; an absent subdirectory is not an error. */
static int open_sub(int dirfd, const char *dir, const char *sub, char *err,
		    size_t errlen, int *out)
{
	char display[PATH_MAX];

	snprintf(display, sizeof(display), "%s/%s", dir, sub);
	*out = policy_open_dir(dirfd, sub, display, err, errlen);
	if (*out < 0 && errno != ENOENT)
		return -1;
	return 0;
}

struct candidates {
	struct policy user, def;
	struct policy *groups;
	char (*group_paths)[PATH_MAX];
	struct policy_file user_file, def_file, *group_files;
	size_t n_groups;
	bool has_user, has_def;
};

static void free_candidates(struct candidates *c, struct policy *keep)
{
	if (c->has_user && &c->user != keep)
		policy_free(&c->user);
	if (c->has_def && &c->def != keep)
		policy_free(&c->def);
	for (size_t i = 0; i < c->n_groups; i++)
		if (&c->groups[i] != keep)
			policy_free(&c->groups[i]);
	free(c->groups);
	free(c->group_paths);
	free(c->group_files);
}

/* Reads the matching group files; every one must parse, even one that
 * would lose on priority, so that a broken file is found at once. */
/* True when dirfd holds at least one NAME.conf. */
static bool has_conf_files(int dirfd)
{
	int fd = dup(dirfd);
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (fd < 0)
		return true; /* cannot tell: look the groups up */
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return true;
	}
	while (!found && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		found = n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
	}
	closedir(d);
	return found;
}

static int read_groups(int groupfd, const char *dir, struct user_info *u,
		       struct candidates *c, char *err, size_t errlen)
{
	struct nsiso_err groups_err = { "" };
	/* The user's full group list is the costliest NSS call of a login;
	 * without group files it is not needed. */
	if (has_conf_files(groupfd) &&
	    user_info_load_groups(u, &groups_err) < 0) {
		snprintf(err, errlen, "%s", groups_err.msg);
		return -1;
	}
	c->groups = calloc(u->n_groups + 1, sizeof(*c->groups));
	c->group_paths = calloc(u->n_groups + 1, sizeof(*c->group_paths));
	c->group_files = calloc(u->n_groups + 1, sizeof(*c->group_files));
	if (!c->groups || !c->group_paths || !c->group_files) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < u->n_groups; i++) {
		const char *g = u->groups[i];
		char name[256];
		size_t k = c->n_groups;
		int rc;

		if (!policy_name_usable(g))
			continue;
		/* getgrouplist may report a group twice (primary and listed). */
		for (size_t j = 0; j < i; j++)
			if (strcmp(u->groups[j], g) == 0)
				goto next;
		snprintf(name, sizeof(name), "%s.conf", g);
		snprintf(c->group_paths[k], PATH_MAX, "%s/group/%s", dir, name);
		rc = policy_read_file(groupfd, name, c->group_paths[k],
				      POLICY_GROUP, &c->groups[k], err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			c->group_files[k].path = c->group_paths[k];
			c->group_files[k].policy = &c->groups[k];
			c->n_groups++;
		}
next:;
	}
	return 0;
}

int policy_load(const char *dir, struct user_info *u,
		struct loaded_policy *out, char *err, size_t errlen)
{
	struct candidates c = { 0 };
	struct policy_choice choice;
	char path[PATH_MAX], defpath[PATH_MAX];
	int dirfd, userfd = -1, groupfd = -1, rc = -1;

	memset(out, 0, sizeof(*out));
	if (!policy_name_usable(u->name)) {
		snprintf(err, errlen,
			 "user name '%s' cannot name a policy file", u->name);
		return -1;
	}
	dirfd = policy_open_dir(AT_FDCWD, dir, dir, err, errlen);
	if (dirfd < 0) {
		if (errno != ENOENT)
			return -1;
		/* No directory means no file: nobody is isolated, as with an
		 * empty directory. Not an error, so root can always log in;
		 * the module logs it as a warning. */
		out->kind = CHOICE_NONE;
		out->no_policy_dir = true;
		snprintf(out->why, sizeof(out->why),
			 "%s: policy directory does not exist", dir);
		return 0;
	}
	if (open_sub(dirfd, dir, "user", err, errlen, &userfd) < 0 ||
	    open_sub(dirfd, dir, "group", err, errlen, &groupfd) < 0)
		goto out;

	if (userfd >= 0) {
		char name[256];
		int r;

		snprintf(name, sizeof(name), "%s.conf", u->name);
		snprintf(path, sizeof(path), "%s/user/%s", dir, name);
		r = policy_read_file(userfd, name, path, POLICY_USER, &c.user,
				     err, errlen);
		if (r < 0)
			goto out;
		if (r == 0) {
			c.has_user = true;
			c.user_file.path = path;
			c.user_file.policy = &c.user;
		}
	}
	/* The most specific file applies whole: less specific ones are not
	 * read, so a broken default.conf does not lock out a user whose own
	 * file is fine. Root looks at its own file only. */
	if (!c.has_user && u->uid != 0) {
		if (groupfd >= 0 &&
		    read_groups(groupfd, dir, u, &c, err, errlen) < 0)
			goto out;
		if (c.n_groups == 0) {
			int r;

			snprintf(defpath, sizeof(defpath), "%s/default.conf", dir);
			r = policy_read_file(dirfd, "default.conf", defpath,
					     POLICY_DEFAULT, &c.def, err, errlen);
			if (r < 0)
				goto out;
			if (r == 0) {
				c.has_def = true;
				c.def_file.path = defpath;
				c.def_file.policy = &c.def;
			}
		}
		/* /etc/login.defs is read only when its UID_MIN can
		 * decide: default.conf applies and sets no uid_min. */
		policy_select(NULL, c.group_files, c.n_groups,
			      c.has_def ? &c.def_file : NULL, u->uid,
			      c.n_groups == 0 && c.has_def &&
				      !policy_has(&c.def, POLICY_KEY_UID_MIN)
				      ? login_defs_uid_min() : 0,
			      &choice);
	} else {
		/* A user file, or root: policy_select needs no uid_min. */
		policy_select(c.has_user ? &c.user_file : NULL, NULL, 0, NULL,
			      u->uid, 0, &choice);
	}

	if (choice.kind == CHOICE_ERROR) {
		snprintf(err, errlen, "%s", choice.why);
		goto out;
	}
	out->kind = choice.kind;
	snprintf(out->why, sizeof(out->why), "%s", choice.why);
	out->path[0] = '\0';
	if (choice.file != NULL) {
		struct policy *chosen = (struct policy *)choice.file->policy;

		snprintf(out->path, sizeof(out->path), "%s", choice.file->path);
		out->policy = *chosen;
		free_candidates(&c, chosen);
		memset(&c, 0, sizeof(c));
	}
	rc = 0;
out:
	free_candidates(&c, NULL);
	if (userfd >= 0)
		close(userfd);
	if (groupfd >= 0)
		close(groupfd);
	close(dirfd);
	return rc;
}

void loaded_policy_free(struct loaded_policy *lp)
{
	if (lp->kind != CHOICE_NONE)
		policy_free(&lp->policy);
	memset(lp, 0, sizeof(*lp));
}
