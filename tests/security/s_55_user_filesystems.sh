# A user's own filesystem must not hang a build (issue 15, item 2): a FUSE
# mount whose daemon never answers (tests/security/fuse_hang.c, what a user
# can mount with fusermount and user_allow_other), placed where a per-user
# policy path points or over the home, is refused at once from mountinfo;
# a set-up that hangs anyway (on the administrator's own FUSE mount) is
# killed at the deadline, reaped, and leaves nothing behind.

FUSE_HANG=$W/bin/nssec-fuse-hang
FAULTY=$W/bin/nsiso-helper-faults
FUSE_PID=

# fuse_mount DIR UID: a never-answering FUSE mount on DIR owned by UID.
fuse_mount() {
	local out=$W/fuse-hang.out
	: > "$out"
	"$FUSE_HANG" "$1" "$2" "$2" > "$out" 2>&1 &
	FUSE_PID=$!
	BG_PIDS+=("$FUSE_PID")
	for _ in $(seq 50); do grep -q mounted "$out" && return 0; sleep 0.05; done
	log "fuse_hang did not mount $1: $(cat "$out")"
	return 1
}

# fuse_umount DIR: the daemon killed (its connection aborts: nothing
# waits on it any more), then the mount removed.
fuse_umount() {
	[ -n "$FUSE_PID" ] && kill -KILL "$FUSE_PID" 2>/dev/null && wait "$FUSE_PID" 2>/dev/null
	FUSE_PID=
	umount "$1" 2>/dev/null || umount -l "$1"
}

cgroup_dir_of() {
	printf '%s/nsiso/user-%s' "$(findmnt -n -t cgroup2 -o TARGET | head -1)" "$(uid_of "$1")"
}

# Processes a build of USER may leave: helpers, an init before its exec
# (it runs the helper's image) and USER's nsiso-init.
build_leftovers() {
	local p e
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2>/dev/null) || continue
		case "$e" in
		"$W/bin/nsiso-helper"*) echo "${p#/proc/}" ;;
		"$W/bin/nsiso-init")
			tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q "^nsiso-init: $1" &&
				echo "${p#/proc/}" ;;
		esac
	done
}

# nothing_left DESC USER: no process, cgroup directory, socket or held
# lock of a build of USER.
nothing_left() {
	local desc=$1 u=$2 uid lock
	uid=$(uid_of "$u")
	lock=/run/nsiso/user-$uid.lock
	expect_eq "$desc: no init or helper left" "" "$(build_leftovers "$u" | tr '\n' ' ')"
	if [ -e "$(cgroup_dir_of "$u")" ]; then
		fail "$desc: no cgroup directory left" "$(cgroup_dir_of "$u") exists"
	else pass "$desc: no cgroup directory left"; fi
	expect_eq "$desc: no socket left" "" "$(ls /run/nsiso | grep "^user-$uid\\.sock" || true)"
	if [ ! -e "$lock" ] || flock -n "$lock" true; then pass "$desc: the build lock is free"
	else fail "$desc: the build lock is free" "$lock is held"; fi
}

# fuse_denied DESC REGEX: pamtester for alice is denied within 5 s with
# REGEX logged, and nothing is left (deny_case checks mounts and sockets).
fuse_denied() {
	local t0 t1
	t0=$(date +%s%N)
	deny_case "$1" "$2"
	t1=$(date +%s%N)
	if [ $(((t1 - t0) / 1000000)) -lt 5000 ]; then pass "$1: refused at once"
	else fail "$1: refused at once" "took $(((t1 - t0) / 1000000)) ms"; fi
	nothing_left "$1" "$ALICE"
}

