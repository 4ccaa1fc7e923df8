/* Path rules for policy mounts. Pure string logic, unit-tested. */
#include "paths.h"

#include <string.h>

const char *path_abnormal_reason(const char *path)
{
	const char *p = path;

	if (path[0] != '/')
		return "not an absolute path";
	if (strlen(path) >= 4096)
		return "longer than PATH_MAX";
	if (strcmp(path, "/") == 0)
		return NULL;
	while (*p == '/') {
		const char *comp = p + 1;
		size_t n = strcspn(comp, "/");

		if (n == 0)
			return comp[0] == '\0' ? "ends with '/'"
					       : "empty component ('//')";
		if ((n == 1 && comp[0] == '.') ||
		    (n == 2 && comp[0] == '.' && comp[1] == '.'))
			return "'.' and '..' components are not allowed";
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)comp[i] < 0x20 || comp[i] == 0x7f)
				return "control character in path";
		p = comp + n;
	}
	return NULL;
}

bool path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, "/") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

/* Paths the session itself and its PAM caller need untouched: sshd chowns
 * the pty and writes utmp inside the environment after the module ran;
 * /proc, /sys and /dev belong to the kernel; /run/nsiso is ours. */
static const char *const reserved[] = {
	"/proc", "/sys", "/dev", "/dev/pts", "/run/utmp", "/run/dbus",
	"/run/systemd", "/var/log", "/run/nsiso",
};

/* Below these a mount is refused too; /dev is special-cased for /dev/shm. */
static const char *const reserved_trees[] = {
	"/proc", "/sys", "/dev/pts", "/run/dbus", "/run/systemd", "/var/log",
	"/run/nsiso",
};

const char *path_forbidden_target_reason(const char *target)
{
	if (strcmp(target, "/") == 0)
		return "the root directory cannot be replaced";
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (path_covers(target, reserved[i]))
			return "it is or covers a path the session and its PAM caller need (/proc /sys /dev /dev/pts /run/utmp /run/dbus /run/systemd /var/log /run/nsiso)";
	for (size_t i = 0; i < sizeof(reserved_trees) / sizeof(reserved_trees[0]); i++)
		if (path_covers(reserved_trees[i], target))
			return "it lies below a reserved path (/proc /sys /dev/pts /run/dbus /run/systemd /var/log /run/nsiso)";
	if (path_covers("/dev", target) && !path_covers("/dev/shm", target))
		return "below /dev only /dev/shm may be mounted on";
	return NULL;
}

bool path_is_setuid_sensitive(const char *target)
{
	static const char *const trees[] = {
		"/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32",
		"/libx32",
	};

	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		if (path_covers(target, trees[i]) || path_covers(trees[i], target))
			return true;
	return false;
}
