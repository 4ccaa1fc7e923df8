# Real clients against the suite's sshd (issue 18): what people use every
# day over ssh must keep working inside an environment. Each test asserts
# what the user would see (the file arrived with the same content, the
# command's output, the namespace inside is the environment's) and removes
# every process, file, key and sudoers drop-in it made, also when an
# assertion fails. Every client runs under `timeout`.
#
# alice has the default mode (no network namespace); bob gets
# "network = loopback" (t46_policy), for the checks that nsiso-policy(5),
# "network", promises per mode.

T46_T=30    # seconds any one client may take
T46_SSHD=   # pid of t46_sshd_start's sshd
T46_PORT=   # its port
T46_HOLD=   # pid of t46_hold's login

# What a test makes on the host outside the suite's work dir and homes (a
# sudoers drop-in, /run/utmp, screen's directories, X's socket directory):
# t46_made PATH records it before it is made, t46_unmake removes it again,
# last made first. Until then the suite's EXIT trap runs t46_unmake too,
# should the run be interrupted in between.
T46_MADE=()
t46_made() {
	T46_MADE+=("$1")
	trap 't46_unmake; cleanup' EXIT
}
t46_unmake() {
	local i
	for ((i = ${#T46_MADE[@]} - 1; i >= 0; i--)); do
		rm -rf -- "${T46_MADE[i]}"
	done
	T46_MADE=()
	trap cleanup EXIT
}

t46_policy() {
	base_policy
	write_policy "user/$BOB.conf" <<'P'
namespaces = mount uts ipc pid net
network = loopback
hostname = %u-box
tmpfs = /tmp
P
}

# The options every client here passes to ssh: the suite's key, no
# prompts, no known_hosts.
T46_SSHOPT="-i $W/sshd/client_key -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"

# t46_ssh [SSH ARGS...] USER@127.0.0.1 [COMMAND]: ssh to the fixture's
# sshd, bounded in time.
t46_ssh() {
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	timeout "$T46_T" ssh $T46_SSHOPT -p "$SSH_PORT" "$@"
}

# The environment's mount namespace as the host sees it (its init's).
t46_env_mnt() {
	local pid
	pid=$(init_pid_of "$1")
	[ -n "$pid" ] && readlink "/proc/$pid/ns/mnt"
}

# t46_hold USER: a login that keeps USER's environment, and its /tmp, up
# between the connections of a test (linger is 0). t46_release ends it.
t46_hold() {
	rm -f "$W/t46.hold"
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	timeout 150 ssh $T46_SSHOPT -p "$SSH_PORT" "$1@127.0.0.1" 'echo held; exec sleep 140' \
		> "$W/t46.hold" 2>&1 &
	T46_HOLD=$!
	for _ in $(seq 100); do grep -q held "$W/t46.hold" 2>/dev/null && return 0; sleep 0.1; done
	fail "a login holds the environment of $1" "$(cat "$W/t46.hold")"
	return 1
}

# t46_release USER...: the holding login and every environment named end.
t46_release() {
	local u
	if [ -n "$T46_HOLD" ]; then
		kill "$T46_HOLD" 2>/dev/null
		wait "$T46_HOLD" 2>/dev/null
	fi
	T46_HOLD=
	rm -f "$W/t46.hold"
	for u in "$@"; do
		# Ends whatever the test left inside (sleep, tmux, mosh-server).
		"$NSISO" stop "$u" >/dev/null 2>&1
		wait_gone "$u" || fail "the environment of $u ends after the test"
	done
}

# A second sshd, the fixture's config with what the fixture does not
# allow: X11 forwarding, and the external sftp-server instead of
# internal-sftp (Subsystem cannot be set in a Match block in OpenSSH 9.2).
# Same PAM service, so its logins join the same environments.
t46_sshd_start() {
	T46_PORT=$(free_port 41000 45000)
	sed -e "s/^Port .*/Port $T46_PORT/" -e "s#^PidFile .*#PidFile $W/sshd/pid46#" \
		-e "s#^Subsystem .*#Subsystem sftp /usr/lib/openssh/sftp-server#" \
		"$W/sshd/config" > "$W/sshd/config46"
	printf 'X11Forwarding yes\nX11UseLocalhost yes\nXAuthLocation /usr/bin/xauth\n' >> "$W/sshd/config46"
	"$W/sshd/sshd-nsiso-test" -D -e -f "$W/sshd/config46" 2>>"$W/sshd/log46" &
	T46_SSHD=$!
	wait_listening "$T46_PORT" && return 0
	fail "a second sshd starts" "$(tail -3 "$W/sshd/log46")"
	return 1
}
t46_sshd_stop() {
	[ -n "$T46_SSHD" ] && kill "$T46_SSHD" 2>/dev/null && wait "$T46_SSHD" 2>/dev/null
	T46_SSHD=
	rm -f "$W/sshd/config46"
}

# ---------------------------------------------------------------------------

t_46_agent_forwarding_hop() {
	t46_policy
	local sock=$W/t46-agent.sock agent fp out hop script
	rm -f "$sock"
	timeout 120 ssh-agent -D -a "$sock" >/dev/null 2>&1 &
	agent=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	SSH_AUTH_SOCK=$sock timeout "$T46_T" ssh-add -q "$W/sshd/client_key" 2>/dev/null
	fp=$(ssh-keygen -lf "$W/sshd/client_key.pub" | awk '{print $2}')
	# From inside the session, ssh again to the same host with the
	# forwarded agent: no key file there, only the agent.
	hop='echo hopsock=$SSH_AUTH_SOCK
echo hoplist=$(ssh-add -l | cut -d" " -f2)
echo hopmnt=$(readlink /proc/self/ns/mnt)'
	script="port=$SSH_PORT user=$ALICE hop=$(printf %q "$hop")"'
echo sock=$SSH_AUTH_SOCK
echo list=$(ssh-add -l | cut -d" " -f2)
echo fs=$(findmnt -n -o FSTYPE,SOURCE -T "$SSH_AUTH_SOCK" | tr -s " ")
echo mnt=$(readlink /proc/self/ns/mnt)
timeout 20 ssh -A -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$user@127.0.0.1" "$hop"'
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	out=$(SSH_AUTH_SOCK=$sock timeout "$T46_T" ssh $T46_SSHOPT -A \
		-p "$SSH_PORT" "$ALICE@127.0.0.1" "$script" 2>&1)
	local ssock mnt
	ssock=$(getv sock "$out")
	mnt=$(getv mnt "$out")
	expect_match "ssh -A: the agent socket is under /tmp" "^/tmp/ssh-[^/]+/agent\.[0-9]+$" "$ssock"
	expect_eq "ssh -A: the socket is on the environment's private /tmp" "tmpfs nsiso" "$(getv fs "$out")"
	expect_eq "ssh -A: ssh-add -l in the session lists the client's key" "$fp" "$(getv list "$out")"
	if [ -n "$ssock" ] && [ -e "$ssock" ]; then
		fail "ssh -A: the socket is not in the host's /tmp" "$ssock exists on the host"
	else pass "ssh -A: the socket is not in the host's /tmp"; fi
	expect_ne "ssh -A: the session is in an environment" "$(host_ns mnt)" "$mnt"
	expect_eq "hop: ssh from inside with the forwarded agent; ssh-add -l there lists the key" \
		"$fp" "$(getv hoplist "$out")"
	expect_match "hop: its agent socket is under /tmp too" "^/tmp/ssh-[^/]+/agent\.[0-9]+$" "$(getv hopsock "$out")"
	expect_eq "hop: the second login joined the same environment" "$mnt" "$(getv hopmnt "$out")"
	kill "$agent" 2>/dev/null
	wait "$agent" 2>/dev/null
	rm -f "$sock"
	t46_release "$ALICE"
}

# t46_x11_check USER MODE: ssh -X through the second sshd to a display of the
# test's own Xvfb; an X client inside the session draws on it.
t46_x11_check() {
	local user=$1 mode=$2 out
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	out=$(DISPLAY=:$T46_DISPLAY XAUTHORITY=$W/t46.xauth timeout "$T46_T" \
		ssh $T46_SSHOPT -X -p "$T46_PORT" "$user@127.0.0.1" '
echo display=$DISPLAY
echo net=$(readlink /proc/self/ns/net)
n=${DISPLAY#localhost:}; n=${n%.*}
echo cookie=$(xauth list | grep -c "/unix:$n  *MIT-MAGIC-COOKIE-1 ")
echo listen=$(ss -Hltn "sport = :$((6000 + n))" | awk "{print \$4}" | grep -c "^127\.0\.0\.1:")
xdpyinfo | sed -n "s/^  dimensions: *\([0-9x]*\) pixels.*/dims=\1/p"
xprop -root -notype _T46_MARK 2>&1 | sed "s/^/prop=/"
rm -f ~/.Xauthority' 2>&1)
	expect_match "ssh -X ($mode): DISPLAY is sshd's, on the loopback" "^localhost:[0-9]+\.0$" "$(getv display "$out")"
	expect_eq "ssh -X ($mode): sshd's xauth added the cookie for that display" "1" "$(getv cookie "$out")"
	expect_eq "ssh -X ($mode): the forwarding listens on the loopback the session sees" \
		"1" "$(getv listen "$out")"
	expect_eq "ssh -X ($mode): xdpyinfo inside reaches the client's Xvfb (its screen size)" \
		"1024x768" "$(getv dims "$out")"
	expect_eq "ssh -X ($mode): xprop inside reads a property set on the client's display" \
		'_T46_MARK = "nsiso"' "$(getv prop "$out")"
	T46_X_NET=$(getv net "$out")
}

t_46_x11_forwarding() {
	t46_policy
	local n xvfb
	# A display number nothing uses, with a cookie, as a desktop has.
	for n in $(seq 46 99); do
		[ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || break
	done
	T46_DISPLAY=$n
	[ -d /tmp/.X11-unix ] || t46_made /tmp/.X11-unix
	: > "$W/t46.xauth"
	xauth -q -f "$W/t46.xauth" add ":$n" MIT-MAGIC-COOKIE-1 "$(mcookie)"
	timeout 120 Xvfb ":$n" -nolisten tcp -auth "$W/t46.xauth" -screen 0 1024x768x24 -noreset \
		>/dev/null 2>"$W/t46.xvfb.log" &
	xvfb=$!
	for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
	DISPLAY=:$n XAUTHORITY=$W/t46.xauth timeout 10 xprop -root -f _T46_MARK 8s -set _T46_MARK nsiso
	if t46_sshd_start; then
		t46_x11_check "$ALICE" "no network namespace"
		expect_eq "ssh -X (no network namespace): the session uses the host's network" \
			"$(host_ns net)" "$T46_X_NET"
		t46_x11_check "$BOB" "network = loopback"
		expect_ne "ssh -X (network = loopback): the session has a network namespace of its own" \
			"$(host_ns net)" "$T46_X_NET"
	fi
	t46_sshd_stop
	kill "$xvfb" 2>/dev/null
	wait "$xvfb" 2>/dev/null
	rm -f "$W/t46.xauth" "$W/t46.xvfb.log"
	t46_unmake
	t46_release "$ALICE" "$BOB"
}

# t46_in_env USER PATH: PATH as the environment of USER sees it (through
# its init's root, from the host).
t46_in_env() { printf '/proc/%s/root%s' "$(init_pid_of "$1")" "$2"; }

# t46_arrived DESC USER PATH SOURCE: the file is in the environment's
# private /tmp with SOURCE's content, and not in the host's /tmp.
t46_arrived() {
	local desc=$1 user=$2 path=$3 src=$4
	if cmp -s "$src" "$(t46_in_env "$user" "$path")"; then
		pass "$desc: the file arrived in the environment's /tmp, same content"
	else fail "$desc: the file arrived in the environment's /tmp, same content" \
		"$(ls -l "$(t46_in_env "$user" "$path")" 2>&1)"; fi
	t46_not_on_host "$desc: and not in the host's /tmp" "$path"
}

t46_not_on_host() {
	if [ -e "$2" ]; then fail "$1" "$2 exists on the host"; else pass "$1"; fi
}

# t46_same DESC A B: the file came back with the content it was sent with.
t46_same() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1)"; fi
}

t_46_scp_both_ways() {
	t46_policy
	local data=$W/t46.data tag=t46-$$
	head -c 1048576 /dev/urandom > "$data"
	if t46_hold "$ALICE"; then
		# Since OpenSSH 9.0 scp speaks SFTP (here the fixture's internal-sftp);
		# -O is the old protocol, "scp -t" run by the login's shell.
		# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
		timeout "$T46_T" scp -q $T46_SSHOPT -P "$SSH_PORT" "$data" "$ALICE@127.0.0.1:/tmp/$tag-sftp"
		t46_arrived "scp to the host" "$ALICE" "/tmp/$tag-sftp" "$data"
		# shellcheck disable=SC2086
		timeout "$T46_T" scp -q -O $T46_SSHOPT -P "$SSH_PORT" "$data" "$ALICE@127.0.0.1:/tmp/$tag-legacy"
		t46_arrived "scp -O to the host" "$ALICE" "/tmp/$tag-legacy" "$data"
		# shellcheck disable=SC2086
		timeout "$T46_T" scp -q $T46_SSHOPT -P "$SSH_PORT" "$ALICE@127.0.0.1:/tmp/$tag-legacy" "$W/t46.back-sftp"
		t46_same "scp from the host: the file comes back unchanged" "$data" "$W/t46.back-sftp"
		# shellcheck disable=SC2086
		timeout "$T46_T" scp -q -O $T46_SSHOPT -P "$SSH_PORT" "$ALICE@127.0.0.1:/tmp/$tag-sftp" "$W/t46.back-legacy"
		t46_same "scp -O from the host: the file comes back unchanged" "$data" "$W/t46.back-legacy"
	fi
	rm -f "$data" "$W/t46.back-sftp" "$W/t46.back-legacy"
	t46_release "$ALICE"
}

# t46_sftp DESC PORT: put a file into /tmp and get it back, as a batch.
t46_sftp() {
	local desc=$1 port=$2 data=$W/t46.data tag=t46-$$-$2 out
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	out=$(printf 'put %s /tmp/%s\nget /tmp/%s %s\nls -l /tmp/%s\n' "$data" "$tag" "$tag" \
		"$W/t46.back" "$tag" | timeout "$T46_T" sftp -b - $T46_SSHOPT -P "$port" "$ALICE@127.0.0.1" 2>&1)
	expect_match "$desc: ls in sftp shows the file, owned by the user" \
		"^-rw.* $ALICE +$ALICE +1048576 .*/tmp/$tag\$" "$out"
	t46_arrived "$desc" "$ALICE" "/tmp/$tag" "$data"
	t46_same "$desc: get returns the file unchanged" "$data" "$W/t46.back"
	rm -f "$W/t46.back"
}

t_46_sftp_internal_and_external() {
	t46_policy
	head -c 1048576 /dev/urandom > "$W/t46.data"
	if t46_hold "$ALICE"; then
		t46_sftp "sftp (internal-sftp)" "$SSH_PORT"
		if t46_sshd_start; then
			t46_sftp "sftp (the sftp-server subsystem)" "$T46_PORT"
		fi
		t46_sshd_stop
	fi
	rm -f "$W/t46.data"
	t46_release "$ALICE"
}

t_46_rsync_over_ssh() {
	t46_policy
	local src=$W/t46-rsync tag=/tmp/t46-rsync-$$
	rm -rf "$src" "$W/t46-rsync.back"
	mkdir -p "$src/a/b"
	head -c 300000 /dev/urandom > "$src/a/b/data"
	echo hello > "$src/a/hello"
	ln -s b/data "$src/a/link"
	chmod 0640 "$src/a/hello"
	if t46_hold "$ALICE"; then
		timeout "$T46_T" rsync -a -e "ssh $T46_SSHOPT -p $SSH_PORT" "$src/" "$ALICE@127.0.0.1:$tag/"
		if diff -r --no-dereference "$src" "$(t46_in_env "$ALICE" "$tag")" >/dev/null 2>&1; then
			pass "rsync to the host: the tree arrived in the environment's /tmp"
		else fail "rsync to the host: the tree arrived in the environment's /tmp" \
			"$(diff -r --no-dereference "$src" "$(t46_in_env "$ALICE" "$tag")" 2>&1 | head -3)"; fi
		expect_eq "rsync: modes and links are kept" "640 b/data" \
			"$(stat -c %a "$(t46_in_env "$ALICE" "$tag/a/hello")") $(readlink "$(t46_in_env "$ALICE" "$tag/a/link")")"
		t46_not_on_host "rsync: nothing in the host's /tmp" "$tag"
		timeout "$T46_T" rsync -a -e "ssh $T46_SSHOPT -p $SSH_PORT" "$ALICE@127.0.0.1:$tag/" "$W/t46-rsync.back/"
		if diff -r --no-dereference "$src" "$W/t46-rsync.back" >/dev/null 2>&1; then
			pass "rsync from the host: the tree comes back unchanged"
		else fail "rsync from the host: the tree comes back unchanged" \
			"$(diff -r --no-dereference "$src" "$W/t46-rsync.back" 2>&1 | head -3)"; fi
	fi
	rm -rf "$src" "$W/t46-rsync.back"
	t46_release "$ALICE"
}

# git with ssh as the tests' clients run it.
t46_git() { GIT_SSH_COMMAND="ssh $T46_SSHOPT" timeout "$T46_T" git "$@"; }

t_46_git_over_ssh() {
	t46_policy
	local repo=/tmp/t46-$$.git url c1=$W/t46-git1 c2=$W/t46-git2 head
	url="ssh://$ALICE@127.0.0.1:$SSH_PORT$repo"
	rm -rf "$c1" "$c2"
	if t46_hold "$ALICE"; then
		t46_ssh "$ALICE@127.0.0.1" "git init -q --bare $repo"
		t46_git clone -q "$url" "$c1" 2>/dev/null
		echo "pushed from the host $$" > "$c1/README"
		git -C "$c1" add README
		git -C "$c1" -c user.name=t46 -c user.email=t46@example.invalid commit -q -m t46
		head=$(git -C "$c1" rev-parse HEAD)
		t46_git -C "$c1" push -q origin HEAD:refs/heads/main 2>&1
		expect_eq "git push over ssh: the repository in the environment's /tmp has the commit" \
			"$head" "$(t46_ssh "$ALICE@127.0.0.1" "git --git-dir=$repo rev-parse main")"
		t46_git clone -q -b main "$url" "$c2" 2>&1
		expect_eq "git clone over ssh: the clone has the commit" "$head" "$(git -C "$c2" rev-parse HEAD 2>&1)"
		t46_same "git clone over ssh: and the file" "$c1/README" "$c2/README"
		t46_not_on_host "git: the repository is not in the host's /tmp" "$repo"
	fi
	rm -rf "$c1" "$c2"
	t46_release "$ALICE"
}

t_46_controlmaster_shares_the_environment() {
	t46_policy
	local cm=$W/t46-cm.sock master out1 out2
	rm -f "$cm"
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	timeout 120 ssh $T46_SSHOPT -p "$SSH_PORT" -M -S "$cm" -N "$ALICE@127.0.0.1" &
	master=$!
	for _ in $(seq 100); do [ -S "$cm" ] && break; sleep 0.1; done
	# The sessions have no key and may not authenticate: only the master's
	# connection can carry them.
	out1=$(timeout "$T46_T" ssh -S "$cm" -o ControlMaster=no -o BatchMode=yes -o IdentityFile=none \
		-o PubkeyAuthentication=no "$ALICE@127.0.0.1" \
		'readlink /proc/self/ns/mnt; echo one > /tmp/t46-cm' 2>&1)
	out2=$(timeout "$T46_T" ssh -S "$cm" -o ControlMaster=no -o BatchMode=yes -o IdentityFile=none \
		-o PubkeyAuthentication=no "$ALICE@127.0.0.1" \
		'readlink /proc/self/ns/mnt; cat /tmp/t46-cm' 2>&1)
	expect_match "ControlMaster: the master runs" "^Master running" \
		"$(timeout 10 ssh -S "$cm" -O check "$ALICE@127.0.0.1" 2>&1)"
	expect_eq "ControlMaster: the first session is in the environment" "$(t46_env_mnt "$ALICE")" \
		"$(printf '%s\n' "$out1" | sed -n 1p)"
	expect_eq "ControlMaster: the second session shares it (same mount namespace)" \
		"$(printf '%s\n' "$out1" | sed -n 1p)" "$(printf '%s\n' "$out2" | sed -n 1p)"
	expect_eq "ControlMaster: and sees the first one's file in the private /tmp" "one" \
		"$(printf '%s\n' "$out2" | sed -n 2p)"
	timeout 10 ssh -S "$cm" -O exit "$ALICE@127.0.0.1" 2>/dev/null
	kill "$master" 2>/dev/null
	wait "$master" 2>/dev/null
	rm -f "$cm"
	t46_release "$ALICE"
}

# t46_socks_get PORT TARGET_PORT: through the SOCKS5 proxy on 127.0.0.1:PORT
# (ssh -D), the first line of the server on 127.0.0.1:TARGET_PORT; or
# "refused" when the proxy will not connect, "closed" when it hangs up.
t46_socks_get() {
	timeout 10 python3 - "$1" "$2" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x05\x01\x00")
s.recv(2)
s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(">H", int(sys.argv[2])))
rep = s.recv(10)
if len(rep) < 2:
    print("closed")
elif rep[1] != 0:
    print("refused")
else:
    line = s.makefile().readline().strip()
    print(line or "closed")
PY
}

# t46_forward USER SSH-OPTION INSIDE: a login of USER with one forwarding,
# running INSIDE (after a server "inside" on 127.0.0.1:$T46_IN is up); it
# prints "ready" when it is, and lives until the test has looked.
t46_forward() {
	rm -f "$W/t46.fwd"
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	timeout "$T46_T" ssh $T46_SSHOPT -p "$SSH_PORT" -o ExitOnForwardFailure=yes $2 "$1@127.0.0.1" "$TCPGET
python3 $TESTLIB/tcp_hello.py 127.0.0.1 $T46_IN inside 20 &
tcp_wait 127.0.0.1 $T46_IN >/dev/null
$3
echo ready; sleep 20" > "$W/t46.fwd" 2>&1 &
	T46_FWD=$!
	for _ in $(seq 100); do grep -q '^ready' "$W/t46.fwd" 2>/dev/null && return 0; sleep 0.1; done
	fail "a login with $2 is up" "$(cat "$W/t46.fwd")"
}
t46_forward_end() {
	kill "$T46_FWD" 2>/dev/null
	wait "$T46_FWD" 2>/dev/null
	"$NSISO" stop "$1" >/dev/null 2>&1
	wait_gone "$1"
}

# -L, -R and -D as nsiso-policy(5), "network", says: without a network
# namespace they work as without pam_nsiso; with network = loopback,
# -L and -D connect from inside (only the environment's own 127.0.0.1 is
# reachable), and -R listens inside, reachable only from inside.
t_46_port_forwarding() {
	t46_policy
	local host_srv hp lp rp dp out
	eval "$TCPGET"
	hp=$(free_port 45001 47000)
	T46_IN=$(free_port 47001 47100)
	python3 "$TESTLIB/tcp_hello.py" 127.0.0.1 "$hp" host 60 >/dev/null 2>&1 &
	host_srv=$!
	tcp_wait 127.0.0.1 "$hp" >/dev/null

	# No network namespace (alice).
	lp=$(free_port 47101 48000)
	t46_forward "$ALICE" "-L $lp:127.0.0.1:$hp" ""
	expect_eq "ssh -L (no network namespace): reaches the host's 127.0.0.1" "hello from host" "$(tcp_get 127.0.0.1 "$lp" 2>/dev/null)"
	t46_forward_end "$ALICE"
	rp=$(free_port 48001 49000)
	t46_forward "$ALICE" "-R $rp:127.0.0.1:$hp" "echo inside=\$(tcp_get 127.0.0.1 $rp)"
	expect_eq "ssh -R (no network namespace): the session reaches the forwarded port" "hello from host" \
		"$(getv inside "$(cat "$W/t46.fwd")")"
	expect_eq "ssh -R (no network namespace): so does the host, as without pam_nsiso" "hello from host" \
		"$(tcp_get 127.0.0.1 "$rp" 2>/dev/null)"
	t46_forward_end "$ALICE"
	dp=$(free_port 49001 50000)
	t46_forward "$ALICE" "-D $dp" ""
	expect_eq "ssh -D (no network namespace): reaches the host's 127.0.0.1" "hello from host" "$(t46_socks_get "$dp" "$hp")"
	t46_forward_end "$ALICE"

	# network = loopback (bob).
	lp=$(free_port 47101 48000)
	t46_forward "$BOB" "-L $lp:127.0.0.1:$hp -L $((lp + 1)):127.0.0.1:$T46_IN" ""
	expect_eq "ssh -L (loopback): reaches a server on the environment's 127.0.0.1" "hello from inside" \
		"$(tcp_get 127.0.0.1 "$((lp + 1))")"
	expect_eq "ssh -L (loopback): not the host's 127.0.0.1 (the forwarded connection is closed)" "empty" \
		"$(tcp_get 127.0.0.1 "$lp" 2>/dev/null)"
	t46_forward_end "$BOB"
	rp=$(free_port 48001 49000)
	t46_forward "$BOB" "-R $rp:127.0.0.1:$hp" "echo inside=\$(tcp_get 127.0.0.1 $rp)"
	expect_eq "ssh -R (loopback): the session reaches the forwarded port inside" "hello from host" \
		"$(getv inside "$(cat "$W/t46.fwd")")"
	expect_eq "ssh -R (loopback): the host does not" "refused" "$(tcp_get 127.0.0.1 "$rp" 2>/dev/null)"
	t46_forward_end "$BOB"
	dp=$(free_port 49001 50000)
	t46_forward "$BOB" "-D $dp" ""
	expect_eq "ssh -D (loopback): reaches a server on the environment's 127.0.0.1" "hello from inside" \
		"$(t46_socks_get "$dp" "$T46_IN")"
	expect_match "ssh -D (loopback): not the host's 127.0.0.1" "^(refused|closed)$" "$(t46_socks_get "$dp" "$hp")"
	t46_forward_end "$BOB"

	kill "$host_srv" 2>/dev/null
	wait "$host_srv" 2>/dev/null
	rm -f "$W/t46.fwd"
}

# The number of open logins of USER's environment ("" when there is none).
t46_sessions() {
	local uid
	uid=$(id -u "$1")
	"$NSISO" list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["uid"] == int(sys.argv[1]) and e["share"] == "user":
        print(e["sessions"])' "$uid"
}

# t46_attach USER COMMAND: COMMAND on a terminal (ssh -tt), in the
# background, its output in $W/t46.attach; T46_ATTACH is the client.
t46_attach() {
	rm -f "$W/t46.attach"
	TERM=xterm t46_ssh -tt "$1@127.0.0.1" "$2" < /dev/null > "$W/t46.attach" 2>&1 &
	T46_ATTACH=$!
}
# t46_attach_end DESC: the attached client ends on its own (detached),
# within 10 s; killed otherwise.
t46_attach_end() {
	local i
	for i in $(seq 100); do kill -0 "$T46_ATTACH" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$T46_ATTACH" 2>/dev/null; then
		fail "$1" "still attached after 10 s: $(tr -d '\r' < "$W/t46.attach" | tail -c 300)"
		kill "$T46_ATTACH"
	else
		expect_match "$1" "\[(remote )?detached" "$(tr -d '\r' < "$W/t46.attach")"
	fi
	wait "$T46_ATTACH" 2>/dev/null
	rm -f "$W/t46.attach"
}

# t46_poll USER COMMAND REGEX: COMMAND's output in a new login of USER,
# once it matches REGEX (up to 5 s).
t46_poll() {
	local out
	for _ in $(seq 25); do
		out=$(t46_ssh "$1@127.0.0.1" "$2" 2>&1)
		printf '%s' "$out" | grep -Eq -- "$3" && break
		sleep 0.2
	done
	printf '%s\n' "$out"
}

t_46_tmux_and_screen_reattach() {
	t46_policy
	local out mnt
	# Debian makes /run/screen at boot (tmpfiles.d/screen-cleanup.conf);
	# a host booted without it gets it for the test.
	if [ ! -d /run/screen ]; then
		t46_made /run/screen
		install -d -m 1777 -o root -g utmp /run/screen
	fi
	# screen's socket directory for the user, in the host's /run.
	t46_made "/run/screen/S-$ALICE"
	mnt=$(t46_ssh "$ALICE@127.0.0.1" 'tmux -L t46 new-session -d -s work
screen -dmS t46work
readlink /proc/self/ns/mnt' 2>&1)
	for _ in $(seq 50); do [ "$(t46_sessions "$ALICE")" = 0 ] && break; sleep 0.1; done
	expect_eq "after logout the environment lives on, with no login open" "0" "$(t46_sessions "$ALICE")"
	out=$(t46_ssh "$ALICE@127.0.0.1" 'echo tmux=$(tmux -L t46 ls -F "#{session_name}")
echo screen=$(screen -ls | grep -o "[0-9]*\.t46work.*(Detached)" | cut -d. -f2 | cut -f1)
echo mnt=$(readlink /proc/self/ns/mnt)
echo pane=$(readlink /proc/$(tmux -L t46 display -p -t work "#{pane_pid}")/ns/mnt)' 2>&1)
	expect_eq "the next login: tmux ls shows the session" "work" "$(getv tmux "$out")"
	expect_eq "the next login: screen -ls shows the detached session" "t46work" "$(getv screen "$out")"
	expect_eq "the next login is in the same environment" "$mnt" "$(getv mnt "$out")"
	expect_eq "the tmux pane's shell is in it too" "$mnt" "$(getv pane "$out")"

	t46_attach "$ALICE" 'tmux -L t46 attach -t work'
	expect_match "tmux attach from a new login: the client is attached on its terminal" "^work /dev/pts/[0-9]+$" \
		"$(t46_poll "$ALICE" 'tmux -L t46 list-clients -F "#{session_name} #{client_tty}"' '^work /dev/pts/')"
	t46_ssh "$ALICE@127.0.0.1" 'tmux -L t46 detach-client -s work'
	t46_attach_end "tmux detach-client: the attached client says it was detached and ends"

	t46_attach "$ALICE" 'screen -r t46work'
	expect_match "screen -r from a new login: screen -ls shows it attached" "t46work.*\(Attached\)" \
		"$(t46_poll "$ALICE" 'screen -ls' 't46work.*\(Attached\)')"
	t46_ssh "$ALICE@127.0.0.1" 'screen -d t46work' >/dev/null 2>&1
	t46_attach_end "screen -d: the attached client says it was detached and ends"

	t46_ssh "$ALICE@127.0.0.1" 'tmux -L t46 kill-server; screen -S t46work -X quit' >/dev/null 2>&1
	t46_release "$ALICE"
	t46_unmake
}

# t46_pane_wait REGEX: the test's tmux pane (on the host side), once it
# shows REGEX (up to 20 s).
t46_pane_wait() {
	local out
	for _ in $(seq 100); do
		out=$(tmux -L t46mosh capture-pane -p -t t46mosh 2>&1)
		printf '%s' "$out" | grep -Eq -- "$1" && break
		sleep 0.2
	done
	printf '%s\n' "$out"
}

# mosh in the default mode (no network namespace): mosh starts
# mosh-server over ssh, the ssh login ends, and the client talks UDP to
# mosh-server on 127.0.0.1. mosh needs a terminal and a UTF-8 locale: it
# runs in a tmux pane of the test, with C.UTF-8.
t_46_mosh() {
	t46_policy
	local out env server
	tmux -L t46mosh kill-server 2>/dev/null
	tmux -L t46mosh new-session -d -s t46mosh -x 120 -y 30 \
		"LANG=C.UTF-8 timeout 120 mosh --predict=never --ssh='ssh $T46_SSHOPT -p $SSH_PORT' $ALICE@127.0.0.1"
	out=$(t46_pane_wait "$ALICE@$ALICE-box")
	expect_match "mosh: the shell's prompt shows the environment's host name" "$ALICE@$ALICE-box" "$out"
	env=$(t46_env_mnt "$ALICE")
	server=$(pgrep -u "$ALICE" -x mosh-server | head -1)
	expect_eq "mosh: mosh-server runs in the environment" "$env" \
		"$( [ -n "$server" ] && readlink "/proc/$server/ns/mnt")"
	for _ in $(seq 50); do [ "$(t46_sessions "$ALICE")" = 0 ] && break; sleep 0.1; done
	expect_eq "mosh: the ssh login that started it has ended" "0" "$(t46_sessions "$ALICE")"
	tmux -L t46mosh send-keys -t t46mosh 'echo typed-$((6*7)) $(readlink /proc/self/ns/mnt)' Enter
	expect_eq "mosh: keys typed in the client run in the environment" "typed-42 $env" \
		"$(t46_pane_wait "^typed-42 " | grep "^typed-42 " | head -1 | sed 's/ *$//')"
	tmux -L t46mosh kill-server 2>/dev/null
	t46_release "$ALICE"
}

T46_SUDOERS=/etc/sudoers.d/nsit-46-alice

t_46_sudo_inside() {
	t46_policy
	local out mnt
	t46_made "$T46_SUDOERS.tmp"
	t46_made "$T46_SUDOERS"
	printf '%s ALL=(root) NOPASSWD: ALL\n' "$ALICE" > "$T46_SUDOERS.tmp"
	chmod 0440 "$T46_SUDOERS.tmp"
	if visudo -cqf "$T46_SUDOERS.tmp"; then
		mv "$T46_SUDOERS.tmp" "$T46_SUDOERS"
	else
		fail "the test's sudoers drop-in is valid" "$(visudo -cf "$T46_SUDOERS.tmp" 2>&1)"
	fi
	out=$(t46_ssh "$ALICE@127.0.0.1" 'echo mnt=$(readlink /proc/self/ns/mnt)
echo uid=$(sudo -n id -u)
echo smnt=$(sudo -n readlink /proc/self/ns/mnt)
echo spid=$(sudo -n readlink /proc/self/ns/pid)
echo pid=$(readlink /proc/self/ns/pid)
echo root=$(sudo -n cat /proc/1/comm)' 2>/dev/null)
	expect_eq "sudo -n inside: the command runs as root" "0" "$(getv uid "$out")"
	expect_ne "sudo -n inside: the login is in an environment" "$(host_ns mnt)" "$(getv mnt "$out")"
	expect_eq "sudo -n inside: root's command stays in the environment (mount)" \
		"$(getv mnt "$out")" "$(getv smnt "$out")"
	expect_eq "sudo -n inside: and in its PID namespace" "$(getv pid "$out")" "$(getv spid "$out")"
	expect_eq "sudo -n inside: PID 1 is the environment's init" "nsiso-init" "$(getv root "$out")"
	expect_match "sudo -n without a drop-in is refused" "a password is required" \
		"$(t46_ssh "$BOB@127.0.0.1" 'sudo -n true' 2>&1)"
	t46_unmake
	t46_release "$ALICE" "$BOB"
}

# t46_who USER: who, who am i and w in a login of USER on a terminal, one
# "key=value" line each ("|" between who's lines).
t46_who() {
	TERM=xterm t46_ssh -tt "$1@127.0.0.1" 'echo who=$(who | tr -s " " | tr "\n" "|")
echo whoami=$(who am i | tr -s " ")
echo w=$(PROCPS_USERLEN=32 w -h | tr -s " " | cut -d" " -f1,2 | tr "\n" "|")
echo tty=$(tty | sed "s#^/dev/##")' < /dev/null 2>&1 | tr -d '\r'
}

# t46_host_line USER TTY: the live record of USER on TTY in the host's
# utmp ("" when none). The file, not who: who also drops a record whose
# pid is gone (sshd's, once it exited), and w does not.
t46_host_line() {
	python3 "$TOP/tests/lib/utmp.py" show /run/utmp | grep "^USER_PROCESS $1 $2 "
}

# t46_wait_host_gone USER TTY: the host's utmp drops the login (the init
# follows sshd's logout record, or its closed registration, at once).
t46_wait_host_gone() {
	for _ in $(seq 80); do [ -z "$(t46_host_line "$1" "$2")" ] && return 0; sleep 0.1; done
	return 1
}

# t46_tty_login USER SECONDS: a login on a pty that sleeps, in the
# background; T46_BG is the pid of its timeout, which passes a SIGTERM on
# to ssh (a shell function sent to the background would not).
T46_BG=
t46_tty_login() {
	# shellcheck disable=SC2086 # T46_SSHOPT is a list of words
	TERM=xterm timeout "$(($2 + T46_T))" ssh $T46_SSHOPT -p "$SSH_PORT" -tt "$1@127.0.0.1" "sleep $2" \
		< /dev/null > /dev/null 2>&1 &
	T46_BG=$!
}

# t46_new_tty USER OLD: the tty of USER's login that the host's who lists
# and that is not OLD, once it is there (5 s at most).
t46_new_tty() {
	local t
	for _ in $(seq 50); do
		t=$(who | tr -s ' ' | awk -v u="$1" -v o="$2" '$1 == u && $2 != o { print $2; exit }')
		[ -n "$t" ] && { echo "$t"; return 0; }
		sleep 0.1
	done
}

# who, who am i and w inside list the user's own logins on their
# terminals (sshd's record lands in the environment's utmp and the init
# adopts it), never another user's; the host's who and w list every
# isolated login as without the environment (sshd's pid and pty) while
# it lives and drop it when it ends, also when the client is killed and
# when the environment is stopped.
t_46_who_inside() {
	t46_policy
	local bob_pid alice_pid out tty uid file host_pid bob_tty
	# sshd records pty logins in utmp, which a booted Debian has.
	if [ ! -e /run/utmp ]; then
		t46_made /run/utmp
		install -m 0664 -o root -g utmp /dev/null /run/utmp
	fi
	# Keeps the environment up between the logins (no terminal: no record).
	t46_hold "$ALICE"
	uid=$(id -u "$ALICE")
	file=/run/nsiso/user-$uid.utmp
	t46_tty_login "$BOB" 90
	bob_pid=$T46_BG
	# Its command is ended by the test, not by the clock: on a slow guest
	# (TCG) a short sleep ran out while the host's records were checked.
	t46_tty_login "$ALICE" 61
	alice_pid=$T46_BG
	for _ in $(seq 50); do [ "$(t46_sessions "$ALICE")" = 2 ] && break; sleep 0.1; done
	# The init adopts sshd's record as soon as it sees it written; the
	# command may start a moment before.
	for _ in $(seq 10); do
		out=$(t46_who "$ALICE")
		tty=$(getv tty "$out")
		printf '%s' "$(getv who "$out")" | grep -q "$ALICE $tty " && break
		sleep 0.3
	done
	expect_match "the login has a pty" "^pts/[0-9]+$" "$tty"
	expect_match "who inside lists the login on its tty" "(^|\\|)$ALICE $tty " \
		"$(getv who "$out") [the environment's utmp: $(python3 "$TOP/tests/lib/utmp.py" show "$file" | tr "\n" "|")]"
	expect_eq "who inside lists the user's two concurrent logins" "2" \
		"$(getv who "$out" | tr '|' '\n' | grep -c "^$ALICE pts/")"
	expect_match "who am i inside names the user and the tty" "^$ALICE $tty " "$(getv whoami "$out")"
	expect_match "w inside lists the login on its tty" "(^|\\|)$ALICE $tty(\\||$)" "$(getv w "$out")"
	expect_no_match "who inside does not list another user's login" "$BOB" "$(getv who "$out")"
	expect_no_match "w inside does not list another user's login" "$BOB" "$(getv w "$out")"
	# The host, as without the environment: each login under the pid of
	# its sshd, a process there, on sshd's pty.
	out=$(who -u | tr -s ' ')
	tty=$(printf '%s\n' "$out" | awk -v u="$ALICE" '$1 == u { print $2; exit }')
	expect_eq "the host's who lists the isolated user's live login" "1" \
		"$(printf '%s\n' "$out" | grep -c "^$ALICE pts/")"
	expect_match "the host's who lists the other isolated user's login" "^$BOB pts/" "$out"
	host_pid=$(printf '%s\n' "$out" | awk -v u="$ALICE" '$1 == u { print $6; exit }')
	expect_match "the host's record carries sshd's pid, a process of the host" "^sshd" \
		"$(ps -o comm= -p "${host_pid:-0}" 2>&1)"
	expect_match "the host's w lists the login" "^$ALICE +$tty " "$(PROCPS_USERLEN=32 w -h)"
	bob_tty=$(printf '%s\n' "$out" | awk -v u="$BOB" '$1 == u { print $2; exit }')
	out=$(t46_who "$BOB")
	expect_match "the other user's who lists their own login" "(^|\\|)$BOB pts/" "$(getv who "$out")"
	expect_no_match "and not the first user's" "$ALICE" "$(getv who "$out")"

	# Its command ends (the test ends the sleep): sshd's logout record,
	# which it writes into the environment's file, ends the host's record too.
	pkill -u "$ALICE" -f '^sleep 61$'
	wait "$alice_pid" 2>/dev/null
	t46_wait_host_gone "$ALICE" "$tty"
	expect_eq "after the login ended the host's utmp no longer holds it" "" \
		"$(t46_host_line "$ALICE" "$tty")"
	out=$(t46_ssh "$ALICE@127.0.0.1" 'echo who=$(who | tr -s " " | tr "\n" "|")' 2>&1)
	expect_no_match "after the login ended who inside lists none" "$ALICE pts/" \
		"$(getv who "$out") [the environment's utmp: $(python3 "$TOP/tests/lib/utmp.py" show "$file" | tr "\n" "|")]"

	# A client that is killed: sshd ends the session and writes its logout.
	t46_tty_login "$ALICE" 30
	alice_pid=$T46_BG
	tty=$(t46_new_tty "$ALICE" "")
	expect_match "a new login is listed on the host" "^pts/[0-9]+$" "$tty"
	kill "$alice_pid"
	wait "$alice_pid" 2>/dev/null
	t46_wait_host_gone "$ALICE" "$tty"
	expect_eq "a killed client's login leaves the host's utmp" "" "$(t46_host_line "$ALICE" "$tty")"

	# A sshd that is killed (its privileged process and the session's,
	# which shares the registration) writes no logout: the registration
	# closes, and the init ends the records that process wrote, inside
	# and on the host.
	t46_tty_login "$ALICE" 30
	alice_pid=$T46_BG
	tty=$(t46_new_tty "$ALICE" "")
	host_pid=$(who -u | tr -s ' ' | awk -v u="$ALICE" -v t="$tty" '$1 == u && $2 == t { print $6; exit }')
	expect_match "sshd's privileged process holds the login" "^sshd" "$(ps -o comm= -p "${host_pid:-0}" 2>&1)"
	# shellcheck disable=SC2046 # pgrep prints pids, one a word
	kill -KILL "$host_pid" $(pgrep -P "$host_pid")
	wait "$alice_pid" 2>/dev/null
	t46_wait_host_gone "$ALICE" "$tty"
	expect_eq "a killed sshd's login leaves the host's utmp" "" "$(t46_host_line "$ALICE" "$tty")"
	out=$(t46_ssh "$ALICE@127.0.0.1" 'echo who=$(who | tr -s " " | tr "\n" "|")' 2>&1)
	expect_no_match "and who inside" "$ALICE pts/" "$(getv who "$out")"
	expect_eq "the environment's utmp is root's, group utmp, mode 0664" "root utmp 664 1" \
		"$(stat -c '%U %G %a %h' "$file" 2>&1)"

	# nsiso stop: bob's login ends with his environment, on the host too.
	expect_match "the other user's login is live on the host" "^USER_PROCESS $BOB " \
		"$(t46_host_line "$BOB" "$bob_tty")"
	t46_release "$ALICE" "$BOB"
	expect_eq "after nsiso stop the host's utmp holds no live login of the environment" "" \
		"$(t46_host_line "$BOB" "$bob_tty")"
	kill "$bob_pid" 2>/dev/null
	wait "$bob_pid" 2>/dev/null
	expect_eq "the environment's utmp goes with it" "gone" "$( [ -e "$file" ] && echo there || echo gone)"
	t46_unmake
}

# login(1) writes its own record, from inside (its child is in the PID
# namespace): who inside lists the login once, on its terminal; the host's
# utmp holds it under login's pid (a process of the host) while it lives,
# and not after.
t_46_who_login() {
	base_policy
	local out=/home/$ALICE/who.out tty rec pid
	if [ ! -e /run/utmp ]; then
		t46_made /run/utmp
		install -m 0664 -o root -g utmp /dev/null /run/utmp
	fi
	rm -f "$out"
	tmux -L t46w kill-server 2>/dev/null
	tmux -L t46w new-session -d -x 200 -y 50 "login -f $ALICE"
	tmux_wait_prompt t46w
	tmux -L t46w send-keys "(tty; who) > $out.tmp; mv $out.tmp $out" Enter
	for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
	tty=$(head -1 "$out" 2>/dev/null | sed 's#^/dev/##')
	expect_match "login's shell has a pty" "^pts/[0-9]+$" "$tty"
	expect_eq "who inside lists the login once, on its terminal" "1" \
		"$(grep -Ec "^$ALICE +$tty " "$out" 2>/dev/null)"
	rec=$(t46_host_line "$ALICE" "$tty")
	expect_match "the host's utmp holds the login" "^USER_PROCESS $ALICE $tty [0-9]+$" "$rec"
	pid=${rec##* }
	expect_eq "under login's pid, a process of the host" "login" "$(ps -o comm= -p "${pid:-0}" 2>&1)"
	tmux -L t46w send-keys "exit" Enter
	t46_wait_host_gone "$ALICE" "$tty"
	expect_eq "after logout the host's utmp no longer holds it" "" "$(t46_host_line "$ALICE" "$tty")"
	tmux -L t46w kill-server 2>/dev/null
	rm -f "$out"
	wait_gone "$ALICE" || fail "the environment of $ALICE ends after the test"
	t46_unmake
}
