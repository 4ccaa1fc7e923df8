# Directory groups whose look-ups fail (issue 17, "Directory users"):
# the user's passwd entry is still answered (a local user here, sssd's
# cache there) but the directory's group look-ups fail. getgrouplist()
# hides that (the user seems to be in the local groups only), so a group
# file of a directory group must never silently lose to default.conf.
#
# The directory is tests/integration/nss_fault.c, built here and bound over
# libc6's libnss_hesiod.so.2 (which nothing on the host uses) with an
# nsswitch.conf of `group: files hesiod`, both in the suite's own mount
# namespace only, and only for the length of each test (nss_down). It
# serves two groups that exist nowhere else:
#   nsit-dir   member list: dana
#   nsit-dir2  empty member list; nora is in it through initgroups only, as
#              with sssd's ignore_group_members = true
# and fails every group look-up with ECONNREFUSED while $T34_NSSF/broken exists.

T34_NSSF=$W/nss-fault
T34_DANA=${PREFIX}-dana
T34_NORA=${PREFIX}-nora
T34_DIRG=${PREFIX}-dir
T34_DIRG2=${PREFIX}-dir2

nss_up() {
	local hesiod
	hesiod=$(readlink -f "/lib/$(cc -print-multiarch)/libnss_hesiod.so.2")
	install -d -m 0755 "$T34_NSSF"
	if [ ! -e "$T34_NSSF/libnss_fault.so" ]; then
		cc -std=gnu11 -O1 -Wall -Wextra -Werror -shared -fPIC -DNSS_NAME=hesiod \
			-DFAULT_DIR="\"$T34_NSSF\"" -o "$T34_NSSF/libnss_fault.so" \
			"$TOP/tests/integration/nss_fault.c" || return 1
	fi
	printf '%s:x:4100001:%s\n%s:x:4100002:\n' "$T34_DIRG" "$T34_DANA" "$T34_DIRG2" > "$T34_NSSF/group"
	printf '%s:4100002\n' "$T34_NORA" > "$T34_NSSF/initgroups"
	rm -f "$T34_NSSF/broken"
	sed -E 's/^(group:).*/\1 files hesiod/; s/^(passwd|shadow|gshadow):.*/\1: files/' \
		/etc/nsswitch.conf > "$T34_NSSF/nsswitch.conf"
	grep -q '^group:' "$T34_NSSF/nsswitch.conf" || echo 'group: files hesiod' >> "$T34_NSSF/nsswitch.conf"
	[ -f "$hesiod" ] || { log "no $hesiod to bind the fault module over"; return 1; }
	mount --bind "$T34_NSSF/libnss_fault.so" "$hesiod" &&
	mount --bind "$T34_NSSF/nsswitch.conf" /etc/nsswitch.conf || return 1
	NSS_BOUND=$hesiod
}

nss_down() {
	[ -n "${NSS_BOUND:-}" ] || return 0
	umount /etc/nsswitch.conf
	umount "$NSS_BOUND"
	NSS_BOUND=
	rm -f "$T34_NSSF/broken"
}

nss_break() { echo "$1" > "$T34_NSSF/broken"; }

# The policy of a server whose directory users are isolated: default.conf
# (as the package ships it) leaves everyone alone; a directory group is
# isolated; a local admins group outranks it (break-glass); bob has a file
# of his own.
nss_policy() {
	reset_policy
	write_policy default.conf <<'P'
isolate = no
P
	write_policy "group/$T34_DIRG.conf" <<'P'
namespaces = mount uts ipc pid
hostname = %u-dir
priority = 10
P
	write_policy "group/$T34_DIRG2.conf" <<'P'
namespaces = mount uts ipc pid
hostname = %u-dir2
priority = 20
P
	write_policy "group/$ADMINS.conf" <<'P'
isolate = no
priority = 100
P
	write_policy "user/$BOB.conf" <<'P'
namespaces = mount uts ipc pid
hostname = %u-own
P
}

nss_users() {
	id "$T34_DANA" >/dev/null 2>&1 || add_user "$T34_DANA"
	id "$T34_NORA" >/dev/null 2>&1 || add_user "$T34_NORA"
}

