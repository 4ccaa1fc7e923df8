#include "envjoin.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

int env_clone_flags(unsigned namespaces)
{
	static const struct {
		unsigned bit;
		int flag;
	} table[] = {
		{ NSISO_NS_MOUNT, CLONE_NEWNS },
		{ NSISO_NS_UTS, CLONE_NEWUTS },
		{ NSISO_NS_IPC, CLONE_NEWIPC },
		{ NSISO_NS_PID, CLONE_NEWPID },
		{ NSISO_NS_NET, CLONE_NEWNET },
		{ NSISO_NS_CGROUP, CLONE_NEWCGROUP },
	};
	int flags = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (namespaces & table[i].bit)
			flags |= table[i].flag;
	return flags;
}

int env_register(const char *name, uid_t uid, struct env_join *j, char *err,
		 size_t errlen)
{
	int saved;

	memset(j, 0, sizeof(*j));
	j->pidfd = -1;
	j->sock = proto_connect(name, &j->init_pid);
	if (j->sock < 0) {
		saved = errno;
		snprintf(err, errlen, "connect to %s/%s failed: %s", NSISO_RUNDIR,
			 name, strerror(saved));
		return errno = saved, -1;
	}
	if (proto_call(j->sock, OP_REGISTER, &j->reply, &j->pidfd) < 0) {
		saved = errno;
		snprintf(err, errlen, "register with %s/%s failed: %s",
			 NSISO_RUNDIR, name, strerror(saved));
		goto fail;
	}
	/* The pidfd must be the process that answered (SO_PEERCRED), so no
	 * fd passed by anyone else can steer the join. */
	if (j->pidfd < 0 || proto_pidfd_pid(j->pidfd) != j->init_pid) {
		saved = EPERM;
		snprintf(err, errlen,
			 "%s/%s answered without a matching pidfd: refusing to join",
			 NSISO_RUNDIR, name);
		goto fail;
	}
	/* Defence in depth: the directory is root-only, but a join into
	 * another user's environment must be impossible, not unlikely. */
	if (j->reply.uid != (uint32_t)uid) {
		saved = EPERM;
		snprintf(err, errlen,
			 "%s/%s belongs to uid %u, not %u: refusing to join",
			 NSISO_RUNDIR, name, j->reply.uid, (unsigned)uid);
		goto fail;
	}
	return 0;
fail:
	if (j->pidfd >= 0)
		close(j->pidfd);
	close(j->sock);
	j->sock = j->pidfd = -1;
	return errno = saved, -1;
}

int env_setns(const struct env_join *j)
{
	return setns(j->pidfd, env_clone_flags(j->reply.namespaces));
}

void env_join_done(struct env_join *j)
{
	if (j->pidfd >= 0)
		close(j->pidfd);
	j->pidfd = -1;
}
