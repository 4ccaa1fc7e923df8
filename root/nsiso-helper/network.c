/* The environment's network: loopback only, an admin's named netns, or a
 * veth to an admin's bridge. All netlink work through netlink.c; every error
 * names the device and the kernel's errno.
 *
 * Host-side objects (the named netns file, the bridge, the veth's host
 * end) are prepared by the helper in the host's namespaces; the init sets
 * up the inside and, for a veth, uses a netlink socket the helper opened
 * on the host. */
#include "helper.h"
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net_teardown.h"
#include "netlink.h"
#include "nlmsg.h"
#include "kernel_calls.h"

#define NETNS_DIR "/run/netns"

/* Opens NETNS_DIR/name: the fd, -1 with errno when it cannot be opened,
 * -2 (reported in e) when it is not a network namespace. */
static int open_named_netns(const char *name, struct nsiso_err *e)
{
	char path[300];
	int fd, type;

	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		err_set(e, 0, "use %s: not a network namespace", path);
		return -2;
	}
	return fd;
}

/* network = netns NAME: the admin's namespace, or with netns_create the
 * host's mount namespace, from which the init publishes a new one. */
static int prepare_named(struct build *b)
{
	const struct env_plan *plan = b->plan;
	struct init_state *st = &b->st;

	st->netns_fd = open_named_netns(plan->netns_name, &b->err);
	if (st->netns_fd == -2)
		return -1;
	if (st->netns_fd >= 0)
		return 0;
	if (errno != ENOENT || !plan->netns_create)
		return err_set(&b->err, 0, "%s:%u: network: netns %s/%s: %s%s",
			       plan->policy_path, plan->net_line, NETNS_DIR,
			       plan->netns_name, errno_text(errno),
			       errno == ENOENT
				       ? " (create it with ip netns add, or set netns_create = yes)"
				       : "");
	/* Created with the environment and published under its name from
	 * the host's mount namespace, which the init keeps. */
	st->host_mnt_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (st->host_mnt_fd < 0)
		return err_set(&b->err, errno, "open /proc/self/ns/mnt");
	return 0;
}

/* network = veth: the host's netns for the peer, a netlink socket on the
 * host (the init uses it to put the host end on the bridge), the bridge. */
static int prepare_veth(struct build *b)
{
	const struct env_plan *plan = b->plan;
	struct init_state *st = &b->st;
	char buf[NLMSG_BUF];

	st->host_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (st->host_netns_fd < 0)
		return err_set(&b->err, errno, "open /proc/self/ns/net");
	if (nl_open(&b->host_nl) < 0)
		return err_set(&b->err, errno, "open a netlink socket on the host");
	st->bridge_index = nl_ifindex(&b->host_nl, plan->bridge);
	if (st->bridge_index < 0)
		return err_set(&b->err, errno, "%s:%u: network: bridge %s on the host",
			       plan->policy_path, plan->net_line, plan->bridge);
	/* A host end left by an environment whose netns is still being
	 * freed (the kernel does that asynchronously after a kill -9) would
	 * make an immediate re-login fail with EEXIST. The name is ours. */
	if (nl_call(&b->host_nl, nl_link_delete(buf, 0, plan->host_if)) < 0 &&
	    errno != ENODEV)
		return err_set(&b->err, errno, "delete the stale host end %s",
			       plan->host_if);
	return 0;
}

int net_step_prepare_host(struct build *b)
{
	if (!(b->plan->namespaces & NSISO_NS_NET))
		return 0;
	if (b->plan->net_mode == NET_NETNS)
		return prepare_named(b);
	if (b->plan->net_mode == NET_VETH)
		return prepare_veth(b);
	return 0;
}

int net_step_enter(struct build *b)
{
	if (!(b->plan->namespaces & NSISO_NS_NET))
		return 0;
	if (b->st.netns_fd >= 0) {
		if (setns(b->st.netns_fd, CLONE_NEWNET) < 0)
			return err_set(&b->err, errno, "join netns %s",
				       b->plan->netns_name);
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0)
		return err_set(&b->err, errno, "unshare a network namespace");
	return 0;
}

static int link_up(struct nl *nl, const char *name, struct nsiso_err *e)
{
	char buf[NLMSG_BUF];
	int index = nl_ifindex(nl, name);

	if (index < 0)
		return err_set(e, errno, "find link %s", name);
	if (nl_call(nl, nl_link_up(buf, 0, index, NULL)) < 0)
		return err_set(e, errno, "bring up %s", name);
	return index;
}

static int setup_veth(struct build *b, struct nl *inside)
{
	const struct env_plan *plan = b->plan;
	char buf[NLMSG_BUF];
	struct in_addr a, gw;
	int index;

	if (nl_call(inside, nl_veth_create(buf, 0, PLAN_VETH_INSIDE,
					   plan->host_if, b->st.host_netns_fd)) < 0)
		return err_set(&b->err, errno, "create veth %s", plan->host_if);
	b->st.veth_created = true;
	if (nl_call(&b->host_nl, nl_link_set_master_up(buf, 0, plan->host_if,
							 b->st.bridge_index)) < 0)
		return err_set(&b->err, errno, "attach %s to bridge %s",
			       plan->host_if, plan->bridge);
	index = link_up(inside, PLAN_VETH_INSIDE, &b->err);
	if (index < 0)
		return -1;
	memcpy(&a, plan->addr, 4);
	if (nl_call(inside, nl_addr_add4(buf, 0, index, a, plan->prefix)) < 0)
		return err_set(&b->err, errno, "add address %u.%u.%u.%u/%u to %s",
			       plan->addr[0], plan->addr[1], plan->addr[2],
			       plan->addr[3], plan->prefix, PLAN_VETH_INSIDE);
	if (!plan->has_gateway)
		return 0;
	memcpy(&gw, plan->gateway, 4);
	if (nl_call(inside, nl_route_default4(buf, 0, gw)) < 0)
		return err_set(&b->err, errno,
			       "add the default route via %u.%u.%u.%u",
			       plan->gateway[0], plan->gateway[1],
			       plan->gateway[2], plan->gateway[3]);
	return 0;
}

