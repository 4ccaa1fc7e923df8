# An environment with a host name of its own resolves it (issue 18):
# Debian resolves its own name through /etc/hosts (127.0.1.1), and sudo
# says "unable to resolve host" for a name it cannot look up. The helper
# binds a read-only copy of the host's /etc/hosts plus "127.0.1.1 NAME"
# over /etc/hosts inside; the host's file is never written
# (nsiso-policy(5), hostname).

t19_policy() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
hostname = %u-box
tmpfs = /tmp
linger = 60
P
}

# What a user checks first, in a real login.
T19_PROBE='hostname; echo "getent=$(getent hosts "$(hostname)")"; echo "fqdn=$(hostname -f 2>&1)"
sudo -n true 2>&1 | sed "s/^/sudo: /"
echo "owner=$(stat -L -c "%U %a" /etc/hosts)"
(echo "127.0.0.9 evil" >> /etc/hosts) 2>/dev/null; echo "append-rc=$?"
grep -c "" /etc/hosts | sed "s/^/lines=/"'

t_19_hostname_resolves_inside() {
	t19_policy
	local before after out name=$ALICE-box host_lines
	if ! command -v sudo >/dev/null; then
		fail "sudo is installed (make deps)"
		return
	fi
	before=$(sha256sum < /etc/hosts)
	host_lines=$(grep -c "" /etc/hosts)
	out=$(ssh_as "$ALICE" "$T19_PROBE" 2>&1)
	expect_match "the login has the policy's host name" "^$name$" "$out"
	expect_match "getent hosts \$(hostname) resolves it to 127.0.1.1" "^getent=127\.0\.1\.1 +$name$" "$out"
	expect_match "hostname -f works" "^fqdn=$name$" "$out"
	expect_no_match "sudo does not say 'unable to resolve host'" "unable to resolve host" "$out"
	expect_match "(sudo ran: it asks alice for a password)" "^sudo: " "$out"
	expect_match "/etc/hosts inside is root's, mode 644" "^owner=root 644$" "$out"
	expect_match "alice cannot append to /etc/hosts inside" "^append-rc=[1-9]" "$out"
	expect_match "inside: the host's lines and the name's (and nothing appended)" \
		"^lines=$((host_lines + 2))$" "$out"
	out=$(runuser_l "$ALICE" "findmnt -n -o OPTIONS /etc/hosts")
	expect_match "the copy is mounted read-only, nosuid, nodev, noexec" \
		"^ro,nosuid,nodev,noexec" "$out"
	after=$(sha256sum < /etc/hosts)
	expect_eq "the host's /etc/hosts is unchanged" "$before" "$after"
	expect_eq "the host does not resolve the environment's name" "" \
		"$(getent hosts "$name")"
	expect_eq "the host's /etc/hosts is not a mount on the host" "" \
		"$(findmnt -n /etc/hosts)"
	"$NSISO" stop "$ALICE" >/dev/null
	reset_policy
}

# A stand-in for the host's /etc/hosts, in the suite's own mount namespace
# (the environments are built from it): edited here, never the host's.
t19_fake_hosts() {
	printf '%s\n' "$@" > "$W/hosts"
	chmod 0644 "$W/hosts"
	mount --bind "$W/hosts" /etc/hosts
}

# The copy is a snapshot: the admin's later edits show inside when the
# environment is next built (linger keeps it live between the logins); a name the host's file holds already is not
# copied at all, so edits show at once.
t_19_hostname_hosts_edits() {
	t19_policy
	local out
	t19_fake_hosts "127.0.0.1 localhost"
	out=$(runuser_l "$ALICE" "grep -c '' /etc/hosts")
	expect_eq "a copy with the name's line" 3 "$out"
	printf '10.9.9.9 nsit-added\n' >> "$W/hosts"
	out=$(runuser_l "$ALICE" "getent hosts nsit-added || echo missing")
	expect_eq "an edit of the host's file does not show in the live environment" "missing" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	out=$(runuser_l "$ALICE" "getent hosts nsit-added || echo missing")
	expect_match "... and shows once it is built again" "^10\.9\.9\.9 +nsit-added$" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	umount /etc/hosts

	t19_fake_hosts "127.0.0.1 localhost" "127.0.1.1 $ALICE-box.example $ALICE-box"
	out=$(runuser_l "$ALICE" "hostname -f; grep -q pam_nsiso /etc/hosts && echo copy || echo host-file")
	expect_match "a name the host's file holds resolves from it" "^$ALICE-box\.example$" "$out"
	expect_match "... and the host's file is not covered by a copy" "^host-file$" "$out"
	printf '10.9.9.9 nsit-added\n' >> "$W/hosts"
	out=$(runuser_l "$ALICE" "getent hosts nsit-added || echo missing")
	expect_match "... so its edits show at once" "^10\.9\.9\.9 +nsit-added$" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	umount /etc/hosts

	# A file without a final newline: the name's line is still a line.
	printf '127.0.0.1 localhost' > "$W/hosts"
	mount --bind "$W/hosts" /etc/hosts
	out=$(runuser_l "$ALICE" "getent hosts localhost; getent hosts \$(hostname)")
	expect_match "no final newline: the host's last line is kept" "^127\.0\.0\.1 +localhost$" "$out"
	expect_match "... and the name resolves" "127\.0\.1\.1 +$ALICE-box$" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	umount /etc/hosts
	rm -f "$W/hosts"
	reset_policy
}

# Without a host name of its own the environment has the host's name and
# the host's /etc/hosts, uncovered.
t_19_hostname_none_no_copy() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	local out
	out=$(runuser_l "$ALICE" "hostname; grep -q pam_nsiso /etc/hosts && echo copy || echo host-file")
	expect_match "the host's name" "^$(hostname)$" "$out"
	expect_match "the host's /etc/hosts, not a copy" "^host-file$" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	reset_policy
}
