/* Which filesystems a user's paths may lie on (nsiso-policy(5), "PER-USER
 * PATHS AND USER FILESYSTEMS").
 *
 * Any user can mount a FUSE filesystem on a directory they own
 * (fusermount; with user_allow_other in /etc/fuse.conf, root sees it too),
 * and its daemon answers every lookup, stat and open below it however it
 * likes, or never: root's set-up would then sleep forever in the kernel.
 * So before the set-up looks up a path the user controls, the path and its
 * ancestors are matched against /proc/self/mountinfo, as text: a stat or
 * open would be the very lookup that hangs. The plan's paths are normal
 * (no '.', '..' or '//', root/policy/paths.c) and the set-up follows no symlink
 * (mounts.c), so the text is the walk the kernel will do. */
#include "helper.h"
#include "mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct userfs_find {
	const char *path;
	char point[4096];
	char fstype[64];
};

/* fuse, fuse.<subtype> (sshfs, s3fs, any name the daemon picks) and
 * fuseblk: the types fusermount mounts for a user. */
static bool user_mountable(const char *fstype)
{
	return strcmp(fstype, "fuse") == 0 || strcmp(fstype, "fuseblk") == 0 ||
	       strncmp(fstype, "fuse.", 5) == 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo; a user
 * picks the mount point's name, so compare the real one. */
static void unescape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	while (*in != '\0' && o + 1 < len) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' &&
		    in[2] >= '0' && in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
			out[o++] = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 |
					  (in[3] - '0'));
			in += 4;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

/* path is dir itself or below it; dir without a trailing '/' ("" is /). */
static bool at_or_under(const char *path, const char *dir, size_t dirlen)
{
	return strncmp(path, dir, dirlen) == 0 &&
	       (path[dirlen] == '\0' || path[dirlen] == '/');
}

static int find_user_fs(const struct mountinfo_entry *e, void *arg)
{
	struct userfs_find *f = arg;
	size_t n;

	if (!user_mountable(e->fstype))
		return 0;
	unescape(e->point, f->point, sizeof(f->point));
	n = strlen(f->point);
	if (n > 0 && f->point[n - 1] == '/')
		n--; /* only "/" ends in '/' */
	if (!at_or_under(f->path, f->point, n))
		return 0;
	snprintf(f->fstype, sizeof(f->fstype), "%s", e->fstype);
	return 1;
}

static bool under_home(const struct env_plan *plan, const char *path)
{
	size_t n = strlen(plan->home);

	/* NSS may give "/home/alice/"; a home of "/" makes every path the
	 * user's, which only ever refuses more. */
	while (n > 0 && plan->home[n - 1] == '/')
		n--;
	return plan->home[0] == '/' && at_or_under(path, plan->home, n);
}

int userfs_check(const struct env_plan *plan, const char *path, bool per_user,
		 char *why, size_t len)
{
	struct userfs_find f = { .path = path };
	int rc;

	if (!per_user && !under_home(plan, path))
		return 0; /* the administrator's own path */
	rc = mountinfo_each(find_user_fs, &f);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	snprintf(why, len,
		 "it lies on a %s mount at %s, a filesystem users can mount (its daemon can block the set-up or answer anything): a per-user path may not",
		 f.fstype, f.point[0] != '\0' ? f.point : "/");
	return 1;
}
