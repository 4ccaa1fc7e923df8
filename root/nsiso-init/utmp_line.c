/* The utmp line of a login's PAM_TTY: which logins the init records in the
 * environment's own utmp (utmp_env.c), and under which line. */
#include "utmp_line.h"

#include <string.h>

static bool safe_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
	       c == '.';
}

bool utmp_line_of_tty(const char *tty, char line[UTMP_LINE_SIZE],
		      char id[UTMP_ID_SIZE])
{
	const char *name = tty;
	size_t n, idn;

	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	n = strlen(name);
	if (n == 0 || n > UTMP_LINE_SIZE)
		return false;
	/* What a terminal's device is called; "ssh" and ":0" are not. */
	if (strncmp(name, "tty", 3) != 0 && strncmp(name, "pts/", 4) != 0 &&
	    strcmp(name, "console") != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!safe_byte(name[i]))
			return false;
	if (strstr(name, "..") != NULL || name[n - 1] == '/')
		return false;
	memset(line, 0, UTMP_LINE_SIZE);
	memcpy(line, name, n);
	idn = n < UTMP_ID_SIZE ? n : UTMP_ID_SIZE;
	memset(id, 0, UTMP_ID_SIZE);
	memcpy(id, name + n - idn, idn);
	return true;
}
