# Time namespaces, the capability bounding set and no_new_privs, and user
# namespaces (issue 5), checked from inside real logins and from the host.

# Printed from inside a session.
TSNAP='echo time=$(readlink /proc/self/ns/time)
echo uptime=$(cut -d" " -f1 /proc/uptime | cut -d. -f1)
echo offsets=$(tr "\n" " " < /proc/self/timens_offsets)'

# t85_login VIA USER COMMAND: COMMAND in a real login over VIA (ssh,
# "su -l" or "runuser -l").
t85_login() {
	case $1 in
	ssh) ssh_as "$2" "$3" ;;
	"su -l") su - "$2" -c "$3" ;;
	*) runuser_l "$2" "$3" ;;
	esac
}

t85_getv() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -1; }

time_policy() {
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid time
boottime_offset = 864000
monotonic_offset = 3600
tmpfs = /tmp
P
}

# check_time VIA OUTPUT HOST_UPTIME_BEFORE: the session saw the offsets.
check_time() {
	local via=$1 out=$2 before=$3 up diff
	expect_match "$via: the shell's time namespace is not the host's" \
		"^time:\[[0-9]+\]$" "$(t85_getv time "$out")"
	expect_ne "$via: (differs)" "$(host_ns time)" "$(t85_getv time "$out")"
	expect_eq "$via: timens_offsets has the policy's offsets" \
		"monotonic 3600 0 boottime 864000 0" "$(t85_getv offsets "$out")"
	up=$(t85_getv uptime "$out")
	diff=$(( ${up:-0} - before ))
	if [ "$diff" -ge 864000 ] && [ "$diff" -le 864030 ]; then
		pass "$via: /proc/uptime is ahead of the host's by boottime_offset ($diff s)"
	else
		fail "$via: /proc/uptime is ahead of the host's by boottime_offset" \
			"inside $up, host $before"
	fi
}

host_uptime() { cut -d" " -f1 /proc/uptime | cut -d. -f1; }

# The test runner's own clocks and time namespace: what the PAM callers
# below must leave alone.
t85_host_clock_ok() {
	local via=$1 ns_before=$2 up_before=$3 up_now
	up_now=$(host_uptime)
	expect_eq "$via: the host's time namespace is unchanged" "$ns_before" "$(host_ns time)"
	if [ "$up_now" -ge "$up_before" ] && [ "$((up_now - up_before))" -le 60 ]; then
		pass "$via: the host's uptime did not move"
	else
		fail "$via: the host's uptime did not move" "before $up_before, now $up_now"
	fi
}

t_85_time_ssh() {
	time_policy
	local ns up out mon
	ns=$(host_ns time)
	up=$(host_uptime)
	out=$(ssh_as "$ALICE" "$TSNAP")
	check_time ssh "$out" "$up"
	# sshd's monitor (the PAM caller) stays in the host's time namespace;
	# only its children go to the new one.
	ssh_as "$ALICE" 'sleep 4' &
	local bg=$!
	for _ in $(seq 50); do
		mon=$(pgrep -f "^sshd[^ ]*: $ALICE \[priv\]" | head -1)
		[ -n "$mon" ] && [ "$(readlink "/proc/$mon/ns/time_for_children" 2>/dev/null)" != "$ns" ] && break
		sleep 0.1
	done
	if [ -n "$mon" ]; then
		expect_eq "ssh: the monitor's own time namespace is the host's" "$ns" \
			"$(readlink "/proc/$mon/ns/time")"
		expect_ne "ssh: the monitor's children get the new one" "$ns" \
			"$(readlink "/proc/$mon/ns/time_for_children")"
	else
		fail "ssh: found the sshd monitor of the login"
	fi
	wait "$bg"
	t85_host_clock_ok ssh "$ns" "$up"
	wait_gone "$ALICE"
}

t_85_time_su_runuser() {
	time_policy
	local ns up
	ns=$(host_ns time)
	up=$(host_uptime)
	check_time "su -l" "$(su - "$ALICE" -c "$TSNAP")" "$up"
	check_time "runuser -l" "$(runuser_l "$ALICE" "$TSNAP")" "$up"
	t85_host_clock_ok "su/runuser" "$ns" "$up"
	# A second login joins the same environment and gets the same offsets.
	local a b
	ssh_as "$ALICE" 'sleep 3' &
	local bg=$!
	sleep 0.5
	a=$(ssh_as "$ALICE" 'readlink /proc/self/ns/pid; cat /proc/self/timens_offsets')
	b=$(runuser_l "$ALICE" 'readlink /proc/self/ns/pid; cat /proc/self/timens_offsets')
	expect_eq "two logins: same environment, same offsets" "$a" "$b"
	wait "$bg"
	wait_gone "$ALICE"
}

