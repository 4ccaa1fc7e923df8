/* The policy parser: "key = value" lines, '#' comments, blank lines.
 *
 * Every key is one row of key_table (below): its handler, its value's
 * word count and bounds, the files it may appear in, the namespace it
 * needs and its whole-file rule. The code above the table reads values,
 * the code below it applies the rows: a new key is a row, a handler and
 * the code that uses the value.
 *
 * Every error names the line (and column where it helps). Validation that
 * needs the whole file (a key whose namespace is missing) runs after the
 * last line and still names the offending key's line (struct policy's
 * line[], which every consumer reads too). */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "namespaces.h"
#include "paths.h"
#include "template.h"

/* linux/capability.h, by number; the names libcap and capabilities(7)
 * use. */
static const char *const cap_table[POLICY_CAP_COUNT] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search",
	"cap_fowner", "cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid",
	"cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
	"cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock",
	"cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
	"cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot",
	"cap_sys_nice", "cap_sys_resource", "cap_sys_time",
	"cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write",
	"cap_audit_control", "cap_setfcap", "cap_mac_override",
	"cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend",
	"cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
};

/* The most words a line may hold: every capability. */
#define MAX_WORDS POLICY_CAP_COUNT

struct parser {
	const char *text;
	size_t len;
	enum policy_kind kind;
	struct policy *out;
	struct policy_error *err;
	unsigned line;
};

struct key_row;

/* Reads a key's words w[0..n-1] (columns in c) into ps->out. */
typedef int key_parse_fn(struct parser *ps, const struct key_row *row,
			 char **w, unsigned *c, size_t n);
/* A whole-file rule of a key the file gives: a value it needs from
 * another key. */
typedef int key_rule_fn(struct parser *ps);

/* The C type of the field a generic handler stores in; picked by
 * VALUE_TYPE from the field itself, so a row cannot name the wrong one. */
enum value_type { VALUE_BOOL, VALUE_UNSIGNED, VALUE_INT, VALUE_LONG };
#define VALUE_TYPE(field)                                                   \
	_Generic(((struct policy *)0)->field, bool: VALUE_BOOL,             \
		 unsigned: VALUE_UNSIGNED, int: VALUE_INT, long: VALUE_LONG)

/* Bit of an enum policy_kind, for only_in and required_in. */
#define KIND(k) (1u << (k))

/* One key of a policy file: everything the parser knows about it apart
 * from its handler's code. (Ordered by size, for the padding.) */
struct key_row {
	const char *name;
	key_parse_fn *parse;
	/* The refusal in a file kind not in only_in, after "KEY: ". */
	const char *wrong_file;
	/* The refusal when a file kind in required_in does not give it. */
	const char *missing;
	/* Its whole-file rule, run when the file gives the key. */
	key_rule_fn *rule;
	/* For the generic handlers: where they store (offsetof), and the
	 * bounds of a number. */
	size_t store;
	long min, max;
	/* Words read; one more is "too many values". */
	unsigned max_words;
	/* KIND() bits of the files it may appear in (0: all), and of the
	 * files that must give it. */
	unsigned only_in;
	unsigned required_in;
	/* The enum nsiso_ns bit it needs when the policy isolates: "KEY
	 * needs 'NS' in namespaces". */
	unsigned needs;
	/* The type of the generic handlers' field. */
	enum value_type type;
	/* The enum mount_kind or enum limit_kind of a shared handler. */
	int arg;
	/* Anything but exactly one word is "expected one value". */
	bool one_value;
	/* A mount line: may be given again; any other key only once. */
	bool repeatable;
	/* Its "needs" is one rule with the row above's (same bit): the
	 * first of their lines in the file is named. */
	bool same_rule;
};

