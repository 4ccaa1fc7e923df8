# nsiso enable and disable, check --pam's entry paths, explain's.
#
# Each test works on a sandbox directory $SB and runs nsiso in a mount
# namespace of its own (en_run) in which /etc/pam.d, /usr/lib/pam.d,
# /var/backups, /etc/systemd/system, /etc/security and /run/systemd are
# bound from $SB: what nsiso writes lands in $SB, the machine's files (and
# the suite's /etc/pam.d) are never touched, and the test reads the result
# from outside. The stacks are Debian's as the suite found them
# ($W/pam.orig), plus a cron stack, with atd only in /usr/lib/pam.d.

EN_LINE='session required pam_nsiso.so # nsiso enable'
EN_STACKS="sshd login su-l runuser-l cron"

# The sandbox's own mounts, then the command (run by en_run).
en_write_script() {
	cat > "$W/en_sandbox.sh" <<'EOF'
#!/bin/bash
sb=$1
shift
set -e
mount --bind "$sb/etc" /etc/pam.d
mount --bind "$sb/vendor" /usr/lib/pam.d
mount --bind "$sb/backups" /var/backups
mount --bind "$sb/systemd" /etc/systemd/system
mount --bind "$sb/security" /etc/security
# $sb/run holds system/ only when a test plays a systemd host.
if [ -d /run/systemd ]; then mount --bind "$sb/run" /run/systemd; fi
if [ -x "$sb/systemctl" ]; then mount --bind "$sb/systemctl" /usr/bin/systemctl; fi
# "TARGET SOURCE" lines: SOURCE's files added to TARGET (an overlay).
n=0
while read -r target source; do
	n=$((n + 1))
	mkdir -p "$sb/ovl/$n"
	mount -t tmpfs "nsit-ovl-$n" "$sb/ovl/$n"
	mkdir "$sb/ovl/$n/up" "$sb/ovl/$n/work"
	cp -a "$source/." "$sb/ovl/$n/up/"
	mount -t overlay "nsit-ovl-$n" \
		-o "lowerdir=$target,upperdir=$sb/ovl/$n/up,workdir=$sb/ovl/$n/work" "$target"
done < <(cat "$sb/overlays" 2>/dev/null)
set +e
exec "$@"
EOF
	chmod 0755 "$W/en_sandbox.sh"
}

# en_run CMD...: CMD in the sandbox namespace.
en_run() {
	unshare --mount --propagation private "$W/en_sandbox.sh" "$SB" "$@"
}

# en_new NAME: a fresh sandbox; the originals stay in $SB/orig.
en_new() {
	SB=$W/enable.$1
	rm -rf "$SB"
	install -d -m 0755 "$SB" "$SB/etc" "$SB/vendor" "$SB/backups" "$SB/systemd" \
		"$SB/security" "$SB/run" "$SB/orig"
	cp -a "$W/pam.orig/." "$SB/etc/"
	cp -a /usr/lib/pam.d/. "$SB/vendor/"
	rm -f "$SB/etc/cron" "$SB/etc/atd" "$SB/vendor/atd"
	printf '%s\n' '# cron (a stand-in with Debian'"'"'s shape)' '@include common-auth' \
		'session required pam_loginuid.so' '@include common-session-noninteractive' \
		'session required pam_limits.so' > "$SB/etc/cron"
	printf '%s\n' '# atd, as only the vendor ships it here' '@include common-auth' \
		'@include common-account' 'session required pam_loginuid.so' \
		'@include common-session-noninteractive' 'session required pam_limits.so' \
		> "$SB/vendor/atd"
	chmod 0644 "$SB/etc/cron" "$SB/vendor/atd"
	cp -a /etc/security/. "$SB/security/"
	rm -rf "$SB/security/nsiso"
	install -d -m 0755 "$SB/security/nsiso" "$SB/security/nsiso/user" "$SB/security/nsiso/group"
	en_save_orig
	[ -x "$W/en_sandbox.sh" ] || en_write_script
}

