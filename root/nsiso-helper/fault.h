/* Fault points for the reliability tests: compiled only into the test
 * build (make faults, -DNSISO_TEST_FAULTS). At a named step the process
 * that reaches it kills itself with SIGKILL, as a crash or an OOM kill
 * would, so the tests can prove that nothing is left half-built. */
#ifndef NSISO_FAULT_H
#define NSISO_FAULT_H

#ifdef NSISO_TEST_FAULTS
/* Reads NSISO_FAULT (the step's name) before the environment is cleared. */
void fault_init(void);
void fault_point(const char *step);
/* The set-up's deadline: NSISO_FAULT_SETUP_TIMEOUT_MS when set, so the
 * tests can reach it in a second; dflt otherwise and in every real build. */
int fault_setup_timeout_ms(int dflt);
#else
static inline void fault_init(void)
{
}
static inline void fault_point(const char *step)
{
	(void)step;
}
static inline int fault_setup_timeout_ms(int dflt)
{
	return dflt;
}
#endif

#endif