t_85_time_enter() {
	time_policy
	local up
	up=$(host_uptime)
	ssh_as "$ALICE" 'sleep 4' &
	local bg=$!
	wait_live "$ALICE"
	check_time "nsiso enter (root)" "$("$NSISO" enter "$ALICE" -- sh -c "$TSNAP" </dev/null)" "$up"
	# The helper as installed: setuid root.
	chown root:root "$ENTER"
	chmod 4755 "$ENTER"
	check_time "nsiso-enter (the user)" \
		"$(runuser -u "$ALICE" -- env NSISO_ENTER="$ENTER" "$NSISO" enter "$ALICE" -- sh -c "$TSNAP" </dev/null)" "$up"
	chmod 0755 "$ENTER"
	wait "$bg"
	wait_gone "$ALICE"
}

t_85_time_denials() {
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount time
monotonic_offset = -315360000
P
	deny_case "a negative offset beyond the uptime" \
		"user/$ALICE.conf:2: monotonic_offset -315360000 would take the clock below zero"
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount
boottime_offset = 5
P
	expect_match "nsiso check: an offset without time" \
		"user/$ALICE.conf:2: boottime_offset needs 'time' in namespaces" \
		"$("$NSISO" check "$POLICY" 2>&1)"
	time_policy
	expect_match "nsiso explain shows the offsets" \
		"time: +boottime \+864000 s, monotonic \+3600 s" \
		"$("$NSISO" explain "$ALICE" --policy "$POLICY")"
}

# ---- capabilities and no_new_privs ---------------------------------

# Setuid-root copies of cat and id (the suite's work directory is visible
# inside the environments).
t85_suid_setup() {
	install -o root -g root -m 4755 /bin/cat "$W/bin/nsit-suid-cat"
	install -o root -g root -m 4755 /usr/bin/id "$W/bin/nsit-suid-id"
}
t85_suid_cleanup() { rm -f "$W/bin/nsit-suid-cat" "$W/bin/nsit-suid-id"; }

CSNAP="echo capbnd=\$(grep ^CapBnd /proc/self/status | cut -f2)
echo capinh=\$(grep ^CapInh /proc/self/status | cut -f2)
echo nnp=\$(grep ^NoNewPrivs /proc/self/status | cut -f2)
echo suidcap=\$($W/bin/nsit-suid-cat /proc/self/status | grep ^CapEff | cut -f2)
echo suideuid=\$($W/bin/nsit-suid-id -u)
echo su=\$(su -l -c 'id -u' root </dev/null 2>&1 | tail -1)"

caps_policy() {
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid
capabilities = cap_kill cap_net_bind_service
P
	write_policy "user/$BOB.conf" <<'P'
namespaces = mount uts ipc pid
capabilities = none
no_new_privs = yes
P
}

# The bounding set of cap_kill (5) and cap_net_bind_service (10).
CAPS_KEPT=0000000000000420

