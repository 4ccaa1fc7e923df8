# The admin CLI against real policies and live environments.

t_80_check() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
P
	local out rc
	out=$("$NSISO" check "$POLICY"); rc=$?
	expect_eq "check: a clean directory exits 0" "0" "$rc"
	expect_match "check: and says ok" "^$POLICY: ok\$" "$out"
	write_policy user/x.conf <<'P'
namespaces = mount ipc
hostname = x
P
	write_policy group/g.conf <<'P'
isolate = no
P
	write_policy group/h.conf <<'P'
priority = 1
tmpfs = /proc
P
	write_policy user/y.conf <<'P'
namespaces = mount
P
	chmod g+w "$POLICY/user/y.conf"
	out=$("$NSISO" check "$POLICY"); rc=$?
	expect_eq "check: problems exit 1" "1" "$rc"
	expect_match "check: a key whose namespace is missing" "^$POLICY/user/x.conf:2: hostname needs 'uts'" "$out"
	expect_match "check: a group file without priority" "^$POLICY/group/g.conf: a group file needs 'priority = N'" "$out"
	expect_match "check: a forbidden target" "^$POLICY/group/h.conf:2: tmpfs: may not mount on '/proc'" "$out"
	expect_match "check: an unsafe file" "^$POLICY/user/y.conf: refused: group or world writable" "$out"
	expect_match "check: counts them" "^4 problems found\$" "$out"

	reset_policy
	groupadd "$PREFIX-g3" 2>/dev/null
	usermod -aG "$PREFIX-g3" "$ALICE"
	printf 'priority = 5\n' | write_policy "group/$ALICE.conf"
	printf 'priority = 5\n' | write_policy "group/$PREFIX-g3.conf"
	printf 'priority = 6\n' | write_policy "group/$ADMINS.conf"
	out=$("$NSISO" check "$POLICY"); rc=$?
	expect_eq "check: equal priorities with a member of both exit 1" "1" "$rc"
	expect_match "check: names the files and the user" \
		"group/($ALICE|$PREFIX-g3).conf: priority 5 is also that of .*group/($ALICE|$PREFIX-g3).conf, and $ALICE is in both groups" "$out"
	gpasswd -d "$ALICE" "$PREFIX-g3" >/dev/null
	expect_eq "check: equal priorities without a common member are fine" "0" \
		"$("$NSISO" check "$POLICY" >/dev/null; echo $?)"
	groupdel "$PREFIX-g3"
}

t_81_check_pam() {
	local out rc
	out=$("$NSISO" check --pam "$POLICY" 2>&1)
	expect_no_match "check --pam: the suite's stacks have pam_nsiso last" \
		"^/etc/pam.d/(sshd-nsiso-test|runuser-l|su-l):" "$out"
	expect_match "check --pam: reports the entry paths, the suite's su-l covered" \
		"^  su-l +covered: /etc/pam.d/su-l:[0-9]+$" "$out"
	{ echo "session required $MODULE"; echo "session optional pam_permit.so"; } > /etc/pam.d/nsiso-test-notlast
	cp /etc/pam.d/common-session "$W/common-session.saved"
	echo "session optional $MODULE" >> /etc/pam.d/common-session
	out=$("$NSISO" check --pam "$POLICY" 2>&1); rc=$?
	expect_eq "check --pam: misplaced modules exit 1" "1" "$rc"
	expect_match "check --pam: not the last session module" \
		"^/etc/pam.d/nsiso-test-notlast:1: pam_nsiso is not the last session module: line 2" "$out"
	expect_match "check --pam: in common-session" "^/etc/pam.d/common-session:[0-9]+: pam_nsiso belongs at the end" "$out"
	cp "$W/common-session.saved" /etc/pam.d/common-session
	rm -f /etc/pam.d/nsiso-test-notlast
}

