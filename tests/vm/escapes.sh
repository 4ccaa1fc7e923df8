# The escape suite (issue 14), sourced by guest-checks.sh once `nsiso
# enable` has run: from an isolated login with a PID namespace and
# network = loopback, a user starts a process by every path a Debian server
# has, and each must run in the login's own mount, PID and network
# namespaces, or be refused with a clear error. Zero escapes.
#
# Uses guest-checks.sh's pass/fail/expect_*/wait_for/ssh_as/section/log.

EVE=vmt-eve
EVE_POLICY=/etc/security/nsiso/user/$EVE.conf
ESC_TOTAL=0
ESC_ESCAPED=0

# What every probe writes: its namespaces, one key=value a line. Written
# to a temp name and renamed, so a half-written file never counts.
ESC_PROBE='#!/bin/sh
d=$HOME/esc
mkdir -p "$d"
{ echo "mnt=$(readlink /proc/self/ns/mnt)"
  echo "pid=$(readlink /proc/self/ns/pid)"
  echo "net=$(readlink /proc/self/ns/net)"
  echo "ppid1=$(ps -o comm= -p 1)"
} > "$d/$1.tmp" && mv "$d/$1.tmp" "$d/$1.out"'

eve_run() { ssh_as "$EVE" "$@"; }
# The environment's namespaces, as `nsiso list --json` reports them.
eve_env_ns() {
	nsiso list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["user"] == sys.argv[1]:
        n = e["namespaces"]
        print(" ".join("%s:[%d]" % (k, n[k]) for k in ("mnt", "pid", "net")))' "$EVE"
}
probe_ns() {
	local f=/home/$EVE/esc/$1.out
	[ -s "$f" ] || return 1
	printf '%s %s %s' "$(sed -n 's/^mnt=//p' "$f")" "$(sed -n 's/^pid=//p' "$f")" "$(sed -n 's/^net=//p' "$f")"
}
# expect_inside NAME SECONDS: the probe NAME ran, in the environment.
expect_inside() {
	local got want
	ESC_TOTAL=$((ESC_TOTAL + 1))
	wait_for "$2" test -s "/home/$EVE/esc/$1.out"
	want=$(eve_env_ns)
	got=$(probe_ns "$1")
	if [ -z "$got" ]; then
		fail "escape: $1 ran (its probe wrote nothing within $2 s)"
	elif [ "$got" = "$want" ]; then
		pass "escape: $1 runs in the login's mount, PID and network namespaces"
	else
		ESC_ESCAPED=$((ESC_ESCAPED + 1))
		fail "escape: $1 runs in the login's mount, PID and network namespaces" \
			"environment: $want; $1: $got; host: $(host_ns mnt) $(host_ns pid) $(host_ns net)"
	fi
}
# expect_refused NAME PATTERN OUTPUT: refused, with a message saying so.
expect_refused() {
	ESC_TOTAL=$((ESC_TOTAL + 1))
	if [ -s "/home/$EVE/esc/$1.out" ]; then
		ESC_ESCAPED=$((ESC_ESCAPED + 1))
		fail "escape: $1 is refused" "it ran: $(tr '\n' ' ' < "/home/$EVE/esc/$1.out")"
	else
		expect_match "escape: $1 is refused with a clear error" "$2" "$3"
	fi
}

section "no way out: every path a user has to start a process (issue 14)"
cat > "$EVE_POLICY" <<'EOF'
namespaces = mount uts ipc pid net
network = loopback
hostname = %u-box
tmpfs = /tmp
linger = 0
EOF
userdel -r "$EVE" >/dev/null 2>&1
useradd -m -s /bin/bash "$EVE"
EUID_EVE=$(id -u "$EVE")
install -d -m 0700 -o "$EVE" -g "$EVE" "/home/$EVE/.ssh"
install -m 0600 -o "$EVE" -g "$EVE" "$KEY.pub" "/home/$EVE/.ssh/authorized_keys"
printf '%s\n' "$ESC_PROBE" > "/home/$EVE/probe"
chown "$EVE:" "/home/$EVE/probe"
chmod 0755 "/home/$EVE/probe"

# A login that stays while the paths are tried: the environment's
# namespaces are the ones every probe must show.
hold "$EVE" esc 1801
expect_eq "the held login is in the environment" "$(eve_env_ns | cut -d' ' -f1)" "$(cat "/home/$EVE/esc.mnt")"
expect_ne "the environment has its own network namespace" "$(host_ns net)" "$(eve_env_ns | cut -d' ' -f3)"
expect_eq "user@$EUID_EVE.service's main process is nsiso-enter manager" "nsiso-enter" \
	"$(ps -o comm= -p "$(systemctl show -p MainPID --value "user@$EUID_EVE.service")" 2>/dev/null)"

