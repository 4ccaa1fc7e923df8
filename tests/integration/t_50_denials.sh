# A broken policy denies the session with file:line: reason and builds
# nothing.

t_50_broken_policies() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
colour = blue
P
	deny_case "unknown key" "$POLICY/default.conf:2: unknown key 'colour'"

	write_policy default.conf <<'P'
namespaces = mount ipc pid
hostname = %u-box
P
	deny_case "hostname without uts" "$POLICY/default.conf:2: hostname needs 'uts'"

	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
pids_max = 100
P
	deny_case "a limit without the cgroup namespace" "$POLICY/default.conf:2: pids_max needs 'cgroup' in namespaces"

	write_policy default.conf <<'P'
tmpfs = /proc
P
	deny_case "a forbidden mount target" "$POLICY/default.conf:1: tmpfs: may not mount on '/proc'"

	write_policy default.conf <<'P'
linger = soon
P
	deny_case "a bad number" "$POLICY/default.conf:1: linger: expected a whole number"

	write_policy default.conf <<'P'
hostname = %u_box
P
	deny_case "a hostname that is invalid after expansion" "default.conf:1: hostname: '$ALICE""_box'.*not a valid host name"

	write_policy default.conf <<'P'
tmpfs = /nonexistent-nsit
P
	deny_case "a missing mount target" "default.conf:1: tmpfs: open /nonexistent-nsit failed: No such file or directory"

	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	chmod g+w "$POLICY/default.conf"
	deny_case "a group-writable policy file" "$POLICY/default.conf: refused: group or world writable"

	chmod g-w "$POLICY/default.conf"
	chown "$ALICE" "$POLICY/default.conf"
	deny_case "a policy file not owned by root" "$POLICY/default.conf: refused: not owned by root"

	chown root "$POLICY/default.conf"
	mv "$POLICY/default.conf" "$POLICY/real.conf"
	ln -s real.conf "$POLICY/default.conf"
	deny_case "a symlinked policy file" "$POLICY/default.conf: refused: a symlink"
	rm -f "$POLICY/default.conf" "$POLICY/real.conf"

	chmod o+w "$POLICY/user"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	deny_case "a world-writable policy directory" "$POLICY/user: refused: group or world writable"
	chmod o-w "$POLICY/user"

	reset_policy
	groupadd "$PREFIX-g2" 2>/dev/null
	usermod -aG "$PREFIX-g2" "$ALICE"
	write_policy "group/$ALICE.conf" <<'P'
priority = 5
P
	write_policy "group/$PREFIX-g2.conf" <<'P'
priority = 5
P
	deny_case "two group files with the same priority" "both match with priority 5"
	gpasswd -d "$ALICE" "$PREFIX-g2" >/dev/null
	groupdel "$PREFIX-g2"

	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	mark_log
	if pamtester nsiso-test-badarg "$ALICE" open_session >/dev/null 2>&1; then
		fail "an unknown module argument denies the session"
	else
		pass "an unknown module argument denies the session"
	fi
	expect_log "an unknown module argument is logged" "unknown or malformed argument 'bogus=1'"
}

t_51_unsafe_mounts() {
	reset_policy
	# A user-writable source may not cover a tree setuid programs read.
	write_policy default.conf <<P
namespaces = mount uts ipc pid
bind = /home/$ALICE /etc/nsit-target
P
	mkdir -p /etc/nsit-target
	deny_case "a user-owned bind source over /etc" "refused: a source that is not root-owned"
	rmdir /etc/nsit-target

	# A symlink the user planted in a per-user path is not followed.
	install -d -o "$ALICE" "/home/$ALICE/real"
	ln -sfn /etc "/home/$ALICE/link"
	chown -h "$ALICE" "/home/$ALICE/link"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /home/%u/link
P
	deny_case "a symlink in a per-user mount target" "/home/$ALICE/link' refused: a component is a symlink"
	if findmnt -n /etc | grep -q nsiso; then fail "/etc was not covered"; else pass "/etc was not covered"; fi
	rm -rf "/home/$ALICE/link" "/home/$ALICE/real"
}

t_52_user_writable_trees() {
	reset_policy
	# A world-writable tmpfs over /etc/pam.d would let the user write a
	# PAM stack for su: refused.
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /etc/pam.d
P
	deny_case "a world-writable tmpfs over /etc/pam.d" "tmpfs: '/etc/pam.d' is read by setuid programs"

	# In a sticky world-writable directory another user may have made
	# alice's per-user directory first: refused.
	install -d -m 1777 /var/lib/nsit-scratch
	install -d -o "$BOB" "/var/lib/nsit-scratch/$ALICE"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /var/lib/nsit-scratch/%u
P
	deny_case "a per-user path owned by another user" "nsit-scratch/$ALICE' refused: a per-user path must be owned by the user or root"
	chown "$ALICE" "/var/lib/nsit-scratch/$ALICE"
	expect_eq "the same path owned by the user is mounted" "tmpfs nsiso" \
		"$(runuser_l "$ALICE" "findmnt -n -o FSTYPE,SOURCE /var/lib/nsit-scratch/$ALICE" | tr -s ' ')"
	wait_gone "$ALICE"
	rm -rf /var/lib/nsit-scratch
}

# The module starts the helper itself (run_helper.c: a child that shares
# the caller's memory until its exec). A helper that cannot be executed
# denies the login, says so, and leaves the caller working.
t_50_helper_cannot_run() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	local saved=$W/nsiso-test.pam
	cp /etc/pam.d/nsiso-test "$saved"
	sed -i "s|helper=$HELPER|helper=$W/no-such-dir/nsiso-helper|" /etc/pam.d/nsiso-test
	deny_case "a helper that cannot be executed" "pam_nsiso: exec of the helper failed"
	expect_log "and its exit status is logged" "$W/no-such-dir/nsiso-helper: exit status 127"
	cp "$saved" /etc/pam.d/nsiso-test
	expect_eq "with the helper back, the login works" "0" \
		"$(pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; echo $?)"
}
