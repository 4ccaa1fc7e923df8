/* systemctl --user from inside a PID namespace.
 *
 * systemctl connects to the user manager's private socket,
 * $XDG_RUNTIME_DIR/systemd/private, and refuses the connection unless
 * SO_PEERCRED names a pid it can see (systemd's getpeercred() turns pid 0
 * into ENODATA). The user manager runs in the host's PID namespace, so
 * from inside an environment that pid is 0 and every `systemctl --user`
 * fails.
 *
 * The init therefore covers that socket, inside the environment's mount
 * namespace only, with a socket of its own (in the marker tmpfs). For each
 * connection it forks a relay that becomes the user (so the manager sees
 * the user's uid, as without us) and copies bytes and passed fds both ways.
 * The relay lives in the environment's PID namespace, so the pid systemctl
 * sees is valid. The cover is checked after every registration: a user
 * manager that restarted made a new socket (its unlink on the host removed
 * the old cover), and the next login covers the new one. */
#include "initstate.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "become_user.h"
#include "proto.h"

#include "user_manager.h"

static struct {
	int listen_fd;
	int upstream_dir; /* a clone of the real systemd/ dir, no covers in it */
	uid_t uid;
	gid_t gid;
	pid_t relays[MAX_RELAYS];
	bool paused; /* out of fds: not accepting until a relay ends */
} um = { .listen_fd = -1, .upstream_dir = -1 };

void user_manager_start(int listen_fd, uid_t uid, gid_t gid)
{
	um.listen_fd = listen_fd;
	um.uid = uid;
	um.gid = gid;
}

int user_manager_fd(void)
{
	return um.paused ? -1 : um.listen_fd;
}

/* What the environment's mount table says about the runtime directory
 * RT (/run/user/UID), from /proc/self/mountinfo. */
struct runtime_mounts {
	int top;          /* mount id of the top mount on RT, or -1 */
	bool top_stacked; /* it sits on another mount on RT */
	char top_fstype[32];
	bool top_covered; /* our cover is on its systemd/private */
	bool foreign;     /* anything else mounted below RT */
};

#define MAX_RT_MOUNTS 16

/* The mounts on RT and our covers, collected from mountinfo. */
struct runtime_scan {
	const char *rt;
	size_t rt_len;
	char cover_point[128];
	struct {
		int id, parent;
		char fstype[32];
	} at_rt[MAX_RT_MOUNTS];
	int cover_parents[MAX_RT_MOUNTS];
	size_t n_rt, n_cover;
	bool foreign;
};

static int scan_runtime_mount(const struct mountinfo_entry *e, void *arg)
{
	struct runtime_scan *sc = arg;

	if (strcmp(e->point, sc->rt) == 0) {
		if (sc->n_rt == MAX_RT_MOUNTS)
			return -1; /* someone stacks mounts here on purpose */
		sc->at_rt[sc->n_rt].id = e->id;
		sc->at_rt[sc->n_rt].parent = e->parent;
		snprintf(sc->at_rt[sc->n_rt].fstype,
			 sizeof(sc->at_rt[sc->n_rt].fstype), "%s", e->fstype);
		sc->n_rt++;
	} else if (strcmp(e->point, sc->cover_point) == 0 &&
		   strcmp(e->root, "/" RELAY_NAME) == 0) {
		if (sc->n_cover == MAX_RT_MOUNTS)
			return -1;
		sc->cover_parents[sc->n_cover++] = e->parent;
	} else if (strncmp(e->point, sc->rt, sc->rt_len) == 0 &&
		   e->point[sc->rt_len] == '/') {
		sc->foreign = true;
	}
	return 0;
}

static int read_runtime_mounts(const char *rt, struct runtime_mounts *rm)
{
	struct runtime_scan sc = { .rt = rt, .rt_len = strlen(rt) };

	snprintf(sc.cover_point, sizeof(sc.cover_point), "%s/systemd/private", rt);
	/* Unreadable, or too many mounts on RT: leave it alone. */
	if (mountinfo_each(scan_runtime_mount, &sc) != 0)
		return -1;
	rm->foreign = sc.foreign;
	rm->top = -1;
	for (size_t i = 0; i < sc.n_rt; i++) {
		bool below_another = false;

		for (size_t j = 0; j < sc.n_rt; j++)
			if (sc.at_rt[j].parent == sc.at_rt[i].id)
				below_another = true;
		if (below_another)
			continue;
		rm->top = sc.at_rt[i].id;
		snprintf(rm->top_fstype, sizeof(rm->top_fstype), "%s",
			 sc.at_rt[i].fstype);
		for (size_t j = 0; j < sc.n_rt; j++)
			if (sc.at_rt[j].id == sc.at_rt[i].parent)
				rm->top_stacked = true;
	}
	for (size_t i = 0; i < sc.n_cover; i++)
		if (sc.cover_parents[i] == rm->top)
			rm->top_covered = true;
	return 0;
}

/* The host unmounts a runtime directory (logind at the last logout) and
 * mounts a new one later. Our copy of the old one holds the cover as a
 * child, so the unmount does not reach it and the new mount slides in
 * under it: the environment would keep a dead runtime directory. Detach
 * such a copy; only ours (with our cover) is ever touched. */
static int drop_stale_runtime_dirs(const char *rt, struct runtime_mounts *rm)
{
	for (int round = 0; round < 4; round++) {
		memset(rm, 0, sizeof(*rm));
		if (read_runtime_mounts(rt, rm) < 0)
			return -1;
		if (!(rm->top_stacked && rm->top_covered))
			return 0;
		if (umount2(rt, MNT_DETACH) < 0)
			return -1;
	}
	return -1;
}

/* Opens RT/systemd with no symlink and no other mount on the way, as the
 * user: the user owns both directories. */