# --- the user manager and what it starts ---------------------------------
out=$(eve_run 'systemd-run --user --quiet --unit=esc-run ~/probe systemd-run 2>&1; echo rc=$?')
expect_match "systemd-run --user is accepted" "rc=0" "$out"
expect_inside systemd-run 30

out=$(eve_run 'systemd-run --user --wait --pipe --quiet sh -c "readlink /proc/self/ns/net" 2>&1; echo rc=$?')
expect_eq "systemd-run --user --wait --pipe (session bus, fds through the manager)" \
	"$(eve_env_ns | cut -d' ' -f3) rc=0" "$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"

eve_run 'mkdir -p ~/.config/systemd/user && cat > ~/.config/systemd/user/esc-unit.service <<EOF
[Service]
Type=oneshot
ExecStart=%h/probe unit-file
EOF
systemctl --user daemon-reload && systemctl --user start esc-unit.service' >/dev/null
expect_inside unit-file 30

out=$(eve_run 'systemd-run --user --quiet --on-active=2 --timer-property=AccuracySec=100ms --unit=esc-timer ~/probe timer 2>&1; echo rc=$?')
expect_match "a transient timer is accepted" "rc=0" "$out"
expect_inside timer 40

# (A timer's AccuracySec is a minute by default: the manager may fire it
# anywhere in that minute.)
# A socket unit: the manager listens, a connection starts the service.
eve_run 'cat > ~/.config/systemd/user/esc-sock.socket <<EOF
[Socket]
ListenStream=%t/esc.sock
Accept=no
EOF
cat > ~/.config/systemd/user/esc-sock.service <<EOF
[Service]
ExecStart=%h/probe socket-activation
EOF
systemctl --user daemon-reload && systemctl --user start esc-sock.socket &&
python3 -c "import socket, os; s = socket.socket(socket.AF_UNIX); s.connect(os.environ[\"XDG_RUNTIME_DIR\"] + \"/esc.sock\")"' >/dev/null
expect_inside socket-activation 30

# D-Bus activation on the session bus (dbus-user-session).
eve_run 'mkdir -p ~/.local/share/dbus-1/services && cat > ~/.local/share/dbus-1/services/org.nsiso.Esc.service <<EOF
[D-BUS Service]
Name=org.nsiso.Esc
Exec=$HOME/probe dbus-activation
EOF
busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null 2>&1
busctl --user --timeout=5 call org.nsiso.Esc / org.freedesktop.DBus.Peer Ping >/dev/null 2>&1; true' >/dev/null
expect_inside dbus-activation 30

out=$(eve_run 'journalctl --user --no-pager -n 50 2>&1 | grep -c "esc-unit\|probe" ; busctl --user list --no-legend 2>&1 | grep -c systemd1')
expect_match "journalctl --user and busctl --user work inside" "^[1-9][0-9]*.[1-9]" "$(printf '%s' "$out" | tr '\n' ' ')"

# --- jobs: at, batch, cron ------------------------------------------------
out=$(eve_run 'echo "~/probe at" | at now 2>&1; echo "~/probe batch" | batch 2>&1; echo rc=$?')
log "at from inside: $(printf '%s' "$out" | tr '\n' ' ')"
# at signals atd through a host pid it cannot see from inside the PID
# namespace: root wakes atd, as the next minute's check would.
sleep 1
pkill -HUP -x atd
expect_inside at 40
expect_inside batch 60

out=$(eve_run 'echo "* * * * * \$HOME/probe cron" | crontab - 2>&1; echo rc=$?')
expect_match "crontab - is accepted" "rc=0" "$out"
CRON_EVE_SET=$(date +%s)

# --- processes that outlive the login -------------------------------------
eve_run 'setsid sh -c "sleep 2; ~/probe setsid" </dev/null >/dev/null 2>&1 &
nohup sh -c "sleep 2; ~/probe nohup" </dev/null >/dev/null 2>&1 &
tmux -L esc new-session -d "sleep 2; ~/probe tmux; sleep 600"' >/dev/null
expect_inside setsid 30
expect_inside nohup 30
expect_inside tmux 30

# --- what must be refused -------------------------------------------------
out=$(eve_run 'sudo -n ~/probe sudo 2>&1; echo rc=$?')
expect_refused sudo "password is required|not allowed|not in the sudoers|may not run sudo" "$out"
out=$(eve_run 'systemd-run --quiet --uid='"$EVE"' ~/probe system-run 2>&1; echo rc=$?')
expect_refused system-run "Access denied|Interactive authentication required|Failed to" "$out"
out=$(eve_run 'timeout 10 ssh -n -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=5 '"$EVE"'@127.0.0.1 ~/probe ssh-loopback 2>&1; echo rc=$?')
expect_refused ssh-loopback "Connection refused|Network is unreachable|timed out" "$out"

