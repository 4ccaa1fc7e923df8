# nsiso-shell, the setuid-root login shell wrapper (user namespaces), run
# by a user directly: strict argv, nothing of the environment reaches the
# privileged part, and uid 0 inside is the user outside.

SEC_SHELL=$W/bin/nsiso-shell
SEC_ETC_POLICY=/etc/security/nsiso

# nsiso-shell reads the fixed policy directory: the suite's policy is bound
# there, in this suite's mount namespace only.
sec_shell_policy() { # USERNS
	reset_policy
	write_policy "user/$ALICE.conf" <<P
namespaces = user
userns = $1
P
	SEC_MADE_ETC=
	[ -d "$SEC_ETC_POLICY" ] || { mkdir -p "$SEC_ETC_POLICY"; SEC_MADE_ETC=1; }
	umount -l "$SEC_ETC_POLICY" 2>/dev/null
	mount --bind "$POLICY" "$SEC_ETC_POLICY"
	bind_compiled_helper
}
sec_shell_cleanup() {
	unbind_compiled_helper
	umount -l "$SEC_ETC_POLICY" 2>/dev/null
	[ -n "${SEC_MADE_ETC:-}" ] && rmdir "$SEC_ETC_POLICY"
	rm -f "$MARKS"/pwned-*
	return 0
}

# shell_refused DESC ARG...: exit 1 with the usage line, nothing run.
shell_refused() {
	local desc=$1 out rc
	shift
	out=$(as_user "$ALICE" "$SEC_SHELL" "$@" 2>&1)
	rc=$?
	expect_match "nsiso-shell $desc: refused, exit 1" \
		"^rc=1 nsiso-shell: usage: nsiso-shell \[-c COMMAND\]" "rc=$rc $(printf '%s' "$out" | head -1)"
}

s_70_nsiso_shell_argv() {
	sec_shell_policy root
	local out rc
	shell_refused "-l" -l
	shell_refused "-i" -i
	shell_refused "--login" --login
	shell_refused "-c without a command" -c
	shell_refused "-c CMD ARG" -c 'id -u' extra
	shell_refused "-cx CMD" -cx 'id -u'
	shell_refused "a script path" /tmp/x.sh
	out=$(as_user "$ALICE" "$ATTACK" argc0 "$SEC_SHELL" 2>&1)
	rc=$?
	expect_match "nsiso-shell argc 0: refused, exit 1" "^rc=1 nsiso-shell: usage" \
		"rc=$rc $(printf '%s' "$out" | head -1)"
	out=$(as_user "$ALICE" env -i $(seq -f 'V%g=x' 5000) "$SEC_SHELL" -c true 2>&1)
	rc=$?
	expect_match "nsiso-shell with 5000 environment variables: refused" "^rc=1 nsiso-shell: the environment is too large" \
		"rc=$rc $(printf '%s' "$out" | head -1)"
	sec_shell_cleanup
}

s_71_nsiso_shell_no_gain() {
	sec_shell_policy root
	local au out
	au=$(uid_of "$ALICE")
	out=$(as_user "$ALICE" "$SEC_SHELL" -c 'id -u; cat /etc/shadow 2>&1 >/dev/null | sed "s/.*: //"; touch /root/nssec-x 2>&1 | sed "s/.*: //"; kill -0 1 2>&1 | sed "s/.*: //"' 2>&1 | tr '\n' '|')
	expect_eq "userns = root: uid 0 inside, and shadow, /root and init are out of reach" \
		"0|Permission denied|Permission denied|(1) - Operation not permitted|" "$out"
	[ -e /root/nssec-x ] && { fail "no file was made in /root"; rm -f /root/nssec-x; } || pass "no file was made in /root"
	# LD_PRELOAD: ignored by the loader for the setuid start; the shell
	# gets the caller's environment as a login would, so it runs there,
	# as "uid 0" of the user namespace: alice on the host.
	rm -f "$MARKS"/pwned-*
	as_user "$ALICE" env LD_PRELOAD="$EVIL" "$SEC_SHELL" -c true >/dev/null 2>&1
	expect_eq "userns = root: the preload ran only in the shell, owned by alice on the host" \
		"pwned-0:$au" "$(for m in "$MARKS"/pwned-*; do [ -e "$m" ] && printf '%s:%s' "$(basename "$m")" "$(stat -c %u "$m")"; done)"
	# Without "user" in the policy: the user's own shell, privileges gone.
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount
P
	rm -f "$MARKS"/pwned-*
	out=$(as_user "$ALICE" env LD_PRELOAD="$EVIL" "$SEC_SHELL" -c 'id -u; grep ^CapEff /proc/self/status | cut -f2; readlink /proc/self/ns/user' 2>/dev/null | tr '\n' ' ')
	expect_eq "no 'user': the user's uid, no capability, the host's user namespace" \
		"$au 0000000000000000 $(readlink /proc/self/ns/user) " "$out"
	expect_eq "no 'user': the preload ran only in the shell, as alice" "pwned-$au" "$(ls "$MARKS" | tr '\n' ' ' | sed 's/ $//')"
	out=$(as_user "$ALICE" env TMPDIR=/tmp/nssec-t TZDIR=/nssec-tz "$SEC_SHELL" -c 'echo "$TMPDIR $TZDIR"')
	expect_eq "the shell gets the variables glibc strips from setuid programs (TMPDIR)" \
		"/tmp/nssec-t /nssec-tz" "$out"
	# fds 0-2 closed by the attacker: the wrapper still runs safely.
	out=$(as_user "$ALICE" sh -c "exec 0<&- 2>&-; $SEC_SHELL -c 'id -u'")
	expect_eq "closed stdin/stderr: still the user's shell" "$au" "$out"
	sec_shell_cleanup
}

# Started without its privileges (no_new_privs), nsiso-shell asks the
# helper as the user, who could steer that answer: it may then run the
# user's own shell, never make a user namespace.
s_72_nsiso_shell_unprivileged() {
	sec_shell_policy root
	local au out rc
	au=$(uid_of "$ALICE")
	out=$(as_user "$ALICE" setpriv --no-new-privs "$SEC_SHELL" -c 'echo ran' 2>&1)
	rc=$?
	expect_match "no_new_privs and a 'user' policy: refused, exit 1, says why" \
		"^rc=1 nsiso-shell: nsiso-shell must run setuid root, with its privileges: the policy .*user/$ALICE.conf asks for a user namespace" \
		"rc=$rc $(printf '%s' "$out" | head -1)"
	expect_no_match "and runs nothing" "^ran$" "$out"
	reset_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount
P
	out=$(as_user "$ALICE" setpriv --no-new-privs "$SEC_SHELL" -c 'id -u; readlink /proc/self/ns/user' 2>&1 | tr '\n' ' ')
	expect_eq "no_new_privs, no 'user': the user's own shell, in the host's user namespace" \
		"$au $(readlink /proc/self/ns/user) " "$out"
	# The helper answers a user about their own policy only.
	out=$(as_user "$ALICE" "$HELPER" digest --uid "$au" 2>&1 | tail -1)
	expect_eq "nsiso-helper digest, a user's own uid: answered" "end" "$out"
	out=$(as_user "$ALICE" "$HELPER" digest --uid "$(uid_of "$BOB")" 2>&1)
	rc=$?
	expect_match "nsiso-helper digest of another user: refused" \
		"^rc=1 nsiso-helper: only root may run this" "rc=$rc $out"
	sec_shell_cleanup
}
