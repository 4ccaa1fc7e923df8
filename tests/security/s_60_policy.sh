# Unsafe policies: user-writable sources over setuid-read trees, a
# world-writable tmpfs over /etc/pam.d, forbidden targets, and policy
# files or directories that are symlinks, loose or not root's.

pol() { reset_policy; write_policy default.conf; }

s_60_user_writable_sources() {
	install -d /etc/nssec-t /usr/local/nssec-t
	install -d -o "$ALICE" -m 0755 /var/lib/nssec-w
	install -d -m 1777 /var/lib/nssec-ww
	pol <<'P'
bind = /home/%u /etc/nssec-t
P
	deny_case "per-user bind source over /etc" "a per-user source \\(.*\\) may not cover '/etc/nssec-t'"
	pol <<'P'
bind = /var/lib/nssec-w /etc/nssec-t
P
	deny_case "user-owned bind source over /etc" "refused: a source that is not root-owned or is group/world writable"
	pol <<'P'
bind = /var/lib/nssec-ww /usr/local/nssec-t
P
	deny_case "world-writable root-owned bind source over /usr" "refused: a source that is not root-owned or is group/world writable"
	pol <<'P'
bind = /var/lib/nssec-w /etc ro
P
	deny_case "user-owned bind source over all of /etc, even ro" "refused: a source that is not root-owned"
	pol <<'P'
bind = /home/%U /usr/local/nssec-t
P
	deny_case "per-user (%U) bind source under /usr" "may not cover '/usr/local/nssec-t'"
	pol <<'P'
tmpfs = /etc/pam.d
P
	deny_case "a default (1777) tmpfs over /etc/pam.d" "tmpfs: '/etc/pam.d' is read by setuid programs"
	pol <<'P'
tmpfs = /etc/pam.d mode=1777
P
	deny_case "a mode=1777 tmpfs over /etc/pam.d" "tmpfs: '/etc/pam.d' is read by setuid programs"
	pol <<'P'
tmpfs = /etc/pam.d mode=0775
P
	deny_case "a group-writable tmpfs over /etc/pam.d" "tmpfs: '/etc/pam.d' is read by setuid programs"
	pol <<'P'
tmpfs = /etc/pam.d size=1m,mode=0755,mode=1777
P
	deny_case "a tmpfs over /etc/pam.d whose last mode= is 1777" "'/etc/pam.d' is read by setuid programs|given twice|more than once"
	pol <<'P'
tmpfs = /usr/local/nssec-t mode=0700,mode=0777
P
	deny_case "a tmpfs under /usr whose last mode= is 0777" "is read by setuid programs|given twice|more than once"
	# The safe form works and the user still cannot write there.
	pol <<'P'
namespaces = mount uts ipc pid
tmpfs = /etc/pam.d mode=0755
linger = 0
P
	local out
	out=$(runuser_l "$ALICE" 'findmnt -n -o FSTYPE,SOURCE /etc/pam.d | tr -s " "; touch /etc/pam.d/su 2>&1 || echo cannot-write')
	expect_match "a mode=0755 tmpfs over /etc/pam.d is mounted" "^tmpfs nsiso$" "$out"
	expect_match "and the user cannot write a PAM stack there" "cannot-write" "$out"
	wait_gone "$ALICE"
	rm -rf /etc/nssec-t /usr/local/nssec-t /var/lib/nssec-w /var/lib/nssec-ww
}

s_61_forbidden_targets() {
	local t
	for t in /proc /proc/sys /sys /sys/fs/cgroup /dev /dev/pts /dev/mqueue /run/utmp \
		/run/dbus /run/systemd /var/log /var/log/journal /run/nsiso /run/nsiso/environment /run /var /; do
		printf 'tmpfs = %s size=1m,mode=0755\n' "$t" | pol
		deny_case "tmpfs on $t" "may not mount on|the root directory cannot be replaced"
	done
	printf 'bind = /tmp /run/nsiso\n' | pol
	deny_case "bind over /run/nsiso" "may not mount on"
	printf 'hide = /run/systemd\n' | pol
	deny_case "hide /run/systemd" "may not mount on"
	printf 'readonly = /dev/pts\n' | pol
	deny_case "readonly /dev/pts" "may not mount on"
	printf 'tmpfs = /var/run/nsiso size=1m,mode=0755\n' | pol
	deny_case "tmpfs on /var/run/nsiso (through the /var/run symlink)" "a component is a symlink|may not mount on"
	printf 'tmpfs = /home/%%u/../../proc\n' | pol
	deny_case "a template path climbing to /proc" "'.' and '..' components are not allowed"
	printf 'tmpfs = /dev/shm/../pts\n' | pol
	deny_case "/dev/shm/../pts" "'.' and '..' components are not allowed"
	ln -sfn /proc "/home/$ALICE/proclink"
	chown -h "$ALICE" "/home/$ALICE/proclink"
	printf 'tmpfs = /home/%%u/proclink mode=0755\n' | pol
	deny_case "a user's symlink to /proc as target" "a component is a symlink"
	rm -f "/home/$ALICE/proclink"
}

