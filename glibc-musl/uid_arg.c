/* A uid on a command line: what strtoul would take and more is refused. */
#include "uid_arg.h"

#include <errno.h>
#include <stdlib.h>

int uid_arg_parse(const char *text, uid_t *uid)
{
	char *end;
	unsigned long n;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno || *end != '\0' || n >= (unsigned long)(uid_t)-1)
		return -1;
	*uid = (uid_t)n;
	return 0;
}
