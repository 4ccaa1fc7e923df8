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
