# nsiso stop ends an environment as logind ends a session scope: SIGTERM
# and SIGCONT, then SIGHUP, the policy's stop_grace (or --grace), then
# SIGKILL for what is left; it reports what it did, and the utmp records
# of the processes it ended are marked dead.

t62_policy() {
	base_policy
	write_policy "user/$ALICE.conf" <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
stop_grace = 3
P
}

# t62_jobs: a nohup job that writes ~/t62-trapped on SIGTERM (nohup: it
# ignores SIGHUP, as such jobs do) and one that ignores SIGTERM and SIGHUP.
t62_jobs() {
	rm -f "/home/$ALICE/t62-trapped"
	ssh_as "$ALICE" 'nohup bash -c "trap \"echo bye > ~/t62-trapped; exit 0\" TERM; while :; do sleep 0.1; done" >/dev/null 2>&1 &
nohup sh -c "trap \"\" TERM HUP; exec sleep 1001" >/dev/null 2>&1 &
echo started' >/dev/null
	sleep 0.5
}

# t62_timed_stop ARGS...: runs nsiso stop ARGS; sets T62_OUT, T62_RC and
# T62_MS (how long it took).
t62_timed_stop() {
	local t0 t1
	t0=$(date +%s%N)
	T62_OUT=$("$NSISO" stop "$@" 2>&1)
	T62_RC=$?
	t1=$(date +%s%N)
	T62_MS=$(((t1 - t0) / 1000000))
}

t62_no_process_left() {
	local left
	for _ in $(seq 50); do
		left=$(pgrep -a -u "$ALICE" || true)
		[ -z "$left" ] && break
		sleep 0.1
	done
	expect_eq "$1: no process of the user is left" "" "$left"
}

t_62_stop_grace() {
	t62_policy
	expect_match "explain shows stop_grace" "stop_grace: 3 s between SIGTERM and SIGKILL" \
		"$("$NSISO" explain "$ALICE" --policy "$POLICY" 2>&1)"
	expect_match "the default grace is 10 s" "stop_grace: 10 s between SIGTERM and SIGKILL" \
		"$("$NSISO" explain "$BOB" --policy "$POLICY" 2>&1)"
	t62_jobs
	t62_timed_stop "$ALICE"
	expect_eq "stop succeeds" "0" "$T62_RC"
	# (The two jobs, and the loop's sleep when one runs at that moment.)
	expect_match "it reports what it ended, and what needed SIGKILL" \
		"^user-$(id -u "$ALICE")\\.sock: ended [2-9] processes, 1 after SIGKILL \\(grace 3 s\\)$" "$T62_OUT"
	expect_match "and how many environments it stopped" "stopped 1 environment of $ALICE\$" "$T62_OUT"
	expect_eq "the SIGTERM trap ran within the grace" "bye" \
		"$(cat "/home/$ALICE/t62-trapped" 2>&1)"
	if [ "$T62_MS" -ge 2900 ] && [ "$T62_MS" -lt 8000 ]; then
		pass "a job that ignores SIGTERM is killed after the grace (${T62_MS} ms)"
	else
		fail "a job that ignores SIGTERM is killed after the grace" "stop took ${T62_MS} ms, grace 3 s"
	fi
	t62_no_process_left "after the grace"
	if wait_gone "$ALICE"; then pass "the environment ended"; else fail "the environment ended"; fi
}

# A login during the grace does not join the ending environment: it waits
# for it to end and gets a new one.
t_62_stop_login_during_grace() {
	t62_policy
	local old new t0 ms stop_pid
	t62_jobs
	# The kernel reuses a freed namespace's inode number: the init's
	# start time (field 22 of its stat) tells a new init from the old.
	old=$(ssh_as "$ALICE" 'echo $(readlink /proc/self/ns/pid) $(cut -d" " -f22 /proc/1/stat)')
	"$NSISO" stop "$ALICE" > "$W/t62-stop.out" 2>&1 &
	stop_pid=$!
	sleep 0.5
	expect_match "the init answers during the grace" "^$ALICE +$(id -u "$ALICE") " "$("$NSISO" list)"
	t0=$(date +%s%N)
	new=$(ssh_as "$ALICE" 'echo $(readlink /proc/self/ns/pid) $(cut -d" " -f22 /proc/1/stat); pgrep -c sleep || true')
	ms=$((($(date +%s%N) - t0) / 1000000))
	wait "$stop_pid"
	expect_match "the stop still reports" "1 after SIGKILL \\(grace 3 s\\)" "$(cat "$W/t62-stop.out")"
	expect_ne "a login during the grace gets a new environment" "$old" "$(printf '%s\n' "$new" | sed -n 1p)"
	expect_eq "in which none of the old jobs runs" "0" "$(printf '%s\n' "$new" | sed -n 2p)"
	if [ "$ms" -ge 1500 ]; then pass "the login waited for the stop (${ms} ms)"
	else fail "the login waited for the stop" "it took ${ms} ms, the grace 3 s"; fi
	"$NSISO" stop "$ALICE" >/dev/null
}

