/* The environment's network: loopback only, an admin's named netns, or a
 * veth to an admin's bridge. All netlink work through libmnl; every error
 * names the device and the kernel's errno.
 *
 * Host-side objects (the named netns file, the bridge, the veth's host
 * end) are prepared by the helper in the host's namespaces; the init sets
 * up the inside and, for a veth, uses a netlink socket the helper opened
 * on the host. */
#include "helper.h"

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

#define NETNS_DIR "/run/netns"

static struct nl host_nl = { .sock = NULL };

static int fail(char *err, size_t len, int errnum, const char *what,
		const char *object)
{
	snprintf(err, len, "%s %s failed: %s", what, object, strerror(errnum));
	return -1;
}

/* Opens NETNS_DIR/name and checks that it is a network namespace. */
static int open_named_netns(const char *name, char *err, size_t len)
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
		snprintf(err, len, "%s is not a network namespace", path);
		return errno = EINVAL, -2;
	}
	return fd;
}

int net_prepare_host(const struct env_plan *plan, struct init_state *st,
		     char *err, size_t len)
{
	char buf[NLMSG_BUF];

	st->netns_fd = st->host_netns_fd = st->host_mnt_fd = -1;
	if (!(plan->namespaces & NSISO_NS_NET))
		return 0;
	if (plan->net_mode == NET_NETNS) {
		st->netns_fd = open_named_netns(plan->netns_name, err, len);
		if (st->netns_fd == -2)
			return -1;
		if (st->netns_fd >= 0)
			return 0;
		if (errno != ENOENT || !plan->netns_create) {
			snprintf(err, len,
				 "%s:%u: network: netns %s/%s: %s%s",
				 plan->policy_path, plan->net_line, NETNS_DIR,
				 plan->netns_name, strerror(errno),
				 errno == ENOENT
					 ? " (create it with ip netns add, or set netns_create = yes)"
					 : "");
			return -1;
		}
		/* Created with the environment and published under its name
		 * from the host's mount namespace, which the init keeps. */
		st->host_mnt_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (st->host_mnt_fd < 0)
			return fail(err, len, errno, "open", "/proc/self/ns/mnt");
		return 0;
	}
	if (plan->net_mode != NET_VETH)
		return 0;
	st->host_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (st->host_netns_fd < 0)
		return fail(err, len, errno, "open", "/proc/self/ns/net");
	if (nl_open(&host_nl) < 0)
		return fail(err, len, errno, "open", "a netlink socket on the host");
	st->bridge_index = nl_ifindex(&host_nl, plan->bridge);
	if (st->bridge_index < 0) {
		snprintf(err, len, "%s:%u: network: bridge %s on the host: %s",
			 plan->policy_path, plan->net_line, plan->bridge,
			 strerror(errno));
		return -1;
	}
	/* A host end left by an environment whose netns is still being
	 * freed (the kernel does that asynchronously after a kill -9) would
	 * make an immediate re-login fail with EEXIST. The name is ours. */
	if (nl_call(&host_nl, nl_link_delete(buf, 0, plan->host_if)) < 0 &&
	    errno != ENODEV)
		return fail(err, len, errno, "delete stale", plan->host_if);
	return 0;
}

int net_enter(const struct env_plan *plan, const struct init_state *st,
	      char *err, size_t len)
{
	if (!(plan->namespaces & NSISO_NS_NET))
		return 0;
	if (st->netns_fd >= 0) {
		if (setns(st->netns_fd, CLONE_NEWNET) < 0)
			return fail(err, len, errno, "setns into netns",
				    plan->netns_name);
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0)
		return fail(err, len, errno, "unshare", "a network namespace");
	return 0;
}

static int link_up(struct nl *nl, const char *name, char *err, size_t len)
{
	char buf[NLMSG_BUF];
	int index = nl_ifindex(nl, name);

	if (index < 0)
		return fail(err, len, errno, "find", name);
	if (nl_call(nl, nl_link_up(buf, 0, index, NULL)) < 0)
		return fail(err, len, errno, "bring up", name);
	return index;
}

static int setup_veth(const struct env_plan *plan, struct init_state *st,
		      struct nl *inside, char *err, size_t len)
{
	char buf[NLMSG_BUF], addr[32];
	struct in_addr a, gw;
	int index;

