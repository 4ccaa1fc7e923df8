#!/bin/bash
# The Ansible role (conf/ansible; README "Many servers: the Ansible role")
# against the check-vm guest, from the host, with Debian's ansible-core
# over ssh: install the package from a .deb, a pilot group isolated first,
# a second run that changes nothing, a broken variable that fails the play
# and changes nothing, then everyone, then the back-out (nsiso disable)
# that leaves running environments alone. run.sh starts it after
# package-checks.sh (which leaves the guest without pam_nsiso) and installs
# the tree again afterwards; this script purges the package it installed.
#
# Usage (on the host): tests/vm/ansible-checks.sh IMAGE_DIR PORT PACKAGE.deb
# Every step is bounded. Last line: "vm-ansible: N passed, M failed".
set -u
export LC_ALL=C.UTF-8

TOP=$(cd "$(dirname "$0")/../.." && pwd)
IMG=${1:-}
PORT=${2:-}
DEB=${3:-}
if [ $# != 3 ] || [ ! -f "$IMG/id_ed25519" ] || [ -z "$PORT" ] || [ ! -f "$DEB" ]; then
	echo "usage: $0 IMAGE_DIR PORT PACKAGE.deb" >&2
	exit 2
fi
command -v ansible-playbook >/dev/null || { echo "ansible-playbook is missing (run.sh installs ansible-core)" >&2; exit 2; }
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/gssh.sh"

PILOT=vmt-pilot      # in group vmt-pilots: isolated from the first stage
OTHER=vmt-other      # isolated once everyone is
GROUP=vmt-pilots
POLICY=/etc/security/nsiso
A=$(mktemp -d /tmp/nsiso-ansible.XXXXXX)

cleanup() {
	gssh 'bash -s' <<GUEST >/dev/null 2>&1
nsiso stop $PILOT; nsiso stop $OTHER
rm -f $POLICY/group/$GROUP.conf
nsiso disable
timeout 300 dpkg --purge pam-nsiso
rm -f /var/cache/apt/archives/pam-nsiso_*.deb
userdel -r $PILOT; userdel -r $OTHER; groupdel $GROUP
rm -rf /root/vmt-ans
GUEST
	rm -rf "$A"
}
trap cleanup EXIT

# as USER CMD: a real login of USER through the guest's sshd; its output.
as() {
	gssh "timeout 90 ssh -n -q -i /root/vmt-ans/key -o BatchMode=yes -o StrictHostKeyChecking=no \
-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 $1@127.0.0.1 $(printf '%q' "$2")" 2>/dev/null
}
# init_of USER: the pid of USER's environment's init, from nsiso list.
init_of() {
	gssh "nsiso list --json" 2>/dev/null | python3 -c '
import json, sys
print(" ".join(str(e["init_pid"]) for e in json.load(sys.stdin) if e["user"] == sys.argv[1]))' "$1"
}

# The inventory: the guest, with the image's key and pinned host key.
cat > "$A/hosts" <<HOSTS
[shared_servers]
nsiso-vm ansible_host=127.0.0.1 ansible_port=$PORT ansible_user=root ansible_python_interpreter=/usr/bin/python3
HOSTS
export ANSIBLE_HOME="$A/home" ANSIBLE_LOCAL_TEMP="$A/tmp" ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=1 \
	ANSIBLE_SSH_CONTROL_PATH_DIR="$A/cp" ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_SSH_ARGS="-F /dev/null -i $IMG/id_ed25519 -o IdentitiesOnly=yes -o HostKeyAlias=nsiso-vm \
-o UserKnownHostsFile=$IMG/known_hosts -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPersist=120s"

# play NAME VARS_YAML: conf/ansible/site.yml with those variables; its
# output in $A/NAME.log, its status in PLAY_RC and its recap in RECAP
# ("ok=N changed=N unreachable=N failed=N ...").
play() {
	local t
	t=$(date +%s)
	printf '%s\n' "$2" > "$A/$1.yml"
	(cd "$A" && timeout 600 ansible-playbook -i "$A/hosts" -e "@$A/$1.yml" "$TOP/conf/ansible/site.yml") \
		> "$A/$1.log" 2>&1
	PLAY_RC=$?
	RECAP=$(sed -n 's/^nsiso-vm *: *//p' "$A/$1.log" | tail -1 | tr -s ' ')
	log "ansible-playbook, $1: status $PLAY_RC in $(( $(date +%s) - t ))s: $RECAP"
}
recap() { printf '%s\n' "$RECAP" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
expect_play_ok() {
	if [ "$PLAY_RC" = 0 ] && [ "$(recap failed)" = 0 ] && [ "$(recap unreachable)" = 0 ]; then pass "$1"
	else fail "$1" "status $PLAY_RC; $(grep -E 'fatal|FAILED|ERROR' -A3 "$A/$2.log" | head -30)"; fi
}

# The stages of README's staged rollout, as variables.
STAGE_PILOT="nsiso_package_deb: $DEB
nsiso_groups:
  $GROUP:
    isolate: true
    priority: 10
    namespaces: mount uts ipc pid
    hostname: \"%u-pilot\"
    share: user
    linger: 30
    tmpfs: [/tmp, /dev/shm]"
STAGE_EVERYONE="$STAGE_PILOT
nsiso_default:
  isolate: true
  namespaces: mount uts ipc pid
  hostname: \"%u-box\"
  share: user
  linger: 30
  tmpfs: [/tmp, /var/tmp, /dev/shm]"
STAGE_BACK_OUT="$STAGE_EVERYONE
nsiso_enabled: false"

# --------------------------------------------------------------------------
section "the guest: no pam_nsiso, two users, one in the pilot group"
out=$(gssh 'bash -s' <<GUEST 2>&1
set -e
! dpkg-query -W pam-nsiso >/dev/null 2>&1
! grep -rqs pam_nsiso /etc/pam.d
groupadd $GROUP
useradd -m -s /bin/bash -G $GROUP $PILOT
useradd -m -s /bin/bash $OTHER
install -d -m 0700 /root/vmt-ans
ssh-keygen -q -t ed25519 -N '' -f /root/vmt-ans/key
for u in $PILOT $OTHER; do
	install -d -m 0700 -o \$u /home/\$u/.ssh
	install -m 0600 -o \$u /root/vmt-ans/key.pub /home/\$u/.ssh/authorized_keys
done
echo ready
GUEST
)
expect_eq "no package, no pam_nsiso line; users $PILOT ($GROUP) and $OTHER" ready "$(printf '%s' "$out" | tail -1)"
expect_eq "before the role, $PILOT logs in on the host" nsiso-vm "$(as "$PILOT" hostname)"

# --------------------------------------------------------------------------
section "stage 1: the role installs the package, writes the pilot group's file, enables"
play pilot "$STAGE_PILOT"
expect_play_ok "the play succeeds" pilot
expect_ne "and reports changes" 0 "$(recap changed)"
expect_eq "the package is installed" "install ok installed" \
	"$(gssh "dpkg-query -W -f '\${Status}' pam-nsiso" 2>/dev/null)"
file=$(gssh "cat $POLICY/group/$GROUP.conf" 2>/dev/null)
expect_match "group/$GROUP.conf holds the variables (isolate = yes, one tmpfs line each)" \
	'isolate = yes.*tmpfs = /tmp .*tmpfs = /dev/shm' "$(printf '%s' "$file" | tr '\n' ' ')"
expect_match "default.conf is still the package's (isolate = no)" '^isolate = no' \
	"$(gssh "grep '^isolate' $POLICY/default.conf" 2>/dev/null)"
expect_eq "nsiso check --pam passes on the host" ok "$(gssh 'nsiso check --pam >/dev/null && echo ok' 2>&1)"
expect_eq "a pilot's login is isolated" "$PILOT-pilot" "$(as "$PILOT" hostname)"
expect_eq "everyone else still logs in on the host" nsiso-vm "$(as "$OTHER" hostname)"

# --------------------------------------------------------------------------
section "stage 1 again: idempotent"
play again "$STAGE_PILOT"
expect_play_ok "the second play succeeds" again
expect_eq "and changes nothing" 0 "$(recap changed)"

# --------------------------------------------------------------------------
section "a broken variable fails the play and changes nothing"
before=$(gssh "md5sum $POLICY/group/$GROUP.conf" 2>/dev/null)
play broken "${STAGE_PILOT/isolate: true/isolate: maybe}"
expect_ne "the play fails" 0 "$PLAY_RC"
expect_match "naming the live file, the line and the reason" \
	"$POLICY/group/$GROUP\\.conf:[0-9]+: isolate: expected yes or no, got 'maybe'" "$(cat "$A/broken.log")"
expect_eq "the live file is as it was" "$before" "$(gssh "md5sum $POLICY/group/$GROUP.conf" 2>/dev/null)"
expect_eq "no staging directory is left" "" "$(gssh "ls -a $(dirname "$POLICY") | grep nsiso-stage" 2>/dev/null)"
expect_eq "pilots are still isolated" "$PILOT-pilot" "$(as "$PILOT" hostname)"
# A newline in a value would write a key of its own: refused before any
# file is written.
play newline "$STAGE_PILOT
nsiso_users:
  $OTHER:
    hostname: \"x\\nisolate = no\""
expect_ne "a value with a newline fails the play" 0 "$PLAY_RC"
expect_match "saying so" "no value holds a newline" "$(cat "$A/newline.log")"
expect_eq "and writes no user file" "" "$(gssh "ls $POLICY/user/$OTHER.conf" 2>/dev/null)"

# --------------------------------------------------------------------------
section "a pilot's job runs on; stage 2: everyone, and only the files the variables name"
as "$PILOT" 'tmux new-session -d -s keep sleep 1099' >/dev/null
pilot_init=$(init_of "$PILOT")
expect_match "the pilot's environment is alive with a tmux job" '^[0-9]+$' "$pilot_init"
# A file nobody asked for: nsiso_policy_exclusive removes it.
gssh "echo 'isolate = no' > $POLICY/user/vmt-stray.conf" 2>/dev/null
play everyone "$STAGE_EVERYONE
nsiso_policy_exclusive: true"
expect_play_ok "the play succeeds" everyone
expect_eq "nsiso_policy_exclusive removed user/vmt-stray.conf and kept group/$GROUP.conf" \
	"group/$GROUP.conf" "$(gssh "cd $POLICY && ls user/*.conf group/*.conf 2>/dev/null" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
expect_eq "everyone's logins are isolated" "$OTHER-box" "$(as "$OTHER" hostname)"
expect_eq "the pilot's next login joins the same environment and sees the job" \
	"$PILOT-pilot keep" "$(as "$PILOT" 'echo $(hostname) $(tmux ls -F "#{session_name}" 2>/dev/null)')"
expect_eq "served by the same init" "$pilot_init" "$(init_of "$PILOT")"

# --------------------------------------------------------------------------
section "back out: nsiso_enabled false runs nsiso disable"
play back-out "$STAGE_BACK_OUT"
expect_play_ok "the play succeeds" back-out
expect_ne "and reports a change" 0 "$(recap changed)"
expect_eq "no pam_nsiso line is left in /etc/pam.d" "" "$(gssh 'grep -rl pam_nsiso /etc/pam.d' 2>/dev/null)"
expect_eq "the running environment is left alone (same init)" "$pilot_init" "$(init_of "$PILOT")"
expect_match "and its job runs on" 'sleep 1099' "$(gssh "pgrep -a -u $PILOT sleep" 2>/dev/null)"
expect_eq "new logins run on the host" "nsiso-vm nsiso-vm" "$(as "$PILOT" hostname) $(as "$OTHER" hostname)"

cleanup
trap - EXIT
expect_eq "the package is purged afterwards" "" \
	"$(gssh "dpkg-query -W -f '\${Status}' pam-nsiso 2>/dev/null | grep -w installed" 2>/dev/null)"
summary vm-ansible
