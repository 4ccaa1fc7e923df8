#include "login_defs.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

unsigned login_defs_scan(const char *text, size_t len, const char *name,
			 unsigned value)
{
	size_t name_len = strlen(name);
	const char *line = text, *end = text + len;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line;
		char rest[32];
		unsigned v;

		if (eol == NULL)
			eol = end;
		while (p < eol && isspace((unsigned char)*p))
			p++;
		if ((size_t)(eol - p) > name_len && memcmp(p, name, name_len) == 0 &&
		    isspace((unsigned char)p[name_len])) {
			size_t n = (size_t)(eol - p) - name_len;

			if (n >= sizeof(rest))
				n = sizeof(rest) - 1;
			memcpy(rest, p + name_len, n);
			rest[n] = '\0';
			if (sscanf(rest, "%u", &v) == 1)
				value = v;
		}
		line = eol + 1;
	}
	return value;
}