t_62_stop_ends_early() {
	t62_policy
	ssh_as "$ALICE" 'nohup sleep 1002 >/dev/null 2>&1 & tmux -L t62 new-session -d "sleep 1003"; echo ok' >/dev/null
	sleep 0.3
	t62_timed_stop "$ALICE"
	expect_match "jobs that end on SIGTERM need no SIGKILL" \
		"ended [2-9] processes, 0 after SIGKILL \\(grace 3 s\\)" "$T62_OUT"
	if [ "$T62_MS" -lt 2000 ]; then
		pass "the stop ends as soon as every process has (${T62_MS} ms)"
	else
		fail "the stop ends as soon as every process has" "stop took ${T62_MS} ms"
	fi
	t62_no_process_left "early end"
}

t_62_stop_grace_option() {
	t62_policy
	t62_timed_stop --grace x "$ALICE"
	expect_eq "--grace x is refused" "2" "$T62_RC"
	expect_match "naming the value" "--grace: 'x' is not a number of seconds from 0 to 300" "$T62_OUT"
	t62_timed_stop --grace 301 "$ALICE"
	expect_eq "--grace 301 is refused" "2" "$T62_RC"

	t62_jobs
	t62_timed_stop --grace 1 "$ALICE"
	expect_match "--grace 1 replaces the policy's" "1 after SIGKILL \\(grace 1 s\\)" "$T62_OUT"
	if [ "$T62_MS" -ge 900 ] && [ "$T62_MS" -lt 2900 ]; then
		pass "--grace 1: SIGKILL after about 1 s (${T62_MS} ms)"
	else
		fail "--grace 1: SIGKILL after about 1 s" "stop took ${T62_MS} ms"
	fi
	t62_no_process_left "--grace 1"

	t62_jobs
	t62_timed_stop --grace 0 "$ALICE"
	# The two jobs, and the loop's sleep when one is running at that moment.
	expect_match "--grace 0 kills at once" "ended [2-9] processes, [2-9] after SIGKILL \\(grace 0 s\\)" "$T62_OUT"
	expect_match "no trap runs" "No such file" "$(cat "/home/$ALICE/t62-trapped" 2>&1)"
	t62_no_process_left "--grace 0"
}

# A utmp and a wtmp of the test's own over the host's, in the suite's
# mount namespace: the environment built next copies it, and the host's
# records stay as they are. A path the host lacks gets an empty
# placeholder for the bind mount, removed afterwards.
T62_PLACEHOLDERS=()
t62_utmp_setup() {
	local f
	for f in /run/utmp /var/log/wtmp; do
		install -m 0664 -o root -g utmp /dev/null "$W/$(basename "$f")"
		if [ ! -e "$f" ]; then
			install -m 0664 -o root -g utmp /dev/null "$f"
			T62_PLACEHOLDERS+=("$f")
		fi
		mount --bind "$W/$(basename "$f")" "$f"
	done
}

t62_utmp_cleanup() {
	umount /run/utmp /var/log/wtmp
	rm -f "${T62_PLACEHOLDERS[@]}"
	T62_PLACEHOLDERS=()
}

# t62_who_inside: who in a login of the user (tmux's pane lists there).
t62_who_inside() {
	ssh_as "$ALICE" 'who' 2>&1
}

