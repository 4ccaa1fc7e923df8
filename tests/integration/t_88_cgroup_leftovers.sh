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
	"$NSISO" stop "$DAVE" >/dev/null
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
