# at and batch jobs (atd) of an isolated user, with pam_nsiso appended to
# /etc/pam.d/atd (the suite's copy).
#
# How Debian 12's atd (3.2.5) runs a job: the daemon forks one process per
# job, which opens the PAM session (pam_start("atd"), pam_acct_mgmt,
# pam_open_session, pam_setcred, with real uid daemon and effective uid
# root) and then forks again; that grandchild drops to the user and execs
# /bin/sh with the job on stdin. So the module joins in the session
# process and the job's shell is its child: inside the PID namespace too.
# After the job the session process closes the session, removes the
# output file from its spool directory by a relative name, and mails any
# output. When pam_open_session fails it logs pam_strerror and exits 1:
# the job, already unlinked from the queue, never runs.
#
# The queue is private to each test: the suite's own atjobs and atspool
# directories are bound over /var/spool/cron's, so an atd of the host
# (the VM runs one) neither sees nor runs these jobs. Most tests run the
# queue with `atd -s` (atd's own run-the-queue-once mode: the same code
# that runs a job, no daemon and no pid file); t_45_atd_daemon runs the
# daemon.

# Printed from inside a job: what a user would look at.
AT45_SNAP='echo mnt=$(readlink /proc/self/ns/mnt)
echo uts=$(readlink /proc/self/ns/uts)
echo ipc=$(readlink /proc/self/ns/ipc)
echo pid=$(readlink /proc/self/ns/pid)
echo net=$(readlink /proc/self/ns/net)
echo host=$(hostname)
echo shellpid=$$
echo users=$(ps -eo user:32= | sort -u | tr "\n" " ")
echo rootprocs=$(ps -o pid=,comm= -u root | tr -s " " | tr "\n" ";")
echo links=$(ip -o link show | cut -d: -f2 | tr -d " " | tr "\n" " ")
echo tmp=$(findmnt -n -o FSTYPE,SOURCE /tmp | tr -s " ")
echo end'

at45_getv() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -1; }

at45_policy() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid net
network = loopback
hostname = %u-box
tmpfs = /tmp
P
}

# A private queue and the atd stack with the module line; false (and a
# failure) when at is not installed.
at45_setup() {
	AT45=$W/at
	if ! command -v atd >/dev/null || [ ! -d /var/spool/cron/atjobs ] ||
		[ ! -e "$W/pam.orig/atd" ]; then
		fail "at is installed (make deps)"
		return 1
	fi
	rm -rf "$AT45"
	install -d -m 0755 "$AT45"
	install -d -o daemon -g daemon -m 1770 "$AT45/atjobs" "$AT45/atspool"
	# at(1) does not make its sequence file: as the package installs it.
	printf '0\n' > "$AT45/atjobs/.SEQ"
	chown daemon:daemon "$AT45/atjobs/.SEQ"
	chmod 0600 "$AT45/atjobs/.SEQ"
	mount --bind "$AT45/atjobs" /var/spool/cron/atjobs
	mount --bind "$AT45/atspool" /var/spool/cron/atspool
	{ cat "$W/pam.orig/atd"; pam_line; } > /etc/pam.d/atd
	at45_policy
}

at45_teardown() {
	umount /var/spool/cron/atjobs /var/spool/cron/atspool
	cp "$W/pam.orig/atd" /etc/pam.d/atd
	rm -rf "$AT45"
}

# at45_job OUT: a job that writes the snapshot to ~/OUT, atomically.
at45_job() {
	printf '( %s ) > $HOME/%s.tmp 2>&1; mv $HOME/%s.tmp $HOME/%s\n' \
		"$(printf '%s' "$AT45_SNAP" | tr '\n' ';')" "$1" "$1" "$1"
}

# at45_queue USER COMMAND...: the user queues a job from the host (runuser's
# own stack has no pam_nsiso), from the home directory, which the job
# changes to first. The job is read from stdin.
at45_queue() {
	local user=$1 out
	shift
	out=$(runuser -u "$user" -- sh -c "cd /home/$user && $*" 2>&1)
	expect_match "$* queued the job" "^job [0-9]+ at " "$out"
}

# at45_expect_refused MARKER REASON: atd runs the queue once; the module
# denies the job's session with REASON, atd says so, the job (which would
# write MARKER) does not run and no environment is built.
at45_expect_refused() {
	mark_log
	atd -s -l 1000 </dev/null >>"$AT45/atd.out" 2>&1
	expect_log "the module logged the reason" "atd\[[0-9]+\]: pam_nsiso\(atd:session\): $2"
	expect_log "atd logged the failed session" \
		"atd\[[0-9]+\]: Permission denied"
	# atd exits right after that line; give a job that would run anyway
	# the time to show.
	sleep 2
	if [ -e "$1" ]; then
		fail "the job did not run" "it ran: $(tr '\n' ' ' < "$1") (host: $(host_ns mnt))"
	else
		pass "the job did not run"
	fi
	expect_eq "no environment was built" "" "$(ls /run/nsiso | grep '\.sock$' || true)"
}

