#include "login_defs.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

unsigned login_defs_scan(const char *text, size_t len, const char *name,
			 unsigned value)
{
	size_t name_len = strlen(name);
	const char *line = text, *end;

	if (len == 0) /* text may be NULL then: no login.defs */
		return value;
	end = text + len;
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line;

		if (eol == NULL)
			eol = end;
		while (p < eol && isspace((unsigned char)*p))
			p++;
		if ((size_t)(eol - p) > name_len && memcmp(p, name, name_len) == 0 &&
		    isspace((unsigned char)p[name_len])) {
			char number[32];
			size_t n;
			unsigned v;

			/* The blanks in between, however many, then the
			 * number in a bounded copy (text has no NUL). */
			p += name_len;
			while (p < eol && isspace((unsigned char)*p))
				p++;
			n = (size_t)(eol - p);
			if (n >= sizeof(number))
				n = sizeof(number) - 1;
			memcpy(number, p, n);
			number[n] = '\0';
			if (sscanf(number, "%u", &v) == 1)
				value = v;
		}
		if (eol == end)
			break;
		line = eol + 1;
	}
	return value;
}
