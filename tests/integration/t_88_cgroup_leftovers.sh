# Leftover cgroup directories (issue 15, item 4), on the real cgroup2
# tree: a user who stops their own su while the environment ends must
# not leave its directory behind, and directories left by environments
# that ended anyway (a crash, SIGKILL) are swept by the next build, never
# the directory of a live or starting environment. Uses t_87's helpers.

t88_parent() { echo "$(cg2_root)/nsiso"; }

# t88_session_dirs UID: the session directories of that uid, one a line.
t88_session_dirs() {
	local d
	for d in "$(t88_parent)/session-$1-"*; do
		[ -d "$d" ] && echo "$d"
	done
}

# The session environments' inits of DAVE (not in nsiso list once their
# socket is gone).
t88_dave_inits() { pgrep -f "^nsiso-init: $DAVE \(session\)" || true; }

t88_dave_policy() {
	write_policy "user/$DAVE.conf" <<'P'
namespaces = mount uts ipc pid cgroup
share = session
P
}

# The attack: su run by the user (real uid theirs, so they may stop it),
# stopped while its environment is torn down, continued after more than
# the init's old 1 s of retries.
t_88_stopped_su_leaves_nothing() {
	local uid gid su dir where left
	uid=$(id -u "$DAVE")
	gid=$(id -g "$DAVE")
	reset_policy
	t88_dave_policy
	setpriv --reuid="$uid" --regid="$gid" --init-groups \
		su -l "$DAVE" -c 'exec sleep 30' </dev/null >/dev/null 2>&1 &
	su=$!
	t87_pid_of "$DAVE" sleep >/dev/null
	dir=$(t88_session_dirs "$uid")
	expect_match "the login has its own session directory" "/nsiso/session-$uid-[0-9a-f]+$" "$dir"
	where=$(cgroup_of "$su")
	expect_eq "su (outside the PID namespace) joined it" "${dir#"$(cg2_root)"}" "$where"
	expect_eq "su runs with the user's real uid" "$uid" \
		"$(awk '/^Uid:/ { print $2 }' "/proc/$su/status")"
	kill -STOP "$su"
	local t0 out rc
	t0=$(date +%s%N)
	out=$("$NSISO" stop "$DAVE" 2>&1)
	rc=$?
	expect_eq "nsiso stop succeeds while su is stopped" "0: stopped 1 environment of $DAVE" \
		"$rc: $(printf '%s\n' "$out" | tail -1)"
	# The sleep ends on SIGTERM; its parent su, stopped outside the PID
	# namespace, cannot reap it: a zombie is not waited for.
	expect_match "(its report: the sleep ended on SIGTERM)" \
		"^session-$uid-[0-9a-f]+\\.sock: ended 1 process, 0 after SIGKILL" "$out"
	expect_eq "(and returns within 2 s, not after its 10 s wait)" "yes" \
		"$([ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ] && echo yes)"
	sleep 2.5
	if [ -d "$dir" ]; then
		pass "while su is stopped its directory stays (it holds su)"
	else
		fail "while su is stopped its directory stays (it holds su)" "$dir is gone"
	fi
	expect_eq "the init waits for it, alone (its socket is gone)" "1/" \
		"$(t88_dave_inits | wc -l)/$(ls /run/nsiso | grep "^session-$uid-" || true)"
	kill -CONT "$su"
	wait "$su" 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$(t88_session_dirs "$uid")" ] && [ -z "$(t88_dave_inits)" ] && break
		sleep 0.1
	done
	left=$(t88_session_dirs "$uid")
	expect_eq "after SIGCONT no session-$uid-* directory is left" "" "$left"
	expect_eq "and the init has ended" "" "$(t88_dave_inits)"
	[ -n "$left" ] && rmdir $left 2>/dev/null
	return 0
}