s_62_policy_tampering() {
	local pdir=$POLICY
	pol <<'P'
namespaces = mount uts ipc pid
P
	write_policy real.conf <<'P'
namespaces = mount uts ipc pid
P
	ln -s ../real.conf "$POLICY/user/$ALICE.conf"
	deny_case "user file replaced by a symlink" "user/$ALICE.conf: refused: a symlink"
	rm -f "$POLICY/user/$ALICE.conf"
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid
P
	chmod g+w "$POLICY/user/$ALICE.conf"
	deny_case "user file made group-writable" "user/$ALICE.conf: refused: group or world writable"
	chmod 0646 "$POLICY/user/$ALICE.conf"
	deny_case "user file made world-writable" "refused: group or world writable"
	chmod 0644 "$POLICY/user/$ALICE.conf"
	chown "$ALICE" "$POLICY/user/$ALICE.conf"
	deny_case "user file owned by the user" "refused: not owned by root"
	rm -f "$POLICY/user/$ALICE.conf"
	mkfifo -m 0644 "$POLICY/user/$ALICE.conf"
	local t0=$SECONDS
	deny_case "user file replaced by a FIFO" "user/$ALICE.conf: refused: not a regular file"
	expect_eq "the FIFO did not hang the login" "1" "$(( SECONDS - t0 < 10 ))"
	rm -f "$POLICY/user/$ALICE.conf"
	mkdir "$POLICY/user/$ALICE.conf"
	deny_case "user file replaced by a directory" "refused: not a regular file"
	rmdir "$POLICY/user/$ALICE.conf"
	mv "$POLICY/user" "$POLICY/user.real"
	ln -s user.real "$POLICY/user"
	deny_case "user directory replaced by a symlink" "$POLICY/user: refused: a symlink"
	rm -f "$POLICY/user"
	mv "$POLICY/user.real" "$POLICY/user"
	mv "$POLICY/group" "$POLICY/group.real"
	ln -s group.real "$POLICY/group"
	deny_case "group directory replaced by a symlink" "$POLICY/group: refused: a symlink"
	rm -f "$POLICY/group"
	mv "$POLICY/group.real" "$POLICY/group"
	chmod g+w "$POLICY/group"
	deny_case "group directory made group-writable" "$POLICY/group: refused: group or world writable"
	chmod g-w "$POLICY/group"
	chown "$ALICE" "$POLICY/user"
	deny_case "user directory owned by the user" "$POLICY/user: refused: not owned by root"
	chown root "$POLICY/user"
	# The policy directory itself: a symlink (module argument policy=).
	chmod g+w "$POLICY"
	deny_case "policy directory made group-writable" "$POLICY: refused: group or world writable"
	chmod g-w "$POLICY"
	mv "$POLICY" "$POLICY.real"
	ln -s "$(basename "$POLICY").real" "$POLICY"
	deny_case "policy directory replaced by a symlink" "$POLICY: refused: a symlink"
	rm -f "$POLICY"
	mv "$POLICY.real" "$POLICY"
	rm -f "$POLICY/real.conf"
	# A group file of a group the user is in, made writable by that group.
	write_policy "group/$ALICE.conf" <<'P'
priority = 1
namespaces = mount uts ipc pid
P
	chgrp "$ALICE" "$POLICY/group/$ALICE.conf"
	chmod 0664 "$POLICY/group/$ALICE.conf"
	deny_case "a group file writable by the user's group" "group/$ALICE.conf: refused: group or world writable"
	reset_policy
	expect_eq "afterwards: a clean policy still works" "uid=$(uid_of "$ALICE")" \
		"$(sec_policy; runuser_l "$ALICE" 'cat /run/nsiso/environment')"
	wait_gone "$ALICE"
}
