/* Reading, backing up and replacing the configuration files nsiso enable
 * and disable change. Every file is checked through the fd it is read
 * from, so what is checked is what is read; every write goes through a
 * temporary file and a rename, so PAM never reads half a stack. */
#include "conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load.h"
#include "write_all.h"

/* Reads fd to the end into a NUL-terminated buffer, refusing more than
 * CONF_MAX_SIZE bytes (the file may grow after fstat). */
static int read_all(int fd, char **out, size_t *outlen)
{
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return -1;
	for (;;) {
		ssize_t n;

		if (used + 1 == cap) {
			char *grown;

			if (cap > CONF_MAX_SIZE) {
				free(buf);
				return errno = EFBIG, -1;
			}
			grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				free(buf);
				return -1;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			free(buf);
			return errno = saved, -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*out = buf;
	*outlen = used;
	return 0;
}

static const char *file_unsafe(const struct stat *st)
{
	const char *why = config_unsafe_reason(st, false);

	if (why != NULL)
		return why;
	/* Another name for the same inode (common-session, say) would
	 * change with it, and a rename would split the two silently. */
	if (st->st_nlink > 1)
		return "has other names (hard links): changing it would change them too";
	return NULL;
}

int conf_file_read(const char *dir, const char *name, bool follow,
		   struct conf_file *cf, struct nsiso_err *e)
{
	int fd, rc = -1;

	memset(cf, 0, sizeof(*cf));
	snprintf(cf->path, sizeof(cf->path), "%s/%s", dir, name);
	/* O_NONBLOCK: a FIFO in the place of a stack must not hang us. */
	fd = open(cf->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
				    (follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		err_set(e, 0, "%s: %s", cf->path,
			errno == ELOOP ? "a symlink" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &cf->st) < 0) {
		err_set(e, errno, "%s: fstat", cf->path);
		goto out;
	}
	if (!S_ISREG(cf->st.st_mode)) {
		err_set(e, 0, "%s: not a regular file", cf->path);
		goto out;
	}
	if (read_all(fd, &cf->text, &cf->len) < 0) {
		err_set(e, 0, "%s: read: %s", cf->path,
			errno == EFBIG ? "larger than 256 KiB" : strerror(errno));
		goto out;
	}
	cf->unsafe = file_unsafe(&cf->st);
	rc = 0;
out:
	close(fd);
	return rc;
}

void conf_file_free(struct conf_file *cf)
{
	free(cf->text);
	cf->text = NULL;
}

const char *conf_dir_unsafe(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? NULL : strerror(errno);
	if (S_ISLNK(st.st_mode))
		return "a symlink";
	return config_unsafe_reason(&st, true);
}

/* mkdir that accepts an existing directory and sets the mode exactly
 * (mkdir's is masked by the umask). */
static int make_dir(const char *path, mode_t mode, struct nsiso_err *e)
{
	if (mkdir(path, mode) < 0) {
		if (errno == EEXIST)
			return 0;
		err_set(e, errno, "mkdir %s", path);
		return -1;
	}
	if (chmod(path, mode) < 0) {
		err_set(e, errno, "chmod %s", path);
		return -1;
	}
	return 0;
}

/* "etc-pam.d-sshd.20261129-143005", with ".N" when that exists already. */
static int open_backup(int dirfd, const char *path, char *name, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t used;

	if (localtime_r(&now, &tm) == NULL)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	else
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(name, len, "%s.%s", path + (path[0] == '/'), stamp);
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '-';
	used = strlen(name);
	for (int i = 2; i < 100; i++) {
		int fd = openat(dirfd, name,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0600);

		if (fd >= 0 || errno != EEXIST)
			return fd;
		snprintf(name + used, len - used, ".%d", i);
	}
	return errno = EEXIST, -1;
}

int conf_backup(const char *path, const char *text, size_t len, char *out,
		size_t outlen, struct nsiso_err *e)
{
	char name[PATH_MAX];
	const char *why;
	int dirfd, fd, rc = -1;

	if (make_dir("/var/backups", 0755, e) < 0 ||
	    make_dir(CONF_BACKUP_DIR, 0700, e) < 0)
		return -1;
	why = conf_dir_unsafe(CONF_BACKUP_DIR);
	if (why != NULL) {
		err_set(e, 0, "%s: %s", CONF_BACKUP_DIR, why);
		return -1;
	}
	dirfd = open(CONF_BACKUP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		err_set(e, errno, "%s", CONF_BACKUP_DIR);
		return -1;
	}
	fd = open_backup(dirfd, path, name, sizeof(name));
	snprintf(out, outlen, "%s/%s", CONF_BACKUP_DIR, name);
	if (fd < 0) {
		err_set(e, errno, "%s", out);
		goto out;
	}
	if (write_all(fd, text, len) < 0 || fsync(fd) < 0)
		err_set(e, errno, "%s: write", out);
	else
		rc = 0;
	close(fd);
out:
	close(dirfd);
	return rc;
}

/* Splits path into its directory (in dir) and its last part. */
static const char *split_path(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	snprintf(dir, len, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return slash + 1;
}

/* The temporary file's content, owner and mode, on disk before the
 * rename makes it the file. */
static int fill_temp(int fd, const char *text, size_t len, uid_t uid,
		     gid_t gid, mode_t mode)
{
	if (write_all(fd, text, len) < 0 || fchown(fd, uid, gid) < 0 ||
	    fchmod(fd, mode) < 0 || fsync(fd) < 0)
		return -1;
	return 0;
}

int conf_write_atomic(const char *path, const char *text, size_t len,
		      uid_t uid, gid_t gid, mode_t mode, mode_t mkdir_mode,
		      struct nsiso_err *e)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *base = split_path(path, dir, sizeof(dir));
	int dirfd, fd, rc = -1;

	if (mkdir_mode != 0 && make_dir(dir, mkdir_mode, e) < 0)
		return -1;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		err_set(e, errno, "%s", dir);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".%.200s.nsiso-new.%d", base, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0) {
		err_set(e, errno, "%s/%s", dir, tmp);
		goto out;
	}
	if (fill_temp(fd, text, len, uid, gid, mode) < 0) {
		err_set(e, errno, "%s/%s: write", dir, tmp);
		close(fd);
		unlinkat(dirfd, tmp, 0); /* best effort: the error is reported */
		goto out;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, base) < 0) {
		err_set(e, errno, "rename %s/%s to %s", dir, tmp, path);
		unlinkat(dirfd, tmp, 0); /* best effort: the error is reported */
		goto out;
	}
	/* The rename itself is durable only once the directory is. */
	if (fsync(dirfd) < 0) {
		err_set(e, errno, "fsync %s", dir);
		goto out;
	}
	rc = 0;
out:
	close(dirfd);
	return rc;
}

int conf_remove(const char *path, struct nsiso_err *e)
{
	char dir[PATH_MAX];
	const char *base = split_path(path, dir, sizeof(dir));
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc = -1;

	if (dirfd < 0) {
		err_set(e, errno, "%s", dir);
		return -1;
	}
	if (unlinkat(dirfd, base, 0) < 0)
		err_set(e, errno, "unlink %s", path);
	else if (fsync(dirfd) < 0)
		err_set(e, errno, "fsync %s", dir);
	else
		rc = 0;
	close(dirfd);
	return rc;
}

void text_lines_init(struct text_lines *it, const char *text, size_t len)
{
	it->p = text;
	it->end = text + len;
	it->n = 0;
}

bool text_lines_next(struct text_lines *it, const char **line, size_t *len)
{
	const char *nl;

	if (it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*line = it->p;
	*len = nl != NULL ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	it->p = nl != NULL ? nl + 1 : it->end;
	it->n++;
	return true;
}
