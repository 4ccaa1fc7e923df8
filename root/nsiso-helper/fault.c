#include "fault.h"

#ifdef NSISO_TEST_FAULTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fault_step[64];
static int setup_timeout_ms;

void fault_init(void)
{
	const char *s = getenv("NSISO_FAULT");
	const char *t = getenv("NSISO_FAULT_SETUP_TIMEOUT_MS");

	if (s != NULL && strlen(s) < sizeof(fault_step))
		strcpy(fault_step, s);
	if (t != NULL)
		setup_timeout_ms = atoi(t);
}

int fault_setup_timeout_ms(int dflt)
{
	return setup_timeout_ms > 0 ? setup_timeout_ms : dflt;
}

void fault_point(const char *step)
{
	if (fault_step[0] != '\0' && strcmp(step, fault_step) == 0) {
		raise(SIGKILL);
		/* PID 1 of a PID namespace ignores signals from inside it,
		 * its own included: die just as abruptly. */
		_exit(137);
	}
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int nsiso_no_faults;
#endif
