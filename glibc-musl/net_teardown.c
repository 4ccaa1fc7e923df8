/* The environment's network at its end: the veth is deleted and a
 * published netns name removed. Shared by the helper (a failed set-up)
 * and nsiso-init (teardown), so it compiles with glibc and musl; libmnl
 * is not available for musl, and one RTM_DELLINK needs only a few lines
 * of raw rtnetlink (the helper's requests stay in root/nsiso-helper/nlmsg.c). */
#include "net_teardown.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"

#define NETNS_DIR "/run/netns"
/* The veth's end inside the environment (plan.h's PLAN_VETH_INSIDE). */
#define VETH_INSIDE "eth0"

/* RTM_DELLINK of the link called name in the caller's network namespace,
 * acknowledged by the kernel. 0, or -1 with the kernel's errno. */
static int delete_link(const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[RTA_SPACE(IFNAMSIZ)];
	} req;
	union {
		char buf[1024];
		struct nlmsghdr align;
	} ans;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct rtattr *rta = (struct rtattr *)req.attrs;
	size_t len = strlen(name) + 1;
	int fd, rc = -1, saved;
	ssize_t n;

	if (len > IFNAMSIZ)
		return errno = EINVAL, -1;
	memset(&req, 0, sizeof(req));
	req.ifi.ifi_family = AF_UNSPEC;
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), name, len);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi)) + RTA_ALIGN(rta->rta_len);
	req.nh.nlmsg_type = RTM_DELLINK;
	/* NLM_F_ACK: the answer carries the kernel's errno, or 0. */
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)req.nh.nlmsg_len)
		goto out;
	do
		n = recv(fd, ans.buf, sizeof(ans.buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto out;
	if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    ans.align.nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		goto out;
	}
	{
		const struct nlmsgerr *e = NLMSG_DATA(&ans.align);

		if (e->error != 0) {
			errno = -e->error;
			goto out;
		}
	}
	rc = 0;
out:
	saved = errno;
	close(fd);
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