static int open_systemd_dir(const char *rt)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int rt_fd, dir;

	rt_fd = (int)syscall(SYS_openat2, AT_FDCWD, rt, &how, sizeof(how));
	if (rt_fd < 0)
		return -1;
	how.resolve |= RESOLVE_NO_XDEV | RESOLVE_BENEATH;
	dir = (int)syscall(SYS_openat2, rt_fd, "systemd", &how, sizeof(how));
	close(rt_fd);
	return dir;
}

void user_manager_refresh(void)
{
	struct runtime_mounts rm;
	struct stat st, again;
	char rt[64];
	int dir, upstream = -1, target = -1, cover = -1;

	if (um.listen_fd < 0)
		return;
	snprintf(rt, sizeof(rt), "/run/user/%u", (unsigned)um.uid);
	/* Only a plain runtime directory is looked into: a FUSE mount of
	 * the user's there could make the init (every login's) wait. */
	if (drop_stale_runtime_dirs(rt, &rm) < 0 || rm.foreign || rm.top_covered ||
	    (rm.top >= 0 && strcmp(rm.top_fstype, "tmpfs") != 0))
		return;
	/* Nothing in here needs root's reach into the user's files. */
	(void)setfsuid(um.uid);
	dir = open_systemd_dir(rt);
	if (dir >= 0 && fstatat(dir, "private", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		close(dir);
		dir = -1;
	}
	(void)setfsuid(0);
	if (dir < 0)
		return; /* no user manager (no systemd, or not started yet) */
	if (!S_ISSOCK(st.st_mode) || st.st_uid != um.uid)
		goto out; /* not the manager's */
	/* A clone of systemd/ without submounts: the relays reach the real
	 * socket through it once it is covered here. */
	upstream = (int)syscall(SYS_open_tree, dir, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	target = openat(dir, "private", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	cover = (int)syscall(SYS_open_tree, AT_FDCWD, NSISO_RUNDIR "/" RELAY_NAME,
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				     AT_SYMLINK_NOFOLLOW);
	if (upstream < 0 || target < 0 || cover < 0 || fstat(target, &again) < 0 ||
	    again.st_dev != st.st_dev || again.st_ino != st.st_ino)
		goto out; /* changed under us: the next login tries again */
	if (syscall(SYS_move_mount, cover, "", target, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		goto out;
	if (um.upstream_dir >= 0)
		close(um.upstream_dir);
	um.upstream_dir = upstream;
	upstream = -1;
out:
	/* Nothing here is fatal: without the cover systemctl --user fails
	 * as it would without us, and the login itself is unaffected. */
	if (cover >= 0)
		close(cover);
	if (target >= 0)
		close(target);
	if (upstream >= 0)
		close(upstream);
	close(dir);
}

__attribute__((noreturn)) static void relay_child(int client)
{
	sigset_t none;
	int manager;

	/* Not "nsiso-init: USER": admins' pgrep/pkill of inits must not
	 * match the relays. */
	proctitle_set("nsiso-relay");
	(void)prctl(PR_SET_NAME, "nsiso-relay");
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL); /* SIGKILL/SIGSTOP: EINVAL */
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Keep only the client (3) and the upstream directory (4); moved
	 * high first so that neither overwrites the other. */
	{
		int c = fcntl(client, F_DUPFD, 100);
		int u = fcntl(um.upstream_dir, F_DUPFD, 100);

		if (c < 0 || u < 0 || dup2(c, 3) < 0 || dup2(u, 4) < 0 ||
		    syscall(SYS_close_range, 5, ~0U, 0) < 0)
			_exit(1);
	}
	/* The manager must see the user, as for a connection from the host;
	 * nothing of root stays with the relay. */
	if (setgroups(0, NULL) < 0 || drop_to_user_ids(um.uid, um.gid) < 0)
		_exit(1);
	manager = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (manager < 0 || fchdir(4) < 0)
		_exit(1);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX,
					  .sun_path = "private" };

		if (connect(manager, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(1);
	}
	/* The cwd only named the socket; it must not hold the clone. */
	if (chdir("/") < 0)
		_exit(1);
	close(4);
	/* The user swapped systemd/private for a socket of someone else's:
	 * only the user's own manager is relayed to. */
	{
		struct ucred cred;
		socklen_t cl = sizeof(cred);

		if (getsockopt(manager, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    cred.uid != um.uid)
			_exit(1);
	}
	dbus_relay(3, manager);
	_exit(0);
}

void user_manager_accept(void)
{
	/* Bounded: a flood of connections cannot keep the init from its
	 * logins. */
	for (int round = 0; round <= MAX_RELAYS; round++) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		size_t slot = MAX_RELAYS;
		pid_t pid;
		int fd = accept4(um.listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			/* Out of fds: stop polling the socket (it stays
			 * readable) until a relay ends. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
			    errno == ENOBUFS)
				um.paused = true;
			return;
		}
		for (size_t i = 0; i < MAX_RELAYS; i++)
			if (um.relays[i] == 0) {
				slot = i;
				break;
			}
		/* The socket is the user's (mode 0600); the peer check is
		 * the second lock. */
		if (slot == MAX_RELAYS || um.upstream_dir < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    (cred.uid != um.uid && cred.uid != 0)) {
			close(fd);
			continue;
		}
		pid = fork();
		if (pid == 0)
			relay_child(fd);
		/* fork failure: the client sees its connection close. */
		if (pid > 0)
			um.relays[slot] = pid;
		close(fd);
	}
}

void user_manager_reaped(pid_t pid)
{
	for (size_t i = 0; i < MAX_RELAYS; i++)
		if (um.relays[i] == pid) {
			um.relays[i] = 0;
			um.paused = false;
		}
}
