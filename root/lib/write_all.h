/* Writing a whole buffer to an fd: the helper's copy of /etc/hosts
 * (root/nsiso-helper/hosts.c), the CLI's configuration files
 * (root/nsiso/conffile.c), the module's plan for the helper
 * (root/pam_nsiso/run_helper.c) and nsiso-resolve's. */
#ifndef NSISO_WRITE_ALL_H
#define NSISO_WRITE_ALL_H

#include <stddef.h>

/* Writes len bytes of text to fd, again after a short write or EINTR.
 * Returns 0, or -1 with errno set by write(); the caller names the file. */
int write_all(int fd, const char *text, size_t len);

#endif
