# systemctl --user from inside a PID namespace: systemd's client refuses a
# user manager whose SO_PEERCRED pid is 0 (invisible), so the init covers
# $XDG_RUNTIME_DIR/systemd/private with a relay that runs as the user in
# the environment. A stand-in manager (no systemd here) shows what the
# real one would see; the VM suite (make check-vm) runs real systemctl.

t_16_systemctl_user_relay() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
linger = 0
P
	local uid rt out direct host_out mgr
	uid=$(id -u "$ALICE")
	rt=/run/user/$uid
	install -d -m 0755 /run/user
	install -d -o "$ALICE" -g "$ALICE" -m 0700 "$rt"
	install -d -o "$ALICE" -g "$ALICE" -m 0755 "$rt/systemd"
	runuser -u "$ALICE" -- python3 "$TESTLIB/fake_user_manager.py" "$rt/systemd/private" 60 &
	mgr=$!
	for _ in $(seq 50); do [ -S "$rt/systemd/private" ] && break; sleep 0.1; done
	# A second name for the same socket, which nothing covers: what
	# systemctl meets without the relay.
	ln "$rt/systemd/private" "$rt/direct"
	out=$(ssh_as "$ALICE" "XDG_RUNTIME_DIR=$rt; python3 $TESTLIB/manager_client.py $rt/systemd/private; echo direct: \$(python3 $TESTLIB/manager_client.py $rt/direct | sed -n 1p)" 2>&1)
	direct=$(printf '%s\n' "$out" | sed -n 's/^direct: //p')
	expect_eq "control: without the relay the manager's pid is 0 inside (systemctl refuses)" \
		"client sees uid=$uid pid=0" "$direct"
	expect_match "systemctl's check passes: the manager's end has a visible pid and the user's uid" \
		"^client sees uid=$uid pid=[1-9][0-9]*$" "$(printf '%s\n' "$out" | head -1)"
	expect_match "the manager sees the user's uid, not root's" "^peer uid=$uid pid=[1-9]" "$out"
	expect_match "bytes and a passed fd reach the manager" "^got=hello fd=from-client$" "$out"
	expect_match "an fd passed by the manager reaches the client" "^passed back=from-manager$" "$out"
	# The manager restarts while a login holds the environment: its new
	# socket replaces the covered one (the unlink drops the cover), and
	# the next login covers it again.
	ssh_as "$ALICE" 'sleep 5' &
	local holder=$!
	for _ in $(seq 50); do [ -n "$(init_pid_of "$ALICE")" ] && break; sleep 0.1; done
	pkill -u "$ALICE" -f fake_user_manager.py
	wait "$mgr" 2>/dev/null
	runuser -u "$ALICE" -- python3 "$TESTLIB/fake_user_manager.py" "$rt/systemd/private" 60 &
	mgr=$!
	for _ in $(seq 50); do
		[ "$(stat -c %i "$rt/systemd/private" 2>/dev/null)" != "$(stat -c %i "$rt/direct")" ] &&
			[ -S "$rt/systemd/private" ] && break
		sleep 0.1
	done
	out=$(ssh_as "$ALICE" "python3 $TESTLIB/manager_client.py $rt/systemd/private" 2>&1)
	expect_match "after a manager restart the next login is relayed to the new manager" \
		"^client sees uid=$uid pid=[1-9].*got=hello fd=from-client" "$(printf '%s' "$out" | tr '\n' ' ')"
	wait "$holder" 2>/dev/null
	host_out=$(runuser -u "$ALICE" -- python3 "$TESTLIB/manager_client.py" "$rt/systemd/private" | sed -n 1p)
	expect_eq "the host's socket is untouched: a host client reaches the manager itself" \
		"client sees uid=$uid pid=$(pgrep -u "$ALICE" -f fake_user_manager.py | head -1)" "$host_out"
	if wait_gone "$ALICE"; then pass "the environment ends after logout (no relay keeps it)"
	else fail "the environment ends after logout (no relay keeps it)"; fi
	pkill -u "$ALICE" -f fake_user_manager.py
	wait "$mgr" 2>/dev/null
	for _ in $(seq 50); do [ -z "$(pgrep -u "$ALICE")" ] && break; sleep 0.1; done
	expect_eq "no process of the user is left" "" "$(pgrep -a -u "$ALICE" || true)"
	rm -rf "$rt"
}
