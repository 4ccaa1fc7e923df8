/* What ps shows for nsiso-init (proctitle.c). */
#ifndef NSISO_PROCTITLE_H
#define NSISO_PROCTITLE_H

/* Remembers where argv lives so the init can rename itself. */
void proctitle_init(int argc, char **argv);
/* Sets what ps shows for this process (and comm "nsiso-init"). */
void proctitle_set(const char *title);

#endif