__attribute__((format(printf, 3, 4))) static int
fail(struct parser *ps, unsigned col, const char *fmt, ...)
{
	va_list ap;

	ps->err->line = ps->line;
	ps->err->col = col;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits value into whitespace-separated words, in place. Returns the count
 * (at most max); *cols gets each word's 1-based column. More than max words
 * is reported as max + 1, with cols[max] the first extra word's column so
 * the error points at a word that is too many (cols has max + 1 slots). */
static size_t split_words(char *value, unsigned value_col, char **words,
			  unsigned *cols, size_t max)
{
	size_t n = 0;
	char *p = value;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return n;
		if (n == max) {
			cols[max] = value_col + (unsigned)(p - value);
			return max + 1;
		}
		words[n] = p;
		cols[n] = value_col + (unsigned)(p - value);
		n++;
		while (*p != '\0' && !is_blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

static int parse_bool(struct parser *ps, const char *key, const char *v,
		      unsigned col, bool *out)
{
	if (strcmp(v, "yes") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "no") == 0) {
		*out = false;
		return 0;
	}
	return fail(ps, col, "%s: expected yes or no, got '%s'", key, v);
}

/* Strict decimal: digits only (a leading '-' where allowed), no spaces, no
 * "+", no hex, within [min, max]. */
static int parse_long(struct parser *ps, const char *key, const char *v,
		      unsigned col, long min, long max, long *out)
{
	const char *digits = v[0] == '-' ? v + 1 : v;
	char *end;
	long n;

	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return fail(ps, col, "%s: expected a whole number, got '%s'",
			    key, v);
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno == ERANGE || n < min || n > max)
		return fail(ps, col, "%s: %s is out of range (%ld to %ld)",
			    key, v, min, max);
	*out = n;
	return 0;
}

static int check_path(struct parser *ps, const char *key, const char *path,
		      unsigned col)
{
	const char *why = path_abnormal_reason(path);
	size_t bad;

	if (why != NULL)
		return fail(ps, col, "%s: '%s': %s", key, path, why);
	if (template_check(path, &bad) < 0)
		return fail(ps, col + (unsigned)bad,
			    "%s: '%s': unknown template escape (use %%u %%U %%g %%H or %%%%)",
			    key, path);
	return 0;
}

/* Target checks that can be made before expansion. Expanded targets are
 * checked again at build time (a template never yields a '/'). */
static int check_target(struct parser *ps, const char *key, const char *path,
			unsigned col)
{
	const char *why;

	if (check_path(ps, key, path, col) < 0)
		return -1;
	why = path_forbidden_target_reason(path);
	if (why != NULL)
		return fail(ps, col, "%s: may not mount on '%s': %s", key, path,
			    why);
	return 0;
}

static int add_mount(struct parser *ps, const struct policy_mount *m)
{
	struct policy *p = ps->out;
	struct policy_mount *grown;

	if (p->n_mounts == POLICY_MAX_MOUNTS)
		return fail(ps, 1, "too many mount lines (at most %d)",
			    POLICY_MAX_MOUNTS);
	grown = realloc(p->mounts, (p->n_mounts + 1) * sizeof(*grown));
	if (grown == NULL)
		return fail(ps, 0, "out of memory");
	p->mounts = grown;
	p->mounts[p->n_mounts++] = *m;
	return 0;
}

static char *dup_or_fail(struct parser *ps, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		fail(ps, 0, "out of memory");
	return d;
}

/* tmpfs options: a comma list of size=, nr_inodes= and mode= only. Other
 * tmpfs options (uid=, gid=, huge=) would let a policy typo hand a
 * directory to the wrong owner, so they are refused rather than passed. */
static int check_tmpfs_options(struct parser *ps, const char *opts,
			       unsigned col)
{
	const char *p = opts;
	unsigned seen = 0; /* bit per option: each may be given once */

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		size_t klen = eq ? (size_t)(eq - p) : n;
		const char *val = eq ? eq + 1 : NULL;
		size_t vlen = eq ? n - klen - 1 : 0;
		unsigned c = col + (unsigned)(p - opts);

		if (val == NULL || vlen == 0)
			return fail(ps, c, "tmpfs: option '%.*s' needs a value",
				    (int)n, p);
		{
			/* The kernel applies the last of repeated options, a
			 * safety check would read the first: refuse repeats. */
			unsigned bit = klen == 4 && strncmp(p, "size", 4) == 0 ? 1u
				     : klen == 9 && strncmp(p, "nr_inodes", 9) == 0 ? 2u
				     : klen == 4 && strncmp(p, "mode", 4) == 0 ? 4u
										: 0u;
			if (bit != 0 && (seen & bit))
				return fail(ps, c, "tmpfs: option '%.*s' is given twice",
					    (int)klen, p);
			seen |= bit;
		}
		if (klen == 4 && strncmp(p, "size", 4) == 0) {
			size_t d = strspn(val, "0123456789");
			if (d == 0 || d > 12 ||
			    (vlen != d &&
			     (vlen != d + 1 || strchr("kmg%", val[d]) == NULL)))
				return fail(ps, c,
					    "tmpfs: size '%.*s' is not a number with an optional k, m, g or %% suffix",
					    (int)vlen, val);
			/* For tmpfs 0 means "no limit": a user could fill RAM. */
			if (strspn(val, "0") == d)
				return fail(ps, c,
					    "tmpfs: size 0 would mean no limit; give a size");
		} else if (klen == 9 && strncmp(p, "nr_inodes", 9) == 0) {
			size_t d = strspn(val, "0123456789");
			if (d != vlen || d > 12)
				return fail(ps, c,
					    "tmpfs: nr_inodes '%.*s' is not a number",
					    (int)vlen, val);
			if (strspn(val, "0") == d)
				return fail(ps, c,
					    "tmpfs: nr_inodes 0 would mean no limit; give a number");
		} else if (klen == 4 && strncmp(p, "mode", 4) == 0) {
			if (vlen > 4 || strspn(val, "01234567") != vlen)
				return fail(ps, c,
					    "tmpfs: mode '%.*s' is not an octal mode like 1777",
					    (int)vlen, val);
		} else {
			return fail(ps, c,
				    "tmpfs: unknown option '%.*s' (size, nr_inodes and mode are allowed)",
				    (int)klen, p);
		}
		p += n;
		if (*p == ',') {
			p++;
			if (*p == '\0')
				return fail(ps, col + (unsigned)(p - opts),
					    "tmpfs: options end with ','");
		}
	}
	return 0;
}

bool policy_tmpfs_user_writable(const char *options)
{
	const char *m = NULL, *p = options;
	unsigned long mode;

	/* The kernel applies the last "mode=" option: so do we (the parser
	 * refuses repeats, this keeps the check right regardless). */
	while (p != NULL && (p = strstr(p, "mode=")) != NULL) {
		if (p == options || p[-1] == ',')
			m = p;
		p += 5;
	}
	if (m == NULL)
		return true; /* the default, 1777 */
	mode = strtoul(m + 5, NULL, 8);
	return (mode & 022) != 0;
}

static int key_tmpfs(struct parser *ps, const struct key_row *row, char **w,
		     unsigned *c, size_t n)
{
	struct policy_mount m = { .kind = MOUNT_TMPFS, .line = ps->line };

	(void)row;
	if (n < 1 || n > 2)
		return fail(ps, n ? c[0] : 0,
			    "tmpfs: expected PATH [OPTIONS]");
	if (check_target(ps, "tmpfs", w[0], c[0]) < 0)
		return -1;
	if (n == 2 && check_tmpfs_options(ps, w[1], c[1]) < 0)
		return -1;
	/* A tmpfs others may write is a user-writable source: over a tree
	 * that setuid programs read (su reads /etc/pam.d) it is a root
	 * exploit, exactly like a user-owned bind source. */
	if (path_is_setuid_sensitive(w[0]) &&
	    policy_tmpfs_user_writable(n == 2 ? w[1] : NULL))
		return fail(ps, c[0],
			    "tmpfs: '%s' is read by setuid programs: give a mode= without group or other write (e.g. mode=0755)",
			    w[0]);
	m.target = dup_or_fail(ps, w[0]);
	if (m.target == NULL)
		return -1;
	if (n == 2) {
		m.options = dup_or_fail(ps, w[1]);
		if (m.options == NULL) {
			free(m.target);
			return -1;
		}
	}
	if (add_mount(ps, &m) < 0) {
		free(m.target);
		free(m.options);
		return -1;
	}
	/* The strings now belong to p->mounts (add_mount copied m). */
	return 0; // NOLINT(clang-analyzer-unix.Malloc)
}

