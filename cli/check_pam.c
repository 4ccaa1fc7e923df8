/* nsiso check --pam: pam_nsiso's place in each service's session stack.
 * It must be the last session module (later modules would run inside the
 * environment, where the caller has no /proc/self) and must not sit in
 * common-session (every service, cron and systemd --user included, would
 * be isolated, and it could not be last anywhere). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define PAM_DIR "/etc/pam.d"

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

static int check_service(const char *name)
{
	char path[512], line[1024], last_other[1024] = "";
	unsigned n = 0, nsiso_line = 0, after = 0;
	int problems = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", PAM_DIR, name);
	f = fopen(path, "re");
	if (f == NULL)
		return 0; /* vanished while listed: nothing to check */
	while (fgets(line, sizeof(line), f) != NULL) {
		bool include;

		n++;
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " \t")] == '#' ||
		    !is_session_line(line, &include))
			continue;
		if (!include && strstr(line, "pam_nsiso.so") != NULL) {
			nsiso_line = n;
			after = 0;
		} else if (nsiso_line != 0 && after == 0) {
			after = n;
			snprintf(last_other, sizeof(last_other), "%s", line);
		}
	}
	fclose(f);
	if (nsiso_line == 0)
		return 0;
	if (strncmp(name, "common-session", 14) == 0) {
		printf("%s:%u: pam_nsiso belongs at the end of each service's stack (sshd, login, su-l ...), not in %s\n",
		       path, nsiso_line, name);
		problems++;
	}
	if (after != 0) {
		printf("%s:%u: pam_nsiso is not the last session module: line %u ('%s') runs after it, inside the environment\n",
		       path, nsiso_line, after, last_other);
		problems++;
	}
	return problems;
}

int check_pam_stacks(void)
{
	struct dirent *de;
	int problems = 0;
	DIR *d = opendir(PAM_DIR);

	if (d == NULL) {
		printf("%s: cannot read\n", PAM_DIR);
		return 1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			problems += check_service(de->d_name);
	closedir(d);
	return problems;
}