t_85_caps_bounding_set() {
	caps_policy
	t85_suid_setup
	local full mine out via
	full=$(grep ^CapBnd /proc/self/status | cut -f2)
	mine=$full
	for via in ssh "su -l" "runuser -l"; do
		out=$(t85_login "$via" "$ALICE" "$CSNAP")
		expect_eq "$via: the session's bounding set is the policy's" "$CAPS_KEPT" "$(t85_getv capbnd "$out")"
		expect_eq "$via: a setuid-root program gets only the kept capabilities" \
			"$CAPS_KEPT" "$(t85_getv suidcap "$out")"
		expect_eq "$via: it still runs as euid 0 (no no_new_privs)" "0" "$(t85_getv suideuid "$out")"
		expect_eq "$via: no_new_privs is off" "0" "$(t85_getv nnp "$out")"
	done
	# The PAM caller keeps its own privileges: sshd's monitor is still
	# fully privileged (it chowns the pty); only its bounding set changed.
	ssh_as "$ALICE" 'sleep 4' &
	local bg=$! mon=
	for _ in $(seq 50); do
		mon=$(pgrep -f "^sshd[^ ]*: $ALICE \[priv\]" | head -1)
		[ -n "$mon" ] && grep -q "^CapBnd:.$CAPS_KEPT" "/proc/$mon/status" 2>/dev/null && break
		sleep 0.1
	done
	if [ -n "$mon" ]; then
		expect_eq "ssh: the monitor's effective capabilities are untouched" \
			"$(grep ^CapEff /proc/self/status | cut -f2)" "$(grep ^CapEff "/proc/$mon/status" | cut -f2)"
		expect_eq "ssh: the monitor's bounding set is the policy's (for what it execs)" \
			"$CAPS_KEPT" "$(grep ^CapBnd "/proc/$mon/status" | cut -f2)"
	else
		fail "ssh: found the sshd monitor of the login"
	fi
	expect_eq "ssh: the sshd listener's bounding set is the host's" "$full" \
		"$(grep ^CapBnd "/proc/$SSHD_PID/status" | cut -f2)"
	out=$(ssh_as "$ALICE" -tt 'stat -c %U $(tty)' 2>/dev/null | tr -d '\r')
	expect_eq "ssh -tt: the pty still belongs to the user" "$ALICE" "$out"
	wait "$bg"
	expect_eq "the test runner's bounding set is unchanged" "$mine" \
		"$(grep ^CapBnd /proc/self/status | cut -f2)"
	# nsiso enter applies the same.
	ssh_as "$ALICE" 'sleep 3' &
	bg=$!
	wait_live "$ALICE"
	out=$("$NSISO" enter "$ALICE" -- sh -c 'grep ^CapBnd /proc/self/status | cut -f2' </dev/null)
	expect_eq "nsiso enter: the policy's bounding set" "$CAPS_KEPT" "$out"
	wait "$bg"
	t85_suid_cleanup
	wait_gone "$ALICE"
}

t_85_no_new_privs() {
	caps_policy
	t85_suid_setup
	local out via uid
	uid=$(id -u "$BOB")
	# Control: without the policy, su -l (whose test stack admits anyone)
	# and the setuid copies do change uid; with it they do not.
	reset_policy
	write_policy "user/$BOB.conf" <<'P'
namespaces = mount uts ipc pid
P
	out=$(ssh_as "$BOB" "$CSNAP")
	expect_eq "control: without no_new_privs a setuid program runs as euid 0" "0" "$(t85_getv suideuid "$out")"
	expect_eq "control: without no_new_privs su -l root works" "0" "$(t85_getv su "$out")"
	wait_gone "$BOB"
	caps_policy
	for via in ssh "su -l" "runuser -l"; do
		out=$(t85_login "$via" "$BOB" "$CSNAP")
		expect_eq "$via: NoNewPrivs is 1" "1" "$(t85_getv nnp "$out")"
		expect_eq "$via: capabilities = none: empty bounding set" "0000000000000000" "$(t85_getv capbnd "$out")"
		expect_eq "$via: and empty inheritable set" "0000000000000000" "$(t85_getv capinh "$out")"
		expect_eq "$via: a setuid-root program keeps the user's uid" "$uid" "$(t85_getv suideuid "$out")"
		expect_eq "$via: and gets no capability" "0000000000000000" "$(t85_getv suidcap "$out")"
		expect_no_match "$via: su -l root does not give uid 0" "^0$" "$(t85_getv su "$out")"
	done
	expect_match "nsiso explain shows both" \
		"capabilities: bounding set none.*no_new_privs: yes" \
		"$("$NSISO" explain "$BOB" --policy "$POLICY" | tr '\n' ' ')"
	expect_match "nsiso explain names the kept capabilities" \
		"capabilities: bounding set cap_kill cap_net_bind_service" \
		"$("$NSISO" explain "$ALICE" --policy "$POLICY")"
	write_policy "user/$BOB.conf" <<'P'
capabilities = cap_net_raw cap_sys_admn
P
	expect_match "nsiso check: an unknown capability, file:line:col" \
		"user/$BOB.conf:1: capabilities: unknown capability 'cap_sys_admn'" \
		"$("$NSISO" check "$POLICY" 2>&1)"
	wait_gone "$BOB"
	deny_case "a bad capabilities line" \
		"user/$BOB.conf:1: capabilities: unknown capability" "$BOB"
	t85_suid_cleanup
	wait_gone "$BOB"
}

# ---- user namespaces through nsiso-shell ----------------------------

