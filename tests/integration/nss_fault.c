/* A directory that can break, for t_34_nss_failure.sh: an NSS module that
 * serves groups which exist only here (as a directory's would through
 * sssd), and whose group look-ups fail with NSS_STATUS_UNAVAIL and an
 * errno while the control file FAULT_DIR/broken exists.
 *
 * Built by the test (cc -shared -DFAULT_DIR=...), bound over an NSS module
 * file that Debian's libc6 ships and nothing here uses, in the suite's own
 * mount namespace only, with an nsswitch.conf bound there that names it:
 * so its symbols carry that module's name (NSS_NAME, e.g. hesiod).
 *
 * FAULT_DIR/group       group(5) lines: NAME:x:GID:MEMBER,MEMBER
 * FAULT_DIR/initgroups  USER:GID[,GID...]: memberships that only
 *                       initgroups reports, as sssd does with
 *                       ignore_group_members = true (the group's member
 *                       list stays empty)
 * FAULT_DIR/broken      present: every group look-up fails (its content,
 *                       a number, is the errno; ECONNREFUSED otherwise) */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#ifndef FAULT_DIR
#error "build with -DFAULT_DIR=\"/path\""
#endif
#ifndef NSS_NAME
#error "build with -DNSS_NAME=hesiod (the module file it is bound over)"
#endif
#define CAT(a, b, c) a##b##_##c
#define SYM(n, f) CAT(_nss_, n, f)
#define NSS(f) SYM(NSS_NAME, f)

enum nss_status NSS(getgrnam_r)(const char *name, struct group *gr, char *buf,
				size_t len, int *errnop);
enum nss_status NSS(getgrgid_r)(gid_t gid, struct group *gr, char *buf,
				size_t len, int *errnop);
enum nss_status NSS(initgroups_dyn)(const char *user, gid_t group, long *start,
				    long *size, gid_t **groups, long limit,
				    int *errnop);

/* The directory is down: the errno a client would see. */
static int broken(void)
{
	FILE *f = fopen(FAULT_DIR "/broken", "re");
	int e = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%d", &e) != 1 || e <= 0)
		e = ECONNREFUSED;
	fclose(f);
	return e;
}

/* One line of FAULT_DIR/group into gr, its strings in buf. 1 when it is
 * the group asked for (by name, or by gid when name is NULL). */
static int parse(char *line, const char *name, gid_t gid, struct group *gr,
		 char *buf, size_t len, int *erange)
{
	char *f[4], *save = NULL, *p = line, *out = buf, **mem;
	size_t need, pad, n_mem = 1;

	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < 4; i++) {
		f[i] = strsep(&p, ":");
		if (f[i] == NULL)
			return 0;
	}
	if (name ? strcmp(f[0], name) != 0 : (gid_t)strtoul(f[2], NULL, 10) != gid)
		return 0;
	for (char *c = f[3]; *c; c++)
		n_mem += *c == ',';
	/* The caller's buffer may be unaligned: the pointers start aligned. */
	pad = (size_t)(-(uintptr_t)buf & (sizeof(char *) - 1));
	need = pad + (n_mem + 1) * sizeof(char *) + strlen(f[0]) + strlen(f[3]) + 4;
	if (need > len) {
		*erange = 1;
		return 1;
	}
	mem = (char **)(void *)(buf + pad);
	out = buf + pad + (n_mem + 1) * sizeof(char *);
	gr->gr_mem = mem;
	gr->gr_name = strcpy(out, f[0]);
	out += strlen(f[0]) + 1;
	gr->gr_passwd = strcpy(out, "x");
	out += 2;
	gr->gr_gid = (gid_t)strtoul(f[2], NULL, 10);
	strcpy(out, f[3]);
	for (char *m = strtok_r(out, ",", &save); m; m = strtok_r(NULL, ",", &save))
		*mem++ = m;
	*mem = NULL;
	return 1;
}

static enum nss_status lookup(const char *name, gid_t gid, struct group *gr,
			      char *buf, size_t len, int *errnop)
{
	char line[4096];
	int e = broken(), erange = 0;
	FILE *f;

	if (e) {
		*errnop = e;
		return NSS_STATUS_UNAVAIL;
	}
	f = fopen(FAULT_DIR "/group", "re");
	if (f == NULL)
		return NSS_STATUS_NOTFOUND;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!parse(line, name, gid, gr, buf, len, &erange))
			continue;
		fclose(f);
		if (erange) {
			*errnop = ERANGE;
			return NSS_STATUS_TRYAGAIN;
		}
		return NSS_STATUS_SUCCESS;
	}
	fclose(f);
	return NSS_STATUS_NOTFOUND;
}

enum nss_status NSS(getgrnam_r)(const char *name, struct group *gr, char *buf,
				size_t len, int *errnop)
{
	return lookup(name, 0, gr, buf, len, errnop);
}

enum nss_status NSS(getgrgid_r)(gid_t gid, struct group *gr, char *buf,
				size_t len, int *errnop)
{
	return lookup(NULL, gid, gr, buf, len, errnop);
}

static int add_gid(gid_t g, gid_t skip, long *start, long *size,
		   gid_t **groups, long limit)
{
	if (g == skip)
		return 0;
	for (long i = 0; i < *start; i++)
		if ((*groups)[i] == g)
			return 0;
	if (*start == *size) {
		long n = limit > 0 && *size * 2 > limit ? limit : *size * 2;
		gid_t *grown;

		if (n <= *size)
			return 0; /* at the caller's limit: glibc's rule */
		grown = realloc(*groups, (size_t)n * sizeof(gid_t));
		if (grown == NULL)
			return -1;
		*groups = grown;
		*size = n;
	}
	(*groups)[(*start)++] = g;
	return 0;
}

/* The user's groups here: those whose member list names the user, and
 * those FAULT_DIR/initgroups adds. */
enum nss_status NSS(initgroups_dyn)(const char *user, gid_t group, long *start,
				    long *size, gid_t **groups, long limit,
				    int *errnop)
{
	char line[4096];
	int e = broken();
	FILE *f;

	if (e) {
		*errnop = e;
		return NSS_STATUS_UNAVAIL;
	}
	f = fopen(FAULT_DIR "/group", "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *name, *gid, *mem, *m, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		name = strsep(&p, ":");
		(void)strsep(&p, ":");
		gid = strsep(&p, ":");
		mem = p;
		if (name == NULL || gid == NULL || mem == NULL)
			continue;
		for (m = strtok_r(mem, ",", &save); m; m = strtok_r(NULL, ",", &save))
			if (strcmp(m, user) == 0 &&
			    add_gid((gid_t)strtoul(gid, NULL, 10), group, start,
				    size, groups, limit) < 0)
				goto oom;
	}
	if (f != NULL)
		fclose(f);
	f = fopen(FAULT_DIR "/initgroups", "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *name, *g, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		name = strsep(&p, ":");
		if (name == NULL || p == NULL || strcmp(name, user) != 0)
			continue;
		for (g = strtok_r(p, ",", &save); g; g = strtok_r(NULL, ",", &save))
			if (add_gid((gid_t)strtoul(g, NULL, 10), group, start,
				    size, groups, limit) < 0)
				goto oom;
	}
	if (f != NULL)
		fclose(f);
	return NSS_STATUS_SUCCESS;
oom:
	fclose(f);
	*errnop = ENOMEM;
	return NSS_STATUS_TRYAGAIN;
}
