/* The environment's own host name resolves inside it, as the host's own
 * name does on Debian through the 127.0.1.1 line of /etc/hosts (sudo's
 * "unable to resolve host", hostname -f).
 *
 * The init, in the environment's mount namespace, copies the host's
 * /etc/hosts into a small private tmpfs, adds "127.0.1.1 NAME" and binds
 * the copy, read-only and root-owned, over /etc/hosts inside only. The
 * host's file is never written. The copy is a snapshot: the host's later
 * edits show inside when the environment is next built (nsiso-policy(5),
 * hostname). Before the policy's mounts, so that a bind line or a netns's
 * /etc/netns/NAME/hosts over /etc/hosts still wins. */
#include "helper.h"
#include "build.h"
#include "write_all.h"
#include "kernel_calls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HOSTS_PATH "/etc/hosts"
/* glibc reads /etc/hosts line by line at every lookup; a larger one is a
 * block list, and a copy of it per environment would cost its size in
 * memory for every user. Such a file is left as it is (documented). */
#define HOSTS_MAX (1024 * 1024)

/* Whether a line of text (not NUL-terminated, len bytes) names name as
 * one of its host names: every field after the address, before a '#'. */
static bool line_names(const char *line, size_t len, const char *name)
{
	size_t i = 0, field = 0, nlen = strlen(name);

	while (i < len && line[i] != '#') {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '#')
			i++;
		if (i == start)
			break;
		if (field++ > 0 && i - start == nlen &&
		    strncasecmp(line + start, name, nlen) == 0)
			return true;
	}
	return false;
}

/* Whether the text already resolves name: then nothing is copied, and the
 * host's edits keep showing inside at once. */
static bool text_names(const char *text, size_t len, const char *name)
{
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		if (line_names(text + at, end - at, name))
			return true;
		at = end + 1;
	}
	return false;
}

/* The host's file, whole: *text (malloc'd, *len bytes), or *text NULL
 * when there is nothing to add a line to. -1 with b->err on a failure. */
static int read_hosts(struct build *b, int fd, char **text, size_t *len)
{
	struct stat st;
	size_t got = 0;

	*text = NULL;
	*len = 0;
	if (fstat(fd, &st) < 0)
		return err_set(&b->err, errno, "fstat %s", HOSTS_PATH);
	/* Not a file glibc could use as it stands, or too large to copy
	 * per environment: left as it is, as without a host name. */
	if (!S_ISREG(st.st_mode) || st.st_size > HOSTS_MAX)
		return 0;
	*text = malloc((size_t)st.st_size + 1);
	if (*text == NULL)
		return err_set(&b->err, errno, "read %s", HOSTS_PATH);
	/* The size fstat saw: an admin's edit racing the build gives the
	 * copy one state of the file or a prefix of the next. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(*text);
			*text = NULL;
			return err_set(&b->err, errno, "read %s", HOSTS_PATH);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return 0;
}

/* A detached tmpfs holding "hosts": text, then the line for name. */
static int make_copy(struct build *b, const char *text, size_t len,
		     const char *name)
{
	char line[200], size[64];
	int fs, mnt, f;
	int n = snprintf(line, sizeof(line),
			 "%s# pam_nsiso: the environment's host name\n127.0.1.1\t%s\n",
			 len > 0 && text[len - 1] != '\n' ? "\n" : "", name);

	if (n < 0 || (size_t)n >= sizeof(line))
		return err_set(&b->err, ENAMETOOLONG, "add %s to %s", name, HOSTS_PATH);
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return err_set(&b->err, errno, "fsopen tmpfs for %s", HOSTS_PATH);
	/* The label shows in mountinfo; an older kernel only loses it. */
	(void)fsconfig(fs, FSCONFIG_SET_STRING, "source", "nsiso", 0);
	snprintf(size, sizeof(size), "%zu", len + (size_t)n + 8192);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", size, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", "4", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int saved = errno;

		close(fs);
		return err_set(&b->err, saved, "create a tmpfs for %s", HOSTS_PATH);
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	close(fs);
	if (mnt < 0)
		return err_set(&b->err, errno, "fsmount a tmpfs for %s", HOSTS_PATH);
	f = openat(mnt, "hosts", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	/* The helper's umask is 077: everyone must read it, as the host's. */
	if (f < 0 || fchmod(f, 0644) < 0 || write_all(f, text, len) < 0 ||
	    write_all(f, line, (size_t)n) < 0) {
		int saved = errno;

		if (f >= 0)
			close(f);
		close(mnt);
		return err_set(&b->err, saved, "write the copy of %s", HOSTS_PATH);
	}
	close(f);
	return mnt;
}

/* Binds the copy in mnt over the file fd is open on; mnt is used up. */
static int bind_copy(struct build *b, int mnt, int fd)
{
	static const char *const parts[] = { "hosts" };
	struct mount_attr ro = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
	};
	const char *step = "";
	int tree, rc = 0;

	if (clone_detached_parts(mnt, parts, 1, &tree, &step) < 0)
		return err_set(&b->err, errno, "%s the copy of %s", step, HOSTS_PATH);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		rc = err_set(&b->err, errno, "make the copy of %s read-only",
			     HOSTS_PATH);
	else if (move_mount(tree, "", fd, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		rc = err_set(&b->err, errno, "mount the copy on %s", HOSTS_PATH);
	close(tree);
	return rc;
}

int hosts_step_name(struct build *b)
{
	const struct env_plan *plan = b->plan;
	char *text = NULL;
	size_t len = 0;
	int fd, mnt, rc = 0;

	/* Without a name of its own the environment resolves the host's, as
	 * the host does; without a mount namespace there is no private place
	 * for a copy, and the host's file is never touched. */
	if (!plan->set_hostname || !(plan->namespaces & NSISO_NS_MOUNT) ||
	    !(plan->namespaces & NSISO_NS_UTS))
		return 0;
	/* Follows a symlink, as glibc does: the file it points to is the one
	 * covered, inside only. O_NONBLOCK: a FIFO must not hang the open. */
	fd = open(HOSTS_PATH, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		/* No file to mount on (mount points are never created): the
		 * name does not resolve, as on such a host (documented). */
		if (errno == ENOENT)
			return 0;
		return err_set(&b->err, errno, "open %s", HOSTS_PATH);
	}
	if (read_hosts(b, fd, &text, &len) < 0) {
		close(fd);
		return -1;
	}
	if (text != NULL && !text_names(text, len, plan->hostname)) {
		mnt = make_copy(b, text, len, plan->hostname);
		rc = mnt < 0 ? -1 : bind_copy(b, mnt, fd);
		if (mnt >= 0)
			close(mnt);
	}
	free(text);
	close(fd);
	return rc;
}