t_82_explain() {
	base_policy
	local out
	out=$("$NSISO" explain "$ALICE" --policy "$POLICY")
	expect_match "explain: the file and why" "^policy: +$POLICY/default.conf: the default policy" "$out"
	expect_match "explain: the expanded hostname" "^hostname: +$ALICE-box \\(from '%u-box'\\)" "$out"
	expect_match "explain: the mounts with their lines" "line 4 +tmpfs +/tmp \\(size=256m,mode=1777\\)" "$out"
	expect_match "explain: no live environment" "^at login: +builds a new environment" "$out"
	expect_match "explain: isolate = no" "^isolate: +no" "$("$NSISO" explain "$CAROL" --policy "$POLICY")"
	expect_match "explain: below uid_min" "below uid_min" "$("$NSISO" explain "$SYSUSER" --policy "$POLICY")"
	expect_match "explain: root" "root is isolated only by user/root.conf" "$("$NSISO" explain root --policy "$POLICY")"
	write_policy "user/$BOB.conf" <<'P'
hostname = %u_x
P
	out=$("$NSISO" explain "$BOB" --policy "$POLICY"); local rc=$?
	expect_eq "explain: a policy that denies exits 1" "1" "$rc"
	expect_match "explain: and says why" "user/$BOB.conf:1: hostname: '$BOB""_x'" "$out"
	rm -f "$POLICY/user/$BOB.conf"
}

