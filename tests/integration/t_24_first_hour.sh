# What users meet in their first hour (issue 18), as pam_nsiso(8) and
# nsiso-policy(5) document it: mosh, ssh -W and ProxyJump in the default
# mode and under network = loopback, where screen's sockets live, and
# what nsiso stop does to jobs left running.

t24_policy() { # t24_policy [extra lines]
	reset_policy
	{
		echo "namespaces = mount uts ipc pid"
		echo "tmpfs = /tmp"
		printf '%s\n' "$@"
	} | write_policy default.conf
}

t24_loopback_policy() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid net
network = loopback
tmpfs = /tmp
P
}

# The ssh command line mosh and ProxyCommand use: the suite's client key
# and sshd (whose port is known once the suite is set up).
t24_ssh() {
	echo "ssh -i $W/sshd/client_key -p $SSH_PORT -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
}

# t24_mosh SECONDS: mosh, in a tmux pane (it needs a terminal), logs
# alice in and runs a command that writes ~/mosh-ok with its PID
# namespace; mosh is given SECONDS. Prints mosh's exit status.
t24_mosh() {
	local out=$W/mosh.out
	rm -f "/home/$ALICE/mosh-ok" "$out"
	tmux -L nsit kill-server 2>/dev/null
	tmux -L nsit new-session -d -x 120 -y 40 \
		"LANG=C.UTF-8 timeout --foreground $1 mosh --ssh='$(t24_ssh)' $ALICE@127.0.0.1 -- sh -c 'readlink /proc/self/ns/pid > ~/mosh-ok; cat /run/nsiso/environment >> ~/mosh-ok; sleep 1'; echo \$? > $out; sleep 30"
	for _ in $(seq $(($1 * 10 + 50))); do [ -s "$out" ] && break; sleep 0.1; done
	tmux -L nsit kill-server 2>/dev/null
	cat "$out" 2>/dev/null || echo none
	rm -f "$out"
}

t_24_first_hour_mosh_default() {
	if ! command -v mosh >/dev/null; then
		fail "mosh is installed (make deps)"
		return
	fi
	t24_policy
	local rc uid
	uid=$(id -u "$ALICE")
	rc=$(t24_mosh 20)
	expect_eq "mosh without net: it connects and the command ends well" 0 "$rc"
	expect_match "... the command ran in the environment's PID namespace" "^pid:\[[0-9]+\]$" \
		"$(sed -n 1p "/home/$ALICE/mosh-ok" 2>/dev/null)"
	expect_ne "... not the host's" "$(host_ns pid)" "$(sed -n 1p "/home/$ALICE/mosh-ok" 2>/dev/null)"
	expect_eq "... in alice's environment" "uid=$uid" "$(sed -n 2p "/home/$ALICE/mosh-ok" 2>/dev/null)"
	rm -f "/home/$ALICE/mosh-ok"
	"$NSISO" stop "$ALICE" >/dev/null
	reset_policy
}

# mosh-server starts inside, in the environment's network namespace, and
# waits for the client's UDP there; the client sends to the host's
# address: nothing connects and the command never runs.
t_24_first_hour_mosh_loopback() {
	if ! command -v mosh >/dev/null; then
		fail "mosh is installed (make deps)"
		return
	fi
	t24_loopback_policy
	local rc
	rc=$(t24_mosh 8)
	expect_ne "mosh under network = loopback does not connect" 0 "$rc"
	expect_eq "... and the command does not run" "no" \
		"$([ -e "/home/$ALICE/mosh-ok" ] && echo yes || echo no)"
	rm -f "/home/$ALICE/mosh-ok"
	"$NSISO" stop "$ALICE" >/dev/null
	reset_policy
}