left=$(( CRON_EVE_SET + 80 - $(date +%s) ))
[ "$left" -lt 5 ] && left=5
expect_inside cron "$left"
crontab -u "$EVE" -r 2>/dev/null

# --- a lingering manager, no login at all ---------------------------------
# Everything of eve's ends; with linger the manager is started at once,
# builds the environment itself and starts an enabled unit.
eve_run 'cat > ~/.config/systemd/user/esc-linger.service <<EOF
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=%h/probe linger
[Install]
WantedBy=default.target
EOF
systemctl --user daemon-reload && systemctl --user enable esc-linger.service' >/dev/null 2>&1
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
loginctl terminate-user "$EVE"
loginctl kill-user -s KILL "$EVE" 2>/dev/null
wait_for 60 sh -c "! systemctl is-active -q user@$EUID_EVE.service"
wait_for 60 sh -c "! nsiso list --json | grep -q '\"$EVE\"'"
expect_eq "with every process of eve gone, no environment is left" "" "$(eve_env_ns)"
rm -f "/home/$EVE/esc/linger.out"
loginctl enable-linger "$EVE"
wait_for 60 systemctl is-active -q "user@$EUID_EVE.service"
expect_eq "enable-linger starts eve's manager with no login" "active" "$(systemctl is-active "user@$EUID_EVE.service")"
expect_ne "and builds the environment for it" "" "$(eve_env_ns)"
expect_eq "no login holds it: no logind session of eve" "" \
	"$(loginctl list-sessions --no-legend | awk -v u="$EVE" '$3 == u')"
expect_inside linger 60
mgr=$(systemctl show -p MainPID --value "user@$EUID_EVE.service")
expect_eq "the lingering manager's main process is nsiso-enter manager" "nsiso-enter" "$(ps -o comm= -p "$mgr" 2>/dev/null)"

# A graceful stop: the manager gets the TERM, the unit ends inactive.
systemctl stop "user@$EUID_EVE.service"
expect_eq "systemctl stop user@: the unit ends inactive with result success" "inactive success" \
	"$(systemctl show -p ActiveState --value "user@$EUID_EVE.service") $(systemctl show -p Result --value "user@$EUID_EVE.service")"
expect_no_match "no SIGKILL of the manager at stop" "SIGKILL|Killing process|status=9" \
	"$(journalctl -u "user@$EUID_EVE.service" --no-pager -n 30 -o cat 2>/dev/null)"
systemctl start "user@$EUID_EVE.service"
expect_eq "and starts again (restart)" "active" "$(systemctl is-active "user@$EUID_EVE.service")"

# --- a policy that cannot host the manager: it runs nowhere ---------------
# The manager is stopped by hand: logind's stop after disable-linger comes
# whenever its garbage collection runs.
systemctl stop "user@$EUID_EVE.service"
printf 'namespaces = mount uts ipc pid\nshare = session\nlinger = 0\n' > "$EVE_POLICY"
wait_for 30 sh -c "! nsiso list --json | grep -q '\"$EVE\"'"
systemctl start "user@$EUID_EVE.service" 2>/dev/null
wait_for 30 sh -c "systemctl is-failed -q user@$EUID_EVE.service"
expect_eq "share = session: user@ fails (no manager on the host)" "failed" "$(systemctl is-active "user@$EUID_EVE.service")"
expect_eq "no systemd --user of eve runs anywhere" "" "$(pgrep -u "$EVE" -f 'systemd --user' || true)"
expect_match "the journal says why" "refused, so that it never runs on the host.*share = session" \
	"$(journalctl -u "user@$EUID_EVE.service" --no-pager -n 30 -o cat 2>/dev/null)"
expect_match "nsiso explain says why" "refused, never the host: share = session" "$(nsiso explain "$EVE" 2>&1)"
loginctl disable-linger "$EVE"
systemctl reset-failed "user@$EUID_EVE.service" 2>/dev/null

expect_eq "escapes: $ESC_ESCAPED of $ESC_TOTAL paths ran outside the environment" "0" "$ESC_ESCAPED"
log "escape suite: $ESC_TOTAL paths tried"
tmux -L esc kill-server 2>/dev/null
loginctl terminate-user "$EVE" 2>/dev/null
pkill -KILL -u "$EVE" 2>/dev/null
nsiso stop "$EVE" >/dev/null 2>&1
rm -f "$EVE_POLICY"
sleep 0.5
userdel -r "$EVE" >/dev/null 2>&1
