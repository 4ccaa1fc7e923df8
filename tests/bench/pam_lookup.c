/* pam_lookup.so: a session module that does only what any module must do
 * before it can act for a user: get PAM_USER and look the user up through
 * NSS (getpwnam_r). The bench times a pamtester login through it as the
 * least a session module that needs the user's uid adds over pam_permit
 * (its dlopen and NSS's start-up included), next to pam_nsiso's join. */
#include <pwd.h>
#include <stddef.h>
#include <security/pam_modules.h>

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
			const char **argv);
int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
			 const char **argv);

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
			const char **argv)
{
	const char *name = NULL;
	struct passwd pw, *found = NULL;
	char buf[4096];

	(void)flags;
	(void)argc;
	(void)argv;
	if (pam_get_user(pamh, &name, NULL) != PAM_SUCCESS || name == NULL)
		return PAM_SESSION_ERR;
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) != 0 || found == NULL)
		return PAM_SESSION_ERR;
	return PAM_SUCCESS;
}

int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
			 const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
