# Nothing is left when an environment ends.

t_60_nothing_left() {
	base_policy
	local before out mnt pidns leaked
	before=$(wc -l < /proc/self/mountinfo)
	out=$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid')
	mnt=$(printf '%s\n' "$out" | sed -n 1p)
	pidns=$(printf '%s\n' "$out" | sed -n 2p)
	if wait_gone "$ALICE"; then pass "the environment ended"; else fail "the environment ended"; fi
	# The sshd monitor that joined the mount namespace exits a moment
	# after the session closed; nothing else may hold them.
	for _ in $(seq 50); do
		leaked=$(for p in /proc/[0-9]*; do
			l=$(readlink "$p/ns/mnt" 2>/dev/null); [ "$l" = "$mnt" ] && echo "$p $(tr '\0' ' ' < "$p/cmdline")"
			l=$(readlink "$p/ns/pid" 2>/dev/null); [ "$l" = "$pidns" ] && echo "$p $(tr '\0' ' ' < "$p/cmdline")"
		done)
		[ -z "$leaked" ] && break
		sleep 0.1
	done
	expect_eq "no process holds its namespaces" "" "$leaked"
	expect_eq "the host's mount table is unchanged" "$before" "$(wc -l < /proc/self/mountinfo)"
	expect_eq "no socket is left in /run/nsiso" "" "$(ls /run/nsiso | grep '\.sock$' || true)"
	expect_no_match "no nsiso mount is visible on the host" " nsiso " "$(cat /proc/self/mountinfo)"
}

t_61_linger() {
	base_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
linger = 2
P
	local m1 m2
	m1=$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt')
	expect_ne "linger: the environment outlives the login" "" "$(init_pid_of "$ALICE")"
	m2=$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt')
	expect_eq "linger: a login within linger joins the same environment" "$m1" "$m2"
	sleep 3
	if wait_gone "$ALICE"; then pass "linger: it ends after linger seconds"
	else fail "linger: it ends after linger seconds"; fi
	rm -f "$POLICY/user/$ALICE.conf"
}
