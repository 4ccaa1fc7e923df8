# A denial stops every caller that runs the pam_nsiso line (issue 15,
# item 8): with a policy that denies, the command does not run, the caller
# exits non-zero, and the module logged the reason with file:line.
#
# Each caller does its own thing with a failed pam_open_session, and the
# module returns the one code all of them treat as fatal (pam_nsiso(8),
# RETURN CODES): sshd restricts the connection and its session child exits
# 254 before any shell or subsystem; login (shadow), su and runuser
# (util-linux), atd and cron print pam_strerror and exit 1; systemd fails
# the unit with 224/PAM; sudo 1.9 ignores PAM_SESSION_ERR alone (and runs
# the command on the host), any other failure is fatal.
#
# cron and systemd are not run here: their code treats any code other than
# PAM_SUCCESS as fatal (see above).

# t52_policy USER: default.conf isolates everyone, USER's own file does not
# parse (line 2), as an admin's typo would.
t52_policy() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	write_policy "user/$1.conf" <<'P'
namespaces = mount uts ipc pid
colour = blue
P
}

# t52_refused VIA MARKER RC SERVICE USER: the command (which would have
# written MARKER as USER) did not run, the caller exited non-zero, the
# module logged USER's file and line under SERVICE, and nothing was built.
t52_refused() {
	local via=$1 marker=$2 rc=$3 service=$4 user=$5
	# A command that ran anyway may still be on its way.
	sleep 0.5
	if [ -e "$marker" ]; then
		fail "$via: the command did not run" "it ran and wrote $marker"
	else
		pass "$via: the command did not run"
	fi
	expect_match "$via: the caller exits non-zero (it exits $rc)" '^[1-9][0-9]*$' "$rc"
	expect_log "$via: the module logged the reason with file:line" \
		"pam_nsiso\($service:session\): session of $user denied: $POLICY/user/$user.conf:2: unknown key 'colour'"
	expect_eq "$via: no environment was built" "" "$(ls /run/nsiso | grep '\.sock$' || true)"
	rm -f "$marker"
}

# t52_told VIA TEXT: what the user saw (TEXT) holds the module's one line,
# and nothing of the reason: not the key, not the policy's path, not the
# file's name (pam_nsiso(8), RETURN CODES). The reason itself is in the
# captured authpriv log (t52_refused checks that).
T52_LINE="pam_nsiso: your session could not be set up; the reason is in the administrator's log \\(authpriv\\)"
t52_told() {
	local via=$1 text=$2
	expect_match "$via: the user is told the session could not be set up" "$T52_LINE" "$text"
	expect_eq "$via: ... in one line" 1 "$(printf '%s\n' "$text" | grep -c 'pam_nsiso')"
	expect_no_match "$via: the reason is not shown to the user" \
		"colour|unknown key|$POLICY|\\.conf|nsiso-helper" "$text"
}

t_52_every_caller_sshd() {
	t52_policy "$ALICE"
	local m=/home/$ALICE/t52-sshd out rc
	rm -f "$m"
	mark_log
	out=$(ssh_as "$ALICE" "touch $m" </dev/null 2>&1); rc=$?
	# sshd keeps the session's PAM messages and sends them after the
	# motd, with or without a terminal.
	t52_told "ssh" "$out"
	t52_refused "ssh" "$m" "$rc" sshd-nsiso-test "$ALICE"
	mark_log
	out=$(ssh_as "$ALICE" -tt "touch $m" </dev/null 2>&1); rc=$?
	t52_told "ssh -tt" "$out"
	t52_refused "ssh -tt" "$m" "$rc" sshd-nsiso-test "$ALICE"
	reset_policy
}

# login on a tmux pty, as t_14_login drives it; a login that went through
# gets a shell, which is told to write the marker.
t_52_every_caller_login() {
	t52_policy "$ALICE"
	local m=/home/$ALICE/t52-login rcf=$W/t52-login.rc sent=
	rm -f "$m" "$rcf"
	mark_log
	tmux -L nsit kill-server 2>/dev/null
	# The pane stays a while after login exits: what the user saw is
	# read from it.
	tmux -L nsit new-session -d -x 200 -y 50 "login -f $ALICE; echo \$? > $rcf; sleep 30"
	for _ in $(seq 100); do
		[ -s "$rcf" ] && break
		if [ -z "$sent" ] && tmux -L nsit capture-pane -p 2>/dev/null | grep -q '\$ *$'; then
			tmux -L nsit send-keys "touch $m; exit" Enter
			sent=1
		fi
		sleep 0.1
	done
	t52_told "login" "$(tmux -L nsit capture-pane -p -J 2>/dev/null)"
	t52_refused "login" "$m" "$(cat "$rcf" 2>/dev/null || echo none)" login "$ALICE"
	tmux -L nsit kill-server 2>/dev/null
	rm -f "$rcf"
	reset_policy
}

