#include "envlimits.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *key, *controller, *file, *property;
} names[N_LIMITS] = {
	[LIMIT_MEMORY] = { "memory_max", "memory", "memory.max", "MemoryMax" },
	[LIMIT_PIDS] = { "pids_max", "pids", "pids.max", "TasksMax" },
	[LIMIT_CPU_WEIGHT] = { "cpu_weight", "cpu", "cpu.weight", "CPUWeight" },
};

bool limits_any(const struct env_limits *l)
{
	for (int k = 0; k < N_LIMITS; k++)
		if (l->set[k])
			return true;
	return false;
}

const char *limit_key(enum limit_kind k)
{
	return names[k].key;
}

const char *limit_controller(enum limit_kind k)
{
	return names[k].controller;
}

const char *limit_cgroup_file(enum limit_kind k)
{
	return names[k].file;
}

const char *limit_systemd_property(enum limit_kind k)
{
	return names[k].property;
}

/* Digits only: no sign, no spaces, no hex (strtoull takes all three). */
static int parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -2;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int limit_parse(enum limit_kind k, const char *text, uint64_t *out,
		char *why, size_t whylen)
{
	size_t n = strlen(text);
	unsigned shift = 0;
	uint64_t v;
	int r;

	if (k != LIMIT_CPU_WEIGHT && strcmp(text, "max") == 0) {
		*out = LIMIT_UNLIMITED;
		return 0;
	}
	if (k == LIMIT_MEMORY && n > 0) {
		const char *suffixes = "KMGT";
		const char *s = strchr(suffixes, text[n - 1]);

		if (s != NULL) {
			shift = 10u * (unsigned)(s - suffixes + 1);
			n--;
		}
	}
	r = parse_digits(text, n, &v);
	if (r == -1) {
		snprintf(why, whylen, "expected %s, got '%s'",
			 k == LIMIT_MEMORY ? "bytes with an optional K, M, G or T suffix, or max"
			 : k == LIMIT_PIDS ? "a number of tasks or max"
					   : "a whole number from 1 to 10000",
			 text);
		return -1;
	}
	if (r == -2 || (shift != 0 && v > (UINT64_MAX >> shift))) {
		snprintf(why, whylen, "'%s' is too large", text);
		return -1;
	}
	v <<= shift;
	switch (k) {
	case LIMIT_MEMORY:
		if (v < LIMIT_MEMORY_MIN) {
			snprintf(why, whylen,
				 "'%s' is below %lluM, too little for a login to start",
				 text, LIMIT_MEMORY_MIN >> 20);
			return -1;
		}
		break;
	case LIMIT_PIDS:
		if (v < 1 || v > LIMIT_PIDS_MAX) {
			snprintf(why, whylen, "%s is out of range (1 to %llu, or max)",
				 text, LIMIT_PIDS_MAX);
			return -1;
		}
		break;
	case LIMIT_CPU_WEIGHT:
		if (v < 1 || v > LIMIT_CPU_WEIGHT_MAX) {
			snprintf(why, whylen, "%s is out of range (1 to %llu)",
				 text, LIMIT_CPU_WEIGHT_MAX);
			return -1;
		}
		break;
	case N_LIMITS:
		break;
	}
	*out = v;
	return 0;
}

uint64_t limit_default(enum limit_kind k)
{
	return k == LIMIT_CPU_WEIGHT ? 100 : LIMIT_UNLIMITED;
}

void limit_cgroup_value(enum limit_kind k, uint64_t v, char *buf, size_t len)
{
	(void)k;
	if (v == LIMIT_UNLIMITED)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

void limit_systemd_assignment(enum limit_kind k, uint64_t v, char *buf,
			      size_t len)
{
	if (v == LIMIT_UNLIMITED)
		snprintf(buf, len, "%s=infinity", names[k].property);
	else
		snprintf(buf, len, "%s=%" PRIu64, names[k].property, v);
}

void limit_human(enum limit_kind k, uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	unsigned u = 0;

	if (v == LIMIT_UNLIMITED) {
		snprintf(buf, len, "max");
		return;
	}
	if (k == LIMIT_MEMORY) {
		while (u < 4 && v != 0 && (v & 1023) == 0) {
			v >>= 10;
			u++;
		}
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, units[u - 1]);
}