t_34_nss_directory_groups_apply() {
	nss_users
	nss_policy
	nss_up || { fail "the fault NSS module is bound"; nss_down; return; }
	local out
	expect_match "the directory's group is visible (id)" "\\b$T34_DIRG\\b" "$(id -Gn "$T34_DANA")"
	out=$("$NSISO" explain "$T34_DANA" --policy "$POLICY")
	expect_match "explain: a member-list member gets the directory group's file" \
		"^policy: +$POLICY/group/$T34_DIRG.conf" "$out"
	out=$(runuser_l "$T34_DANA" 'readlink /proc/self/ns/mnt; hostname')
	expect_ne "runuser -l: dana's login is isolated" "$(host_ns mnt)" "$(echo "$out" | sed -n 1p)"
	expect_eq "runuser -l: with the directory group's hostname" "$T34_DANA-dir" "$(echo "$out" | sed -n 2p)"
	out=$("$NSISO" explain "$T34_NORA" --policy "$POLICY")
	expect_match "explain: a member that only initgroups reports gets its group's file" \
		"^policy: +$POLICY/group/$T34_DIRG2.conf" "$out"
	out=$(runuser_l "$T34_NORA" 'readlink /proc/self/ns/mnt; hostname')
	expect_ne "runuser -l: nora's login is isolated" "$(host_ns mnt)" "$(echo "$out" | sed -n 1p)"
	expect_eq "runuser -l: with her group's hostname" "$T34_NORA-dir2" "$(echo "$out" | sed -n 2p)"
	expect_match "explain: a local user in no directory group gets default.conf" \
		"^policy: +$POLICY/default.conf" "$("$NSISO" explain "$ALICE" --policy "$POLICY")"
	"$NSISO" stop "$T34_DANA" >/dev/null 2>&1
	"$NSISO" stop "$T34_NORA" >/dev/null 2>&1
	nss_down
}

t_34_nss_group_lookup_failure_denies() {
	nss_users
	nss_policy
	nss_up || { fail "the fault NSS module is bound"; nss_down; return; }
	nss_break 111
	local out rc m=/home/$T34_DANA/t34-ran
	# The fault is the one the issue measured: getgrouplist hides it.
	expect_no_match "broken: id no longer lists the directory group" "\\b$T34_DIRG\\b" "$(id -Gn "$T34_DANA")"

	out=$("$NSISO" explain "$T34_DANA" --policy "$POLICY"); rc=$?
	expect_match "explain: names the group and the NSS error" \
		"^policy: +error: .*group $T34_DIRG.*Connection refused" "$out"
	expect_match "explain: says the session is denied" "^at login: +the session is denied" "$out"
	expect_ne "explain: exits non-zero" "0" "$rc"
	expect_no_match "explain: never falls through to default.conf" "default.conf" "$out"

	rm -f "$m"
	mark_log
	out=$(runuser -l "$T34_DANA" -c "touch $m" </dev/null 2>&1); rc=$?
	expect_ne "runuser -l: denied (exit status)" "0" "$rc"
	expect_match "runuser -l: tells the user" "cannot open session: Permission denied" "$out"
	if [ -e "$m" ]; then
		fail "runuser -l: the command did not run" "it ran and wrote $m"
	else
		pass "runuser -l: the command did not run"
	fi
	expect_log "runuser -l: authpriv line with the user, the group and the errno" \
		"^<83>.*pam_nsiso\\(runuser-l:session\\): session of $T34_DANA denied: .*group $T34_DIRG.*Connection refused"
	deny_case "pamtester: dana (member list)" "session of $T34_DANA denied: .*group $T34_DIRG.*Connection refused" "$T34_DANA"
	deny_case "pamtester: nora (initgroups only)" "session of $T34_NORA denied: .*group $T34_DIRG2.*Connection refused" "$T34_NORA"
	# A local user in no group that has a file: whether the directory
	# lists her cannot be told either, and the directory groups' files
	# could apply.
	deny_case "pamtester: a local user without a file of her own" \
		"session of $ALICE denied: .*group $T34_DIRG.*Connection refused" "$ALICE"
	rm -f "$m"
	nss_down
}