ERIN=${PREFIX}-erin   # login shell: nsiso-shell
ETC_POLICY=/etc/security/nsiso

# nsiso-shell reads the fixed policy directory: the suite's policy is
# bound there, in the suite's own mount namespace only (environments are
# its slaves and see it too).
t85_userns_setup() {
	install -o root -g root -m 4755 "$TOP/setuid/nsiso-shell/nsiso-shell" "$W/bin/nsiso-shell"
	if ! id "$ERIN" >/dev/null 2>&1; then
		add_user "$ERIN"
		cp "$W/sshd/client_key.pub" "$W/sshd/keys/$ERIN"
	fi
	usermod -s "$W/bin/nsiso-shell" "$ERIN"
	T85_MADE_ETC=
	if [ ! -d "$ETC_POLICY" ]; then mkdir -p "$ETC_POLICY"; T85_MADE_ETC=1; fi
	bind_compiled_helper
}
t85_bind_policy() {
	umount -l "$ETC_POLICY" 2>/dev/null
	mount --bind "$POLICY" "$ETC_POLICY"
}
t85_userns_cleanup() {
	unbind_compiled_helper
	umount -l "$ETC_POLICY" 2>/dev/null
	[ -n "$T85_MADE_ETC" ] && rmdir "$ETC_POLICY"
	return 0
}

USNAP='echo user=$(readlink /proc/self/ns/user)
echo map=$(tr -s " " < /proc/self/uid_map | sed "s/^ //")
echo gmap=$(tr -s " " < /proc/self/gid_map | sed "s/^ //")
echo maplines=$(wc -l < /proc/self/uid_map)
echo id=$(id -u)
echo pid=$(readlink /proc/self/ns/pid)
echo host=$(hostname)
echo shadow=$(cat /etc/shadow 2>&1 >/dev/null | sed "s/.*: //")
echo sethost=$(hostname nsit-x 2>&1 | sed "s/.*: //")
echo killinit=$(kill -0 1 2>&1 | sed "s/.*: //")
echo capbnd=$(grep ^CapBnd /proc/self/status | cut -f2)
echo nnp=$(grep ^NoNewPrivs /proc/self/status | cut -f2)
echo comm=$(ps -o comm= -p $$)'

userns_policy() { # MODE [extra lines]
	reset_policy
	write_policy "user/$ERIN.conf" <<P
namespaces = mount uts ipc pid user
userns = $1
hostname = %u-box
${2:-}
P
	t85_bind_policy
}

t_85_userns_root() {
	t85_userns_setup
	userns_policy root
	local out via uid gid
	uid=$(id -u "$ERIN")
	gid=$(id -g "$ERIN")
	for via in ssh "su -l" "runuser -l"; do
		out=$(t85_login "$via" "$ERIN" "$USNAP")
		expect_match "$via: the shell is in a user namespace" "^user:\[[0-9]+\]$" "$(t85_getv user "$out")"
		expect_ne "$via: not the host's" "$(host_ns user)" "$(t85_getv user "$out")"
		expect_eq "$via: uid_map is '0 UID 1'" "0 $uid 1" "$(t85_getv map "$out")"
		expect_eq "$via: gid_map is '0 GID 1'" "0 $gid 1" "$(t85_getv gmap "$out")"
		expect_eq "$via: no other host uid is mapped" "1" "$(t85_getv maplines "$out")"
		expect_eq "$via: id -u is 0" "0" "$(t85_getv id "$out")"
		expect_ne "$via: and the rest of the environment (PID namespace)" \
			"$(host_ns pid)" "$(t85_getv pid "$out")"
		expect_eq "$via: the environment's hostname" "$ERIN-box" "$(t85_getv host "$out")"
		expect_eq "$via: root inside cannot read /etc/shadow" "Permission denied" "$(t85_getv shadow "$out")"
		expect_match "$via: nor set the (host-owned) UTS namespace's hostname" "Operation not permitted|must be root" "$(t85_getv sethost "$out")"
		expect_match "$via: nor signal the environment's init" "Operation not permitted" "$(t85_getv killinit "$out")"
		expect_eq "$via: the real shell runs (default /bin/bash)" "bash" "$(t85_getv comm "$out")"
	done
	# The namespace's owner is the user (root seen from inside with this
	# map), not the host's root (unmapped: the overflow uid 65534). A
	# root-owned namespace would charge the user's processes and inotify
	# instances to root's limits and starve root's services.
	out=$(ssh_as "$ERIN" "python3 -c 'import fcntl, os, struct; fd = os.open(\"/proc/self/ns/user\", os.O_RDONLY); b = bytearray(4); fcntl.ioctl(fd, 0xb704, b); print(struct.unpack(\"I\", bytes(b))[0])'")
	expect_eq "the user namespace is owned by the user (NS_GET_OWNER_UID inside: 0)" "0" "$out"
	# The host's view: the user's own uid, in another user namespace.
	ssh_as "$ERIN" 'exec sleep 7' &
	local bg=$! p=
	for _ in $(seq 50); do
		p=$(pgrep -u "$uid" -x sleep | head -1)
		[ -n "$p" ] && [ "$(readlink "/proc/$p/ns/user")" != "$(host_ns user)" ] && break
		sleep 0.1
	done
	if [ -n "$p" ]; then
		expect_eq "host: the shell's process runs as the user's uid" "$uid $uid $uid $uid" \
			"$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$p/status")"
		expect_ne "host: in a user namespace of its own" "$(host_ns user)" "$(readlink "/proc/$p/ns/user")"
		# Owned by the user (made with the user's euid), so its usage is
		# charged to the user, not root; made with CAP_SYS_ADMIN raised
		# from the setuid start, which Debian's
		# kernel.unprivileged_userns_clone=0 still allows (this kernel
		# has no such switch to turn off).
		expect_eq "host: the namespace's owner is the user, not root" "$uid" \
			"$(python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
