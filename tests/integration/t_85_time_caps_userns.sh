# Time namespaces, the capability bounding set and no_new_privs, and user
# namespaces (issue 5), checked from inside real logins and from the host.

# Printed from inside a session.
TSNAP='echo time=$(readlink /proc/self/ns/time)
echo uptime=$(cut -d" " -f1 /proc/uptime | cut -d. -f1)
echo offsets=$(tr "\n" " " < /proc/self/timens_offsets)'

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
	for _ in $(seq 50); do [ -n "$(init_pid_of "$ALICE")" ] && break; sleep 0.1; done
	check_time "nsiso enter (root)" "$("$NSISO" enter "$ALICE" -- sh -c "$TSNAP" </dev/null)" "$up"
	# The helper as installed: setuid root.
	chown root:root "$HELPER"
	chmod 4755 "$HELPER"
	check_time "nsiso-helper enter (the user)" \
		"$(runuser -u "$ALICE" -- env NSISO_HELPER="$HELPER" "$NSISO" enter "$ALICE" -- sh -c "$TSNAP" </dev/null)" "$up"
	chmod 0755 "$HELPER"
	wait "$bg"
	wait_gone "$ALICE"
}

t_85_time_denials() {
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount time
monotonic_offset = -315360000
P
	mark_log
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "a negative offset beyond the uptime: session denied"
	else
		pass "a negative offset beyond the uptime: session denied"
	fi
	expect_log "the offset's file:line is logged" \
		"user/$ALICE.conf:2: monotonic_offset -315360000 would take the clock below zero"
	expect_eq "nothing was built for it" "" "$(ls /run/nsiso | grep '\.sock$' || true)"
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
		case $via in
		ssh) out=$(ssh_as "$ALICE" "$CSNAP") ;;
		"su -l") out=$(su - "$ALICE" -c "$CSNAP") ;;
		*) out=$(runuser_l "$ALICE" "$CSNAP") ;;
		esac
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
	for _ in $(seq 50); do [ -n "$(init_pid_of "$ALICE")" ] && break; sleep 0.1; done
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
		case $via in
		ssh) out=$(ssh_as "$BOB" "$CSNAP") ;;
		"su -l") out=$(su - "$BOB" -c "$CSNAP") ;;
		*) out=$(runuser_l "$BOB" "$CSNAP") ;;
		esac
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
	mark_log
	if pamtester nsiso-test "$BOB" open_session close_session >/dev/null 2>&1; then
		fail "a bad capabilities line denies the session"
	else
		pass "a bad capabilities line denies the session"
	fi
	expect_log "and is logged with file:line" "user/$BOB.conf:1: capabilities: unknown capability"
	expect_eq "nothing was built for it" "" "$(ls /run/nsiso | grep '\.sock$' || true)"
	t85_suid_cleanup
	wait_gone "$BOB"
}
