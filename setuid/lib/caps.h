/* The calling thread's capability sets through capget(2) and capset(2),
 * without libcap: the setuid programs and the PAM module (loaded into
 * every sshd, su and login) read and write three 64-bit sets and load no
 * library for it (issue 16). The CAP_* numbers are linux/capability.h's. */
#ifndef NSISO_CAPS_H
#define NSISO_CAPS_H

#include <linux/capability.h>
#include <stdint.h>

#define CAP_BIT(c) (UINT64_C(1) << (c))

struct cap_sets {
	uint64_t effective, permitted, inheritable;
};

/* 0, or -1 with errno. Like libcap's cap_get_proc and cap_set_proc, they
 * act on the calling thread only. */
int caps_get(struct cap_sets *s);
int caps_set(const struct cap_sets *s);

#endif