	if (nl_call(inside, nl_veth_create(buf, 0, PLAN_VETH_INSIDE,
					   plan->host_if, st->host_netns_fd)) < 0)
		return fail(err, len, errno, "create veth", plan->host_if);
	st->veth_created = true;
	if (nl_call(&host_nl, nl_link_set_master_up(buf, 0, plan->host_if,
						    st->bridge_index)) < 0) {
		snprintf(err, len, "attach %s to bridge %s failed: %s",
			 plan->host_if, plan->bridge, strerror(errno));
		return -1;
	}
	index = link_up(inside, PLAN_VETH_INSIDE, err, len);
	if (index < 0)
		return -1;
	memcpy(&a, plan->addr, 4);
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u/%u", plan->addr[0],
		 plan->addr[1], plan->addr[2], plan->addr[3], plan->prefix);
	if (nl_call(inside, nl_addr_add4(buf, 0, index, a, plan->prefix)) < 0) {
		snprintf(err, len, "add address %s to %s failed: %s", addr,
			 PLAN_VETH_INSIDE, strerror(errno));
		return -1;
	}
	if (plan->has_gateway) {
		memcpy(&gw, plan->gateway, 4);
		if (nl_call(inside, nl_route_default4(buf, 0, gw)) < 0) {
			snprintf(err, len,
				 "add default route via %u.%u.%u.%u failed: %s",
				 plan->gateway[0], plan->gateway[1],
				 plan->gateway[2], plan->gateway[3],
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* sysfs shows the network namespace of whoever mounts it: a fresh one,
 * from inside, supplies /sys/class/net and /sys/devices/virtual/net.
 * Only those two are replaced, so the rest of /sys (cgroups included)
 * stays as it is. */
static int remount_sysfs_net(char *err, size_t len)
{
	static const char *const dirs[] = { "class/net", "devices/virtual/net" };
	enum { count = sizeof(dirs) / sizeof(dirs[0]) };
	int trees[count];
	int fs, mnt;

	fs = fsopen("sysfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail(err, len, errno, "fsopen", "sysfs");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int saved = errno;
		close(fs);
		return fail(err, len, saved, "create", "sysfs");
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			      MOUNT_ATTR_NOEXEC);
	close(fs);
	if (mnt < 0)
		return fail(err, len, errno, "fsmount", "sysfs");
	{
		const char *step = "";
		int rc = clone_detached_parts(mnt, dirs, count, trees, &step);
		int saved = errno;

		close(mnt);
		if (rc < 0)
			return fail(err, len, saved, step, "sysfs");
	}
	for (size_t i = 0; i < count; i++) {
		char target[64];
		int rc = 0;

		snprintf(target, sizeof(target), "/sys/%s", dirs[i]);
		if (move_mount(trees[i], "", AT_FDCWD, target,
			       MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			rc = fail(err, len, errno, "mount sysfs on", target);
			/* The earlier parts stay until the init exits, which
			 * a failed build makes it do at once. */
		}
		close(trees[i]);
		trees[i] = -1;
		if (rc < 0) {
			for (size_t j = i + 1; j < count; j++)
				close(trees[j]);
			return -1;
		}
	}
	return 0;
}

/* Like `ip netns exec`: /etc/netns/NAME/FILE is bound over /etc/FILE
 * (resolv.conf, hosts, nsswitch.conf for this namespace). */
static int bind_etc_netns(const char *name, char *err, size_t len)
{
	char dir[300];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "/etc/netns/%s", name);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : fail(err, len, errno, "open", dir);
	while ((de = readdir(d)) != NULL && rc == 0) {
		char src[600], dst[600];

		if (de->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", de->d_name);
		/* Admin-owned files under /etc: a plain bind, as ip does. */
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			rc = fail(err, len, errno, "bind", src);
	}
	closedir(d);
	return rc;
}

int net_setup_inside(const struct env_plan *plan, struct init_state *st,
		     char *err, size_t len)
{
	struct nl inside = { .sock = NULL };
	int rc = -1;

	if (!(plan->namespaces & NSISO_NS_NET))
		return 0;
	if (nl_open(&inside) < 0)
		return fail(err, len, errno, "open", "a netlink socket inside");
	/* An admin's namespace is as the admin made it; one of ours starts
	 * with lo down. */
	if (st->netns_fd < 0 && link_up(&inside, "lo", err, len) < 0)
		goto out;
	if (plan->net_mode == NET_VETH &&
	    setup_veth(plan, st, &inside, err, len) < 0)
		goto out;
	if ((plan->namespaces & NSISO_NS_MOUNT) && remount_sysfs_net(err, len) < 0)
		goto out;
	if (plan->net_mode == NET_NETNS && (plan->namespaces & NSISO_NS_MOUNT) &&
	    bind_etc_netns(plan->netns_name, err, len) < 0)
		goto out;
	rc = 0;
out:
	nl_close(&inside);
	if (rc < 0)
		net_teardown_inside(st);
	return rc;
}

/* The init's own netns, opened before the fork: the child that publishes
 * it sees the host's /proc after joining the host's mount namespace. */
static int publish_fd = -1;

static int publish(const char *name)
{
	char path[300], self[64];
	int fd;

	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", publish_fd);
	if (mount(self, path, NULL, MS_BIND, NULL) < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

int net_publish(const struct env_plan *plan, struct init_state *st,
		char *err, size_t len)
{
	if (plan->net_mode != NET_NETNS || st->netns_fd >= 0 ||
	    st->host_mnt_fd < 0)
		return 0;
	publish_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (publish_fd < 0)
		return fail(err, len, errno, "open", "/proc/self/ns/net");
	if (net_in_host_mnt(st, publish, plan->netns_name) < 0) {
		close(publish_fd);
		snprintf(err, len,
			 "publishing the new netns as %s/%s failed (does it exist already?)",
			 NETNS_DIR, plan->netns_name);
		return -1;
	}
	close(publish_fd);
	st->netns_published = true;
	return 0;
}
