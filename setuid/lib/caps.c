#include "caps.h"

#include <sys/syscall.h>
#include <unistd.h>

/* Version 3: two 32-bit halves of each set. */
typedef struct __user_cap_data_struct cap_halves[_LINUX_CAPABILITY_U32S_3];

int caps_get(struct cap_sets *s)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	cap_halves d;

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	s->effective = d[0].effective | (uint64_t)d[1].effective << 32;
	s->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	s->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int caps_set(const struct cap_sets *s)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	cap_halves d = {
		{ (uint32_t)s->effective, (uint32_t)s->permitted, (uint32_t)s->inheritable },
		{ (uint32_t)(s->effective >> 32), (uint32_t)(s->permitted >> 32),
		  (uint32_t)(s->inheritable >> 32) },
	};

	return syscall(SYS_capset, &h, d) < 0 ? -1 : 0;
}