static int key_bind(struct parser *ps, const struct key_row *row, char **w,
		    unsigned *c, size_t n)
{
	struct policy_mount m = { .kind = MOUNT_BIND, .line = ps->line };

	(void)row;
	if (n < 2 || n > 3)
		return fail(ps, n ? c[0] : 0, "bind: expected SRC DST [ro]");
	if (n == 3) {
		if (strcmp(w[2], "ro") != 0)
			return fail(ps, c[2],
				    "bind: unknown flag '%s' (only 'ro')", w[2]);
		m.readonly = true;
	}
	if (check_path(ps, "bind", w[0], c[0]) < 0 ||
	    check_target(ps, "bind", w[1], c[1]) < 0)
		return -1;
	/* A source the user names through a template is one the user can
	 * fill; over a tree that setuid programs read it is a root exploit
	 * (doc/DESIGN.md, "Mount safety"). Sources without templates are
	 * checked for ownership when the environment is built. */
	if (template_is_per_user(w[0]) && path_is_setuid_sensitive(w[1]))
		return fail(ps, c[1],
			    "bind: a per-user source ('%s') may not cover '%s', which setuid programs read",
			    w[0], w[1]);
	m.source = dup_or_fail(ps, w[0]);
	m.target = m.source ? dup_or_fail(ps, w[1]) : NULL;
	if (m.target == NULL || add_mount(ps, &m) < 0) {
		free(m.source);
		free(m.target);
		return -1;
	}
	/* The strings now belong to p->mounts (add_mount copied m). */
	return 0; // NOLINT(clang-analyzer-unix.Malloc)
}

/* readonly = PATH, hide = PATH: row->arg is the enum mount_kind. */
static int key_path_only(struct parser *ps, const struct key_row *row,
			 char **w, unsigned *c, size_t n)
{
	struct policy_mount m = { .kind = (enum mount_kind)row->arg,
				  .line = ps->line };

	if (n != 1)
		return fail(ps, n ? c[0] : 0, "%s: expected one PATH",
			    row->name);
	if (check_target(ps, row->name, w[0], c[0]) < 0)
		return -1;
	m.target = dup_or_fail(ps, w[0]);
	if (m.target == NULL || add_mount(ps, &m) < 0) {
		free(m.target);
		return -1;
	}
	/* The string now belongs to p->mounts (add_mount copied m). */
	return 0; // NOLINT(clang-analyzer-unix.Malloc)
}

static int key_namespaces(struct parser *ps, const struct key_row *row,
			  char **w, unsigned *c, size_t n)
{
	unsigned bits = 0;

	(void)row;
	for (size_t i = 0; i < n; i++) {
		const struct nsiso_ns_info *ns = nsiso_ns_by_name(w[i]);

		if (ns == NULL) {
			char known[64];

			nsiso_ns_names(~0u, known, sizeof(known));
			return fail(ps, c[i],
				    "namespaces: unknown namespace '%s' (known: %s)",
				    w[i], known);
		}
		if (bits & ns->bit)
			return fail(ps, c[i], "namespaces: '%s' is listed twice",
				    w[i]);
		bits |= ns->bit;
	}
	if (bits == 0)
		return fail(ps, 0,
			    "namespaces: empty list (use 'isolate = no' to leave users alone)");
	ps->out->namespaces = bits;
	return 0;
}

static int key_hostname(struct parser *ps, const struct key_row *row,
			char **w, unsigned *c, size_t n)
{
	size_t bad;

	(void)row;
	if (n != 1)
		return fail(ps, n ? c[1] : 0, "hostname: expected one TEMPLATE");
	if (template_check(w[0], &bad) < 0)
		return fail(ps, c[0] + (unsigned)bad,
			    "hostname: unknown template escape (use %%u %%U %%g %%H or %%%%)");
	/* Without escapes the name is final and can be validated now. */
	if (strchr(w[0], '%') == NULL) {
		const char *why = hostname_invalid_reason(w[0]);
		if (why != NULL)
			return fail(ps, c[0], "hostname: '%s': %s", w[0], why);
	}
	ps->out->hostname = dup_or_fail(ps, w[0]);
	return ps->out->hostname == NULL ? -1 : 0;
}

/* An interface name the kernel accepts: 1-15 bytes, no '/', ':' or
 * whitespace, not "." or "..". */
static bool ifname_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 16 && strpbrk(name, "/: \t") == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int parse_ipv4(struct parser *ps, const char *what, const char *text,
		      unsigned col, unsigned char out[4])
{
	if (inet_pton(AF_INET, text, out) != 1)
		return fail(ps, col, "network: %s '%s' is not an IPv4 address",
			    what, text);
	return 0;
}

