/* The environment's network at its end: the veth is deleted and a
 * published netns name removed. Shared by the helper (a failed set-up)
 * and nsiso-init (teardown), so it compiles with glibc and musl; the
 * RTM_DELLINK is nlmsg.c's, sent by netlink.c, as the helper's requests. */
#include "net_teardown.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlink.h"
#include "nlmsg.h"
#include "policy.h"

#define NETNS_DIR "/run/netns"
/* The veth's end inside the environment (plan.h's PLAN_VETH_INSIDE). */
#define VETH_INSIDE "eth0"

/* RTM_DELLINK of the link called name in the caller's network namespace,
 * acknowledged by the kernel. 0, or -1 with the kernel's errno. */
static int delete_link(const char *name)
{
	char buf[NLMSG_BUF];
	struct nl nl;
	int rc, saved;

	if (strlen(name) >= IFNAMSIZ)
		return errno = EINVAL, -1;
	if (nl_open(&nl) < 0)
		return -1;
	rc = nl_call(&nl, nl_link_delete(buf, 0, name));
	saved = errno;
	nl_close(&nl);
	errno = saved;
	return rc;
}

void net_teardown_inside(struct init_state *st)
{
	if (st->reply.net_mode != NET_VETH || !st->veth_created)
		return;
	/* Delete the veth now rather than when the kernel gets round to
	 * freeing the namespace (asynchronously, about a second later), so
	 * an immediate re-login does not meet its host end (EEXIST).
	 * Deleting our end deletes the host end too. Failure is harmless:
	 * the namespace's end takes the pair with it eventually. */
	(void)delete_link(VETH_INSIDE);
	st->veth_created = false;
}

int net_in_host_mnt(const struct init_state *st, int (*fn)(void *),
		    void *arg)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* The exit status carries errno back: the caller's message
		 * names the cause, not just that the child failed. */
		if (setns(st->host_mnt_fd, CLONE_NEWNS) < 0 || fn(arg) < 0)
			_exit(errno > 0 && errno < 256 ? errno : EIO);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	errno = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
	return -1;
}

static int unpublish(void *arg)
{
	const char *name = arg;
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, name);
	/* Already gone (an admin's ip netns del): nothing left to do. */
	(void)umount2(path, MNT_DETACH);
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

void net_unpublish(struct init_state *st)
{
	if (!st->netns_published)
		return;
	/* On failure the name stays behind (ip netns del removes it); the
	 * namespace itself is still freed once the init is gone. */
	(void)net_in_host_mnt(st, unpublish, st->netns_name);
	st->netns_published = false;
}
