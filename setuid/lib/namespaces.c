/* The one table of namespaces (namespaces.h). */
#include "namespaces.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

/* Older C libraries' <sched.h> lack it (the kernel's value since 5.6). */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct nsiso_ns_info nsiso_ns_table[NSISO_NS_COUNT] = {
	{ "mount", NSISO_NS_MOUNT, CLONE_NEWNS, "mnt" },
	{ "uts", NSISO_NS_UTS, CLONE_NEWUTS, "uts" },
	{ "ipc", NSISO_NS_IPC, CLONE_NEWIPC, "ipc" },
	{ "pid", NSISO_NS_PID, CLONE_NEWPID, "pid" },
	{ "net", NSISO_NS_NET, CLONE_NEWNET, "net" },
	{ "cgroup", NSISO_NS_CGROUP, CLONE_NEWCGROUP, "cgroup" },
	{ "time", NSISO_NS_TIME, CLONE_NEWTIME, "time" },
	{ "user", NSISO_NS_USER, CLONE_NEWUSER, "user" },
};

const struct nsiso_ns_info *nsiso_ns_by_name(const char *name)
{
	for (size_t i = 0; i < NSISO_NS_COUNT; i++)
		if (strcmp(name, nsiso_ns_table[i].name) == 0)
			return &nsiso_ns_table[i];
	return NULL;
}

const struct nsiso_ns_info *nsiso_ns_by_bit(unsigned bit)
{
	for (size_t i = 0; i < NSISO_NS_COUNT; i++)
		if (bit == nsiso_ns_table[i].bit)
			return &nsiso_ns_table[i];
	return NULL;
}

int nsiso_ns_clone_flags(unsigned namespaces)
{
	int flags = 0;

	for (size_t i = 0; i < NSISO_NS_COUNT; i++)
		if (namespaces & nsiso_ns_table[i].bit)
			flags |= nsiso_ns_table[i].clone_flag;
	return flags;
}

int nsiso_ns_env_clone_flags(unsigned namespaces)
{
	return nsiso_ns_clone_flags(namespaces &
				    ~(unsigned)(NSISO_NS_TIME | NSISO_NS_USER));
}

void nsiso_ns_names(unsigned namespaces, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < NSISO_NS_COUNT; i++) {
		int n;

		if (!(namespaces & nsiso_ns_table[i].bit))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
			     nsiso_ns_table[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}
