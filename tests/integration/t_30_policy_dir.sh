# The policy directory itself.

t_32_missing_policy_dir_isolates_nobody() {
	base_policy
	mv "$POLICY" "$POLICY.away"
	mark_log
	expect_eq "no policy directory: alice is not isolated" "$(host_ns mnt)" \
		"$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt')"
	expect_log "and the module warns about it" "policy directory does not exist: nobody is isolated"
	mv "$POLICY.away" "$POLICY"
}

# UID_MIN of /etc/login.defs decides whom default.conf applies to when it
# sets no uid_min. The file is read under a policy file's rules: whoever
# could write it could exempt themselves (nsiso-policy(5)).
t_33_login_defs() {
	base_policy
	local defs=$W/login.defs uid
	uid=$(id -u "$ALICE")
	cp /etc/login.defs "$W/login.defs.orig"
	login_defs_with_uid_min() { # VALUE: rewrites the bound file in place
		{ grep -v '^[[:space:]]*UID_MIN[[:space:]]' "$W/login.defs.orig"
		  printf 'UID_MIN\t\t\t %s\n' "$1"; } > "$defs"
	}
	login_defs_with_uid_min $((uid + 1))
	chmod 0644 "$defs"
	# Over the host's file in the suite's mount namespace only.
	mount --bind "$defs" /etc/login.defs
	expect_eq "UID_MIN above alice's uid: she is not isolated" "$(host_ns mnt)" \
		"$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt')"
	expect_match "explain: below uid_min, from /etc/login.defs" "below uid_min" \
		"$("$NSISO" explain "$ALICE" --policy "$POLICY")"
	login_defs_with_uid_min "$uid"
	expect_ne "UID_MIN at alice's uid: she is isolated" "$(host_ns mnt)" \
		"$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt')"
	wait_gone "$ALICE"
	chmod 0666 "$defs"
	deny_case "a world-writable /etc/login.defs" \
		"session of $ALICE denied: /etc/login.defs: refused: group or world writable" "$ALICE"
	local out rc
	out=$("$NSISO" check "$POLICY"); rc=$?
	expect_match "nsiso check: names the file and why" \
		"^/etc/login.defs: refused: group or world writable \\(the uid_min of $POLICY/default.conf" "$out"
	expect_ne "nsiso check: exits non-zero" "0" "$rc"
	# Nothing to protect when default.conf isolates nobody: logins go on,
	# and nsiso check has nothing to report.
	cp "$POLICY/default.conf" "$W/default.conf.isolating"
	write_policy default.conf <<'P'
isolate = no
P
	out=$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt'); rc=$?
	expect_eq "default.conf isolate = no: alice logs in, on the host" "0/$(host_ns mnt)" "$rc/$out"
	expect_match "default.conf isolate = no: nsiso check is clean" ": ok$" "$("$NSISO" check "$POLICY")"
	write_policy default.conf < "$W/default.conf.isolating"
	rm -f "$W/default.conf.isolating"
	# A default.conf with a uid_min of its own does not read it.
	printf 'uid_min = 1000\n' >> "$POLICY/default.conf"
	expect_ne "default.conf's own uid_min: the file is not read, alice is isolated" \
		"$(host_ns mnt)" "$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt')"
	wait_gone "$ALICE"
	umount /etc/login.defs
	rm -f "$W/login.defs.orig" "$defs"
}
