# Nothing is lost or left behind, whatever happens to a login: crashes at
# every step of a build, killed inits, monitors and shells, a removed
# /run/nsiso, a full /run, a caller out of fds, many concurrent logins and
# many cycles. Larger runs: tests/reliability.sh COUNT.

# shellcheck source=tests/lib/barrier.sh
. "$TOP/tests/lib/barrier.sh"

FAULTY=$W/bin/nsiso-helper-faults
CYCLES=${NSISO_CYCLES:-60}
# Concurrent logins held open per user (three users).
CONCURRENT=${NSISO_CONCURRENT:-20}

# Namespaces alive on the host, of the kinds environments make, that were
# not alive when mark_namespaces ran: a leak shows up here. (Namespaces that
# vanish meanwhile, of other programs on the machine, do not matter.)
# Only processes that an environment of this suite could have left: the
# test users', inits of test users and this suite's sshd (other programs
# on the machine may make namespaces of their own meanwhile).
all_namespaces() {
	local p uids
	uids=" $(for u in "${CREATED_USERS[@]}"; do id -u "$u"; done | tr '\n' ' ')"
	for p in /proc/[0-9]*; do
		local uid args
		uid=$(awk '/^Uid:/ {print $2}' "$p/status" 2>/dev/null)
		args=$({ tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null)
		case "$uids" in *" $uid "*) ;; *)
			case "$args" in "nsiso-init: nsit-"*|sshd-nsiso-test*|"sshd-nsiso-test:"*) ;; *) continue ;; esac ;;
		esac
		readlink "$p/ns/mnt" "$p/ns/uts" "$p/ns/ipc" "$p/ns/pid" "$p/ns/net" 2>/dev/null
	done | sort -u
}
mark_namespaces() { all_namespaces > "$W/ns.baseline"; }
live_namespaces() {
	[ -f "$W/ns.baseline" ] || mark_namespaces
	all_namespaces | comm -13 "$W/ns.baseline" - | wc -l
}

# Host state that must come back after every environment has ended.
host_state() {
	printf 'mounts=%s new_namespaces=%s sshd_fds=%s sockets=%s inits=%s veths=%s\n' \
		"$(wc -l < /proc/self/mountinfo)" "$(live_namespaces)" \
		"$(ls "/proc/$SSHD_PID/fd" 2>/dev/null | wc -l)" \
		"$(ls /run/nsiso | grep -c '\.sock$' || true)" \
		"$(pgrep -c -f '^nsiso-init: (nsit-|root)' || true)" \
		"$(ip -o link | grep -c ' nsiso[0-9]' || true)"
}

# After a failure: the next real login works and leaves nothing behind.
# (Whatever was still ending when "before" was taken must be gone too.)
next_login_works() {
	local desc=$1 before out
	before=$(printf '%s' "$2" | sed 's/new_namespaces=[0-9]*/new_namespaces=0/')
	out=$(runuser_l "$ALICE" 'hostname; ip -o link | wc -l')
	expect_eq "$desc: the next login works" "$ALICE-box" "$(printf '%s\n' "$out" | head -1)"
	wait_gone "$ALICE"
	for _ in $(seq 40); do [ "$(host_state)" = "$before" ] && break; sleep 0.1; done
	expect_eq "$desc: nothing is left mounted, running or linked" "$before" "$(host_state)"
}

t_95_crash_at_every_build_step() {
	mark_namespaces
	ip link add nsit-br1 type bridge 2>/dev/null
	ip link set nsit-br1 up
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid net
hostname = %u-box
network = veth nsit-br1 10.232.0.0/16
tmpfs = /tmp
tmpfs = /dev/shm
P
	local before step rc
	before=$(host_state)
	for step in locked bound unshared mounted network ready; do
		NSISO_FAULT=$step "$FAULTY" build --uid "$(id -u "$ALICE")" --policy "$POLICY" \
			>/dev/null 2>&1
		rc=$?
		expect_ne "kill -9 at '$step': the build fails" "0" "$rc"
		next_login_works "kill -9 at '$step'" "$before"
	done
	ip link del nsit-br1
}

t_96_killed_processes() {
	mark_namespaces
	base_policy
	local before pid
	before=$(host_state)
	# The init of a live environment: its sessions end (documented).
	ssh_as "$ALICE" 'sleep 30' &
	local holder=$!
	for _ in $(seq 50); do pid=$(init_pid_of "$ALICE"); [ -n "$pid" ] && break; sleep 0.1; done
	kill -KILL "$pid"
	if timeout 5 tail --pid="$holder" -f /dev/null; then pass "init killed: the session ends"
	else fail "init killed: the session ends"; kill "$holder"; fi
	wait "$holder" 2>/dev/null
	next_login_works "init killed" "$before"

	# The sshd monitor of a session: the registration closes; the
	# environment lives while its processes do, then ends.
	ssh_as "$ALICE" 'sleep 3' &
	holder=$!
	local monitor=
	for _ in $(seq 50); do
		monitor=$(pgrep -f "^sshd[^ ]*: $ALICE \\[priv\\]" | head -1)
		[ -n "$monitor" ] && [ -n "$(init_pid_of "$ALICE")" ] && break
		sleep 0.1
	done
	expect_ne "the session's sshd monitor is found" "" "$monitor"
	[ -n "$monitor" ] && kill -KILL "$monitor"
	wait "$holder" 2>/dev/null
	next_login_works "sshd monitor killed" "$before"

	# The session's shell.
	ssh_as "$ALICE" 'echo $$ > ~/shell.pid; sleep 30' &
	holder=$!
	for _ in $(seq 50); do [ -s "/home/$ALICE/shell.pid" ] && break; sleep 0.1; done
	pkill -KILL -u "$ALICE" -x sleep
	wait "$holder" 2>/dev/null
	rm -f "/home/$ALICE/shell.pid"
	next_login_works "the session's command killed" "$before"
}