# Fake leftovers as a crashed environment leaves them, next to live
# environments of two other users: the next build sweeps the empty ones
# and no live, starting or populated directory.
t_88_sweep_leftovers() {
	local auid buid duid p bob dave live_bob live_dave held fake_s fake_u starting busy
	auid=$(id -u "$ALICE")
	buid=$(id -u "$BOB")
	duid=$(id -u "$DAVE")
	p=$(t88_parent)
	reset_policy
	t87_policy
	write_policy "user/$BOB.conf" <<'P'
namespaces = mount uts ipc pid cgroup
P
	t88_dave_policy
	# Live: BOB (share = user) and one session of DAVE.
	runuser_l "$BOB" 'exec sleep 20' </dev/null >/dev/null 2>&1 &
	bob=$!
	runuser_l "$DAVE" 'exec sleep 20' </dev/null >/dev/null 2>&1 &
	dave=$!
	wait_live "$BOB"
	t87_pid_of "$DAVE" sleep >/dev/null
	live_bob="$p/user-$buid"
	live_dave=$(t88_session_dirs "$duid")
	expect_match "(DAVE's live session directory)" "session-$duid-[0-9a-f]+$" "$live_dave"
	# Left by crashed environments: empty, no socket.
	fake_s="$p/session-$duid-0badc0ffee00"
	fake_u="$p/user-$auid"
	mkdir -p "$fake_s" "$fake_u"
	# A starting environment: its socket is made before its directory.
	starting="$p/session-$duid-5eed5eed5eed"
	mkdir "$starting"
	touch "/run/nsiso/session-$duid-5eed5eed5eed.sock"
	# Empty of nsiso but holding a process: rmdir must fail on it.
	busy="$p/session-$duid-b05yb05yb05y"
	mkdir "$busy"
	sleep 20 &
	held=$!
	echo "$held" > "$busy/cgroup.procs"
	# ALICE's login is the next build (share = user: its own user-UID
	# directory is reused, not swept under it).
	expect_eq "a build next to the leftovers works" "inside" "$(runuser_l "$ALICE" 'echo inside')"
	if [ -d "$fake_s" ]; then fail "an empty leftover session directory is swept" "$fake_s"
	else pass "an empty leftover session directory is swept"; fi
	if [ -d "$p/session-$duid-0badc0ffee00" ] || [ -n "$(ls /run/nsiso | grep 0badc0ffee00)" ]; then
		fail "(nothing of it is left)"
	else pass "(nothing of it is left)"; fi
	expect_eq "the live user environment's directory stays, with its init" \
		"/nsiso/user-$buid" "$(cgroup_of "$(init_pid_of "$BOB")")"
	if [ -d "$live_dave" ]; then pass "the live session environment's directory stays"
	else fail "the live session environment's directory stays" "$live_dave"; fi
	if [ -d "$starting" ]; then pass "a directory whose socket exists (a starting build) stays"
	else fail "a directory whose socket exists (a starting build) stays" "$starting"; fi
	if [ -d "$busy" ]; then pass "a directory with a process in it stays"
	else fail "a directory with a process in it stays" "$busy"; fi
	# An empty user-UID of a user with no environment: swept by another
	# user's build, under that user's build lock.
	wait_gone "$ALICE"
	mkdir -p "$fake_u"
	expect_eq "(BOB joins his environment)" "inside" "$(runuser_l "$BOB" 'echo inside')"
	runuser_l "$DAVE" true
	if [ -d "$fake_u" ]; then fail "an empty user-UID directory without an environment is swept" "$fake_u"
	else pass "an empty user-UID directory without an environment is swept"; fi
	if [ -e "/run/nsiso/user-$auid.lock" ]; then
		fail "(the sweep leaves no lock file of that user)" "/run/nsiso/user-$auid.lock"
	else pass "(the sweep leaves no lock file of that user)"; fi
	kill "$held"
	wait "$held" 2>/dev/null
	rmdir "$busy" "$starting" 2>/dev/null
	rm -f "/run/nsiso/session-$duid-5eed5eed5eed.sock"
	"$NSISO" stop "$BOB" >/dev/null
	"$NSISO" stop "$DAVE" >/dev/null
	wait "$bob" "$dave" 2>/dev/null
	wait_gone "$BOB"
	for _ in $(seq 50); do [ -z "$(t88_session_dirs "$duid")" ] && break; sleep 0.1; done
	expect_eq "the stopped environments removed their own directories" "/" \
		"$(t88_session_dirs "$duid")/$([ -d "$live_bob" ] && echo "$live_bob")"
}
