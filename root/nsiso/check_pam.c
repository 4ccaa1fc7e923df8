/* nsiso check --pam: pam_nsiso's place in each service's session stack,
 * and which of the host's entry paths are covered.
 *
 * pam_nsiso must be the last session module (later modules would run
 * inside the environment, where the caller has no /proc/self) and must not
 * sit in common-session (every service, cron and systemd --user included,
 * would be isolated, and it could not be last anywhere). An entry path
 * nsiso enable covers that is not covered is a problem while the policy
 * isolates anyone: that user's processes start on the host by it. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "conffile.h"
#include "entry_paths.h"
#include "pam_stack.h"

static int check_placement(const char *name)
{
	struct pam_stack_scan sc;
	struct conf_file cf;
	struct nsiso_err err = { "" };
	int problems = 0;

	/* Vanished while listed, unreadable, not a file: nothing to place. */
	if (conf_file_read(PAM_ETC_DIR, name, true, &cf, &err) != 0)
		return 0;
	pam_stack_scan(cf.text, cf.len, &sc);
	conf_file_free(&cf);
	if (sc.nsiso_line == 0)
		return 0;
	if (strncmp(name, "common-session", 14) == 0) {
		printf("%s/%s:%u: pam_nsiso belongs at the end of each service's stack (sshd, login, su-l ...), not in %s\n",
		       PAM_ETC_DIR, name, sc.nsiso_line, name);
		problems++;
	}
	if (sc.after_line != 0) {
		printf("%s/%s:%u: pam_nsiso is not the last session module: line %u ('%s') runs after it, inside the environment\n",
		       PAM_ETC_DIR, name, sc.nsiso_line, sc.after_line, sc.after_text);
		problems++;
	}
	return problems;
}

static int check_all_placements(void)
{
	struct dirent *de;
	int problems = 0;
	DIR *d = opendir(PAM_ETC_DIR);

	if (d == NULL) {
		printf("%s: cannot read\n", PAM_ETC_DIR);
		return 1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			problems += check_placement(de->d_name);
	closedir(d);
	return problems;
}

static void print_entry_status(const struct entry_path *e, const struct entry_status *st)
{
	printf("  %-15s %s%s%s\n", e->name, st->word, st->detail[0] ? ": " : "",
	       st->detail);
}

/* One line per entry path; the names of those nsiso enable would cover
 * and that are not covered go to uncovered. Returns how many. */
static int report_entry_paths(char *uncovered, size_t len, bool *manager_covered)
{
	int n = 0;

	printf("entry paths of this host (nsiso(8), ENTRY PATHS):\n");
	uncovered[0] = '\0';
	for (size_t i = 0; i < n_entry_paths; i++) {
		const struct entry_path *e = &entry_paths[i];
		struct entry_status st;
		size_t used = strlen(uncovered);

		entry_path_status(e, &st);
		print_entry_status(e, &st);
		if (e->how == ENTRY_MANAGER)
			*manager_covered = st.state == ENTRY_COVERED;
		if (e->how == ENTRY_NAMED || st.state != ENTRY_NOT_COVERED)
			continue;
		snprintf(uncovered + used, len - used, "%s%s", n ? ", " : "", e->name);
		n++;
	}
	return n;
}

int check_pam_stacks(const char *policy_dir, const char *isolating)
{
	char uncovered[256];
	bool manager_covered = false;
	int problems = check_all_placements();
	int n = report_entry_paths(uncovered, sizeof(uncovered), &manager_covered);

	/* Covered for managers started from now on; one that runs already
	 * stays where it started. */
	if (manager_covered)
		report_managers_outside(policy_dir, "warning: ");
	if (n == 0)
		return problems;
	if (isolating == NULL) {
		printf("not covered: %s (nobody is isolated, so this is no problem yet; nsiso enable covers them)\n",
		       uncovered);
		return problems;
	}
	printf("%s, and %s %s not covered: the processes a user starts that way run on the host (nsiso enable covers %s)\n",
	       isolating, uncovered, n == 1 ? "is" : "are", n == 1 ? "it" : "them");
	return problems + n;
}