s_55_fuse_on_per_user_paths() {
	local home=/home/$ALICE
	install -d -m 0755 /var/lib/nssec-fuse
	install -d -o "$ALICE" -m 0700 "/var/lib/nssec-fuse/$ALICE"
	fuse_mount "/var/lib/nssec-fuse/$ALICE" "$(uid_of "$ALICE")" || return
	pol <<'P'
namespaces = mount uts ipc pid
bind = /var/lib/nssec-fuse/%u /mnt
linger = 0
P
	fuse_denied "per-user bind source on a user's FUSE mount" \
		"default.conf:2: bind: '/var/lib/nssec-fuse/$ALICE' refused: it lies on a fuse.hang mount at /var/lib/nssec-fuse/$ALICE, a filesystem users can mount"
	fuse_umount "/var/lib/nssec-fuse/$ALICE"
	# The same path on a filesystem only root mounts is fine.
	mount -t tmpfs -o size=1m,mode=0700,uid="$(uid_of "$ALICE")" nssec-t "/var/lib/nssec-fuse/$ALICE"
	expect_rc "the same per-user path on a tmpfs: the login works" 0 \
		timeout 60 pamtester nsiso-test "$ALICE" open_session close_session
	wait_gone "$ALICE"
	umount "/var/lib/nssec-fuse/$ALICE"

	# Over the home: a per-user path that is the mount point itself, and
	# a path written out in full under the home.
	fuse_mount "$home" "$(uid_of "$ALICE")" || return
	pol <<'P'
namespaces = mount uts ipc pid
tmpfs = /home/%u
linger = 0
P
	fuse_denied "tmpfs on the home, a user's FUSE mount" \
		"default.conf:2: tmpfs: '$home' refused: it lies on a fuse.hang mount at $home,"
	printf 'namespaces = mount uts ipc pid\nlinger = 0\nhide = %s/private\n' "$home" | pol
	fuse_denied "a literal path under the home on a user's FUSE mount" \
		"default.conf:3: hide: '$home/private' refused: it lies on a fuse.hang mount at $home,"
	fuse_umount "$home"
	rm -rf /var/lib/nssec-fuse
}

s_56_overdue_setup_is_killed_and_reaped() {
	local t0 t1 out rc
	# The administrator's own FUSE mount under a path written out in full
	# is not refused; if its daemon stops answering, the deadline applies.
	# The fault build shortens it from 30 s to 1.5 s.
	install -d -m 0755 /var/lib/nssec-adminfuse
	fuse_mount /var/lib/nssec-adminfuse 0 || return
	pol <<'P'
namespaces = mount uts ipc pid
bind = /var/lib/nssec-adminfuse/data /mnt
linger = 0
P
	t0=$(date +%s%N)
	out=$(NSISO_FAULT_SETUP_TIMEOUT_MS=1500 timeout 60 "$FAULTY" build \
		--uid "$(uid_of "$ALICE")" --policy "$POLICY" 2>&1)
	rc=$?
	t1=$(date +%s%N)
	expect_ne "overdue set-up: the build fails" "0" "$rc"
	expect_match "overdue set-up: the denial names the step and the path" \
		"did not finish within 1500 ms \\(at: $POLICY/default.conf:2: bind: lookup of /var/lib/nssec-adminfuse/data\\); its init was killed" "$out"
	if [ $(((t1 - t0) / 1000000)) -lt 8000 ]; then pass "overdue set-up: bounded"
	else fail "overdue set-up: bounded" "took $(((t1 - t0) / 1000000)) ms"; fi
	nothing_left "overdue set-up" "$ALICE"
	fuse_umount /var/lib/nssec-adminfuse
	rmdir /var/lib/nssec-adminfuse
	# An init that dies after publishing its new netns (kill -9 at
	# "ready"): the helper removes the name, which would pin the netns.
	pol <<'P'
namespaces = mount uts ipc pid net
network = netns nssec-%U
netns_create = yes
linger = 0
P
	NSISO_FAULT=ready timeout 60 "$FAULTY" build --uid "$(uid_of "$ALICE")" \
		--policy "$POLICY" >/dev/null 2>&1
	expect_eq "init killed after publishing its netns: the name is removed" "" \
		"$(ls /run/netns 2>/dev/null | grep "^nssec-$(uid_of "$ALICE")\$" || true)"
	nothing_left "init killed after publishing its netns" "$ALICE"
	# And the next login builds normally.
	sec_policy
	expect_eq "after an overdue set-up the next login works" "$ALICE-box" \
		"$(timeout 60 runuser -l "$ALICE" -c hostname)"
	wait_gone "$ALICE"
}