static uint32_t ip4_u32(const unsigned char a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

static int key_network_veth(struct parser *ps, char **w, unsigned *c, size_t n)
{
	struct policy_network *net = &ps->out->network;
	char addr[32], *slash;
	long prefix = 0;
	uint32_t mask;

	if (n < 3 || n > 4)
		return fail(ps, c[0],
			    "network: expected veth BRIDGE ADDRESS/PREFIX [GATEWAY]");
	if (!ifname_ok(w[1]))
		return fail(ps, c[1], "network: '%s' is not an interface name",
			    w[1]);
	slash = strchr(w[2], '/');
	if (slash == NULL || (size_t)(slash - w[2]) >= sizeof(addr))
		return fail(ps, c[2],
			    "network: '%s' needs a prefix length (ADDRESS/PREFIX)",
			    w[2]);
	memcpy(addr, w[2], (size_t)(slash - w[2]));
	addr[slash - w[2]] = '\0';
	if (parse_ipv4(ps, "address", addr, c[2], net->addr) < 0 ||
	    parse_long(ps, "network prefix", slash + 1,
		       c[2] + (unsigned)(slash + 1 - w[2]), 1, 30, &prefix) < 0)
		return -1;
	net->prefix = (unsigned)prefix;
	mask = (uint32_t)(0xffffffffull << (32 - net->prefix));
	/* A host part of zero names a pool: every user gets base + uid, so
	 * one group or default file serves many users. Any other address is
	 * one host's: in a file that serves many users, each would get it,
	 * and one could answer for another's address on the bridge. */
	net->pool = (ip4_u32(net->addr) & ~mask) == 0;
	if (!net->pool && ps->kind != POLICY_USER)
		return fail(ps, c[2],
			    "network: %s is one address and this file serves many users, who would all get it: give a pool (host part 0, each user gets base + uid) or put the address in a user file",
			    w[2]);
	if (n == 4) {
		if (parse_ipv4(ps, "gateway", w[3], c[3], net->gateway) < 0)
			return -1;
		if ((ip4_u32(net->gateway) & mask) != (ip4_u32(net->addr) & mask))
			return fail(ps, c[3],
				    "network: gateway %s is outside %s", w[3], w[2]);
		net->has_gateway = true;
	}
	net->bridge = dup_or_fail(ps, w[1]);
	if (net->bridge == NULL)
		return -1;
	net->mode = NET_VETH;
	return 0;
}

static int key_network(struct parser *ps, const struct key_row *row,
		       char **w, unsigned *c, size_t n)
{
	struct policy_network *net = &ps->out->network;

	(void)row;
	if (strcmp(w[0], "loopback") == 0) {
		if (n != 1)
			return fail(ps, c[1], "network: loopback takes no value");
		net->mode = NET_LOOPBACK;
		return 0;
	}
	if (strcmp(w[0], "netns") == 0) {
		size_t bad;

		if (n != 2)
			return fail(ps, n > 2 ? c[2] : c[0],
				    "network: expected netns NAME");
		if (template_check(w[1], &bad) < 0)
			return fail(ps, c[1] + (unsigned)bad,
				    "network: unknown template escape (use %%u %%U %%g %%H or %%%%)");
		if (strchr(w[1], '/') != NULL || strcmp(w[1], ".") == 0 ||
		    strcmp(w[1], "..") == 0)
			return fail(ps, c[1],
				    "network: '%s' is not a name in /run/netns", w[1]);
		net->netns = dup_or_fail(ps, w[1]);
		if (net->netns == NULL)
			return -1;
		net->mode = NET_NETNS;
		return 0;
	}
	if (strcmp(w[0], "veth") == 0)
		return key_network_veth(ps, w, c, n);
	return fail(ps, c[0],
		    "network: expected loopback, netns NAME or veth BRIDGE ADDRESS/PREFIX [GATEWAY], got '%s'",
		    w[0]);
}

/* capabilities = none | cap_NAME ...: what the bounding set keeps. Names
 * are whole (no prefix matching), case-insensitive like libcap's. */
static int key_capabilities(struct parser *ps, const struct key_row *row,
			    char **w, unsigned *c, size_t n)
{
	uint64_t keep = 0;

	(void)row;
	if (strcmp(w[0], "none") == 0) {
		if (n != 1)
			return fail(ps, c[1],
				    "capabilities: 'none' stands alone (it empties the bounding set)");
	} else {
		for (size_t i = 0; i < n; i++) {
			unsigned j;

			for (j = 0; j < POLICY_CAP_COUNT; j++)
				if (strcasecmp(w[i], cap_table[j]) == 0)
					break;
			if (j == POLICY_CAP_COUNT)
				return fail(ps, c[i],
					    "capabilities: unknown capability '%s' (names as in capabilities(7), e.g. cap_net_raw, or 'none')",
					    w[i]);
			if (keep & (UINT64_C(1) << j))
				return fail(ps, c[i],
					    "capabilities: '%s' is listed twice", w[i]);
			keep |= UINT64_C(1) << j;
		}
	}
	ps->out->has_capabilities = true;
	ps->out->cap_keep = keep;
	return 0;
}

/* cgroup_parent: a plain relative path below the cgroup v2 root, made of
 * names a cgroup can have and an admin can read in "nsiso list": no "."
 * or ".." (it must stay below the root), no templates (one parent for
 * every environment the file applies to). */
static int check_cgroup_parent(struct parser *ps, const char *v, unsigned col)
{
	static const char *const unit_suffixes[] = { ".slice", ".scope",
						     ".service" };
	const char *p = v;

	if (strlen(v) > POLICY_MAX_CGROUP_PARENT)
		return fail(ps, col, "cgroup_parent: longer than %d bytes",
			    POLICY_MAX_CGROUP_PARENT);
	if (v[0] == '/')
		return fail(ps, col,
			    "cgroup_parent: '%s': give it relative to the cgroup v2 root (e.g. nsiso or admin/nsiso)",
			    v);
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 0 || p[0] == '.')
			return fail(ps, col + (unsigned)(p - v),
				    "cgroup_parent: '%s': empty or dot-led component",
				    v);
		for (size_t i = 0; i < n; i++) {
			char ch = p[i];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
			      ch == '.' || ch == '@'))
				return fail(ps, col + (unsigned)(p - v + (long)i),
					    "cgroup_parent: '%s': only letters, digits and - _ . @ in a name",
					    v);
		}
		/* systemd's units own cgroups of these names: an init put
		 * there dies when the unit stops (another user's slice at
		 * their logout). */
		for (size_t u = 0; u < sizeof(unit_suffixes) / sizeof(*unit_suffixes); u++) {
			size_t sl = strlen(unit_suffixes[u]);

			if (n >= sl && memcmp(p + n - sl, unit_suffixes[u], sl) == 0)
				return fail(ps, col + (unsigned)(p - v),
					    "cgroup_parent: '%s': '%.*s' is a systemd unit's cgroup",
					    v, (int)n, p);
		}
		p += n;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return fail(ps, col + (unsigned)(p - v) - 1,
					    "cgroup_parent: '%s': trailing /", v);
		}
	}
	return 0;
}