# at45_wait_file PATH: up to 15 s.
at45_wait_file() {
	for _ in $(seq 150); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# at45_wait_done: the job processes have finished (atd removes the job's
# lock link, "=...", last, after the session closed); up to 15 s.
at45_wait_done() {
	for _ in $(seq 150); do
		[ -z "$(ls -A "$AT45/atjobs" | grep -v '^\.SEQ$')" ] && return 0
		sleep 0.1
	done
	return 1
}

# at45_hold USER OUT: a login over ssh that reports its namespaces to OUT
# and stays 30 s; sets AT45_HOLD to its pid.
at45_hold() {
	rm -f "$2"
	ssh_as "$1" "$(printf 'for n in mnt uts ipc pid net; do echo $n=$(readlink /proc/self/ns/$n); done'); sleep 30" > "$2" &
	AT45_HOLD=$!
	AT45_HOLD_USER=$1
	for _ in $(seq 100); do
		[ "$(wc -l < "$2" 2>/dev/null)" -ge 5 ] && return 0
		sleep 0.1
	done
	return 1
}

at45_release() {
	kill "$AT45_HOLD" 2>/dev/null
	wait "$AT45_HOLD" 2>/dev/null
	# The held login's sleep outlives its client (sshd signals no session
	# without a terminal), and the environment lives as long as it does:
	# end it, so that the next test starts with no environment.
	pkill -u "$AT45_HOLD_USER" -xf 'sleep 30'
}

# at45_check_joined VIA JOB_OUTPUT LOGIN_OUTPUT: the job ran in the
# environment the held login is in, and sees what a login sees.
at45_check_joined() {
	local via=$1 out=$2 login=$3 n
	expect_eq "$via: the job ran to its end" "end" "$(printf '%s\n' "$out" | tail -1)"
	for n in mnt pid net uts ipc; do
		expect_eq "$via: the job's $n namespace is the login's" \
			"$(at45_getv "$n" "$login")" "$(at45_getv "$n" "$out")"
		expect_ne "$via: and not the host's" "$(host_ns "$n")" "$(at45_getv "$n" "$out")"
	done
	expect_eq "$via: the hostname is the policy's" "$ALICE-box" "$(at45_getv host "$out")"
	expect_ne "$via: the job's shell is not PID 1" "1" "$(at45_getv shellpid "$out")"
	expect_eq "$via: ps shows only the user's processes and root's init" \
		"$(printf '%s\n' root "$ALICE" | sort | tr '\n' ' ' | sed 's/ $//')" \
		"$(at45_getv users "$out")"
	expect_eq "$via: the only root process is the init, PID 1" "1 nsiso-init;" \
		"$(at45_getv rootprocs "$out" | sed 's/^ //')"
	expect_eq "$via: the only network interface is lo (network = loopback)" "lo" \
		"$(at45_getv links "$out")"
	expect_eq "$via: /tmp is the environment's tmpfs" "tmpfs nsiso" "$(at45_getv tmp "$out")"
}

t_45_at_now_joins_the_environment() {
	at45_setup || return
	local login=$W/at45.login out=/home/$ALICE/at45-now.out check
	rm -f "$out"
	at45_hold "$ALICE" "$login" || fail "the held login started"
	mark_log
	at45_job at45-now.out | at45_queue "$ALICE" at now
	atd -s -l 1000 </dev/null >>"$AT45/atd.out" 2>&1
	at45_wait_file "$out"
	check=$(cat "$out" 2>/dev/null)
	at45_check_joined "at now" "$check" "$(cat "$login")"
	expect_log "the module logged the join under atd" \
		"atd\[[0-9]+\]: pam_nsiso\(atd:session\): joined the environment of $ALICE"
	if at45_wait_done; then pass "the job's processes finished"; else fail "the job's processes finished"; fi
	# atd removes the output file by a relative name after the session
	# closed: the module returned it to its spool directory.
	expect_eq "atd left no output file in its spool" "" "$(ls -A "$AT45/atspool")"
	at45_release
	wait_gone "$ALICE"
	rm -f "$out" "$login"
	at45_teardown
}

t_45_batch_queued_inside_the_environment() {
	at45_setup || return
	local login=$W/at45.login out=/home/$ALICE/at45-batch.out
	rm -f "$out"
	at45_hold "$ALICE" "$login" || fail "the held login started"
	# Queued by the user from inside a login, as a user would.
	at45_job at45-batch.out > "/home/$ALICE/at45.job"
	chmod 0644 "/home/$ALICE/at45.job"
	ssh_as "$ALICE" 'cd && batch < at45.job' >/dev/null 2>&1
	expect_match "batch queued the job in queue b" "^[0-9]+[[:space:]].* b $ALICE\$" \
		"$(runuser -u "$ALICE" -- atq 2>&1)"
	atd -s -l 1000 </dev/null >>"$AT45/atd.out" 2>&1
	at45_wait_file "$out"
	at45_check_joined batch "$(cat "$out" 2>/dev/null)" "$(cat "$login")"
	at45_wait_done
	at45_release
	wait_gone "$ALICE"
	rm -f "$out" "$login" "/home/$ALICE/at45.job"
	at45_teardown
}

# With no login alive the job builds the environment, and it ends after.
t_45_job_builds_the_environment() {
	at45_setup || return
	local out=/home/$ALICE/at45-build.out check
	rm -f "$out"
	expect_eq "no environment before the job" "" "$(init_pid_of "$ALICE")"
	printf 'hostname > $HOME/at45-build.tmp; readlink /proc/self/ns/pid >> $HOME/at45-build.tmp; readlink /proc/self/ns/net >> $HOME/at45-build.tmp; mv $HOME/at45-build.tmp $HOME/at45-build.out\n' |
		at45_queue "$ALICE" at now
	atd -s -l 1000 </dev/null >>"$AT45/atd.out" 2>&1
	at45_wait_file "$out"
	check=$(cat "$out" 2>/dev/null)
	expect_eq "the job got the policy's hostname" "$ALICE-box" "$(printf '%s\n' "$check" | sed -n 1p)"
	expect_ne "the job is in a PID namespace of its own" "$(host_ns pid)" "$(printf '%s\n' "$check" | sed -n 2p)"
	expect_ne "and a network namespace of its own" "$(host_ns net)" "$(printf '%s\n' "$check" | sed -n 3p)"
	at45_wait_done
	if wait_gone "$ALICE"; then pass "the environment ends after the job (linger 0)"
	else fail "the environment ends after the job (linger 0)"; fi
	rm -f "$out"
	at45_teardown
}

# A broken user policy: atd's pam_open_session fails, atd drops the job
# and nothing runs, on the host or elsewhere.
t_45_denying_policy() {
	at45_setup || return
	local marker=/home/$ALICE/at45-denied
	rm -f "$marker"
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid net
network = loopback
colour = blue
P
	printf 'readlink /proc/self/ns/mnt > %s\n' "$marker" | at45_queue "$ALICE" at now
	at45_expect_refused "$marker" \
		"session of $ALICE denied: $POLICY/user/$ALICE.conf:3: unknown key 'colour'"
	expect_eq "atd dropped the job: it is not queued to run again" "" \
		"$(ls "$AT45/atjobs" | grep -v '^=' || true)"
	rm -f "$marker" "$POLICY/user/$ALICE.conf"
	at45_teardown
}

# The daemon, as a server runs it, woken by SIGHUP as at(1) wakes it.
# atd insists on /run/atd.pid, which an atd of the host may hold: this
# one runs in a mount namespace below the suite's whose /run is a private
# tmpfs with only the suite's /run/nsiso in it.
t_45_atd_daemon() {
	at45_setup || return
	local login=$W/at45.login out=/home/$ALICE/at45-daemon.out atd_pid
	rm -f "$out"
	install -d -m 0700 "$AT45/nsiso"
	unshare --mount --propagation slave sh -c '
		mount --bind /run/nsiso "$1" &&
		mount -t tmpfs -o mode=0755,size=1m nsit-atd-run /run &&
		mkdir -m 0700 /run/nsiso &&
		mount --move "$1" /run/nsiso &&
		exec atd -f -l 1000' sh "$AT45/nsiso" </dev/null >/dev/null 2>&1 &
	atd_pid=$!
	for _ in $(seq 50); do
		[ "$(cat "/proc/$atd_pid/root/run/atd.pid" 2>/dev/null)" = "$atd_pid" ] && break
		sleep 0.1
	done
	expect_eq "atd -f runs and wrote its pid file" "$atd_pid" \
		"$(cat "/proc/$atd_pid/root/run/atd.pid" 2>/dev/null)"
	at45_hold "$ALICE" "$login" || fail "the held login started"
	at45_job at45-daemon.out | at45_queue "$ALICE" at now
	kill -HUP "$atd_pid"
	at45_wait_file "$out"
	at45_check_joined "atd -f" "$(cat "$out" 2>/dev/null)" "$(cat "$login")"
	at45_wait_done
	kill -TERM "$atd_pid"
	wait "$atd_pid" 2>/dev/null
	if kill -0 "$atd_pid" 2>/dev/null; then fail "atd stopped"; else pass "atd stopped"; fi
	at45_release
	wait_gone "$ALICE"
	rm -f "$out" "$login"
	at45_teardown
}

# A policy with a user namespace: its limits come from nsiso-shell, the
# login shell, which an at job never runs (atd starts /bin/sh). The job is
# refused rather than run without the user namespace, the bounding set
# and no_new_privs.
t_45_user_namespace_policy_refused() {
	at45_setup || return
	t85_userns_setup
	local marker=/home/$ERIN/at45-userns
	rm -f "$marker"
	write_policy "user/$ERIN.conf" <<'P'
namespaces = mount uts ipc pid user
capabilities = none
no_new_privs = yes
P
	printf 'grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status > %s\n' "$marker" | at45_queue "$ERIN" at now
	at45_expect_refused "$marker" \
		"session of $ERIN denied: $POLICY/user/$ERIN.conf:1: namespaces: 'user': jobs of this service run /bin/sh, not the login shell"
	rm -f "$marker" "$POLICY/user/$ERIN.conf"
	t85_userns_cleanup
	at45_teardown
}
