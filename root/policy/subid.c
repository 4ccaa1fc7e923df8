#include "subid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strict decimal below 2^32 - 1 (the invalid id): digits only. */
static int parse_id(const char *s, size_t n, unsigned long *out)
{
	unsigned long long v = 0; /* 10 digits need 34 bits */

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v >= 4294967295ULL)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

int subid_find(const char *text, size_t len, const char *name, unsigned long id,
	       unsigned long own_id, unsigned long min_start, unsigned long *start,
	       unsigned long *count, struct nsiso_err *e)
{
	char idbuf[16];
	size_t pos = 0;
	unsigned line = 0;

	snprintf(idbuf, sizeof(idbuf), "%lu", id);
	while (pos < len) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		const char *c1 = memchr(l, ':', n), *c2;
		size_t klen;

		pos += n + (nl ? 1 : 0);
		line++;
		if (c1 == NULL)
			continue; /* blank or not for us: subuid(5) has no comments */
		klen = (size_t)(c1 - l);
		if (!((klen == strlen(name) && memcmp(l, name, klen) == 0) ||
		      (klen == strlen(idbuf) && memcmp(l, idbuf, klen) == 0)))
			continue;
		c2 = memchr(c1 + 1, ':', n - klen - 1);
		if (c2 == NULL ||
		    parse_id(c1 + 1, (size_t)(c2 - c1 - 1), start) < 0 ||
		    parse_id(c2 + 1, n - (size_t)(c2 + 1 - l), count) < 0) {
			err_set(e, 0, "line %u: expected NAME:START:COUNT",
				line);
			return -1;
		}
		if (*count == 0 ||
		    (unsigned long long)*start + *count > 4294967295ULL) {
			err_set(e, 0,
				"line %u: the range %lu+%lu is empty or too large",
				line, *start, *count);
			return -1;
		}
		if (*start == 0 || (own_id >= *start && own_id < *start + *count)) {
			err_set(e, 0,
				"line %u: the range %lu-%lu contains %s",
				line, *start, *start + *count - 1,
				*start == 0 ? "id 0 (root)" : "the user's own id");
			return -1;
		}
		/* Below SUB_UID_MIN/SUB_GID_MIN the ids are ordinary users'
		 * and groups' (shadow, disk...): a mapped one would be theirs
		 * to the user's processes inside. */
		if (*start < min_start) {
			err_set(e, 0,
				"line %u: the range %lu-%lu starts below %lu (SUB_UID_MIN/SUB_GID_MIN in /etc/login.defs), among ordinary users' and groups' ids",
				line, *start, *start + *count - 1, min_start);
			return -1;
		}
		return 1;
	}
	return 0;
}