b = bytearray(4)
fcntl.ioctl(fd, 0xb704, b)  # NS_GET_OWNER_UID
print(struct.unpack("I", b)[0])' "/proc/$p/ns/user")"
		expect_eq "host: the sshd monitor (the PAM caller) stays in the host's user namespace" \
			"$(host_ns user)" "$(readlink "/proc/$(pgrep -f "^sshd[^ ]*: $ERIN \[priv\]" | head -1)/ns/user")"
	else
		fail "host: found the session's process"
	fi
	kill "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	# nsiso enter (root and the user) goes through the login shell.
	ssh_as "$ERIN" 'sleep 4' &
	bg=$!
	wait_live "$ERIN"
	out=$("$NSISO" enter "$ERIN" -- sh -c 'id -u; tr -s " " < /proc/self/uid_map' </dev/null | tr '\n' ' ')
	expect_eq "nsiso enter: the command runs in the user namespace" "0  0 $uid 1 " "$out"
	chown root:root "$ENTER"
	chmod 4755 "$ENTER"
	out=$(runuser -u "$ERIN" -- env NSISO_ENTER="$ENTER" "$NSISO" enter "$ERIN" -- \
		sh -c 'printf "%s|" "$@"; id -u' sh "it's" "a  b" '$HOME' </dev/null 2>&1)
	expect_eq "nsiso-enter (the user): through nsiso-shell, every word kept" "it's|a  b|\$HOME|0" "$out"
	chmod 0755 "$ENTER"
	wait "$bg"
	wait_gone "$ERIN"
	t85_userns_cleanup
}

t_85_userns_self_caps() {
	t85_userns_setup
	t85_suid_setup
	userns_policy self "capabilities = none
no_new_privs = yes
shell = /bin/sh"
	local out via uid
	uid=$(id -u "$ERIN")
	for via in ssh "su -l" "runuser -l"; do
		out=$(t85_login "$via" "$ERIN" "$USNAP; echo suideuid=\$($W/bin/nsit-suid-id -u)")
		expect_eq "$via: userns = self: uid_map is 'UID UID 1'" "$uid $uid 1" "$(t85_getv map "$out")"
		expect_eq "$via: id -u is the user's" "$uid" "$(t85_getv id "$out")"
		expect_eq "$via: the bounding set inside is the policy's" "0000000000000000" "$(t85_getv capbnd "$out")"
		expect_eq "$via: no_new_privs inside" "1" "$(t85_getv nnp "$out")"
		expect_eq "$via: a setuid-root program (owner unmapped) does not change uid" "$uid" "$(t85_getv suideuid "$out")"
		expect_eq "$via: shell = /bin/sh runs sh" "sh" "$(t85_getv comm "$out")"
	done
	t85_suid_cleanup
	wait_gone "$ERIN"
	t85_userns_cleanup
}