# ssh -W and ProxyJump (a ProxyCommand of ssh -W) through alice: the
# connection to the target is made by sshd inside alice's environment.
t_24_first_hour_ssh_jump() {
	local out rc
	t24_policy
	out=$(ssh -q -i "$W/sshd/client_key" -p "$SSH_PORT" -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o ProxyCommand="$(t24_ssh) -W %h:%p $ALICE@127.0.0.1" "$BOB@127.0.0.1" echo via-jump </dev/null 2>&1)
	expect_eq "without net: a jump through alice reaches the host's sshd" "via-jump" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	"$NSISO" stop "$BOB" >/dev/null

	t24_loopback_policy
	out=$(ssh -q -i "$W/sshd/client_key" -p "$SSH_PORT" -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o ProxyCommand="$(t24_ssh) -W %h:%p $ALICE@127.0.0.1" "$BOB@127.0.0.1" echo via-jump </dev/null 2>&1); rc=$?
	expect_ne "network = loopback: the jump fails" 0 "$rc"
	expect_no_match "... bob's command does not run" "via-jump" "$out"
	expect_match "... ssh says the forwarding failed" "stdio forwarding failed" "$out"
	# What -W reaches there: a server of alice's on the environment's own
	# loopback.
	rm -f "/home/$ALICE/t24.ready"
	runuser_l "$ALICE" "$(cat "$TESTLIB/tcp_get.sh")
python3 $TESTLIB/tcp_hello.py 127.0.0.1 47124 inside 8 &
tcp_wait 127.0.0.1 47124 > ~/t24.ready; sleep 4" &
	local holder=$!
	for _ in $(seq 80); do [ -s "/home/$ALICE/t24.ready" ] && break; sleep 0.1; done
	out=$(ssh_as "$ALICE" -W 127.0.0.1:47124 </dev/null 2>&1 | head -1)
	expect_eq "network = loopback: ssh -W reaches alice's server on the environment's 127.0.0.1" \
		"hello from inside" "$out"
	wait "$holder"
	rm -f "/home/$ALICE/t24.ready"
	"$NSISO" stop "$ALICE" >/dev/null
	"$NSISO" stop "$BOB" >/dev/null
	reset_policy
}

# screen keeps its sockets in /run/screen/S-USER, which is the host's
# directory inside an environment: logins of the environment reattach;
# the names carry the environment's pids.
t_24_first_hour_screen() {
	if ! command -v screen >/dev/null; then
		fail "screen is installed (make deps)"
		return
	fi
	local out dir=/run/screen/S-$ALICE
	rm -rf "$dir"
	t24_policy
	runuser_l "$ALICE" "screen -dmS nsit-job sleep 300"
	out=$(ls "$dir" 2>/dev/null)
	expect_match "the socket is in the host's $dir, named with the environment's pid" \
		"^[0-9]+\.nsit-job$" "$out"
	out=$(runuser_l "$ALICE" "screen -ls; screen -S nsit-job -Q echo reached; echo rc=\$?")
	expect_match "a later login lists the session as detached" "nsit-job.*Detached" "$out"
	expect_match "... and reaches it through the socket" "rc=0" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	expect_eq "nsiso stop ends the session's processes" "" "$(pgrep -u "$ALICE" -x screen)"
	# The stop's SIGTERM lets screen remove its socket (stop_grace).
	expect_eq "... and screen removed its socket on SIGTERM" "" "$(ls "$dir" 2>/dev/null)"

	# A policy that keeps them private: a tmpfs on /run/screen (mode
	# 1777, as screen wants it when it is not setgid).
	rm -rf "$dir"
	t24_policy "tmpfs = /run/screen size=1m"
	out=$(runuser_l "$ALICE" "screen -dmS nsit-job sleep 300; sleep 0.3; ls $dir")
	expect_match "with tmpfs = /run/screen the socket is in the environment's" "^[0-9]+\.nsit-job$" "$out"
	expect_eq "... not on the host" "no" "$([ -e "$dir" ] && echo yes || echo no)"
	out=$(runuser_l "$ALICE" "screen -S nsit-job -Q echo reached; echo rc=\$?")
	expect_match "... and a later login reaches it" "rc=0" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	rm -rf "$dir"
	reset_policy
}

# nsiso stop ends every process of an environment with a PID namespace
# at once (pam_nsiso(8), LIFETIME): a nohup job and tmux are gone, their
# files in the private /tmp too, and the next login starts afresh.
t_24_first_hour_stop_ends_jobs() {
	t24_policy
	local out
	runuser_l "$ALICE" "nohup sleep 300 >/dev/null 2>&1 & echo data > /tmp/t24-file; tmux -L t24 new-session -d sleep 300"
	expect_ne "the jobs run after logout" "" "$(pgrep -u "$ALICE" -x sleep)"
	out=$(runuser_l "$ALICE" "tmux -L t24 ls")
	expect_match "a later login lists tmux's session (its socket is in the private /tmp)" "^0: 1 windows" "$out"
	expect_eq "... which the host's /tmp does not hold" "no" \
		"$([ -e "/tmp/tmux-$(id -u "$ALICE")/t24" ] && echo yes || echo no)"
	"$NSISO" stop "$ALICE" >/dev/null
	# The kernel may still be reaping what the stop ended.
	for _ in $(seq 20); do pgrep -u "$ALICE" >/dev/null || break; sleep 0.1; done
	expect_eq "nsiso stop: no process of alice is left" "" \
		"$(ps -o pid=,stat=,args= -u "$ALICE")"
	out=$(runuser_l "$ALICE" "cat /tmp/t24-file 2>&1; tmux -L t24 ls 2>&1")
	expect_match "... the private /tmp went with it" "No such file" "$out"
	expect_match "... and so did tmux's server" "no server running|error connecting" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	reset_policy
}
