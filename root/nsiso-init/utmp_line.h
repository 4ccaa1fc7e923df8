/* The utmp line of a login's PAM_TTY (utmp_line.c; pure, unit-tested). */
#ifndef NSISO_UTMP_LINE_H
#define NSISO_UTMP_LINE_H

#include <stdbool.h>
#include <stddef.h>

/* The size of ut_line and ut_id in glibc's record. */
#define UTMP_LINE_SIZE 32
#define UTMP_ID_SIZE 4

/* Whether tty names a terminal, as login(1) and su set PAM_TTY
 * ("/dev/pts/3", "/dev/tty1", "pts/3", "tty1", "/dev/console"): then
 * line gets its name below /dev ("pts/3"; NUL-padded, not terminated
 * when it fills all 32 bytes) and id the last 4 bytes of that, as sshd
 * and login make ut_id. sshd's "ssh" (its PAM_TTY before the pty
 * exists), an X display (":0"), "" and a name with "..", odd bytes or
 * more than 32 bytes are not terminals: no record. */
bool utmp_line_of_tty(const char *tty, char line[UTMP_LINE_SIZE],
		      char id[UTMP_ID_SIZE]);

#endif
