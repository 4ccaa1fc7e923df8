/* errno's text as glibc words it, in the static (musl) programs too.
 *
 * nsiso-helper and nsiso-init are linked with musl, whose strerror() says
 * "Symbolic link loop" for ELOOP, "Resource busy" for EBUSY and "No error
 * information" for EUSERS and forty more, where glibc, the module, the CLI
 * and every other program on the system say "Too many levels of symbolic
 * links", "Device or resource busy" and "Too many users". An admin
 * searching the log for glibc's words must find the builder's lines too:
 * the texts where the two differ are glibc's, below; the rest is musl's
 * own, which says the same. Built for musl only: with glibc,
 * errno_text() is strerror() (errmsg.h). */
#include "errmsg.h"

#include <errno.h>
#include <string.h>

#ifndef __GLIBC__
static const char *const glibc_text[] = {
	[EIO] = "Input/output error",
	[ECHILD] = "No child processes",
	[ENOMEM] = "Cannot allocate memory",
	[EBUSY] = "Device or resource busy",
	[EXDEV] = "Invalid cross-device link",
	[EMFILE] = "Too many open files",
	[ENOTTY] = "Inappropriate ioctl for device",
	[ESPIPE] = "Illegal seek",
	[EDOM] = "Numerical argument out of domain",
	[ERANGE] = "Numerical result out of range",
	[EDEADLK] = "Resource deadlock avoided",
	[ENAMETOOLONG] = "File name too long",
	[ELOOP] = "Too many levels of symbolic links",
	[ECHRNG] = "Channel number out of range",
	[EL2NSYNC] = "Level 2 not synchronized",
	[EL3HLT] = "Level 3 halted",
	[EL3RST] = "Level 3 reset",
	[ELNRNG] = "Link number out of range",
	[EUNATCH] = "Protocol driver not attached",
	[ENOCSI] = "No CSI structure available",
	[EL2HLT] = "Level 2 halted",
	[EBADE] = "Invalid exchange",
	[EBADR] = "Invalid request descriptor",
	[EXFULL] = "Exchange full",
	[ENOANO] = "No anode",
	[EBADRQC] = "Invalid request code",
	[EBADSLT] = "Invalid slot",
	[EBFONT] = "Bad font file format",
	[ETIME] = "Timer expired",
	[ENONET] = "Machine is not on the network",
	[ENOPKG] = "Package not installed",
	[EREMOTE] = "Object is remote",
	[EADV] = "Advertise error",
	[ESRMNT] = "Srmount error",
	[ECOMM] = "Communication error on send",
	[EDOTDOT] = "RFS specific error",
	[EOVERFLOW] = "Value too large for defined data type",
	[ENOTUNIQ] = "Name not unique on network",
	[EREMCHG] = "Remote address changed",
	[ELIBACC] = "Can not access a needed shared library",
	[ELIBBAD] = "Accessing a corrupted shared library",
	[ELIBSCN] = ".lib section in a.out corrupted",
	[ELIBMAX] = "Attempting to link in too many shared libraries",
	[ELIBEXEC] = "Cannot exec a shared library directly",
	[EILSEQ] = "Invalid or incomplete multibyte or wide character",
	[ERESTART] = "Interrupted system call should be restarted",
	[ESTRPIPE] = "Streams pipe error",
	[EUSERS] = "Too many users",
	[ENOTSOCK] = "Socket operation on non-socket",
	[EMSGSIZE] = "Message too long",
	[ENOTSUP] = "Operation not supported",
	[EADDRINUSE] = "Address already in use",
	[EADDRNOTAVAIL] = "Cannot assign requested address",
	[ENETUNREACH] = "Network is unreachable",
	[ENETRESET] = "Network dropped connection on reset",
	[ECONNABORTED] = "Software caused connection abort",
	[EISCONN] = "Transport endpoint is already connected",
	[ENOTCONN] = "Transport endpoint is not connected",
	[ESHUTDOWN] = "Cannot send after transport endpoint shutdown",
	[ETOOMANYREFS] = "Too many references: cannot splice",
	[ETIMEDOUT] = "Connection timed out",
	[EHOSTUNREACH] = "No route to host",
	[EINPROGRESS] = "Operation now in progress",
	[EUCLEAN] = "Structure needs cleaning",
	[ENOTNAM] = "Not a XENIX named type file",
	[ENAVAIL] = "No XENIX semaphores available",
	[EISNAM] = "Is a named type file",
	[EDQUOT] = "Disk quota exceeded",
	[EOWNERDEAD] = "Owner died",
	[ERFKILL] = "Operation not possible due to RF-kill",
	[EHWPOISON] = "Memory page has hardware error",
};

const char *errno_text(int errnum)
{
	if (errnum > 0 && (size_t)errnum < sizeof(glibc_text) / sizeof(glibc_text[0]) &&
	    glibc_text[errnum] != NULL)
		return glibc_text[errnum];
	return strerror(errnum);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int nsiso_errno_text_is_strerror;
#endif