en_save_orig() {
	rm -rf "$SB/orig"
	mkdir -p "$SB/orig/vendor"
	cp -a "$SB/etc/." "$SB/orig/"
	cp -a "$SB/vendor/atd" "$SB/orig/vendor/atd"
}

# en_policy TEXT: the sandbox's /etc/security/nsiso/default.conf.
en_policy() {
	printf '%s\n' "$1" > "$SB/security/nsiso/default.conf"
	chmod 0644 "$SB/security/nsiso/default.conf"
}

# Every file under the sandbox's directories: name, type, mode, owner,
# link target and checksum.
en_state() {
	(cd "$SB" && find etc vendor systemd backups -printf '%p %y %m %U %l\n' | sort &&
		find etc vendor systemd backups -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# en_same DESC EXPECTED_FILE ACTUAL_FILE: byte for byte.
en_same() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "$(diff "$2" "$3" 2>&1 | head -8 | tr '\n' '|')"; fi
}

# en_lands NAME EXPLAIN_OUTPUT: where explain says NAME's processes land.
en_lands() {
	printf '%s\n' "$2" | grep -A1 "^  $1 " | sed -n 's/^ *-> //p'
}

en_copy_header() {
	printf '# Copied from /usr/lib/pam.d/%s by nsiso enable (nsiso(8)); nsiso disable removes the copy.\n' "$1"
}

t_82_enable_covers_each_stack() {
	en_new covers
	en_policy 'namespaces = mount uts ipc pid'
	local out rc s b before
	out=$(en_run "$NSISO" check --pam 2>&1); rc=$?
	expect_eq "check --pam: uncovered paths while default.conf isolates exit 1" 1 "$rc"
	expect_match "check --pam: names the file that isolates and each uncovered path" \
		"^/etc/security/nsiso/default.conf isolates users, and sshd, login, su-l, runuser-l, cron, atd are not covered" "$out"
	expect_match "check --pam: one line per path, with the reason" \
		"^  login +NOT covered: /etc/pam.d/login has no pam_nsiso line$" "$out"
	expect_match "check --pam: a stack only the vendor has" \
		"^  atd +NOT covered: /usr/lib/pam.d/atd has no pam_nsiso line$" "$out"
	expect_match "check --pam: sudo's gap is named (or sudo is not installed)" \
		"^  sudo +(not installed|NOT covered: left to the admin: with the line, a broken policy also stops every sudo to root)" "$out"
	expect_match "check --pam: su without -l is named, with why enable leaves it" \
		"^  su +NOT covered: su-l @includes this stack" "$out"

	out=$(en_run "$NSISO" enable 2>&1); rc=$?
	expect_eq "enable: exits 0 (the check --pam it ends with passes)" 0 "$rc"
	for s in $EN_STACKS; do
		{ cat "$SB/orig/$s"; printf '%s\n' "$EN_LINE"; } > "$SB/expect"
		en_same "enable: $s: the stack as it was, then the one line, last" "$SB/expect" "$SB/etc/$s"
		expect_eq "enable: $s: owner and mode kept" "$(stat -c '%u:%g %a' "$SB/orig/$s")" \
			"$(stat -c '%u:%g %a' "$SB/etc/$s")"
		b=$(find "$SB/backups/nsiso" -name "etc-pam.d-$s.*" | grep -E "/etc-pam.d-$s\.[0-9]{8}-[0-9]{6}\$")
		expect_eq "enable: $s: one backup, named by the file and the time" 1 "$(printf '%s' "$b" | grep -c .)"
		en_same "enable: $s: the backup is the old stack" "$SB/orig/$s" "$b"
	done
	{ en_copy_header atd; cat "$SB/orig/vendor/atd"; printf '%s\n' "$EN_LINE"; } > "$SB/expect"
	en_same "enable: a vendor-only stack is copied to /etc/pam.d first, then the line" "$SB/expect" "$SB/etc/atd"
	en_same "enable: the vendor's stack is untouched" "$SB/orig/vendor/atd" "$SB/vendor/atd"
	expect_match "enable: says so" "^/etc/pam.d/atd: copied from /usr/lib/pam.d/atd and appended pam_nsiso as the last session line" "$out"
	expect_eq "enable: the backup directory is root's alone" "700 0" "$(stat -c '%a %u' "$SB/backups/nsiso")"
	expect_match "enable: ends with check --pam, each path covered" "^  sshd +covered: /etc/pam.d/sshd:[0-9]+$" "$out"
	expect_match "enable: the vendor-only stack is covered by the copy" "^  atd +covered: /etc/pam.d/atd:[0-9]+$" "$out"
	expect_match "without systemd the user manager is reported as such" "^  user manager +no systemd: no user manager$" "$out"
	expect_match "and enable says it wrote nothing for it" "^user manager: no systemd \\(no /run/systemd/system\\): no user manager, nothing written$" "$out"
	expect_eq "and /etc/systemd/system is untouched" "" "$(ls -A "$SB/systemd")"

	before=$(en_state)
	out=$(en_run "$NSISO" enable 2>&1); rc=$?
	expect_eq "enable again: exits 0" 0 "$rc"
	expect_match "enable again: says there is nothing to change" "^nsiso enable: nothing to change: every entry path it covers is covered already$" "$out"
	expect_match "enable again: names each stack as unchanged" "^/etc/pam.d/sshd:[0-9]+: pam_nsiso is the last session module already \\(written by nsiso enable\\): unchanged$" "$out"
	expect_eq "enable again: changes nothing (every file and backup, checksums)" "$before" "$(en_state)"
	en_run "$NSISO" check --pam >/dev/null 2>&1
	expect_eq "check --pam after enable exits 0" 0 "$?"
	out=$(en_run "$NSISO" enable --dry-run 2>&1)
	expect_eq "enable --dry-run changes nothing either" "$before" "$(en_state)"
}

t_82_enable_check_exit_status() {
	en_new check
	local out rc
	out=$(en_run "$NSISO" check --pam 2>&1); rc=$?
	expect_eq "check --pam: uncovered paths with nothing isolated exit 0" 0 "$rc"
	expect_match "check --pam: and says they are not covered" \
		"^not covered: sshd, login, su-l, runuser-l, cron, atd \\(nobody is isolated" "$out"
	en_policy 'isolate = no'
	printf 'namespaces = mount\n' > "$SB/security/nsiso/user/$ALICE.conf"
	chmod 0644 "$SB/security/nsiso/user/$ALICE.conf"
	out=$(en_run "$NSISO" check --pam 2>&1); rc=$?
	expect_eq "check --pam: a user file that isolates counts (exit 1)" 1 "$rc"
	expect_match "check --pam: and is named" "^/etc/security/nsiso/user/$ALICE.conf isolates users, and sshd" "$out"
	out=$(en_run "$NSISO" explain "$ALICE" 2>&1)
	expect_eq "explain: an uncovered path lands on the host, with the reason" \
		"the host: /etc/pam.d/sshd has no pam_nsiso line" "$(en_lands sshd "$out")"
	en_run "$NSISO" enable >/dev/null 2>&1
	expect_eq "enable then exits 0" 0 "$?"
	out=$(en_run "$NSISO" explain "$ALICE" 2>&1)
	expect_eq "explain: a covered path lands in the environment" "the environment" "$(en_lands sshd "$out")"
	expect_match "explain: a path enable leaves lands on the host, with why" \
		"^the host: su-l @includes this stack" "$(en_lands su "$out")"
	expect_match "explain: a user who is not isolated: every path, the host" \
		"^entry paths: sshd, login, .*: each starts $BOB's processes on the host \\(not isolated\\)$" \
		"$(en_run "$NSISO" explain "$BOB" 2>&1)"
	en_policy 'namespaces = mount user'
	expect_match "explain: cron jobs of a user-namespace policy are refused" \
		"^refused: jobs run /bin/sh, not nsiso-shell" "$(en_lands cron "$(en_run "$NSISO" explain "$BOB" 2>&1)")"
}

t_82_enable_refuses_unsafe_stacks() {
	en_new refuse
	en_policy 'namespaces = mount uts ipc pid'
	mv "$SB/etc/login" "$SB/login.real"
	ln -s "$SB/login.real" "$SB/etc/login"
	chmod g+w "$SB/etc/sshd"
	local n long out rc before
	n=$(($(wc -l < "$SB/etc/su-l") + 1))
	printf '%s\n' 'session required pam_nsiso.so' 'session optional pam_permit.so' >> "$SB/etc/su-l"
	long=$(head -c 1100 /dev/zero | tr '\0' x)
	printf 'session optional pam_env.so envfile=/%s\n' "$long" >> "$SB/etc/cron"
	before=$(en_state)
	out=$(en_run "$NSISO" enable 2>&1); rc=$?
	expect_eq "enable: unsafe stacks exit 1" 1 "$rc"
	expect_match "a symlinked stack is refused, named" "^/etc/pam.d/login: a symlink$" "$out"
	expect_match "a group-writable stack is refused, named" "^/etc/pam.d/sshd: group or world writable$" "$out"
	expect_match "pam_nsiso not last is refused, file and line named" \
		"^/etc/pam.d/su-l:$n: pam_nsiso is there already but not the last session module \\(line $((n + 1))," "$out"
	expect_match "a line too long for PAM is refused, file and line named" \
		"^/etc/pam.d/cron:6: a line too long to parse" "$out"
	expect_match "enable says nothing changed" "^nsiso enable: nothing changed: 4 files cannot be changed safely" "$out"
	expect_eq "no file changed, the good stacks neither, no backup made (checksums of all)" "$before" "$(en_state)"
	expect_eq "the symlink's target is untouched" "$(cat "$SB/orig/login")" "$(cat "$SB/login.real")"

	en_new refuse2
	en_policy 'namespaces = mount uts ipc pid'
	chown 65534 "$SB/etc/runuser-l"
	ln "$SB/etc/cron" "$SB/etc/cron-other-name"
	n=$(($(wc -l < "$SB/etc/common-session") + 1))
	echo 'session optional pam_nsiso.so' >> "$SB/etc/common-session"
	before=$(en_state)
	out=$(en_run "$NSISO" enable 2>&1); rc=$?
	expect_eq "enable: more unsafe stacks exit 1" 1 "$rc"
	expect_match "a stack not owned by root is refused" "^/etc/pam.d/runuser-l: not owned by root$" "$out"
	expect_match "a stack with another name (hard link) is refused" "^/etc/pam.d/cron: has other names \\(hard links\\)" "$out"
	expect_match "pam_nsiso in common-session is refused" "^/etc/pam.d/common-session:$n: pam_nsiso is in common-session" "$out"
	expect_eq "and nothing changed" "$before" "$(en_state)"
}

t_82_enable_disable_restores() {
	en_new disable
	en_policy 'namespaces = mount uts ipc pid'
	echo 'session required pam_nsiso.so debug' >> "$SB/etc/runuser-l"
	en_save_orig
	local n s out rc before
	n=$(wc -l < "$SB/etc/runuser-l")
	out=$(en_run "$NSISO" enable 2>&1); rc=$?
	expect_eq "enable: exits 0" 0 "$rc"
	expect_match "enable: an administrator's own last line is left, and said" \
		"^/etc/pam.d/runuser-l:$n: pam_nsiso is the last session module already \\(an administrator's own line\\): unchanged$" "$out"
	en_same "enable: that stack is unchanged" "$SB/orig/runuser-l" "$SB/etc/runuser-l"

	out=$(en_run "$NSISO" disable 2>&1); rc=$?
	expect_eq "disable: exits 0" 0 "$rc"
	for s in $EN_STACKS; do
		en_same "disable: $s is byte for byte what it was before enable" "$SB/orig/$s" "$SB/etc/$s"
	done
	expect_eq "disable: the copy of the vendor's atd is gone" "no" "$([ -e "$SB/etc/atd" ] && echo yes || echo no)"
	expect_match "disable: says so" "^/etc/pam.d/atd: removed nsiso enable's copy of /usr/lib/pam.d/atd" "$out"
	expect_match "disable: leaves the administrator's own line, and says so" \
		"^/etc/pam.d/runuser-l:$n: a pam_nsiso line nsiso enable did not write: left as it is$" "$out"
	expect_eq "disable: backs up what it changes (4 stacks and the copy) next to enable's 4" \
		"9 1" "$(ls "$SB/backups/nsiso" | wc -l) $(ls "$SB/backups/nsiso" | grep -c '^etc-pam.d-atd\.')"
	before=$(en_state)
	out=$(en_run "$NSISO" disable 2>&1); rc=$?
	expect_eq "disable again: exits 0" 0 "$rc"
	expect_match "disable again: nothing to change" "^nsiso disable: nothing to change" "$out"
	expect_eq "disable again: changes nothing" "$before" "$(en_state)"

	# A copy the administrator edited since stays, without enable's lines.
	en_run "$NSISO" enable >/dev/null 2>&1
	echo '# kept by the admin' >> "$SB/etc/atd"
	out=$(en_run "$NSISO" disable 2>&1)
	{ cat "$SB/orig/vendor/atd"; echo '# kept by the admin'; } > "$SB/expect"
	en_same "disable: an edited copy keeps the edit, loses the header and the line" "$SB/expect" "$SB/etc/atd"
	expect_match "disable: and says why it stays" "^/etc/pam.d/atd: removed the lines nsiso enable wrote; kept the copy, it was edited since" "$out"
}

# A systemd host played in the sandbox: /run/systemd/system exists, and
# systemctl is a script that records how it was run and reports one
# running user manager (alice's) whose main process is a sleep.
t_82_enable_user_manager_dropin() {
	en_new manager
	en_policy 'namespaces = mount uts ipc pid'
	mkdir "$SB/run/system"
	sleep 60 &
	local sleeper=$! uid out rc helper enter
	uid=$(id -u "$ALICE")
	cat > "$SB/systemctl" <<EOF
#!/bin/sh
echo "\$* | stdin=\$(readlink /proc/self/fd/0) | env=\$(env | grep -v '^PWD=' | sort | tr '\n' ' ')" >> "$SB/systemctl.log"
case "\$1" in
list-units) echo "user@$uid.service loaded active running User Manager for UID $uid" ;;
show) echo "$sleeper" ;;
esac
EOF
	chmod 0755 "$SB/systemctl"
	out=$(NSISO_LEAK=1 en_run "$NSISO" enable 2>&1 </dev/null); rc=$?
	expect_eq "enable on a systemd host: exits 0" 0 "$rc"
	local dropin="$SB/systemd/user@.service.d/nsiso.conf"
	enter=$(sed -n 's/^ExecStart=\(.*\) manager$/\1/p' "$dropin" 2>/dev/null)
	expect_match "the drop-in starts the manager through the compiled-in nsiso-enter" "/nsiso/nsiso-enter$" "$enter"
	expect_eq "which is the path compiled into nsiso" yes \
		"$(grep -q -a -F "$enter" "$NSISO" && echo yes)"
	helper=${enter%/nsiso-enter}/nsiso-helper
	cat > "$SB/expect" <<EOF
