#!/bin/bash
# The Debian package on a real system (README, "Install from the package"):
# install, what installing leaves alone, nsiso enable, an isolated login,
# remove with a live environment, an administrator's own PAM line, purge.
# Runs as root INSIDE the check-vm guest, after guest-checks.sh; run.sh
# starts it (unless NSISO_VM_PACKAGE=0) with the .deb that make deb built on
# the host. It first takes the source install (make install) off the
# guest, and leaves the guest without pam_nsiso: run.sh installs from the
# tree again afterwards.
#
# Usage: tests/vm/package-checks.sh PATH/TO/pam-nsiso_VERSION_ARCH.deb [PREVIOUS.deb]
# With PREVIOUS.deb (tests/package/previous_release.sh builds it), last:
# an upgrade from that release with a live environment.
# Every wait is bounded. Last line: "vm-package: N passed, M failed".
set -u
export LC_ALL=C.UTF-8

if [ "$(cat /etc/hostname 2>/dev/null)" != nsiso-vm ] || [ "$(id -u)" != 0 ]; then
	echo "package-checks.sh runs as root inside the check-vm guest only (make check-vm)" >&2
	exit 2
fi
DEB=${1:-}
OLD_DEB=${2:-}
if [ ! -f "$DEB" ] || [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# = 2 ] && [ ! -f "$OLD_DEB" ]; }; then
	echo "usage: $0 PATH/TO/pam-nsiso_VERSION_ARCH.deb [PREVIOUS_RELEASE.deb]" >&2
	exit 2
fi

. "$(dirname "$0")/lib.sh"

U=vmt-pkg
W=/root/vmt-pkg
KEY=$W/client_key
# The module's path as the package has it (the guest has no dpkg-dev).
MODULE=/$(dpkg-deb -c "$DEB" | grep -o 'usr/lib/[^/]*/security/pam_nsiso\.so$')
MA=${MODULE#/usr/lib/}
MA=${MA%%/*}
LX=/usr/libexec/nsiso
DROPIN=/etc/systemd/system/user@.service.d/nsiso.conf
# Where the package, its scripts and nsiso write: what purge must leave as
# it found it.
WATCHED=(/etc /usr /var/backups /run/nsiso /sys/fs/cgroup/nsiso)

ssh_as() {
	timeout "${SSH_TIMEOUT:-90}" ssh -n -q -i "$KEY" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 \
		"$1@127.0.0.1" "$2" 2>/dev/null
}
snapshot() { find "${WATCHED[@]}" -xdev 2>/dev/null | sort; }
pamd_sum() { (cd /etc/pam.d && md5sum -- * 2>/dev/null) | md5sum | cut -c1-32; }
inits() { for c in /proc/[0-9]*/comm; do [ "$(cat "$c" 2>/dev/null)" = nsiso-init ] && echo "${c%/comm}"; done; }
no_init() { [ -z "$(inits)" ]; }
sleeper() { pgrep -u "$U" -x -f "sleep $1" | head -1; }

cleanup() {
	set +e
	pkill -KILL -u "$U" 2>/dev/null
	for p in $(inits); do kill -KILL "${p#/proc/}" 2>/dev/null; done
	sed -i '/pam_nsiso\.so/d' /etc/pam.d/* 2>/dev/null
	if dpkg -s pam-nsiso >/dev/null 2>&1; then dpkg --purge pam-nsiso >/dev/null 2>&1; fi
	dpkg-statoverride --remove "$LX/nsiso-shell" >/dev/null 2>&1
	loginctl terminate-user "$U" 2>/dev/null
	userdel -r "$U" >/dev/null 2>&1
	rm -rf "$W"
}

# --------------------------------------------------------------------------
section "before: no source install, no pam_nsiso line, a user"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
command -v nsiso >/dev/null && nsiso disable >/dev/null 2>&1
# What make install put there (Makefile, install), and what nsiso enable
# and ended environments left: the package starts on a clean system.
rm -f /usr/lib/"$MA"/security/pam_nsiso.so /lib/"$MA"/security/pam_nsiso.so /usr/sbin/nsiso \
	/usr/share/man/man5/nsiso-policy.5 /usr/share/man/man8/nsiso*.8 /usr/share/man/man8/pam_nsiso.8
rm -rf "$LX" /etc/security/nsiso /var/backups/nsiso
wait_for 30 no_init || log "an environment is still live: $(inits | tr '\n' ' ')"
no_init && rm -rf /run/nsiso
expect_eq "no /etc/pam.d file mentions pam_nsiso" "" "$(grep -l pam_nsiso /etc/pam.d/* 2>/dev/null)"
userdel -r "$U" >/dev/null 2>&1
useradd -m -s /bin/bash "$U"
mkdir -p "$W"
rm -f "$KEY" "$KEY.pub"
ssh-keygen -q -t ed25519 -N '' -f "$KEY"
install -d -m 0700 -o "$U" -g "$U" "/home/$U/.ssh"
install -m 0600 -o "$U" -g "$U" "$KEY.pub" "/home/$U/.ssh/authorized_keys"
HOST_MNT=$(readlink /proc/self/ns/mnt)
HOST_NAME=$(hostname)
expect_eq "a login before the package is on the host" "$HOST_MNT $HOST_NAME" \
	"$(ssh_as "$U" 'echo $(readlink /proc/self/ns/mnt) $(hostname)')"
snapshot > "$W/before"
PAMD_BEFORE=$(pamd_sum)

# --------------------------------------------------------------------------
section "dpkg -i: the files, their modes, a statoverride, and /etc/pam.d untouched"
# An admin who grants no user namespaces drops nsiso-shell's setuid bit
# before installing (README): dpkg applies the override.
dpkg-statoverride --add root root 0755 "$LX/nsiso-shell"
out=$(timeout 300 dpkg -i "$DEB" 2>&1)
expect_eq "dpkg -i succeeds" 0 "$?"
log "$(printf '%s' "$out" | tail -3 | tr '\n' ';')"
expect_eq "the package is installed" "installed" "$(dpkg-query -W -f '${db:Status-Status}' pam-nsiso 2>&1)"
expect_eq "the module is in the multiarch PAM directory" "644 root root" "$(stat -c '%a %U %G' "$MODULE" 2>&1)"
expect_eq "nsiso-helper 0755, nsiso-init 0755, nsiso-enter 4755, nsiso-shell 0755 (statoverride), root's" \
	"755 root 755 root 4755 root 755 root" \
	"$(stat -c '%a %U' "$LX/nsiso-helper" "$LX/nsiso-init" "$LX/nsiso-enter" "$LX/nsiso-shell" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "no /etc/pam.d file changed" "$PAMD_BEFORE" "$(pamd_sum)"
expect_eq "no user@.service drop-in" "no" "$([ -e "$DROPIN" ] && echo yes || echo no)"
expect_eq "the conffile and the policy dirs are there" "yes" \
	"$([ -f /etc/security/nsiso/default.conf ] && [ -d /etc/security/nsiso/user ] && [ -d /etc/security/nsiso/group ] && echo yes)"
# An upgrade (here: the same version again) keeps the override and an
# edited conffile.
echo '# edited by the admin' >> /etc/security/nsiso/default.conf
out=$(timeout 300 dpkg --force-confold -i "$DEB" 2>&1)
expect_eq "reinstalling keeps the statoverride (nsiso-shell 0755) and the edited conffile" "0 755 # edited by the admin" \
	"$? $(stat -c %a "$LX/nsiso-shell") $(tail -1 /etc/security/nsiso/default.conf)"
sed -i '/^# edited by the admin$/d' /etc/security/nsiso/default.conf
dpkg-statoverride --remove "$LX/nsiso-shell"
out=$(timeout 300 dpkg -i "$DEB" 2>&1)
expect_eq "without the statoverride, reinstalling makes nsiso-shell 4755 again" "0 4755" \
	"$? $(stat -c %a "$LX/nsiso-shell")"
expect_eq "nsiso check: the installed policy is clean" 0 "$(nsiso check >/dev/null 2>&1; echo $?)"
expect_match "nsiso explain: the conffile isolates nobody" "at login: +not isolated" "$(nsiso explain "$U" 2>&1)"

# --------------------------------------------------------------------------
section "nsiso enable; isolated only once the admin says so"
out=$(timeout 120 nsiso enable 2>&1)
expect_eq "nsiso enable succeeds" 0 "$?"
expect_match "enable appended its line to /etc/pam.d/sshd" "pam_nsiso\.so # nsiso enable$" "$(tail -1 /etc/pam.d/sshd)"
expect_eq "with the package's default.conf a login stays on the host" "$HOST_MNT $HOST_NAME" \
	"$(ssh_as "$U" 'echo $(readlink /proc/self/ns/mnt) $(hostname)')"
printf 'namespaces = mount uts ipc pid\nhostname = pkg-%%u\nlinger = 600\n' > "/etc/security/nsiso/user/$U.conf"
out=$(ssh_as "$U" 'echo $(readlink /proc/self/ns/mnt) $(hostname)')
expect_ne "with user/$U.conf a login is isolated: its mount namespace" "$HOST_MNT" "${out% *}"
expect_eq "and its host name is the policy's" "pkg-$U" "${out#* }"
ssh_as "$U" 'nohup sleep 1007 >/dev/null 2>&1 &' >/dev/null
wait_for 20 test -n "$(sleeper 1007)"
INIT=$(nsiso list --json 2>/dev/null | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["user"] == sys.argv[1]: print(e["init_pid"])' "$U")
expect_match "the environment is live (nsiso list)" "^[0-9]+$" "$INIT"

# --------------------------------------------------------------------------
section "dpkg -r with a live environment"
out=$(timeout 300 dpkg -r pam-nsiso 2>&1)
rc=$?
expect_eq "dpkg -r succeeds" 0 "$rc"
printf '%s\n' "$out" | grep 'pam-nsiso' | sed 's/^/       | /'
expect_match "it says it ran nsiso disable" "running 'nsiso disable'" "$out"
expect_match "it says the live environment keeps running" "1 live environment\(s\) keep running" "$out"
expect_eq "no /etc/pam.d file mentions pam_nsiso any more" "" "$(grep -l pam_nsiso /etc/pam.d/* 2>/dev/null)"
expect_eq "/etc/pam.d is as it was before the package" "$PAMD_BEFORE" "$(pamd_sum)"
expect_eq "the user@.service drop-in is gone" "no" "$([ -e "$DROPIN" ] && echo yes || echo no)"
expect_eq "the module and the helpers are gone" "no no" \
	"$([ -e "$MODULE" ] && echo yes || echo no) $([ -e "$LX/nsiso-helper" ] && echo yes || echo no)"
expect_ne "the environment's job still runs" "" "$(sleeper 1007)"
expect_eq "and its init" "yes" "$([ -n "$INIT" ] && kill -0 "$INIT" 2>/dev/null && echo yes)"
expect_eq "a new login works, on the host (not denied)" "$HOST_MNT $HOST_NAME" \
	"$(ssh_as "$U" 'echo $(readlink /proc/self/ns/mnt) $(hostname)')"
expect_eq "the conffile stays (remove, not purge)" "yes" "$([ -f /etc/security/nsiso/default.conf ] && echo yes)"

# --------------------------------------------------------------------------
section "dpkg -r refuses while an administrator's own line would load the missing module"
timeout 300 dpkg -i "$DEB" >/dev/null 2>&1
echo 'session required pam_nsiso.so' >> /etc/pam.d/sshd
sum=$(pamd_sum)
out=$(timeout 300 dpkg -r pam-nsiso 2>&1)
expect_ne "dpkg -r fails" 0 "$?"
expect_match "and names the line" "/etc/pam\.d/sshd:[0-9]+:session required pam_nsiso\.so" "$out"
expect_eq "the package is still installed" "installed" "$(dpkg-query -W -f '${db:Status-Status}' pam-nsiso 2>&1)"
expect_eq "the stacks are unchanged and the module is there" "$sum yes" "$(pamd_sum) $([ -e "$MODULE" ] && echo yes)"
expect_eq "a login still works (isolated, the module is there)" "pkg-$U" "$(ssh_as "$U" hostname)"
sed -i '/^session required pam_nsiso\.so$/d' /etc/pam.d/sshd
out=$(timeout 300 dpkg -r pam-nsiso 2>&1)
expect_eq "once the admin took the line out, dpkg -r succeeds" 0 "$?"
expect_eq "/etc/pam.d is as it was before the package" "$PAMD_BEFORE" "$(pamd_sum)"

# --------------------------------------------------------------------------
section "dpkg --purge leaves nothing behind"
# nsiso is gone: end the environment the way the prerm said, by its init.
[ -n "$INIT" ] && kill "$INIT" 2>/dev/null
if wait_for 30 no_init; then pass "killing the init ends the environment"
else fail "killing the init ends the environment" "still: $(inits | tr '\n' ' ')"; fi
expect_eq "and its job" "" "$(sleeper 1007)"
rm -f "/etc/security/nsiso/user/$U.conf"   # the admin's own file: purge would keep it
out=$(timeout 300 dpkg --purge pam-nsiso 2>&1)
expect_eq "dpkg --purge succeeds" 0 "$?"
printf '%s\n' "$out" | grep 'pam-nsiso' | sed 's/^/       | /'
expect_eq "the package is gone from dpkg's database" "" "$(dpkg-query -W -f '${Status}' pam-nsiso 2>/dev/null)"
snapshot > "$W/after"
expect_eq "no path is left that was not there before the package (${WATCHED[*]})" "" \
	"$(comm -13 "$W/before" "$W/after" | head -20 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "/etc/security/nsiso, /var/backups/nsiso, /run/nsiso, <cgroup2>/nsiso: gone" "" \
	"$(ls -d /etc/security/nsiso /var/backups/nsiso /run/nsiso /sys/fs/cgroup/nsiso 2>/dev/null)"
expect_eq "no statoverride of the package's is left" "" "$(dpkg-statoverride --list | grep nsiso)"

# --------------------------------------------------------------------------
# Upgrades keep live environments (issue 17): the package of the previous
# release (run.sh builds it from the commit that added its debian/changelog
# entry) is installed, a user logs in and leaves tmux running, the new
# package is installed over it with dpkg -i; the next login joins the same
# environment, tmux is alive, and the new nsiso stop ends it.
if [ -n "$OLD_DEB" ]; then
	section "an upgrade from the previous release keeps live environments"
	old_version=$(dpkg-deb -f "$OLD_DEB" Version)
	new_version=$(dpkg-deb -f "$DEB" Version)
	log "previous release $old_version, this one $new_version"
	out=$(timeout 300 dpkg -i "$OLD_DEB" 2>&1)
	expect_eq "dpkg -i of the previous release ($old_version) succeeds" 0 "$?"
	nsiso enable >/dev/null 2>&1
	printf 'namespaces = mount uts ipc pid\nhostname = up-%%u\nlinger = 600\n' > "/etc/security/nsiso/user/$U.conf"
	before=$(ssh_as "$U" 'tmux new-session -d -s upgrade "sleep 1009"; echo $(readlink /proc/self/ns/mnt) $(hostname)')
	expect_eq "a login under the previous release is isolated" "up-$U" "${before#* }"
	wait_for 20 test -n "$(sleeper 1009)"
	expect_ne "and leaves tmux running" "" "$(sleeper 1009)"
	out=$(timeout 300 dpkg -i "$DEB" 2>&1)
	expect_eq "dpkg -i of this release ($new_version) over it succeeds" 0 "$?"
	expect_eq "the installed package is this release" "$new_version" \
		"$(dpkg-query -W -f '${Version}' pam-nsiso 2>&1)"
	expect_ne "tmux still runs" "" "$(sleeper 1009)"
	listed=$(nsiso list --json 2>/dev/null | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["user"] == sys.argv[1]:
        print(e.get("answering"), e.get("release") or "protocol-%s" % e.get("protocol"), e.get("init_pid"))' "$U")
	old_init=${listed##* }
	listed=${listed% *}
	log "nsiso list: $listed"
	expect_match "nsiso list shows the environment answering, served by the previous release's init" \
		"^True (protocol-3|${old_version//./\\.})$" "$listed"
	after=$(ssh_as "$U" 'echo $(readlink /proc/self/ns/mnt) $(hostname) $(tmux ls 2>/dev/null | cut -d: -f1)')
	expect_eq "a login after the upgrade joins the same environment and sees tmux" \
		"$before upgrade" "$after"
	out=$(nsiso stop "$U" 2>&1)
	expect_eq "nsiso stop of this release ends the previous release's environment" 0 "$?"
	wait_for 30 test -z "$(sleeper 1009)"
	expect_eq "and tmux with it" "" "$(sleeper 1009)"
	# (The kernel reuses a freed namespace's inode number: the init's pid
	# and its release tell the new environment from the old one.)
	expect_eq "the next login is isolated" "up-$U" "$(ssh_as "$U" hostname)"
	listed=$(nsiso list --json 2>/dev/null | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["user"] == sys.argv[1]: print(e.get("release"), e.get("init_pid"))' "$U")
	expect_ne "in a new environment (another init than $old_init)" "$old_init" "${listed##* }"
	expect_eq "served by this release's init" "$new_version" "${listed% *}"
	nsiso stop "$U" >/dev/null 2>&1
	rm -f "/etc/security/nsiso/user/$U.conf"
	nsiso disable >/dev/null 2>&1
	out=$(timeout 300 dpkg --purge pam-nsiso 2>&1)
	expect_eq "dpkg --purge after the upgrade succeeds" 0 "$?"
fi

cleanup
trap - EXIT
summary vm-package
