/* Configuration files nsiso enable and disable change (PAM stacks, the
 * user@.service drop-in): read through one fd under the trust rule of
 * policy files, backed up before a change, replaced atomically. */
#ifndef NSISO_CONFFILE_H
#define NSISO_CONFFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "errmsg.h"

/* Where the copies of changed files go. Not under /etc/pam.d: PAM would
 * read a copy there as a service of its own. */
#define CONF_BACKUP_DIR "/var/backups/nsiso"

/* Larger files are refused: no stack or drop-in is near this. */
#define CONF_MAX_SIZE (256 * 1024)

struct conf_file {
	char path[PATH_MAX];
	char *text;          /* the whole file, NUL-terminated */
	size_t len;
	struct stat st;      /* of the fd that was read */
	const char *unsafe;  /* why it may not be changed, or NULL */
};

/* Reads dir/name. follow: read what a symlink points to (as PAM does);
 * otherwise a symlink is an error. Sets cf->unsafe when the file is not
 * root's, group or world writable, or has other names (hard links).
 * Returns 0, 1 when it does not exist, or -1 with "path: reason" in e
 * (a symlink, not a regular file, too large, an I/O error). */
int conf_file_read(const char *dir, const char *name, bool follow,
		   struct conf_file *cf, struct nsiso_err *e);

void conf_file_free(struct conf_file *cf);

/* Why the directory path cannot hold files nsiso writes (a symlink, not
 * root's, group or world writable), or NULL; a missing directory is fine
 * (it is made). */
const char *conf_dir_unsafe(const char *path);

/* Copies text, the current content of path, to CONF_BACKUP_DIR under a
 * name made of the path and the time; the name written goes to out.
 * Returns 0 or -1 with e. */
int conf_backup(const char *path, const char *text, size_t len, char *out,
		size_t outlen, struct nsiso_err *e);

/* Replaces (or creates) path with text: a temporary file in the same
 * directory, owner and mode set, fsync, rename, fsync of the directory,
 * so that a crash leaves the old file or the new one, never a part.
 * mkdir_mode: create the directory with it when missing (0: do not). */
int conf_write_atomic(const char *path, const char *text, size_t len,
		      uid_t uid, gid_t gid, mode_t mode, mode_t mkdir_mode,
		      struct nsiso_err *e);

/* Removes path and makes that durable (fsync of its directory). */
int conf_remove(const char *path, struct nsiso_err *e);

/* Iterates over the lines of text: *line and *len (without the newline)
 * and the 1-based number in *n. Returns false at the end. */
struct text_lines {
	const char *p, *end;
	unsigned n;
};
void text_lines_init(struct text_lines *it, const char *text, size_t len);
bool text_lines_next(struct text_lines *it, const char **line, size_t *len);

#endif
