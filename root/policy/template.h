/* Template expansion for hostnames and paths: %u %U %g %H %%.
 * Pure functions: the caller supplies the values. */
#ifndef NSISO_TEMPLATE_H
#define NSISO_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

struct template_vars {
	const char *user;      /* %u: canonical name from NSS */
	const char *uid;       /* %U: decimal uid */
	const char *group;     /* %g: primary group name */
	const char *host;      /* %H: the host's own hostname */
};

/* Checks that every % is one of the known escapes. On error returns -1 and
 * sets *bad_offset to the offending '%' (0-based). */
int template_check(const char *tmpl, size_t *bad_offset);

/* True when the template uses a value that the user controls (%u %U %g). */
bool template_is_per_user(const char *tmpl);

/* Expands into out (NUL-terminated). Returns 0, or -1 with errno EINVAL (bad
 * escape) or ENAMETOOLONG (does not fit). */
int template_expand(const char *tmpl, const struct template_vars *vars,
		    char *out, size_t outlen);

/* RFC 1123 host name: labels of 1-63 letters, digits and '-', not starting
 * or ending with '-', dot-separated, at most 64 bytes in all. Returns NULL
 * when valid, else a static reason. */
const char *hostname_invalid_reason(const char *name);

#endif