/* ---- handlers of one-value keys (the dispatcher checked the count) ---- */

/* Stores v in the row's field, whose type VALUE_TYPE took from it. */
static void store_value(struct parser *ps, const struct key_row *row, long v)
{
	void *field = (char *)ps->out + row->store;

	switch (row->type) {
	case VALUE_BOOL:
		*(bool *)field = v != 0;
		break;
	case VALUE_UNSIGNED:
		*(unsigned *)field = (unsigned)v;
		break;
	case VALUE_INT:
		*(int *)field = (int)v;
		break;
	case VALUE_LONG:
		*(long *)field = v;
		break;
	}
}

static int key_bool(struct parser *ps, const struct key_row *row, char **w,
		    unsigned *c, size_t n)
{
	bool b = false;

	(void)n;
	if (parse_bool(ps, row->name, w[0], c[0], &b) < 0)
		return -1;
	store_value(ps, row, b);
	return 0;
}

/* A whole number within the row's [min, max]. */
static int key_number(struct parser *ps, const struct key_row *row, char **w,
		      unsigned *c, size_t n)
{
	long v = 0;

	(void)n;
	if (parse_long(ps, row->name, w[0], c[0], row->min, row->max, &v) < 0)
		return -1;
	store_value(ps, row, v);
	return 0;
}

/* One of two words; *out gets 0 for the first, 1 for the second. */
static int parse_pair(struct parser *ps, const struct key_row *row,
		      const char *v, unsigned col, const char *first,
		      const char *second, int *out)
{
	if (strcmp(v, first) == 0)
		*out = 0;
	else if (strcmp(v, second) == 0)
		*out = 1;
	else
		return fail(ps, col, "%s: expected %s or %s, got '%s'",
			    row->name, first, second, v);
	return 0;
}

static int key_share(struct parser *ps, const struct key_row *row, char **w,
		     unsigned *c, size_t n)
{
	int which = 0;

	(void)n;
	if (parse_pair(ps, row, w[0], c[0], "user", "session", &which) < 0)
		return -1;
	ps->out->share = which ? SHARE_SESSION : SHARE_USER;
	return 0;
}

static int key_userns(struct parser *ps, const struct key_row *row, char **w,
		      unsigned *c, size_t n)
{
	int which = 0;

	(void)n;
	if (parse_pair(ps, row, w[0], c[0], "self", "root", &which) < 0)
		return -1;
	ps->out->userns = which ? USERNS_ROOT : USERNS_SELF;
	return 0;
}

static int key_shell(struct parser *ps, const struct key_row *row, char **w,
		     unsigned *c, size_t n)
{
	const char *why = path_abnormal_reason(w[0]);
	const char *base = strrchr(w[0], '/');

	(void)row;
	(void)n;
	if (why != NULL)
		return fail(ps, c[0], "shell: '%s': %s", w[0], why);
	if (strchr(w[0], '%') != NULL)
		return fail(ps, c[0],
			    "shell: '%s': templates are not allowed here", w[0]);
	if (base != NULL && strcmp(base + 1, NSISO_SHELL_NAME) == 0)
		return fail(ps, c[0],
			    "shell: '%s' is the wrapper itself; name the real shell (e.g. /bin/bash)",
			    w[0]);
	ps->out->shell = dup_or_fail(ps, w[0]);
	return ps->out->shell == NULL ? -1 : 0;
}

/* memory_max, pids_max, cpu_weight: row->arg is the enum limit_kind. */
static int key_limit(struct parser *ps, const struct key_row *row, char **w,
		     unsigned *c, size_t n)
{
	enum limit_kind lk = (enum limit_kind)row->arg;
	char why[160];

	(void)n;
	if (limit_parse(lk, w[0], &ps->out->limits.value[lk], why,
			sizeof(why)) < 0)
		return fail(ps, c[0], "%s: %s", row->name, why);
	ps->out->limits.set[lk] = true;
	return 0;
}

static int key_cgroup_parent(struct parser *ps, const struct key_row *row,
			     char **w, unsigned *c, size_t n)
{
	(void)row;
	(void)n;
	if (check_cgroup_parent(ps, w[0], c[0]) < 0)
		return -1;
	ps->out->cgroup_parent = dup_or_fail(ps, w[0]);
	return ps->out->cgroup_parent == NULL ? -1 : 0;
}

/* ---- whole-file rules: a value one key needs from another ------------ */

static int rule_netns_create(struct parser *ps)
{
	struct policy *p = ps->out;

	if (!p->netns_create || p->network.mode == NET_NETNS)
		return 0;
	ps->line = p->line[POLICY_KEY_NETNS_CREATE];
	return fail(ps, 1, "netns_create needs 'network = netns NAME'");
}

/* A rule of share's, though it names the network line: checked after
 * netns_create's, as it always was. */
static int rule_share(struct parser *ps)
{
	struct policy *p = ps->out;

	if (p->share != SHARE_SESSION || p->network.mode != NET_VETH)
		return 0;
	ps->line = p->line[POLICY_KEY_NETWORK];
	return fail(ps, 1,
		    "network: veth gives each user one address, which per-login environments (share = session) cannot share");
}

static int rule_userns_subids(struct parser *ps)
{
	struct policy *p = ps->out;

	if (!p->userns_subids || p->userns == USERNS_ROOT)
		return 0;
	ps->line = p->line[POLICY_KEY_USERNS_SUBIDS];
	return fail(ps, 1,
		    "userns_subids needs 'userns = root' (the range is mapped from id 1 up)");
}

