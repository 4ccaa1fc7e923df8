/* nsiso-enter: a user enters their own live environment (from cron, tmux
 * or a systemd --user service, whose processes are not in it), and
 * user@.service's main process runs the user's manager in it. Installed
 * setuid root (doc/DESIGN.md, "Privilege"): joining namespaces needs
 * CAP_SYS_ADMIN. It acts for the real uid only, takes no user, path or
 * namespace from anywhere, never builds an environment (the policy
 * decides that at login, through nsiso-helper, which is root's alone)
 * and parses no policy file (the manager asks nsiso-helper digest).
 *
 *   nsiso-enter [-- COMMAND [ARG...]]
 *   nsiso-enter manager     (user@.service's ExecStart, nsiso enable)
 *
 * Failures print "nsiso-enter: reason" and exit 1; bad usage exits 2. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enter.h"
#include "errmsg.h"
#include "sanitize.h"

static int usage(void)
{
	fprintf(stderr, "usage: nsiso-enter [-- COMMAND [ARG...]]\n"
			"       nsiso-enter manager\n");
	return 2;
}

/* TERM survives the sanitizer only if it looks like a terminal name: it
 * is handed to the user's own shell, never used by us. */
static const char *saved_term(void)
{
	static char term[64];
	const char *t = getenv("TERM");

	if (t == NULL || strlen(t) >= sizeof(term) || *t == '\0' ||
	    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+") != strlen(t))
		return NULL;
	memcpy(term, t, strlen(t) + 1);
	return term;
}

int main(int argc, char **argv)
{
	bool manager = argc == 2 && strcmp(argv[1], "manager") == 0;
	const char *term = manager ? NULL : saved_term();
	struct caller_state caller;

	if (manager)
		manager_save_environment(); /* before the sanitizer clears it */
	sanitize_start("nsiso-enter", &caller, SANITIZE_FORGET);
	helper_log_setup("nsiso-enter", false);
	if (manager)
		return run_user_manager();
	/* Exactly nothing, or "-- COMMAND...": nothing else. */
	if (argc == 1)
		return enter_own_environment(NULL, term, &caller.core);
	if (argc >= 3 && strcmp(argv[1], "--") == 0)
		return enter_own_environment(argv + 2, term, &caller.core);
	return usage();
}