t_52_every_caller_su() {
	t52_policy "$ALICE"
	local m=/home/$ALICE/t52-su out rc
	rm -f "$m"
	mark_log
	out=$(su - "$ALICE" -c "touch $m" </dev/null 2>&1); rc=$?
	expect_match "su -l: tells the user" "su: cannot open session: Permission denied" "$out"
	t52_told "su -l" "$out"
	t52_refused "su -l" "$m" "$rc" su-l "$ALICE"
	reset_policy
}

t_52_every_caller_runuser() {
	t52_policy "$ALICE"
	local m=/home/$ALICE/t52-runuser out rc
	rm -f "$m"
	mark_log
	out=$(runuser -l "$ALICE" -c "touch $m" </dev/null 2>&1); rc=$?
	expect_match "runuser -l: tells the user" "runuser: cannot open session: Permission denied" "$out"
	t52_told "runuser -l" "$out"
	t52_refused "runuser -l" "$m" "$rc" runuser-l "$ALICE"
	reset_policy
}

# PAM_SILENT asks modules for no informational messages; a refusal is
# still shown, as pam_nologin shows its own (pamtester passes the flag).
t_52_every_caller_silent_flag() {
	t52_policy "$ALICE"
	local out
	mark_log
	out=$(pamtester nsiso-test "$ALICE" 'open_session(PAM_SILENT)' </dev/null 2>&1)
	t52_told "pamtester with PAM_SILENT" "$out"
	expect_log "pamtester with PAM_SILENT: the module logged the reason" \
		"pam_nsiso\(nsiso-test:session\): session of $ALICE denied: $POLICY/user/$ALICE.conf:2: unknown key 'colour'"
	reset_policy
}

# sudo and sudo -i (Debian's sudo-i stack) with the line appended, and a
# private sudoers.d with a rule that lets alice run anything as bob without
# a password. sudo's time stamps go to a tmpfs of the suite's: the host's
# /run/sudo stays as it was. False (and a failure) when sudo is missing.
t52_sudo_setup() {
	if ! command -v sudo >/dev/null || [ ! -e "$W/pam.orig/sudo" ]; then
		fail "sudo is installed (make deps)"
		return 1
	fi
	{ cat "$W/pam.orig/sudo"; pam_line; } > /etc/pam.d/sudo
	if [ -e "$W/pam.orig/sudo-i" ]; then
		{ cat "$W/pam.orig/sudo-i"; pam_line; } > /etc/pam.d/sudo-i
	fi
	T52_SUDOERS=$W/sudoers.d
	rm -rf "$T52_SUDOERS"
	install -d -m 0755 "$T52_SUDOERS"
	cp -a /etc/sudoers.d/. "$T52_SUDOERS/"
	printf '%s ALL=(%s) NOPASSWD: ALL\n' "$ALICE" "$BOB" > "$T52_SUDOERS/nsit-t52"
	chmod 0440 "$T52_SUDOERS/nsit-t52"
	mount --bind "$T52_SUDOERS" /etc/sudoers.d
	T52_MADE_RUN_SUDO=
	if [ ! -d /run/sudo ]; then mkdir -m 0711 /run/sudo; T52_MADE_RUN_SUDO=1; fi
	mount -t tmpfs -o mode=0711,size=1m nsit-sudo /run/sudo
	return 0
}

t52_sudo_teardown() {
	umount /run/sudo
	[ -n "$T52_MADE_RUN_SUDO" ] && rmdir /run/sudo
	umount /etc/sudoers.d
	rm -rf "$T52_SUDOERS"
	cp "$W/pam.orig/sudo" /etc/pam.d/sudo
	[ -e "$W/pam.orig/sudo-i" ] && cp "$W/pam.orig/sudo-i" /etc/pam.d/sudo-i
	return 0
}