static int rule_namespaces(struct parser *ps)
{
	struct policy *p = ps->out;

	if (!(p->namespaces & NSISO_NS_PID) || (p->namespaces & NSISO_NS_MOUNT))
		return 0;
	ps->line = p->line[POLICY_KEY_NAMESPACES];
	return fail(ps, 1,
		    "namespaces: 'pid' needs 'mount' (the environment's /proc is mounted in its own mount namespace)");
}

/* ---- the key table ------------------------------------------------ */

/* A one-value key reads up to three words, like the mount keys: two or
 * three are "expected one value" at the second word, more are "too many
 * values" at the fourth. */
#define ONE_VALUE .one_value = true, .max_words = 3
#define BOOL(field)                                                        \
	ONE_VALUE, .parse = key_bool,                                      \
		   .store = offsetof(struct policy, field),                \
		   .type = VALUE_TYPE(field)
#define NUMBER(field, lo, hi)                                              \
	ONE_VALUE, .parse = key_number,                                    \
		   .store = offsetof(struct policy, field),                \
		   .type = VALUE_TYPE(field), .min = (lo), .max = (hi)
#define MOUNT(handler, kind)                                               \
	.parse = (handler), .max_words = 3, .repeatable = true,            \
	.arg = (kind), .needs = NSISO_NS_MOUNT
#define LIMIT(kind)                                                        \
	ONE_VALUE, .parse = key_limit, .arg = (kind),                      \
		   .needs = NSISO_NS_CGROUP

static const struct key_row key_table[POLICY_N_KEYS] = {
	[POLICY_KEY_ISOLATE] = { "isolate", BOOL(isolate) },
	[POLICY_KEY_UID_MIN] = {
		"uid_min", NUMBER(uid_min, 0, (long)UINT_MAX - 1),
		.only_in = KIND(POLICY_DEFAULT),
		.wrong_file = "only valid in default.conf (a user or group file names its users already)",
	},
	[POLICY_KEY_PRIORITY] = {
		"priority", NUMBER(priority, -1000000, 1000000),
		.only_in = KIND(POLICY_GROUP),
		.wrong_file = "only valid in group files",
		.required_in = KIND(POLICY_GROUP),
		.missing = "a group file needs 'priority = N' (the highest matching group wins)",
	},
	[POLICY_KEY_LINGER] = { "linger", NUMBER(linger, 0, POLICY_MAX_LINGER) },
	[POLICY_KEY_LOGINS_MAX] = {
		"logins_max", NUMBER(logins_max, 1, POLICY_MAX_LOGINS),
	},
	[POLICY_KEY_STOP_GRACE] = {
		"stop_grace", NUMBER(stop_grace, 0, POLICY_MAX_STOP_GRACE),
		.needs = NSISO_NS_PID,
	},
	[POLICY_KEY_HOSTNAME] = {
		"hostname", key_hostname, .max_words = 3,
		.needs = NSISO_NS_UTS,
	},
	[POLICY_KEY_TMPFS] = { "tmpfs", MOUNT(key_tmpfs, MOUNT_TMPFS) },
	[POLICY_KEY_BIND] = {
		"bind", MOUNT(key_bind, MOUNT_BIND), .same_rule = true,
	},
	[POLICY_KEY_READONLY] = {
		"readonly", MOUNT(key_path_only, MOUNT_READONLY),
		.same_rule = true,
	},
	[POLICY_KEY_HIDE] = {
		"hide", MOUNT(key_path_only, MOUNT_HIDE), .same_rule = true,
	},
	[POLICY_KEY_NETWORK] = {
		"network", key_network, .max_words = 4, .needs = NSISO_NS_NET,
	},
	[POLICY_KEY_NETNS_CREATE] = {
		"netns_create", BOOL(netns_create), .rule = rule_netns_create,
	},
	[POLICY_KEY_SHARE] = {
		"share", key_share, ONE_VALUE, .rule = rule_share,
	},
	/* Whole seconds, signed: a negative offset that would take the clock
	 * below zero is refused at login, when the host's uptime is known. */
	[POLICY_KEY_BOOTTIME_OFFSET] = {
		"boottime_offset",
		NUMBER(boottime_offset, -POLICY_MAX_TIME_OFFSET,
		       POLICY_MAX_TIME_OFFSET),
		.needs = NSISO_NS_TIME,
	},
	[POLICY_KEY_MONOTONIC_OFFSET] = {
		"monotonic_offset",
		NUMBER(monotonic_offset, -POLICY_MAX_TIME_OFFSET,
		       POLICY_MAX_TIME_OFFSET),
		.needs = NSISO_NS_TIME, .same_rule = true,
	},
	[POLICY_KEY_USERNS] = {
		"userns", key_userns, ONE_VALUE, .needs = NSISO_NS_USER,
	},
	[POLICY_KEY_USERNS_SUBIDS] = {
		"userns_subids", BOOL(userns_subids),
		.rule = rule_userns_subids,
	},
	[POLICY_KEY_MEMORY_MAX] = { "memory_max", LIMIT(LIMIT_MEMORY) },
	[POLICY_KEY_PIDS_MAX] = { "pids_max", LIMIT(LIMIT_PIDS) },
	[POLICY_KEY_CPU_WEIGHT] = { "cpu_weight", LIMIT(LIMIT_CPU_WEIGHT) },
	[POLICY_KEY_CGROUP_PARENT] = {
		"cgroup_parent", key_cgroup_parent, ONE_VALUE,
		.needs = NSISO_NS_CGROUP,
	},
	[POLICY_KEY_CAPABILITIES] = {
		"capabilities", key_capabilities, .max_words = MAX_WORDS,
	},
	[POLICY_KEY_NO_NEW_PRIVS] = { "no_new_privs", BOOL(no_new_privs) },
	[POLICY_KEY_SHELL] = { "shell", key_shell, ONE_VALUE },
	/* Last: its rule (pid needs mount) is checked after every other. */
	[POLICY_KEY_NAMESPACES] = {
		"namespaces", key_namespaces, .max_words = NSISO_NS_COUNT,
		.rule = rule_namespaces,
	},
};

