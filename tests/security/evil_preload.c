/* A library an attacker preloads into a setuid program: if the dynamic
 * loader ever honoured it there, its constructor would leave a marker
 * named after the effective uid it ran with. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#ifndef MARK_DIR
#define MARK_DIR "/nonexistent"
#endif

__attribute__((constructor)) static void evil(void)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/pwned-%u", MARK_DIR, (unsigned)geteuid());
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}