# Written by nsiso enable (nsiso(8)): each user's systemd --user manager
# runs inside the user's pam_nsiso environment. Remove with nsiso disable.
[Service]
ExecStartPre=+$helper build --uid %i --for-manager
ExecStart=
ExecStart=$enter manager
EOF
	en_same "the drop-in, exactly" "$SB/expect" "$dropin"
	expect_eq "the drop-in is root's, 0644, in a 0755 directory" "0 644 0 755" \
		"$(stat -c '%u %a' "$dropin") $(stat -c '%u %a' "$(dirname "$dropin")")"
	expect_eq "systemctl daemon-reload ran once, stdin /dev/null, a fixed environment" \
		"daemon-reload | stdin=/dev/null | env=LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_COLORS=0 SYSTEMD_PAGER= " \
		"$(grep '^daemon-reload' "$SB/systemctl.log")"
	expect_match "a manager that started before is named, with how to move it" \
		"^warning: user@$uid.service: the manager of $ALICE \\(pid $sleeper, /usr/bin/sleep\\) started before nsiso enable and runs on the host: restart it \\(systemctl restart user@$uid.service\\), or it moves at $ALICE's next login after all their sessions ended$" "$out"
	expect_match "check --pam: the user manager is covered" \
		"^  user manager +covered: /etc/systemd/system/user@.service.d/nsiso.conf$" "$out"

	out=$(en_run "$NSISO" enable 2>&1)
	expect_match "enable again: the drop-in is unchanged" "^/etc/systemd/system/user@.service.d/nsiso.conf: written already: unchanged$" "$out"
	expect_eq "enable again: no second daemon-reload" 1 "$(grep -c '^daemon-reload' "$SB/systemctl.log")"

	out=$(en_run "$NSISO" disable 2>&1); rc=$?
	expect_eq "disable: exits 0" 0 "$rc"
	expect_eq "disable: the drop-in and its directory are gone" "" "$(ls -A "$SB/systemd")"
	expect_eq "disable: daemon-reload again" 2 "$(grep -c '^daemon-reload' "$SB/systemctl.log")"
	kill "$sleeper" 2>/dev/null
	wait "$sleeper" 2>/dev/null
}