/* The mount keys and the limits are looked up by their kind. */
_Static_assert(POLICY_KEY_BIND == POLICY_KEY_TMPFS + MOUNT_BIND &&
		       POLICY_KEY_READONLY == POLICY_KEY_TMPFS + MOUNT_READONLY &&
		       POLICY_KEY_HIDE == POLICY_KEY_TMPFS + MOUNT_HIDE,
	       "mount keys in enum mount_kind order");
_Static_assert(POLICY_KEY_LIMIT(LIMIT_PIDS) == POLICY_KEY_PIDS_MAX &&
		       POLICY_KEY_LIMIT(LIMIT_CPU_WEIGHT) == POLICY_KEY_CPU_WEIGHT &&
		       N_LIMITS == 3,
	       "limit keys in enum limit_kind order");

static const struct key_row *key_by_name(const char *name,
					 enum policy_key *id)
{
	for (size_t k = 0; k < POLICY_N_KEYS; k++)
		/* A key without a row has no name (the unit tests refuse
		 * that table): it is then unknown, not a crash. */
		if (key_table[k].name != NULL &&
		    strcmp(name, key_table[k].name) == 0) {
			*id = (enum policy_key)k;
			return &key_table[k];
		}
	return NULL;
}

/* ---- lines ----------------------------------------------------------- */

/* The value of key k: its words, then what the table says of every key
 * (count, duplicates, file kind), then its handler. */
static int parse_key(struct parser *ps, const struct key_row *row,
		     enum policy_key k, char *value, unsigned value_col)
{
	char *words[MAX_WORDS + 1];
	unsigned cols[MAX_WORDS + 1];
	unsigned *first = &ps->out->line[k];
	size_t n = split_words(value, value_col, words, cols, row->max_words);

	if (n == 0)
		return fail(ps, value_col, "%s: missing value", row->name);
	if (n > row->max_words)
		return fail(ps, cols[row->max_words], "%s: too many values",
			    row->name);
	if (!row->repeatable && *first != 0)
		return fail(ps, 1, "%s: duplicate key (first set at line %u)",
			    row->name, *first);
	if (*first == 0)
		*first = ps->line;
	if (row->one_value && n != 1)
		return fail(ps, cols[1], "%s: expected one value", row->name);
	if (row->only_in != 0 && !(row->only_in & KIND(ps->kind)))
		return fail(ps, 1, "%s: %s", row->name, row->wrong_file);
	return row->parse(ps, row, words, cols, n);
}

static int parse_line(struct parser *ps, char *line)
{
	char *p = line, *key, *value, *end;
	unsigned key_col, value_col;
	const struct key_row *row;
	enum policy_key id;

	for (char *q = line; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return fail(ps, (unsigned)(q - line) + 1,
				    "control character in line");

	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;

	key = p;
	key_col = (unsigned)(p - line) + 1;
	while (*p != '\0' && *p != '=' && !is_blank(*p))
		p++;
	end = p;
	while (is_blank(*p))
		p++;
	if (*p != '=')
		return fail(ps, (unsigned)(p - line) + 1,
			    "expected 'key = value'");
	*end = '\0';
	p++;
	/* A '#' after the value starts a comment only after whitespace, so a
	 * path may contain '#'. */
	for (char *q = p; *q != '\0'; q++)
		if (*q == '#' && q > p && is_blank(q[-1])) {
			*q = '\0';
			break;
		}
	value = p;
	value_col = (unsigned)(p - line) + 1;
	if (key == end)
		return fail(ps, key_col, "missing key before '='");

	row = key_by_name(key, &id);
	if (row == NULL)
		return fail(ps, key_col, "unknown key '%s'", key);
	return parse_key(ps, row, id, value, value_col);
}

/* "KEY needs 'NS' in namespaces", for the rule that starts at row head
 * and takes in the same_rule rows after it: the first of their lines in
 * the file is named. */
static int check_needs(struct parser *ps, size_t head)
{
	const struct policy *p = ps->out;
	const struct key_row *row = &key_table[head];
	size_t first = POLICY_N_KEYS;

	if (row->needs == 0 || row->same_rule || (p->namespaces & row->needs))
		return 0;
	for (size_t k = head;
	     k < POLICY_N_KEYS && (k == head || key_table[k].same_rule); k++)
		if (p->line[k] != 0 &&
		    (first == POLICY_N_KEYS || p->line[k] < p->line[first]))
			first = k;
	if (first == POLICY_N_KEYS)
		return 0;
	ps->line = p->line[first];
	return fail(ps, 1, "%s needs '%s' in namespaces", key_table[first].name,
		    nsiso_ns_by_bit(row->needs)->name);
}

/* Whole-file rules, in key table order: keys a file kind requires, then
 * (when the policy isolates) each key's namespace and its own rule. */
static int check_whole(struct parser *ps)
{
	struct policy *p = ps->out;

	for (size_t k = 0; k < POLICY_N_KEYS; k++)
		if ((key_table[k].required_in & KIND(ps->kind)) &&
		    p->line[k] == 0) {
			ps->line = 0;
			return fail(ps, 0, "%s", key_table[k].missing);
		}
	if (!p->isolate)
		return 0;
	if (p->namespaces == 0)
		p->namespaces = NSISO_NS_DEFAULT;
	if ((p->namespaces & NSISO_NS_NET) && p->network.mode == NET_UNSET)
		p->network.mode = NET_LOOPBACK;
	for (size_t k = 0; k < POLICY_N_KEYS; k++) {
		if (check_needs(ps, k) < 0)
			return -1;
		if (key_table[k].rule != NULL && p->line[k] != 0 &&
		    key_table[k].rule(ps) < 0)
			return -1;
	}
	return 0;
}

int policy_parse(const char *text, size_t len, enum policy_kind kind,
		 struct policy *out, struct policy_error *err)
{
	struct parser ps = {
		.text = text, .len = len, .kind = kind, .out = out, .err = err,
	};
	char buf[POLICY_MAX_LINE + 2];
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	out->isolate = true;
	out->share = SHARE_USER;
	out->logins_max = POLICY_DEFAULT_LOGINS_MAX;
	out->stop_grace = POLICY_DEFAULT_STOP_GRACE;

	if (len > POLICY_MAX_SIZE) {
		fail(&ps, 0, "file is larger than %d bytes", POLICY_MAX_SIZE);
		goto bad;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t raw = nl ? (size_t)(nl - (text + pos)) : len - pos;
		size_t n = raw;

		ps.line++;
		if (memchr(text + pos, '\0', raw) != NULL) {
			fail(&ps, 0, "NUL byte in line");
			goto bad;
		}
		if (raw > POLICY_MAX_LINE) {
			fail(&ps, 0, "line is longer than %d bytes",
			     POLICY_MAX_LINE);
			goto bad;
		}
		memcpy(buf, text + pos, raw);
		if (n > 0 && buf[n - 1] == '\r')
			n--; /* tolerate files edited on Windows */
		buf[n] = '\0';
		if (parse_line(&ps, buf) < 0)
			goto bad;
		pos += raw + (nl ? 1 : 0);
	}
	if (check_whole(&ps) < 0)
		goto bad;
	return 0;
bad:
	policy_free(out);
	memset(out, 0, sizeof(*out));
	return -1;
}

const char *policy_manager_refusal(const struct policy *p)
{
	if (!p->isolate)
		return NULL;
	/* The user namespace is made per login by nsiso-shell, the login
	 * shell, which user@.service never runs. */
	if (p->namespaces & NSISO_NS_USER)
		return "namespaces: 'user' cannot host systemd --user (nsiso-shell makes the user namespace per login, and user@.service runs no login shell)";
	if (p->share == SHARE_SESSION)
		return "share = session gives each login an environment of its own; systemd --user needs the one environment of the user (share = user)";
	return NULL;
}

bool policy_manager_refusal_message(const struct policy *p, const char *user,
				    const char *path, char *buf, size_t len)
{
	const char *why = policy_manager_refusal(p);

	if (why == NULL)
		return false;
	snprintf(buf, len, "the user manager of %s is refused, so that it never runs on the host: %s: %s",
		 user, path, why);
	return true;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n_mounts; i++) {
		free(p->mounts[i].source);
		free(p->mounts[i].target);
		free(p->mounts[i].options);
	}
	free(p->mounts);
	free(p->hostname);
	free(p->shell);
	p->shell = NULL;
	free(p->cgroup_parent);
	p->cgroup_parent = NULL;
	free(p->network.netns);
	free(p->network.bridge);
	p->network.netns = p->network.bridge = NULL;
	p->mounts = NULL;
	p->n_mounts = 0;
	p->hostname = NULL;
}