# Break-glass while the directory fails: root, a user with a file of his
# own, a member of a local group whose file outranks every directory
# group's.
t_34_nss_break_glass() {
	nss_users
	nss_policy
	nss_up || { fail "the fault NSS module is bound"; nss_down; return; }
	nss_break 111
	local out rc
	out=$(runuser_l "$CAROL" 'readlink /proc/self/ns/mnt'); rc=$?
	expect_eq "carol (local admins, priority 100) gets in" "0" "$rc"
	expect_eq "carol: on the host, as group/$ADMINS.conf says" "$(host_ns mnt)" "$out"
	expect_match "explain carol: her local group's file" \
		"^policy: +$POLICY/group/$ADMINS.conf" "$("$NSISO" explain "$CAROL" --policy "$POLICY")"
	out=$(runuser_l "$BOB" 'readlink /proc/self/ns/mnt; hostname'); rc=$?
	expect_eq "bob (user/$BOB.conf) gets in" "0" "$rc"
	expect_ne "bob: isolated by his own file" "$(host_ns mnt)" "$(echo "$out" | sed -n 1p)"
	expect_eq "bob: his file's hostname" "$BOB-own" "$(echo "$out" | sed -n 2p)"
	out=$(runuser -l root -c 'readlink /proc/self/ns/mnt' </dev/null); rc=$?
	expect_eq "root gets in" "0/$(host_ns mnt)" "$rc/$out"
	"$NSISO" stop "$BOB" >/dev/null 2>&1
	# Only groups that have a file are looked up: without the directory
	# groups' files the failing directory is never asked.
	rm -f "$POLICY/group/$T34_DIRG.conf" "$POLICY/group/$T34_DIRG2.conf"
	out=$(runuser_l "$T34_DANA" 'readlink /proc/self/ns/mnt'); rc=$?
	expect_eq "no directory group files: dana gets in, default.conf (isolate = no)" \
		"0/$(host_ns mnt)" "$rc/$out"
	expect_match "no directory group files: explain alice says default.conf" \
		"^policy: +$POLICY/default.conf" "$("$NSISO" explain "$ALICE" --policy "$POLICY")"
	nss_down
}

# Only a build looks the primary group up (its name is "%g"): a join does
# not. A user whose primary group is a directory group: while that group's
# look-up fails, a live environment still takes logins, and a login that
# has to build is denied with the group's NSS error (pam_nsiso(8)).
t_34_nss_primary_group_only_for_builds() {
	nss_users
	nss_policy
	nss_up || { fail "the fault NSS module is bound"; nss_down; return; }
	local pg=${PREFIX}-pg out rc holder held=""
	add_user "$pg" -g "$T34_DIRG"
	write_policy "user/$pg.conf" <<'P'
namespaces = mount uts ipc pid
hostname = %u-pg
P
	runuser -l "$pg" -c 'readlink /proc/self/ns/mnt > ~/held.mnt; sleep 60' </dev/null >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 100); do
		held=$(cat "/home/$pg/held.mnt" 2>/dev/null)
		[ -n "$held" ] && break
		sleep 0.1
	done
	expect_ne "group answered: the first login builds an environment" "$(host_ns mnt)/" "$held/"
	nss_break 111
	getent group "$T34_DIRG" >/dev/null 2>&1; rc=$?
	expect_ne "broken: NSS cannot look the primary group up" "0" "$rc"
	out=$(runuser_l "$pg" 'readlink /proc/self/ns/mnt; hostname' 2>&1); rc=$?
	expect_eq "broken: a second login joins (exit status)" "0" "$rc"
	expect_eq "broken: ... into the live environment" "$held" "$(echo "$out" | grep '^mnt:')"
	expect_eq "broken: ... with its host name" "$pg-pg" "$(echo "$out" | tail -1)"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	"$NSISO" stop "$pg" >/dev/null 2>&1
	wait_gone "$pg"
	deny_case "broken, no live environment: a first login" \
		"session of $pg denied: NSS look-up of group 4100001 of user $pg: Connection refused" "$pg"
	nss_down
}
