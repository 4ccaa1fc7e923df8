/* Reading a PAM stack for pam_nsiso's place in it. pam_nsiso must be the
 * last session module: once the caller has joined the environment, later
 * modules would run inside it, where the caller has no /proc/self. */
#include "pam_stack.h"

#include <stdio.h>
#include <string.h>

#include "conffile.h"

/* True for a line that adds to the session stack: "session ..." or
 * "-session ...", or an @include (which may add session lines). */
static bool is_session_line(const char *line, bool *is_include)
{
	while (*line == ' ' || *line == '\t')
		line++;
	*is_include = strncmp(line, "@include", 8) == 0;
	if (*is_include)
		return true;
	if (*line == '-')
		line++;
	return strncmp(line, "session", 7) == 0 &&
	       (line[7] == ' ' || line[7] == '\t');
}

/* Copies the part of a line that Linux-PAM reads (up to the first '#')
 * into buf; the line must fit (len <= PAM_STACK_MAX_LINE). Returns
 * whether the line had a comment. */
static bool line_body(const char *line, size_t len, char *buf)
{
	const char *hash = memchr(line, '#', len);

	if (hash != NULL)
		len = (size_t)(hash - line);
	memcpy(buf, line, len);
	buf[len] = '\0';
	return hash != NULL;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r")] == '\0';
}

/* The length of s without trailing blanks. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

bool pam_line_is_marked(const char *line, size_t len)
{
	char body[PAM_STACK_MAX_LINE + 1];
	const char *hash = memchr(line, '#', len);
	char mark[PAM_STACK_MAX_LINE + 1];

	if (hash == NULL || len > PAM_STACK_MAX_LINE)
		return false;
	line_body(line, len, body);
	snprintf(mark, sizeof(mark), "%.*s", (int)(len - (size_t)(hash - line)), hash);
	mark[trimmed_len(mark)] = '\0';
	return strstr(body, "pam_nsiso.so") != NULL &&
	       strcmp(mark, NSISO_ENABLE_MARK) == 0;
}

static void set_bad(struct pam_stack_scan *out, unsigned n, const char *why)
{
	if (out->bad_line == 0) {
		out->bad_line = n;
		out->bad_why = why;
	}
}

void pam_stack_scan(const char *text, size_t len, struct pam_stack_scan *out)
{
	struct text_lines it;
	const char *line;
	size_t n;

	memset(out, 0, sizeof(*out));
	text_lines_init(&it, text, len);
	while (text_lines_next(&it, &line, &n)) {
		char body[PAM_STACK_MAX_LINE + 1];
		bool include, comment;

		if (n > PAM_STACK_MAX_LINE) {
			set_bad(out, it.n, "a line too long to parse (PAM reads at most 1023 bytes of one)");
			continue;
		}
		comment = line_body(line, n, body);
		if (is_blank(body))
			continue;
		/* PAM joins a line ending in a backslash with the next;
		 * read alone, either half could be taken for what it is
		 * not. */
		if (!comment && line[n - 1] == '\\')
			set_bad(out, it.n, "a line continued with a backslash (nsiso reads each line alone)");
		if (!is_session_line(body, &include))
			continue;
		if (!include && strstr(body, "pam_nsiso.so") != NULL) {
			out->nsiso_line = it.n;
			out->after_line = 0;
			if (pam_line_is_marked(line, n))
				out->n_marked++;
			else
				out->hand_line = it.n;
		} else if (out->nsiso_line != 0 && out->after_line == 0) {
			out->after_line = it.n;
			snprintf(out->after_text, sizeof(out->after_text), "%.*s",
				 (int)trimmed_len(body), body);
		}
	}
}

void pam_copy_header(const char *name, char *buf, size_t len)
{
	snprintf(buf, len,
		 "# Copied from %s/%s by nsiso enable (nsiso(8)); nsiso disable removes the copy.\n",
		 PAM_VENDOR_DIR, name);
}