const char *policy_mount_kind_name(enum mount_kind kind)
{
	if ((unsigned)kind > MOUNT_HIDE)
		return "?";
	return key_table[POLICY_KEY_TMPFS + kind].name;
}

const char *policy_key_name(enum policy_key k)
{
	return (unsigned)k < POLICY_N_KEYS ? key_table[k].name : NULL;
}

/* The rules the rows must keep for the parser to work as their comments
 * say; a row that breaks one is a programming error, found by the unit
 * tests rather than by an admin. */
static const char *row_fault(size_t k)
{
	const struct key_row *row = &key_table[k];

	if (row->name == NULL || row->parse == NULL)
		return "no row, or a row without a name or handler";
	if (row->max_words < 1 || row->max_words > MAX_WORDS)
		return "max_words out of 1..MAX_WORDS";
	if (row->one_value && row->max_words < 2)
		return "a one-value key must read a second word to refuse it";
	if (row->needs != 0 && nsiso_ns_by_bit(row->needs) == NULL)
		return "needs is not one namespace of the table";
	if (row->same_rule &&
	    (k == 0 || row->needs == 0 || key_table[k - 1].needs != row->needs))
		return "same_rule without a row above that needs the same namespace";
	/* Offset 0 is line[]: a generic handler's row always names a field
	 * past it (BOOL(), NUMBER()). */
	if ((row->parse == key_bool || row->parse == key_number) &&
	    row->store == 0)
		return "a generic handler without BOOL() or NUMBER()";
	if (row->parse == key_bool && row->type != VALUE_BOOL)
		return "key_bool stores in a field that is not bool";
	if (row->parse == key_number &&
	    (row->type == VALUE_BOOL || row->min > row->max))
		return "key_number without a number field or with min > max";
	if ((row->only_in != 0) != (row->wrong_file != NULL))
		return "only_in and wrong_file go together";
	if ((row->required_in != 0) != (row->missing != NULL))
		return "required_in and missing go together";
	if (row->only_in != 0 && (row->required_in & ~row->only_in))
		return "required in a file it is not allowed in";
	for (size_t j = 0; j < k; j++)
		if (strcmp(key_table[j].name, row->name) == 0)
			return "name given twice";
	return NULL;
}

bool policy_key_table_fault(char *buf, size_t len)
{
	for (size_t k = 0; k < POLICY_N_KEYS; k++) {
		const char *why = row_fault(k);

		if (why != NULL) {
			snprintf(buf, len, "key %zu (%s): %s", k,
				 key_table[k].name ? key_table[k].name : "?",
				 why);
			return true;
		}
	}
	return false;
}

const char *policy_cap_name(unsigned cap)
{
	return cap < POLICY_CAP_COUNT ? cap_table[cap] : NULL;
}

void policy_cap_names(uint64_t keep, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	snprintf(buf, len, "none");
	for (unsigned j = 0; j < POLICY_CAP_COUNT; j++) {
		int n;

		if (!(keep & (UINT64_C(1) << j)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
			     cap_table[j]);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}
