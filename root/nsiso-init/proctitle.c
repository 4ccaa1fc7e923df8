/* "ps" shows an environment's init as "nsiso-init: USER" instead of the
 * helper command line it was forked from, so admins can tell what it is. */
#include "proctitle.h"

#include <string.h>
#include <sys/prctl.h>

static char *title_start;
static size_t title_room;

void proctitle_init(int argc, char **argv)
{
	if (argc < 1 || argv[0] == NULL)
		return;
	title_start = argv[0];
	/* argv strings are contiguous: the room ends after the last one. */
	title_room = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
}

void proctitle_set(const char *title)
{
	size_t n;

	/* The comm name (15 bytes) is what top and pgrep see. Failure only
	 * affects what ps shows: safe to ignore. */
	(void)prctl(PR_SET_NAME, "nsiso-init", 0, 0, 0);
	if (title_start == NULL || title_room == 0)
		return;
	n = strlen(title);
	if (n > title_room)
		n = title_room;
	memset(title_start, '\0', title_room + 1);
	memcpy(title_start, title, n);
}