t_85_userns_wrapper_noop_and_denials() {
	t85_userns_setup
	local out uid
	uid=$(id -u "$ERIN")
	# A policy without "user": nsiso-shell just runs the real shell.
	reset_policy
	write_policy "user/$ERIN.conf" <<'P'
namespaces = mount uts ipc pid
P
	t85_bind_policy
	out=$(ssh_as "$ERIN" "$USNAP")
	expect_eq "no 'user' in the policy: the host's user namespace" "$(host_ns user)" "$(t85_getv user "$out")"
	expect_eq "no 'user': the user's uid" "$uid" "$(t85_getv id "$out")"
	expect_eq "no 'user': the real shell" "bash" "$(t85_getv comm "$out")"
	wait_gone "$ERIN"
	# The same, with a bounding set the module already cut (no
	# cap_setpcap left for nsiso-shell, a setuid program, to drop more):
	# what an admin has after taking 'user' out of a policy.
	reset_policy
	write_policy "user/$ERIN.conf" <<'P'
namespaces = mount uts ipc pid
capabilities = cap_net_raw
P
	t85_bind_policy
	out=$(ssh_as "$ERIN" 'echo ok; grep ^CapBnd /proc/self/status' 2>&1)
	expect_eq "no 'user', a cut bounding set: the login works through nsiso-shell" \
		"ok CapBnd: 0000000000002000" "$(printf '%s' "$out" | tr '\n\t' '  ' | tr -s ' ' | sed 's/ $//')"
	out=$(ssh_as "$ERIN" 'echo "$0"; echo "$SSH_CONNECTION" | wc -w')
	expect_eq "ssh command: bash -c with the caller's environment" "bash 4" "$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"
	wait_gone "$ERIN"
	# Strict argv, run by the user directly.
	out=$(runuser -u "$ERIN" -- "$W/bin/nsiso-shell" -l 2>&1); local rc=$?
	expect_eq "nsiso-shell -l: refused" "1" "$rc"
	expect_match "and says how it is used" "usage: nsiso-shell \[-c COMMAND\]" "$out"
	out=$(runuser -u "$ERIN" -- "$W/bin/nsiso-shell" -c 'id -u' extra 2>&1); rc=$?
	expect_eq "nsiso-shell -c CMD extra: refused" "1" "$rc"
	# A user namespace policy for a user whose login shell is bash.
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount pid user
P
	deny_case "'user' with a login shell that is not nsiso-shell" \
		"user/$ALICE.conf:1: namespaces: 'user' needs the login shell to be nsiso-shell"
	expect_match "nsiso explain says so" "error: .*needs the login shell to be nsiso-shell" \
		"$("$NSISO" explain "$ALICE" --policy "$POLICY")"
	# The policy drops 'user' while an environment built with it lives:
	# the join is refused (nsiso-shell would skip the namespace and the
	# join would skip the limits), until the environment is stopped.
	userns_policy root
	ssh_as "$ERIN" 'sleep 5' &
	local bg=$!
	wait_live "$ERIN"
	reset_policy
	write_policy "user/$ERIN.conf" <<'P'
namespaces = mount uts ipc pid
no_new_privs = yes
P
	t85_bind_policy
	mark_log
	out=$(ssh_as "$ERIN" 'echo in' 2>&1)
	expect_no_match "'user' dropped from the policy of a live environment: login refused" "^in$" "$out"
	expect_log "and logged with the way out" \
		"was built with a user namespace and the policy now says otherwise: end it with 'nsiso stop $ERIN'"
	"$NSISO" stop "$ERIN" >/dev/null
	wait "$bg" 2>/dev/null
	wait_gone "$ERIN"
	out=$(ssh_as "$ERIN" 'grep ^NoNewPrivs /proc/self/status | cut -f2; readlink /proc/self/ns/user')
	expect_eq "after nsiso stop: the new policy (no user namespace, no_new_privs)" \
		"1 $(host_ns user)" "$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"
	wait_gone "$ERIN"
	# A symlink named nsiso-shell is not accepted as the login shell.
	mkdir -p "$W/lnk"
	ln -sf "$W/bin/nsiso-shell" "$W/lnk/nsiso-shell"
	usermod -s "$W/lnk/nsiso-shell" "$ERIN"
	userns_policy root
	deny_case "a symlinked nsiso-shell as login shell" \
		"the login shell $W/lnk/nsiso-shell is a symlink" "$ERIN"
	usermod -s "$W/bin/nsiso-shell" "$ERIN"
	rm -rf "$W/lnk"
	# A broken policy: nsiso-shell refuses, with file:line.
	reset_policy
	write_policy "user/$ERIN.conf" <<'P'
namespaces = mount user
userns = god
P
	t85_bind_policy
	out=$(runuser -u "$ERIN" -- "$W/bin/nsiso-shell" -c 'echo ran' 2>&1); rc=$?
	expect_eq "a broken policy: nsiso-shell exits 1" "1" "$rc"
	expect_match "and names file:line" "user/$ERIN.conf:2: userns: expected self or root" "$out"
	expect_no_match "and runs nothing" "^ran$" "$out"
	t85_userns_cleanup
}