# The whole way: after nsiso enable, a runuser -l login through Debian's
# own stack and the line enable wrote (module, helper and policy where an
# installed system has them, added to the sandbox by overlays) is
# isolated.
t_82_enable_login_isolated() {
	en_new login
	en_policy 'namespaces = mount uts ipc pid
hostname = %u-box
linger = 0'
	local pamdir helper out rc mnt pid host
	pamdir=$(dirname "$(readlink -f "$(ls /lib/*/security/pam_permit.so /lib/security/pam_permit.so 2>/dev/null | head -1)")")
	helper=$(grep -a -o '/[a-z/]*/nsiso/nsiso-helper' "$NSISO" | head -1)
	install -d -m 0755 "$SB/add-pam" "$SB/add-libexec/nsiso"
	install -m 0644 "$MODULE" "$SB/add-pam/pam_nsiso.so"
	install -m 0755 "$HELPER" "$W/bin/nsiso-init" "$W/bin/nsiso-resolve" "$SB/add-libexec/nsiso/"
	printf '%s %s\n' "$pamdir" "$SB/add-pam" "$(dirname "$(dirname "$helper")")" "$SB/add-libexec" \
		> "$SB/overlays"
	out=$(en_run sh -c "'$NSISO' enable && echo sandbox=\$(readlink /proc/self/ns/mnt) &&
		runuser -l '$ALICE' -c 'echo login=\$(readlink /proc/self/ns/mnt) \$(readlink /proc/self/ns/pid) \$(hostname)'" 2>&1 </dev/null)
	rc=$?
	expect_eq "enable, then a runuser -l login, in the sandbox: exit 0" 0 "$rc"
	read -r mnt pid host <<<"$(printf '%s\n' "$out" | sed -n 's/^login=//p')"
	expect_match "the login ran (through the line enable wrote)" "^mnt:" "$mnt"
	expect_ne "the login's mount namespace is not the host's" \
		"$(printf '%s\n' "$out" | sed -n 's/^sandbox=//p')" "$mnt"
	expect_ne "nor its PID namespace" "$(host_ns pid)" "$pid"
	expect_eq "its hostname is the policy's" "$ALICE-box" "$host"
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait_gone "$ALICE"
	# Its init may still be tearing down once it has left the list.
	for _ in $(seq 100); do
		[ -z "$(en_inits "$helper")" ] && break
		sleep 0.1
	done
	expect_eq "the environment ends (linger = 0)" "" "$(en_inits "$helper")"
}

# en_inits HELPER: alice's inits run from next to HELPER (not those of
# another suite that may run at the same time with the same user names).
en_inits() {
	local p
	for p in $(pgrep -f "^nsiso-init: $ALICE\$"); do
		[ "$(readlink "/proc/$p/exe")" = "$(dirname "$1")/nsiso-init" ] && echo "$p"
	done
}
