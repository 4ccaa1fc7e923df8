/* NSS look-ups with the reentrant calls: the module runs inside sshd, which
 * may have its own getpw* state, and a static buffer would be shared. */
#include "userinfo.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSS_BUF_MAX (1 << 20)

static int fill_from_passwd(const struct passwd *pw, struct user_info *u,
			    struct nsiso_err *e)
{
	u->name = strdup(pw->pw_name);
	u->home = strdup(pw->pw_dir ? pw->pw_dir : "/");
	u->shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell
							 : "/bin/sh");
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	snprintf(u->uid_str, sizeof(u->uid_str), "%u", (unsigned)pw->pw_uid);
	if (u->name == NULL || u->home == NULL || u->shell == NULL) {
		err_set(e, 0, "out of memory");
		return -1;
	}
	return 0;
}

static int lookup(const char *name, uid_t uid, struct user_info *u,
		  struct nsiso_err *e)
{
	size_t size = 1024;

	memset(u, 0, sizeof(*u));
	for (;;) {
		struct passwd pw, *res = NULL;
		char *buf = malloc(size);
		int rc;

		if (buf == NULL) {
			err_set(e, 0, "out of memory");
			return -1;
		}
		rc = name ? getpwnam_r(name, &pw, buf, size, &res)
			  : getpwuid_r(uid, &pw, buf, size, &res);
		if (rc == ERANGE && size < NSS_BUF_MAX) {
			free(buf);
			size *= 2;
			continue;
		}
		if (rc != 0 || res == NULL) {
			if (rc != 0 && rc != ENOENT && rc != ESRCH && name)
				err_set(e, 0,
					 "NSS look-up of user %s: %s",
					 name, strerror(rc));
			else if (rc != 0 && rc != ENOENT && rc != ESRCH)
				err_set(e, 0,
					 "NSS look-up of uid %u: %s",
					 (unsigned)uid, strerror(rc));
			else if (name)
				err_set(e, 0, "unknown user '%s'", name);
			else
				err_set(e, 0, "unknown uid %u",
					 (unsigned)uid);
			free(buf);
			return -1;
		}
		rc = fill_from_passwd(&pw, u, e);
		free(buf);
		if (rc < 0) {
			user_info_free(u);
			return -1;
		}
		return 0;
	}
}

int user_info_by_name(const char *name, struct user_info *u,
		      struct nsiso_err *e)
{
	return lookup(name, 0, u, e);
}

int user_info_by_uid(uid_t uid, struct user_info *u, struct nsiso_err *e)
{
	return lookup(NULL, uid, u, e);
}

void user_info_free(struct user_info *u)
{
	free(u->name);
	free(u->home);
	free(u->shell);
	free(u->group);
	memset(u, 0, sizeof(*u));
}