t_62_stop_utmp() {
	t62_policy
	t62_utmp_setup
	local pid line out file
	file=/run/nsiso/user-$(id -u "$ALICE").utmp
	# tmux writes a utmp record for its pane through utempter, from
	# inside: into the environment's own utmp (bound over /run/utmp
	# there), with the tmux server's pid in the environment.
	ssh_as "$ALICE" 'tmux -L t62 new-session -d "sleep 1004"; echo ok' >/dev/null
	sleep 0.5
	out=$(t62_who_inside)
	expect_match "who inside lists tmux's login" "^$ALICE +pts/[0-9]+ " "$out"
	line=$(printf '%s\n' "$out" | awk -v u="$ALICE" '$1 == u { print $2; exit }')
	expect_no_match "the host's who does not list it (its pid means nothing there)" \
		"^$ALICE +$line " "$(who)"
	# A pid of the environment (a job that ignores SIGTERM) in a record of
	# another user, in the environment's file: the stop may not touch it,
	# so it counts tmux's record alone. (A record of the user whose pid is
	# not in the environment is a login of the host's, sshd's, which the
	# init adopts and ends with the environment: t_46_who_inside.)
	pid=$(ssh_as "$ALICE" 'nohup sh -c "trap \"\" TERM HUP; exec sleep 1005" >/dev/null 2>&1 & echo $!')
	python3 "$TOP/tests/lib/utmp.py" add "$file" "$BOB" pts/998 "$pid"
	t62_timed_stop --grace 0 "$ALICE"
	expect_match "the report counts tmux's record alone" \
		"ended [2-9] processes, [2-9] after SIGKILL \\(grace 0 s\\); 1 utmp record marked dead" "$T62_OUT"
	expect_no_match "the host's who lists no login of the environment" "^$ALICE " "$(who)"
	expect_eq "the environment's utmp, and its records, go with it" "gone" \
		"$( [ -e "$file" ] && echo there || echo gone)"
	# last (util-linux 2.38) takes a logout record of the current second
	# for none: "still running" until the clock has moved on.
	sleep 1.1
	expect_match "last shows the logout" "^$ALICE +$line .* - [0-9:]+ +\\(" \
		"$(last -w -f /var/log/wtmp)"

	# With a grace, tmux ends on SIGTERM: no phantom either way.
	ssh_as "$ALICE" 'tmux -L t62 new-session -d "sleep 1006"; echo ok' >/dev/null
	sleep 0.5
	expect_match "a new tmux login is listed inside" "^$ALICE +pts/[0-9]+ " "$(t62_who_inside)"
	t62_timed_stop "$ALICE"
	expect_no_match "after a stop with a grace, the host's who lists no login of the environment" \
		"^$ALICE " "$(who)"
	expect_eq "and the environment's utmp is gone" "gone" \
		"$( [ -e "$file" ] && echo there || echo gone)"
	t62_utmp_cleanup
}

# share = session: every per-login environment of the user is asked
# first, so their graces run together.
t_62_stop_sessions_together() {
	base_policy
	write_policy "user/$DAVE.conf" <<'P'
namespaces = mount uts ipc pid
share = session
stop_grace = 2
P
	local i
	for i in 1 2; do
		ssh_as "$DAVE" 'nohup sh -c "trap \"\" TERM HUP; exec sleep 1007" >/dev/null 2>&1 & echo ok' >/dev/null
	done
	expect_eq "two per-login environments live on with their jobs" "2" \
		"$(ls /run/nsiso | grep -c "^session-$(id -u "$DAVE")-.*\\.sock$")"
	local t0 out ms
	t0=$(date +%s%N)
	out=$("$NSISO" stop "$DAVE" 2>&1)
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_eq "each reports its SIGKILL" "2" \
		"$(printf '%s\n' "$out" | grep -Ec '^session-[0-9]+-[0-9a-f]+\.sock: ended [1-9] process(es)?, 1 after SIGKILL \(grace 2 s\)$')"
	expect_match "both are stopped" "stopped 2 environments of $DAVE\$" "$out"
	if [ "$ms" -ge 1900 ] && [ "$ms" -lt 3900 ]; then
		pass "their graces ran together (${ms} ms for two of 2 s)"
	else
		fail "their graces ran together" "stop took ${ms} ms for two graces of 2 s"
	fi
	expect_eq "no job of the user is left" "" "$(pgrep -a -u "$DAVE" || true)"
}
