/* /proc/self/mountinfo, one parsed line at a time (proc(5)): the mount's
 * id and its parent's, the root of the mount within its filesystem, the
 * mount point and the filesystem type. Paths with spaces stay escaped
 * (\040), which none of the callers' paths have. */
#include "mountinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mountinfo_each(int (*fn)(const struct mountinfo_entry *e, void *arg),
		   void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (f == NULL)
		return -1;
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		char root[1024], point[1024], fstype[64];
		const char *sep = strstr(line, " - ");
		struct mountinfo_entry e = { .root = root, .point = point,
					     .fstype = fstype };

		if (sep == NULL ||
		    sscanf(line, "%d %d %*s %1023s %1023s", &e.id, &e.parent, root,
			   point) != 4 ||
		    sscanf(sep, " - %63s", fstype) != 1)
			continue;
		rc = fn(&e, arg);
	}
	free(line);
	fclose(f);
	return rc;
}
