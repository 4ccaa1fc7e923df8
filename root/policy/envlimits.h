/* An environment's resource limits (memory_max, pids_max, cpu_weight):
 * the policy's spelling, and the two spellings they are applied in, the
 * cgroup v2 interface files and systemd's unit properties. Pure. */
#ifndef NSISO_ENVLIMITS_H
#define NSISO_ENVLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum limit_kind {
	LIMIT_MEMORY,     /* memory_max: bytes */
	LIMIT_PIDS,       /* pids_max: tasks */
	LIMIT_CPU_WEIGHT, /* cpu_weight: 1..10000, the kernel's default 100 */
	N_LIMITS
};

/* "max" in the policy: no limit (memory_max, pids_max only). */
#define LIMIT_UNLIMITED UINT64_MAX

struct env_limits {
	bool set[N_LIMITS];
	uint64_t value[N_LIMITS];
};

/* Lowest memory_max accepted: below it not even a login shell starts, and
 * the session would die of the OOM killer rather than be refused. */
#define LIMIT_MEMORY_MIN (8ull << 20)
#define LIMIT_PIDS_MAX 4194304ull /* the kernel's PID_MAX_LIMIT */
#define LIMIT_CPU_WEIGHT_MAX 10000ull

/* Whether any limit is set. */
bool limits_any(const struct env_limits *l);

const char *limit_key(enum limit_kind k);        /* "memory_max" */
const char *limit_controller(enum limit_kind k); /* "memory" */
const char *limit_cgroup_file(enum limit_kind k); /* "memory.max" */
const char *limit_systemd_property(enum limit_kind k); /* "MemoryMax" */

/* Parses a policy value: memory_max "N[K|M|G|T]" (powers of 1024) or
 * "max"; pids_max "N" or "max"; cpu_weight "N". Returns 0, or -1 with the
 * reason (without the key) in why. */
int limit_parse(enum limit_kind k, const char *text, uint64_t *out,
		char *why, size_t whylen);

/* What the cgroup file takes ("max", "268435456", "100"). */
void limit_cgroup_value(enum limit_kind k, uint64_t v, char *buf, size_t len);
/* The kernel's own default, written where the policy sets no limit. */
uint64_t limit_default(enum limit_kind k);
/* "MemoryMax=268435456", "TasksMax=infinity", "CPUWeight=50". */
void limit_systemd_assignment(enum limit_kind k, uint64_t v, char *buf,
			      size_t len);
/* For messages: "256M", "max", "50". */
void limit_human(enum limit_kind k, uint64_t v, char *buf, size_t len);

#endif
