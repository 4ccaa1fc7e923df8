#!/bin/bash
# The demo: build, install into a scratch place, create a demo user, log in
# through a real PAM client (runuser -l with Debian's stack plus pam_nsiso)
# and print what the host and the session see, side by side. Everything it
# creates is removed at the end; the host's /etc/pam.d and /run/nsiso are
# not touched (the demo runs in a mount namespace of its own with a copy of
# the one and a tmpfs on the other; tests/lib/hostrun.sh).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "the demo needs root (it creates a user and namespaces)" >&2; exit 1; }
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${NSISO_DEMO_NS:-}" ]; then
	. "$TOP/tests/lib/hostrun.sh"
	S=$(mktemp -d /var/lib/nsiso-demo.XXXXXX)
	chmod 0755 "$S"
	trap 'hostrun_leave; rm -rf "$S"' EXIT
	make -C "$TOP" -s install DESTDIR="$S" >/dev/null
	hostrun_enter
	NSISO_DEMO_NS=1 NSISO_DEMO_DIR=$S unshare --mount --propagation private "$0" {HOSTRUN_FD}<&-
	exit
fi

S=$NSISO_DEMO_DIR
USER_NAME=nsiso-demo
mount --make-rshared /            # as on a systemd host
# Wherever make's PREFIX, LIBEXECDIR, SBINDIR and SYSCONFDIR put them.
MODULE=$(find "$S" -name pam_nsiso.so | head -1)
HELPER=$(find "$S" -type f -name nsiso-helper | head -1)
NSISO=$(find "$S" -type f -path '*/sbin/nsiso' | head -1)
POLICY=$(find "$S" -type d -path '*/security/nsiso' | head -1)
cat > "$POLICY/default.conf" <<'P'
namespaces = mount uts ipc pid
hostname = %u-box
tmpfs = /tmp
tmpfs = /dev/shm size=64m
P
chmod 0644 "$POLICY/default.conf"

# A private copy of /etc/pam.d with pam_nsiso last in runuser-l.
mkdir -p "$S/pam.d" && cp -a /etc/pam.d/. "$S/pam.d/"
mount --bind "$S/pam.d" /etc/pam.d
echo "session required $MODULE policy=$POLICY helper=$HELPER" >> /etc/pam.d/runuser-l
# The directory is the host's: hostrun_enter made sure there is one.
mount -t tmpfs -o mode=0700,size=1m nsiso-demo /run/nsiso

cleanup() {
	"$NSISO" stop "$USER_NAME" >/dev/null 2>&1 || true
	pkill -KILL -u "$USER_NAME" 2>/dev/null || true
	sleep 0.2
	userdel -r "$USER_NAME" >/dev/null 2>&1 || true
}
trap cleanup EXIT
userdel -r "$USER_NAME" >/dev/null 2>&1 || true
useradd -m -s /bin/bash "$USER_NAME"

VIEW='echo "hostname|$(hostname)"
for n in mnt uts ipc pid; do echo "$n namespace|$(readlink /proc/self/ns/$n)"; done
echo "shell pid|$$"
echo "processes visible|$(ps -e --no-headers | wc -l)"
echo "/tmp is on|$(findmnt -n -T /tmp -o FSTYPE,SOURCE | tr -s " ")"
echo "/tmp/demo-file|$(cat /tmp/demo-file 2>/dev/null || echo absent)"'

host=$(bash -c "$VIEW")
# The session writes a file into its private /tmp and then shows its view.
sess=$(runuser -l "$USER_NAME" -c "echo written-inside > /tmp/demo-file; $VIEW")

printf '\n%-20s %-34s %s\n' "" "HOST" "SESSION of $USER_NAME (runuser -l)"
paste -d'|' <(printf '%s\n' "$host") <(printf '%s\n' "$sess" | cut -d'|' -f2) |
	awk -F'|' '{ printf "%-20s %-34s %s\n", $1, $2, $3 }'

echo
echo "A tmux job keeps the environment alive after logout; the next login joins it:"
runuser -l "$USER_NAME" -c 'tmux new-session -d -s demo "sleep 600"' 
"$NSISO" list
runuser -l "$USER_NAME" -c 'echo "second login: $(hostname), tmux sessions: $(tmux ls | cut -d: -f1)"; ps -ef'
"$NSISO" stop "$USER_NAME"
