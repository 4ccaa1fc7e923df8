/* The programs installed next to nsiso-helper, wherever that is (the
 * tests run it from a work directory): nsiso-init, nsiso-resolve,
 * nsiso-enter. They get the same trust as the helper itself. */
#include "helper.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sibling_path(const char *name, char *out, size_t len, struct nsiso_err *e)
{
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return err_set(e, errno, "readlink /proc/self/exe");
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return err_set(e, 0, "find %s: /proc/self/exe is %s, not a path",
			       name, self);
	*slash = '\0';
	if ((size_t)snprintf(out, len, "%s/%s", self, name) >= len)
		return err_set(e, ENAMETOOLONG, "name %s next to %s", name, self);
	return 0;
}
