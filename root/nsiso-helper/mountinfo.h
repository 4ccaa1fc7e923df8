/* /proc/self/mountinfo, one parsed line at a time (mountinfo.c). */
#ifndef NSISO_MOUNTINFO_H
#define NSISO_MOUNTINFO_H

/* One line of /proc/self/mountinfo. */
struct mountinfo_entry {
	int id, parent;
	const char *root, *point, *fstype;
};
/* Calls fn for each mount until it returns non-zero; returns that value,
 * 0 after the last mount, or -1 when mountinfo cannot be read. */
int mountinfo_each(int (*fn)(const struct mountinfo_entry *e, void *arg),
		   void *arg);

#endif