/* A detached read-only sysfs, cloned into trees[] by part. */
static int sysfs_parts(const char *const dirs[], size_t count, int trees[],
		       struct nsiso_err *e)
{
	const char *step = "";
	int fs, mnt, rc;

	fs = fsopen("sysfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return err_set(e, errno, "fsopen sysfs");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		err_set(e, errno, "create sysfs");
		close(fs);
		return -1;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			      MOUNT_ATTR_NOEXEC);
	close(fs);
	if (mnt < 0)
		return err_set(e, errno, "fsmount sysfs");
	rc = clone_detached_parts(mnt, dirs, count, trees, &step);
	if (rc < 0)
		err_set(e, errno, "%s sysfs", step);
	close(mnt);
	return rc;
}

/* sysfs shows the network namespace of whoever mounts it: a fresh one,
 * from inside, supplies /sys/class/net and /sys/devices/virtual/net.
 * Only those two are replaced, so the rest of /sys (cgroups included)
 * stays as it is. */
static int remount_sysfs_net(struct nsiso_err *e)
{
	static const char *const dirs[] = { "class/net", "devices/virtual/net" };
	enum { count = sizeof(dirs) / sizeof(dirs[0]) };
	int trees[count] = { -1, -1 };
	int rc = 0;

	if (sysfs_parts(dirs, count, trees, e) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char target[64];

		snprintf(target, sizeof(target), "/sys/%s", dirs[i]);
		/* After a failure the earlier parts stay until the init
		 * exits, which a failed build makes it do at once. */
		if (rc == 0 && move_mount(trees[i], "", AT_FDCWD, target,
					  MOVE_MOUNT_F_EMPTY_PATH) < 0)
			rc = err_set(e, errno, "mount sysfs on %s", target);
		close(trees[i]);
	}
	return rc;
}

/* Like `ip netns exec`: /etc/netns/NAME/FILE is bound over /etc/FILE
 * (resolv.conf, hosts, nsswitch.conf for this namespace). */
static int bind_etc_netns(const char *name, struct nsiso_err *e)
{
	char dir[300];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "/etc/netns/%s", name);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : err_set(e, errno, "open %s", dir);
	while ((de = readdir(d)) != NULL && rc == 0) {
		char src[600], dst[600];

		if (de->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", de->d_name);
		/* Admin-owned files under /etc: a plain bind, as ip does. */
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			rc = err_set(e, errno, "bind %s on %s", src, dst);
	}
	closedir(d);
	return rc;
}

static int setup_inside(struct build *b, struct nl *inside)
{
	const struct env_plan *plan = b->plan;
	bool own_mounts = (plan->namespaces & NSISO_NS_MOUNT) != 0;

	/* An admin's namespace is as the admin made it; one of ours starts
	 * with lo down. */
	if (b->st.netns_fd < 0 && link_up(inside, "lo", &b->err) < 0)
		return -1;
	if (plan->net_mode == NET_VETH && setup_veth(b, inside) < 0)
		return -1;
	if (own_mounts && remount_sysfs_net(&b->err) < 0)
		return -1;
	if (plan->net_mode == NET_NETNS && own_mounts &&
	    bind_etc_netns(plan->netns_name, &b->err) < 0)
		return -1;
	return 0;
}

int net_step_setup_inside(struct build *b)
{
	struct nl inside = { .fd = -1 };
	int rc;

	if (!(b->plan->namespaces & NSISO_NS_NET))
		return 0;
	if (nl_open(&inside) < 0)
		return err_set(&b->err, errno, "open a netlink socket inside");
	rc = setup_inside(b, &inside);
	nl_close(&inside);
	if (rc < 0)
		net_teardown_inside(&b->st);
	return rc;
}

/* In a child in the host's mount namespace (net_in_host_mnt): binds the
 * init's netns (b->publish_fd, opened before the fork: the child sees the
 * host's /proc) on a new NETNS_DIR/NAME. 0, or -1 with errno. */
static int publish(void *arg)
{
	const struct build *b = arg;
	char path[300], self[64];
	int fd;

	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, b->plan->netns_name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", b->publish_fd);
	if (mount(self, path, NULL, MS_BIND, NULL) < 0) {
		int saved = errno;

		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

int net_step_publish(struct build *b)
{
	int rc;

	if (b->plan->net_mode != NET_NETNS || b->st.netns_fd >= 0 ||
	    b->st.host_mnt_fd < 0)
		return 0;
	b->publish_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (b->publish_fd < 0)
		return err_set(&b->err, errno, "open /proc/self/ns/net");
	rc = net_in_host_mnt(&b->st, publish, b);
	if (rc < 0)
		err_set(&b->err, errno, "publish the new netns as %s/%s",
			NETNS_DIR, b->plan->netns_name);
	close(b->publish_fd);
	b->publish_fd = -1;
	if (rc == 0)
		b->st.netns_published = true;
	return rc;
}
