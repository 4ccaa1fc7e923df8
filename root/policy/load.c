/* Policy files are trusted input only if only root can change them (as
 * with sudoers and sshd's StrictModes): every file and directory is opened
 * without following symlinks and checked through its fd, so what is checked
 * is what is read. */
#include "load.h"
#include "login_defs.h"
#include "usergroups.h"

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
		    struct nsiso_err *e)
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
		err_set(e, 0, "%s: refused: %s", display_path,
			saved == ELOOP ? "a symlink" : strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_set(e, errno, "fstat %s", display_path);
		close(fd);
		return errno = EIO, -1;
	}
	why = config_unsafe_reason(&st, true);
	if (why != NULL) {
		err_set(e, 0, "%s: refused: %s", display_path, why);
		close(fd);
		return errno = EPERM, -1;
	}
	return fd;
}

/* trusted_file_read, with follow: whether the last component may be a
 * symlink (/etc/login.defs may be; a policy file may not). */
static int checked_read(int dirfd, const char *name, const char *display_path,
			bool follow, size_t max, char **text, size_t *len,
			struct nsiso_err *e)
{
	struct stat st;
	const char *why;
	char *buf = NULL;
	size_t used = 0;
	int fd;

	/* O_NONBLOCK: a FIFO planted here must not hang the login before
	 * fstat refuses it. */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
				 (follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		err_set(e, 0, "%s: refused: %s", display_path,
			errno == ELOOP ? "a symlink" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_set(e, errno, "fstat %s", display_path);
		goto fail;
	}
	why = config_unsafe_reason(&st, false);
	if (why != NULL) {
		err_set(e, 0, "%s: refused: %s", display_path, why);
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		err_set(e, 0, "%s: refused: larger than %zu bytes",
			display_path, max);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		err_set(e, 0, "%s: out of memory", display_path);
		goto fail;
	}
	for (;;) {
		size_t want = (size_t)st.st_size + 1 - used;
		ssize_t n = read(fd, buf + used, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, errno, "read %s", display_path);
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > (size_t)st.st_size) {
			err_set(e, 0, "%s: file grew while read",
				display_path);
			goto fail;
		}
		/* All fstat promised, in one read of a local file: no
		 * second read to hear the end. Short of it (NFS, FUSE), the
		 * loop reads on to the end. */
		if ((size_t)n < want && used == (size_t)st.st_size)
			break;
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

int trusted_file_read(int dirfd, const char *name, const char *display_path,
		      size_t max, char **text, size_t *len, struct nsiso_err *e)
{
	return checked_read(dirfd, name, display_path, false, max, text, len, e);
}

int policy_read_file(int dirfd, const char *name, const char *display_path,
		     enum policy_kind kind, struct policy *out,
		     struct nsiso_err *e)
{
	struct policy_error perr;
	char *buf = NULL;
	size_t len = 0;
	int rc = trusted_file_read(dirfd, name, display_path, POLICY_MAX_SIZE,
				   &buf, &len, e);

	if (rc != 0)
		return rc;
	rc = -1;
	if (policy_parse(buf, len, kind, out, &perr) < 0) {
		if (perr.line > 0)
			err_set(e, 0, "%s:%u: %s", display_path,
				perr.line, perr.msg);
		else
			err_set(e, 0, "%s: %s", display_path, perr.msg);
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

#define LOGIN_DEFS "/etc/login.defs"
/* Debian's is 12.5 KiB. */
#define LOGIN_DEFS_MAX (1024 * 1024)

int login_defs_read(char **text, size_t *len, struct nsiso_err *e)
{
	/* On every login's path (UID_MIN): read whole in one read(2), and
	 * under the rules of a policy file, since it decides who is
	 * isolated; a symlink to such a file is fine. */
	int rc = checked_read(AT_FDCWD, LOGIN_DEFS, LOGIN_DEFS, true,
			      LOGIN_DEFS_MAX, text, len, e);

	if (rc == 1) { /* no login.defs: shadow-utils' defaults, as for its tools */
		*text = NULL;
		*len = 0;
		return 0;
	}
	return rc;
}

int login_defs_uid_min(unsigned *value, struct nsiso_err *e)
{
	char *text;
	size_t len;

	*value = 1000;
	if (login_defs_read(&text, &len, e) < 0)
		return -1;
	*value = login_defs_scan(text, len, "UID_MIN", 1000);
	free(text);
	return 0;
}

/* Opens DIR/sub; an absent subdirectory is not an error. */
static int open_sub(int dirfd, const char *dir, const char *sub,
		    struct nsiso_err *e, int *out)
{
	char display[PATH_MAX];

	snprintf(display, sizeof(display), "%s/%s", dir, sub);
	*out = policy_open_dir(dirfd, sub, display, e);
	if (*out < 0 && errno != ENOENT)
		return -1;
	return 0;
}

struct candidates {
	struct policy user, def;
	struct policy *groups;
	char (*group_paths)[PATH_MAX];
	char (*unknown)[400];       /* why a group's membership is unknown */
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
	free(c->unknown);
	free(c->group_files);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The groups that have a file in DIR/group (GROUP of GROUP.conf), sorted
 * so that messages do not depend on the directory's order. Only these are
 * looked up: a login costs one NSS call per group file, none without. */
static int list_group_files(int groupfd, const char *dir, char ***out,
			    size_t *n_out, struct nsiso_err *e)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = dup(groupfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (d == NULL) {
		err_set(e, errno, "read %s/group", dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (;;) {
		size_t len;
		char *name;

		errno = 0; /* readdir's NULL is an error only with errno set */
		de = readdir(d);
		if (de == NULL)
			break;
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		name = strndup(de->d_name, len - 5);
		if (name == NULL)
			goto oom;
		/* One that cannot name a group cannot be a group's file. */
		if (!policy_name_usable(name)) {
			free(name);
			continue;
		}
		if (n == cap) {
			char **grown = reallocarray(names, cap ? cap * 2 : 16,
						    sizeof(*names));

			if (grown == NULL) {
				free(name);
				goto oom;
			}
			names = grown;
			cap = cap ? cap * 2 : 16;
		}
		names[n++] = name;
	}
	if (errno != 0) {
		err_set(e, errno, "read %s/group", dir);
		goto fail;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	*out = names;
	*n_out = n;
	return 0;
oom:
	err_set(e, 0, "read %s/group: out of memory", dir);
fail:
	closedir(d);
	free_names(names, n);
	return -1;
}

/* Is the user in group name? NSS's answer through groupmatch.c; the
 * user's full group list is fetched (once, into *list) only for a group
 * whose member list does not name the user. Returns the membership, with
 * why it is unknown in unknown, or -1 with e. */
static int user_in_group(const char *name, struct user_info *u,
			struct gid_list *list, bool *have_list,
			char *unknown, size_t unknown_len, struct nsiso_err *e)
{
	struct nss_group g;
	enum membership m;

	nss_group_lookup(name, &g);
	m = group_membership(name, &g.answer, u->name, u->gid,
			     *have_list ? list : NULL);
	if (m == MEMBER_ASK_LIST) {
		if (nss_user_gids(u->name, u->gid, list, e) < 0) {
			nss_group_free(&g);
			return -1;
		}
		*have_list = true;
		m = group_membership(name, &g.answer, u->name, u->gid, list);
	}
	if (m == MEMBER_UNKNOWN) {
		int errnum = g.answer.err;

		snprintf(unknown, unknown_len,
			 "NSS cannot tell whether %s is in group %s: getgrnam_r: %s (%s)",
			 u->name, name,
			 errnum == ERANGE ? "its entry is larger than 16 MiB"
					  : strerror(errnum),
			 strerrorname_np(errnum) ? strerrorname_np(errnum)
						 : "unknown errno");
	}
	nss_group_free(&g);
	return (int)m;
}

/* Reads the files of the groups the user is in, and of those whose
 * membership NSS cannot tell (policy_select decides whether they could
 * apply). Every one must parse, even one that would lose on priority, so
 * that a broken file is found at once. */
static int read_groups(int groupfd, const char *dir, struct user_info *u,
		       struct candidates *c, struct nsiso_err *e)
{
	struct gid_list list = { NULL, 0 };
	bool have_list = false;
	char **names = NULL;
	size_t n_names = 0;
	int rc = -1;

	if (list_group_files(groupfd, dir, &names, &n_names, e) < 0)
		return -1;
	c->groups = calloc(n_names + 1, sizeof(*c->groups));
	c->group_paths = calloc(n_names + 1, sizeof(*c->group_paths));
	c->unknown = calloc(n_names + 1, sizeof(*c->unknown));
	c->group_files = calloc(n_names + 1, sizeof(*c->group_files));
	if (!c->groups || !c->group_paths || !c->unknown || !c->group_files) {
		err_set(e, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		size_t k = c->n_groups;
		char file[256];
		int m = user_in_group(names[i], u, &list, &have_list,
				     c->unknown[k], sizeof(c->unknown[k]), e);
		int r;

		if (m < 0)
			goto out;
		if (m == MEMBER_NO)
			continue;
		snprintf(file, sizeof(file), "%s.conf", names[i]);
		snprintf(c->group_paths[k], PATH_MAX, "%s/group/%s", dir, file);
		r = policy_read_file(groupfd, file, c->group_paths[k],
				     POLICY_GROUP, &c->groups[k], e);
		if (r < 0)
			goto out;
		if (r == 1) /* removed since the listing: as if never there */
			continue;
		c->group_files[k].path = c->group_paths[k];
		c->group_files[k].policy = &c->groups[k];
		c->group_files[k].unknown = m == MEMBER_UNKNOWN ? c->unknown[k] : NULL;
		c->n_groups++;
	}
	rc = 0;
out:
	free(list.gids);
	free_names(names, n_names);
	return rc;
}

int policy_load(const char *dir, struct user_info *u,
		struct loaded_policy *out, struct nsiso_err *e)
{
	struct candidates c = { 0 };
	struct policy_choice choice;
	char path[PATH_MAX], defpath[PATH_MAX];
	int dirfd, userfd = -1, groupfd = -1, rc = -1;

	memset(out, 0, sizeof(*out));
	if (!policy_name_usable(u->name)) {
		err_set(e, 0,
			"user name '%s' cannot name a policy file", u->name);
		return -1;
	}
	dirfd = policy_open_dir(AT_FDCWD, dir, dir, e);
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
	if (open_sub(dirfd, dir, "user", e, &userfd) < 0 ||
	    open_sub(dirfd, dir, "group", e, &groupfd) < 0)
		goto out;

	if (userfd >= 0) {
		char name[256];
		int r;

		snprintf(name, sizeof(name), "%s.conf", u->name);
		snprintf(path, sizeof(path), "%s/user/%s", dir, name);
		r = policy_read_file(userfd, name, path, POLICY_USER, &c.user,
				     e);
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
		    read_groups(groupfd, dir, u, &c, e) < 0)
			goto out;
		if (c.n_groups == 0) {
			int r;

			snprintf(defpath, sizeof(defpath), "%s/default.conf", dir);
			r = policy_read_file(dirfd, "default.conf", defpath,
					     POLICY_DEFAULT, &c.def, e);
			if (r < 0)
				goto out;
			if (r == 0) {
				c.has_def = true;
				c.def_file.path = defpath;
				c.def_file.policy = &c.def;
			}
		}
		unsigned uid_min = 0;

		/* /etc/login.defs is read only when its UID_MIN can
		 * decide: default.conf applies and sets no uid_min. If it
		 * cannot be read, only an isolating default.conf fails the
		 * login: with isolate = no, uid_min picks between two ways
		 * of not isolating (no policy below it, default.conf's "no"
		 * above), so the default of 1000 is safe. */
		if (c.n_groups == 0 && c.has_def &&
		    !policy_has(&c.def, POLICY_KEY_UID_MIN) &&
		    login_defs_uid_min(&uid_min, e) < 0 && c.def.isolate)
			goto out;
		policy_select(NULL, c.group_files, c.n_groups,
			      c.has_def ? &c.def_file : NULL, u->uid, uid_min,
			      &choice);
	} else {
		/* A user file, or root: policy_select needs no uid_min. */
		policy_select(c.has_user ? &c.user_file : NULL, NULL, 0, NULL,
			      u->uid, 0, &choice);
	}

	if (choice.kind == CHOICE_ERROR) {
		err_set(e, 0, "%s", choice.why);
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