# userns_subids: the admin's /etc/subuid range is mapped from id 1 up.
t_85_userns_subids() {
	t85_userns_setup
	# useradd may have given the user a range already (SUB_UID_COUNT).
	sed -i "/^$ERIN:/d" /etc/subuid /etc/subgid
	usermod --add-subuids 3900000-3965535 --add-subgids 3900000-3965535 "$ERIN"
	userns_policy root "userns_subids = yes"
	local out uid gid
	uid=$(id -u "$ERIN")
	gid=$(id -g "$ERIN")
	out=$(ssh_as "$ERIN" 'tr -s " " < /proc/self/uid_map | sed "s/^ //" | tr "\n" ";"; echo
tr -s " " < /proc/self/gid_map | sed "s/^ //" | tr "\n" ";"; echo
rm -f ~/subid-file; touch ~/subid-file && chown 1000:1000 ~/subid-file && echo chowned')
	expect_eq "ssh: uid_map is '0 UID 1' and '1 START COUNT'" "0 $uid 1;1 3900000 65536;" "$(printf '%s\n' "$out" | sed -n 1p)"
	expect_eq "ssh: gid_map likewise" "0 $gid 1;1 3900000 65536;" "$(printf '%s\n' "$out" | sed -n 2p)"
	expect_eq "ssh: root inside can chown its files to a mapped id" "chowned" "$(printf '%s\n' "$out" | sed -n 3p)"
	expect_eq "host: the file belongs to START + 999" "3900999:3900999" "$(stat -c %u:%g "/home/$ERIN/subid-file")"
	rm -f "/home/$ERIN/subid-file"
	wait_gone "$ERIN"
	# A user without a range: refused, with the reason.
	usermod --del-subuids 3900000-3965535 --del-subgids 3900000-3965535 "$ERIN"
	out=$(ssh_as "$ERIN" 'echo ran' 2>&1)
	expect_match "no range in /etc/subuid: the login shell refuses" "userns_subids: /etc/subuid has no range for $ERIN" "$out"
	expect_no_match "and runs nothing" "^ran$" "$out"
	wait_gone "$ERIN"
	# A range containing the host's root is refused.
	usermod --add-subuids 0-65535 --add-subgids 3900000-3965535 "$ERIN"
	out=$(ssh_as "$ERIN" 'echo ran' 2>&1)
	expect_match "a range that contains uid 0: refused" "/etc/subuid: line [0-9]+: the range 0-65535 contains id 0" "$out"
	usermod --del-subuids 0-65535 --del-subgids 3900000-3965535 "$ERIN"
	wait_gone "$ERIN"
	t85_userns_cleanup
}

# valgrind and ASan/UBSan over the module's new paths (time namespace,
# bounding set, no_new_privs; the user-namespace login shell denial).
t_85_valgrind_asan() {
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid time
boottime_offset = 100
capabilities = cap_kill
no_new_privs = yes
P
	vg_pamtester
	expect_eq "valgrind: build path with time, capabilities, no_new_privs is clean" "0" "$?"
	ssh_as "$ALICE" 'sleep 6' &
	local holder=$!
	wait_live "$ALICE"
	vg_pamtester
	expect_eq "valgrind: join path with them is clean" "0" "$?"
	asan_pamtester
	expect_eq "ASan/UBSan: join path with them is clean" "0" "$?"
	grep -E "ERROR: AddressSanitizer|runtime error" "$W/asan.log" | head -5
	"$NSISO" stop "$ALICE" >/dev/null
	wait "$holder" 2>/dev/null
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount pid user
P
	vg_pamtester
	expect_eq "valgrind: the 'user' login shell denial is clean" "1" "$?"
	[ -s "$W/vg.log" ] && grep -v '^pamtester' "$W/vg.log" | head -20
	wait_gone "$ALICE"
}
