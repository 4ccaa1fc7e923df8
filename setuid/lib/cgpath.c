#include "cgpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cgpath_self(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = -1, saved = ENOENT;

	if (f == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + 3) >= len) {
			saved = ENAMETOOLONG;
			break;
		}
		memcpy(buf, line + 3, strlen(line + 3) + 1);
		rc = 0;
		break;
	}
	free(line);
	fclose(f);
	if (rc < 0)
		errno = saved;
	return rc;
}

void cgpath_user_slice(uid_t uid, char *buf, size_t len)
{
	snprintf(buf, len, "/user.slice/user-%u.slice", (unsigned)uid);
}

bool cgpath_in_user_slice(const char *path, uid_t uid)
{
	char slice[64];
	size_t n;

	cgpath_user_slice(uid, slice, sizeof(slice));
	n = strlen(slice);
	return strncmp(path, slice, n) == 0 && path[n] == '/' &&
	       path[n + 1] != '\0';
}

int cgpath_self_in_user_slice(uid_t uid, char *where, size_t len)
{
	if (cgpath_self(where, len) < 0)
		return -1;
	return cgpath_in_user_slice(where, uid) ? 1 : 0;
}
