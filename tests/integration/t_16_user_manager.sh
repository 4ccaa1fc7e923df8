# systemctl --user from inside a PID namespace: systemd's client refuses a
# user manager whose SO_PEERCRED pid is 0 (invisible), so the init covers
# $XDG_RUNTIME_DIR/systemd/private with a relay that runs as the user in
# the environment. A stand-in manager (no systemd here) that speaks D-Bus
# framing shows what the real one would see; the VM suite (make check-vm)
# runs the real systemctl.

# um_start RUNTIME_DIR GENERATION: a fresh runtime directory, as logind
# mounts it, with a manager listening in it; sets UM_PID.
um_start() {
	local rt=$1
	mount -t tmpfs -o mode=0700,size=1m "nsit-rt-$2" "$rt"
	chown "$ALICE:$ALICE" "$rt"
	echo "$2" > "$rt/generation"
	install -d -o "$ALICE" -g "$ALICE" -m 0755 "$rt/systemd"
	runuser -u "$ALICE" -- python3 "$TESTLIB/fake_user_manager.py" "$rt/systemd/private" 60 &
	UM_PID=$!
	for _ in $(seq 50); do [ -S "$rt/systemd/private" ] && break; sleep 0.1; done
}

um_stop() {
	pkill -u "$ALICE" -f fake_user_manager.py
	wait "$UM_PID" 2>/dev/null
}

t_16_systemctl_user_relay() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
linger = 0
P
	local uid rt out direct host_out holder
	uid=$(id -u "$ALICE")
	rt=/run/user/$uid
	install -d -m 0755 /run/user
	install -d -m 0700 "$rt"
	um_start "$rt" gen1
	# A second name for the same socket, which nothing covers: what
	# systemctl meets without the relay.
	ln "$rt/systemd/private" "$rt/direct"
	out=$(ssh_as "$ALICE" "python3 $TESTLIB/manager_client.py $rt/systemd/private; echo direct: \$(python3 $TESTLIB/manager_client.py $rt/direct | sed -n 1p)" 2>&1)
	direct=$(printf '%s\n' "$out" | sed -n 's/^direct: //p')
	expect_eq "control: without the relay the manager's pid is 0 inside (systemctl refuses)" \
		"client sees uid=$uid pid=0" "$direct"
	expect_match "systemctl's check passes: the manager's end has a visible pid and the user's uid" \
		"^client sees uid=$uid pid=[1-9][0-9]*$" "$(printf '%s\n' "$out" | head -1)"
	expect_match "the manager sees the user's uid, not root's" "^peer uid=$uid pid=[1-9]" "$out"
	expect_match "a message without fds reaches the manager without fds" "^msg1 fds=0 body=first$" "$out"
	expect_match "the fd sent with the next message (back to back) arrives with that message" \
		"^msg2 fds=1 body=second fd=from-client$" "$out"
	expect_match "an fd passed by the manager reaches the client" "^passed back=from-manager$" "$out"

	# The manager restarts while a login holds the environment: its new
	# socket replaces the covered one (the unlink drops the cover), and
	# the next login covers it again.
	ssh_as "$ALICE" 'sleep 8' &
	holder=$!
	wait_live "$ALICE"
	um_stop
	runuser -u "$ALICE" -- python3 "$TESTLIB/fake_user_manager.py" "$rt/systemd/private" 60 &
	UM_PID=$!
	for _ in $(seq 50); do
		[ "$(stat -c %i "$rt/systemd/private" 2>/dev/null)" != "$(stat -c %i "$rt/direct")" ] &&
			[ -S "$rt/systemd/private" ] && break
		sleep 0.1
	done
	out=$(ssh_as "$ALICE" "python3 $TESTLIB/manager_client.py $rt/systemd/private" 2>&1)
	expect_match "after a manager restart the next login is relayed to the new manager" \
		"^client sees uid=$uid pid=[1-9].*msg2 fds=1 body=second fd=from-client" "$(printf '%s' "$out" | tr '\n' ' ')"

	# The runtime directory goes and comes back while the environment
	# lives on (a logind without its clean-up first, or a lingering
	# job): the unmount does not reach our copy, which holds the cover,
	# and the new mount slides in under it. The next login must see the
	# new directory, not the dead one.
	um_stop
	umount -l "$rt"
	um_start "$rt" gen2
	out=$(ssh_as "$ALICE" "cat $rt/generation; python3 $TESTLIB/manager_client.py $rt/systemd/private" 2>&1)
	expect_eq "a remounted runtime directory replaces the old one inside" "gen2" "$(printf '%s\n' "$out" | head -1)"
	expect_match "and the relay serves the new manager" \
		"client sees uid=$uid pid=[1-9].*msg2 fds=1 body=second fd=from-client" "$(printf '%s' "$out" | tr '\n' ' ')"
	wait "$holder" 2>/dev/null

	host_out=$(runuser -u "$ALICE" -- python3 "$TESTLIB/manager_client.py" "$rt/systemd/private" | sed -n 1p)
	expect_eq "the host's socket is untouched: a host client reaches the manager itself" \
		"client sees uid=$uid pid=$(pgrep -u "$ALICE" -f fake_user_manager.py | head -1)" "$host_out"
	if wait_gone "$ALICE"; then pass "the environment ends after logout (no relay keeps it)"
	else fail "the environment ends after logout (no relay keeps it)"; fi
	um_stop
	for _ in $(seq 50); do [ -z "$(pgrep -u "$ALICE")" ] && break; sleep 0.1; done
	expect_eq "no process of the user is left" "" "$(pgrep -a -u "$ALICE" || true)"
	umount -l "$rt"
	rm -rf "$rt"
}
