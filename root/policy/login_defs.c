#include "login_defs.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether only blanks stand between the start of at's line and at. */
static bool first_on_line(const char *text, const char *at)
{
	while (at > text && at[-1] != '\n') {
		at--;
		if (!isspace((unsigned char)*at))
			return false;
	}
	return true;
}

unsigned login_defs_scan(const char *text, size_t len, const char *name,
			 unsigned value)
{
	size_t name_len = strlen(name);
	const char *end, *at;

	if (len == 0 || name_len == 0) /* text may be NULL then: no login.defs */
		return value;
	end = text + len;
	/* Only where the name occurs, a handful of places in Debian's 12 KiB
	 * file: a walk over every line cost more than the rest of a join's
	 * policy (login.defs is read on every login that default.conf
	 * decides). */
	for (at = text; (at = memmem(at, (size_t)(end - at), name, name_len)) != NULL;
	     at++) {
		const char *p = at + name_len, *eol;
		char number[32], *number_end;
		size_t n;
		unsigned long v;

		/* The cheap tests first: the line's end is looked for only
		 * where the name starts a setting, so a long line of names
		 * costs one pass, not one per name. */
		if (p >= end || *p == '\n' || !isspace((unsigned char)*p) ||
		    !first_on_line(text, at))
			continue;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		/* The blanks in between, however many, then the number in a
		 * bounded copy (text has no NUL). */
		while (p < eol && isspace((unsigned char)*p))
			p++;
		n = (size_t)(eol - p);
		if (n >= sizeof(number))
			n = sizeof(number) - 1;
		memcpy(number, p, n);
		number[n] = '\0';
		/* What sscanf's %u converts (a sign, digits, wrapped to
		 * unsigned), without its cost: a first sscanf in a process
		 * took longer than the whole scan. */
		v = strtoul(number, &number_end, 10);
		if (number_end != number)
			value = (unsigned)v;
	}
	return value;
}