t_83_list_and_enter() {
	base_policy
	ssh_as "$ALICE" 'readlink /proc/self/ns/mnt > ~/list.mnt; sleep 8' &
	local holder=$! json
	for _ in $(seq 50); do [ -s "/home/$ALICE/list.mnt" ] && break; sleep 0.1; done
	json=$("$NSISO" list --json)
	local checked
	checked=$(printf '%s' "$json" | python3 -c '
import json, sys
envs = [e for e in json.load(sys.stdin) if e["user"] == sys.argv[1]]
assert len(envs) == 1, envs
e = envs[0]
print(e["sessions"] >= 1, e["hostname"], "mnt:[%d]" % e["namespaces"]["mnt"], e["policy_changed"], e["init_pid"])
' "$ALICE")
	local mnt
	mnt=$(cat "/home/$ALICE/list.mnt")
	expect_eq "list --json: alice's environment, its logins, hostname and mount namespace" \
		"True $ALICE-box $mnt False" "$(printf '%s' "$checked" | cut -d' ' -f1-4)"
	local pid
	pid=$(printf '%s' "$checked" | cut -d' ' -f5)
	expect_eq "list --json: the init pid is the init's" "nsiso-init" "$(cat "/proc/$pid/comm" 2>/dev/null)"
	# The init is the small static nsiso-init the helper execs (issue 8:
	# under 300 KiB resident), measured once a login has joined.
	expect_eq "the init runs nsiso-init from next to the helper" "$W/bin/nsiso-init" \
		"$(readlink "/proc/$pid/exe" 2>/dev/null)"
	local rss
	rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status" 2>/dev/null)
	expect_eq "the init's VmRSS is under 300 KiB with a login joined (it is ${rss:-unknown} KiB)" \
		"yes" "$([ -n "$rss" ] && [ "$rss" -lt 300 ] && echo yes || echo no)"
	# Signals from the host other than TERM and KILL are ignored, the two
	# the C library keeps for itself (32, 33) included.
	local sig
	for sig in HUP INT QUIT USR1 USR2 ALRM 32 33 34 64; do kill "-$sig" "$pid"; done
	sleep 0.3
	expect_eq "signals from the host (HUP INT QUIT USR1 USR2 ALRM 32 33 34 64) leave the init running" \
		"nsiso-init" "$(cat "/proc/$pid/comm" 2>/dev/null)"
	expect_match "list: the table names the user and namespace inodes" \
		"^$ALICE .* mnt:${mnt//[^0-9]/} uts:[0-9]+ ipc:[0-9]+ pid:[0-9]+" "$("$NSISO" list)"
	# The release its init runs, from the top of debian/changelog: what
	# an admin reads after an upgrade to see which environments still run
	# the previous one (nsiso(8)).
	local release
	release=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
	expect_match "list: the environment's init runs this release ($release)" \
		"^$ALICE .* $ALICE-box +${release//./\\.} +mnt:" "$("$NSISO" list)"
	expect_eq "list --json: protocol and release of the init" "4 $release" \
		"$(printf '%s' "$json" | python3 -c '
import json, sys
e = [e for e in json.load(sys.stdin) if e["user"] == sys.argv[1]][0]
print(e["protocol"], e["release"])' "$ALICE")"
	touch -d '+1 minute' "$POLICY/default.conf"
	expect_match "list: an environment built from an older policy is marked" \
		"^$ALICE .*\\(built from an older policy\\)" "$("$NSISO" list)"

	expect_eq "enter: a command runs as the user in the environment" \
		"$ALICE $ALICE-box $mnt" "$("$NSISO" enter "$ALICE" -- sh -c 'echo $(id -un) $(hostname) $(readlink /proc/self/ns/mnt)' </dev/null)"
	rm -f "/home/$ALICE/enter.out"
	tmux -L nsit kill-server 2>/dev/null
	tmux -L nsit new-session -d "$NSISO enter $ALICE -- sh -c 'tty > ~/enter.out; ps -o pid= -p \$\$ >> ~/enter.out'"
	for _ in $(seq 50); do [ -s "/home/$ALICE/enter.out" ] && break; sleep 0.1; done
	expect_match "enter on a terminal: the command gets a new pty" "^/dev/pts/[0-9]+" "$(cat "/home/$ALICE/enter.out" 2>/dev/null)"
	tmux -L nsit kill-server 2>/dev/null
	"$NSISO" stop "$ALICE" >/dev/null
	wait "$holder" 2>/dev/null
	wait_gone "$ALICE"
	local out rc
	out=$("$NSISO" enter "$ALICE" -- true 2>&1 </dev/null); rc=$?
	expect_eq "enter: no live environment exits 1" "1" "$rc"
	expect_match "enter: and says so" "has no live environment" "$out"
}

t_84_help_and_usage() {
	local c
	for c in check explain list stop enter enable disable; do
		"$NSISO" "$c" --help >/dev/null
		expect_eq "$c --help exits 0" "0" "$?"
	done
	expect_match "--version" "^nsiso [0-9]" "$("$NSISO" --version)"
	"$NSISO" frobnicate >/dev/null 2>&1
	expect_eq "an unknown command exits 2" "2" "$?"
	"$NSISO" stop >/dev/null 2>&1
	expect_eq "a missing argument exits 2" "2" "$?"
}

t_85_user_enters_own_environment() {
	base_policy
	# The helper as installed: setuid root.
	chown root:root "$ENTER"
	chmod 4755 "$ENTER"
	ssh_as "$ALICE" 'readlink /proc/self/ns/mnt > ~/own.mnt; sleep 6' &
	local holder=$! out
	for _ in $(seq 50); do [ -s "/home/$ALICE/own.mnt" ] && break; sleep 0.1; done
	# From the host (as cron or a systemd --user service would run it).
	out=$(runuser -u "$ALICE" -- env NSISO_ENTER="$ENTER" "$NSISO" enter "$ALICE" -- \
		sh -c 'echo $(id -u) $(hostname) $(readlink /proc/self/ns/mnt) $(cat /proc/self/status | grep ^CapEff)' </dev/null)
	expect_eq "a user enters their own environment, unprivileged" \
		"$(id -u "$ALICE") $ALICE-box $(cat "/home/$ALICE/own.mnt") CapEff: 0000000000000000" \
		"$(printf '%s' "$out" | tr -s '\t' ' ')"
	out=$(runuser -u "$ALICE" -- env NSISO_ENTER="$ENTER" "$NSISO" enter "$BOB" -- true 2>&1 </dev/null); local rc=$?
	expect_eq "a user cannot enter another user's environment (exit 1)" "1" "$rc"
	expect_match "and is told why" "only root may enter another user's environment" "$out"
	out=$(runuser -u "$BOB" -- "$ENTER" -- true 2>&1 </dev/null); rc=$?
	expect_eq "the helper run by bob never finds alice's environment" "1" "$rc"
	expect_match "and says bob has none" "you have no live environment" "$out"
	out=$(runuser -u "$BOB" -- "$HELPER" build --uid "$(id -u "$ALICE")" 2>&1); rc=$?
	expect_eq "a user cannot make the helper build anything" "1" "$rc"
	expect_match "and is told so" "only root may run this" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	wait "$holder" 2>/dev/null
	chmod 0755 "$ENTER"
}