# Root runs sudo -u bob; bob's policy denies.
t_52_every_caller_sudo_by_root() {
	t52_sudo_setup || return
	t52_policy "$BOB"
	local m=/home/$BOB/t52-sudo-root out rc
	rm -f "$m"
	mark_log
	out=$(sudo -n -u "$BOB" touch "$m" </dev/null 2>&1); rc=$?
	expect_match "sudo -u by root: tells the user" "pam_open_session: Permission denied" "$out"
	t52_told "sudo -u by root" "$out"
	t52_refused "sudo -u by root" "$m" "$rc" sudo "$BOB"
	mark_log
	out=$(sudo -n -i -u "$BOB" touch "$m" </dev/null 2>&1); rc=$?
	t52_refused "sudo -i -u by root" "$m" "$rc" sudo-i "$BOB"
	reset_policy
	t52_sudo_teardown
}

# alice, on the host (runuser -u: no pam_nsiso in that stack), runs sudo -u
# bob under her sudoers rule; bob's policy denies.
t_52_every_caller_sudo_by_user() {
	t52_sudo_setup || return
	t52_policy "$BOB"
	local m=/home/$BOB/t52-sudo-user out rc
	rm -f "$m"
	mark_log
	out=$(runuser -u "$ALICE" -- sudo -n -u "$BOB" touch "$m" </dev/null 2>&1); rc=$?
	expect_match "sudo -u by alice: tells the user" "pam_open_session: Permission denied" "$out"
	t52_told "sudo -u by alice" "$out"
	t52_refused "sudo -u by alice" "$m" "$rc" sudo "$BOB"
	mark_log
	out=$(runuser -u "$ALICE" -- sudo -n -i -u "$BOB" touch "$m" </dev/null 2>&1); rc=$?
	t52_refused "sudo -i -u by alice" "$m" "$rc" sudo-i "$BOB"
	reset_policy
	t52_sudo_teardown
}

# Inside alice's environment (a login with a PID namespace) sudo cannot
# reach bob's environment: sudo -iu bob (and sudo -u bob) is refused, as
# su - bob is (t_41), and bob's command does not run in alice's
# environment. No hostname in the policy: sudo looks its host up.
t_52_every_caller_sudo_nested() {
	t52_sudo_setup || return
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
P
	local m=/home/$BOB/t52-sudo-nested out pidns
	rm -f "$m"
	mark_log
	out=$(runuser_l "$ALICE" "readlink /proc/self/ns/pid; sudo -n -i -u $BOB touch $m </dev/null 2>&1; echo rc-i=\$?; sudo -n -u $BOB touch $m </dev/null 2>&1; echo rc=\$?")
	pidns=$(printf '%s\n' "$out" | sed -n 1p)
	expect_match "alice's login is in a PID namespace" "^pid:\[[0-9]+\]$" "$pidns"
	expect_ne "(not the host's)" "$(host_ns pid)" "$pidns"
	expect_match "sudo -iu bob inside alice's environment exits non-zero" "^rc-i=[1-9]" "$out"
	expect_match "sudo -u bob inside alice's environment exits non-zero" "^rc=[1-9]" "$out"
	expect_match "sudo tells alice" "pam_open_session: Permission denied" "$out"
	sleep 0.5
	if [ -e "$m" ]; then
		fail "bob's command did not run" "it ran and wrote $m"
	else
		pass "bob's command did not run"
	fi
	local uid
	uid=$(id -u "$ALICE")
	expect_log "sudo -i: the module logged why" \
		"pam_nsiso\(sudo-i:session\): session of $BOB denied: the caller is inside the environment of uid $uid"
	expect_log "sudo: the module logged why" \
		"pam_nsiso\(sudo:session\): session of $BOB denied: the caller is inside the environment of uid $uid"
	wait_gone "$ALICE"
	expect_eq "no environment of bob was built" "" "$(init_pid_of "$BOB")"
	rm -f "$m"
	reset_policy
	t52_sudo_teardown
}

# atd, with t_45's private queue and helpers: the job's session process
# logs pam_strerror and exits 1 (atd -s itself goes on); the job does not
# run.
t_52_every_caller_atd() {
	at45_setup || return
	local m=/home/$ALICE/t52-atd
	rm -f "$m"
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid
colour = blue
P
	printf 'touch %s\n' "$m" | at45_queue "$ALICE" at now
	at45_expect_refused "$m" \
		"session of $ALICE denied: $POLICY/user/$ALICE.conf:2: unknown key 'colour'"
	rm -f "$m"
	at45_teardown
	reset_policy
}
