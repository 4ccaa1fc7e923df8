/* Template expansion: %u user, %U uid, %g primary group, %H host, %%. */
#include "template.h"

#include <errno.h>
#include <string.h>

static const char *escape_value(char c, const struct template_vars *v)
{
	switch (c) {
	case 'u':
		return v->user;
	case 'U':
		return v->uid;
	case 'g':
		return v->group;
	case 'H':
		return v->host;
	case '%':
		return "%";
	default:
		return NULL;
	}
}

static bool is_known_escape(char c)
{
	return c == 'u' || c == 'U' || c == 'g' || c == 'H' || c == '%';
}

int template_check(const char *tmpl, size_t *bad_offset)
{
	for (size_t i = 0; tmpl[i] != '\0'; i++) {
		if (tmpl[i] != '%')
			continue;
		if (!is_known_escape(tmpl[i + 1])) {
			*bad_offset = i;
			return -1;
		}
		i++;
	}
	return 0;
}

bool template_is_per_user(const char *tmpl)
{
	for (size_t i = 0; tmpl[i] != '\0'; i++) {
		if (tmpl[i] != '%')
			continue;
		if (tmpl[i + 1] == 'u' || tmpl[i + 1] == 'U' ||
		    tmpl[i + 1] == 'g')
			return true;
		if (tmpl[i + 1] != '\0')
			i++;
	}
	return false;
}

int template_expand(const char *tmpl, const struct template_vars *vars,
		    char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (size_t i = 0; tmpl[i] != '\0'; i++) {
		const char *piece;
		char one[2] = { tmpl[i], '\0' };
		size_t n;

		if (tmpl[i] == '%') {
			piece = escape_value(tmpl[i + 1], vars);
			if (piece == NULL) {
				errno = EINVAL;
				return -1;
			}
			i++;
		} else {
			piece = one;
		}
		n = strlen(piece);
		if (n >= outlen - used) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(out + used, piece, n);
		used += n;
	}
	out[used] = '\0';
	return 0;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

const char *hostname_invalid_reason(const char *name)
{
	size_t label = 0, total = strlen(name);

	if (total == 0)
		return "empty host name";
	if (total > 64)
		return "longer than 64 characters";
	for (size_t i = 0; i <= total; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0)
				return "empty label (leading, trailing or double '.')";
			if (name[i - 1] == '-')
				return "a label ends with '-'";
			label = 0;
			continue;
		}
		if (c == '-' && label == 0)
			return "a label starts with '-'";
		if (c != '-' && !is_alnum(c))
			return "only letters, digits, '-' and '.' are allowed";
		if (++label > 63)
			return "a label is longer than 63 characters";
	}
	return NULL;
}