t_97_rundir_trouble() {
	mark_namespaces
	base_policy
	local before out
	before=$(host_state)
	# /run/nsiso emptied while an environment lives: the live one keeps
	# running (its processes are not harmed) and the next login builds a
	# new one rather than failing.
	ssh_as "$ALICE" 'sleep 4' &
	local holder=$!
	wait_live "$ALICE"
	rm -f /run/nsiso/*
	out=$(runuser_l "$ALICE" hostname)
	expect_eq "/run/nsiso emptied: the next login still works" "$ALICE-box" "$out"
	wait "$holder" 2>/dev/null
	for _ in $(seq 50); do [ "$(pgrep -c -f "^nsiso-init: $ALICE" || true)" = 0 ] && break; sleep 0.1; done
	expect_eq "/run/nsiso emptied: every environment still ends" "0" "$(pgrep -c -f "^nsiso-init: $ALICE" || true)"

	# /run/nsiso full (no inode left for a socket): a clear error,
	# nothing half-built.
	mount -o remount,nr_inodes="$(df --output=iused /run/nsiso | tail -1 | tr -d " ")" /run/nsiso
	deny_case "a full /run/nsiso" "No space left on device"
	mount -o remount,nr_inodes=10000 /run/nsiso
	next_login_works "after /run/nsiso had filled up" "$before"

	# /run/nsiso replaced by a directory others may write: refused.
	chmod 0755 /run/nsiso
	deny_case "an unsafe /run/nsiso" "/run/nsiso is refused: it must be owned by root with mode 0700"
	chmod 0700 /run/nsiso
}

t_98_caller_out_of_fds() {
	mark_namespaces
	base_policy
	local before
	before=$(host_state)
	mark_log
	# With 8 fds a pam_permit stack still works (measured), but the
	# module and the helper it starts run out while they work.
	if prlimit --nofile=8:8 pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "EMFILE in the caller: the session is denied"
	else
		pass "EMFILE in the caller: the session is denied"
	fi
	expect_log "EMFILE in the caller: a clear error" "Too many open files|nsiso-helper: exit status"
	wait_gone "$ALICE"
	next_login_works "after a caller ran out of fds" "$before"
}

t_99_concurrency_and_cycles() {
	mark_namespaces
	base_policy
	local users=("$ALICE" "$BOB" "$DAVE") before i u failed
	write_policy "user/$DAVE.conf" <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
P
	before=$(host_state)
	# Concurrent logins held open, CONCURRENT per user, behind the barrier
	# (tests/lib/barrier.sh): each login, once in its session, says so and
	# then waits until the test has seen them all in and checked the
	# environments. So however slow the machine is at fork+exec, all of
	# them are open at once when it looks (a fixed hold, as before, was not
	# enough on a slow machine).
	local total=$((CONCURRENT * 3)) in
	bar_start "$W/barrier"
	for i in $(seq "$CONCURRENT"); do
		for u in "${users[@]}"; do
			bar_login "$u" "$u.$i" true
		done
	done
	# Until all are in. The timeout only guards against a hang (and is
	# long: 1 s per login, at least 10 min).
	in=$(bar_wait "$total" "$((total > 600 ? total : 600))" 0.2)
	expect_eq "$total concurrent logins: all are in their sessions at once" "$total" "$in"
	# All held: nothing is still arriving or leaving.
	local json want="$ALICE:$CONCURRENT $BOB:$CONCURRENT $DAVE:$CONCURRENT" got
	json=$("$NSISO" list --json)
	got=$(printf '%s' "$json" | python3 -c '
import json, sys
envs = json.load(sys.stdin)
print(" ".join(sorted("%s:%d" % (e["user"], e["sessions"]) for e in envs)))')
	expect_eq "$total concurrent logins: one environment per user, $CONCURRENT logins each" \
		"$want" "$got"
	bar_release
	expect_eq "$total concurrent logins: all succeeded" "0" "$BAR_FAILED"
	rm -rf "$BAR"
	for u in "${users[@]}"; do wait_gone "$u"; done
	for _ in $(seq 40); do [ "$(host_state)" = "$before" ] && break; sleep 0.1; done
	expect_eq "$total concurrent logins: nothing left afterwards" "$before" "$(host_state)"

	# Login/logout cycles: the host comes back to where it was.
	failed=0
	for i in $(seq "$CYCLES"); do
		pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1 ||
			failed=$((failed + 1))
	done
	wait_gone "$ALICE"
	for _ in $(seq 40); do [ "$(host_state)" = "$before" ] && break; sleep 0.1; done
	expect_eq "$CYCLES login/logout cycles: all succeeded" "0" "$failed"
	expect_eq "$CYCLES login/logout cycles: mounts, sockets, inits and veths as before" \
		"$before" "$(host_state)"
	rm -f "$POLICY/user/$DAVE.conf"
}

t_99b_policy_changed_while_live() {
	base_policy
	ssh_as "$ALICE" 'sleep 5' &
	local holder=$!
	wait_live "$ALICE"
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid
hostname = changed-%U
P
	expect_eq "policy changed while live: a new login joins the live environment" \
		"$ALICE-box" "$(runuser_l "$ALICE" hostname)"
	expect_match "policy changed while live: nsiso list marks it" \
		"^$ALICE .*\\(built from an older policy\\)" "$("$NSISO" list)"
	wait "$holder" 2>/dev/null
	wait_gone "$ALICE"
	expect_eq "policy changed: the next build uses the new policy" \
		"changed-$(id -u "$ALICE")" "$(runuser_l "$ALICE" hostname)"
	wait_gone "$ALICE"
	rm -f "$POLICY/user/$ALICE.conf"
}
