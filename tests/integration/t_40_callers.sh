# Who the caller really is: su keeps the invoker as real uid.

t_40_su_builds_the_targets_environment() {
	base_policy
	# alice on the host (plain runuser: no pam_nsiso in that stack) runs
	# su - bob: the environment must be bob's, not alice's.
	local out
	out=$(runuser -u "$ALICE" -- su - "$BOB" -c 'cat /run/nsiso/environment; hostname; id -un')
	expect_match "su - bob by alice: the environment is bob's" "^uid=$(id -u "$BOB")\$" "$out"
	expect_match "su - bob by alice: bob's hostname" "^$BOB-box\$" "$out"
	expect_eq "su - bob by alice: no environment of alice was built" "" "$(init_pid_of "$ALICE")"
	wait_gone "$BOB"
}

t_41_nested_open_refused() {
	base_policy
	mark_log
	local out
	out=$(runuser_l "$ALICE" "su - $BOB -c 'echo INSIDE-BOB' 2>&1; echo rc=\$?")
	expect_no_match "su to another user inside an environment is refused" "INSIDE-BOB" "$out"
	expect_match "and su reports the failure" "rc=[1-9]" "$out"
	expect_log "the log says why" "session of $BOB denied: the caller is inside the environment of uid $(id -u "$ALICE")"
	out=$(runuser_l "$ALICE" "su - $ALICE -c 'hostname; readlink /proc/self/ns/mnt' 2>&1; readlink /proc/self/ns/mnt")
	expect_match "su to the same user inside the environment works" "^$ALICE-box" "$out"
	expect_eq "and stays in the same environment" "$(printf '%s\n' "$out" | sed -n 2p)" \
		"$(printf '%s\n' "$out" | sed -n 3p)"
	wait_gone "$ALICE"
	wait_gone "$BOB"
	expect_eq "no environment of bob was built" "" "$(init_pid_of "$BOB")"
}

t_42_init_sheds_the_login() {
	base_policy
	ssh_as "$ALICE" 'sleep 6' &
	local first=$! pid
	for _ in $(seq 50); do pid=$(init_pid_of "$ALICE"); [ -n "$pid" ] && break; sleep 0.1; done
	expect_ne "the environment is live" "" "$pid"
	if [ -n "$pid" ]; then
		expect_eq "the init leads its own session (setsid)" "$pid" "$(ps -o sid= -p "$pid" | tr -d ' ')"
		expect_eq "the init has no controlling tty" "?" "$(ps -o tty= -p "$pid" | tr -d ' ')"
		if [ -r "/proc/$pid/loginuid" ]; then
			expect_eq "the init's loginuid is unset" "4294967295" "$(cat "/proc/$pid/loginuid")"
		fi
		local fds
		fds=$(ls -l "/proc/$pid/fd" | awk 'NR>1 {print $NF}' | sort -u | tr '\n' ' ')
		expect_no_match "the init holds no pty, pipe or file of the login" "pts|ptmx|pipe:|/home|/tmp" "$fds"
		expect_eq "the init runs as root with no supplementary groups" "root " \
			"$(ps -o user=,supgrp= -p "$pid" | awk '{print $1, $2}' | sed 's/-$//')"
		if grep -q cgroup2 /proc/self/mounts; then
			expect_match "the init has a cgroup of its own" "nsiso/user-$(id -u "$ALICE")" \
				"$(cat "/proc/$pid/cgroup")"
		fi
	fi
	kill "$first" 2>/dev/null
	wait "$first" 2>/dev/null
	wait_gone "$ALICE"
}

t_43_concurrent_first_logins() {
	base_policy
	local i pids=()
	for i in $(seq 8); do
		ssh_as "$ALICE" 'readlink /proc/self/ns/mnt; sleep 2' > "$W/conc.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	local distinct
	distinct=$(cat "$W"/conc.* | sort -u | wc -l)
	expect_eq "8 concurrent first logins share one environment" "1" "$distinct"
	expect_eq "and all of them logged in" "8" "$(cat "$W"/conc.* | wc -l)"
	rm -f "$W"/conc.*
	wait_gone "$ALICE"
}

# A caller whose descriptors 0-2 are closed (a daemon's): the plan the
# module writes for the helper then sits in a memfd that is fd 0 itself,
# which must still reach the helper as its stdin (run_helper.c, onto). A
# stack in which nothing opens a descriptor before pam_nsiso does (no
# pam_unix, no debug, so no syslog socket) keeps it there.
t_44_caller_without_stdio() {
	base_policy
	{
		echo 'auth sufficient pam_permit.so'
		echo 'account required pam_permit.so'
		printf 'session required %s policy=%s helper=%s\n' "$MODULE" "$POLICY" "$HELPER"
	} > /etc/pam.d/nsiso-test-bare
	local rc
	mark_log
	pamtester nsiso-test-bare "$ALICE" open_session close_session <&- >&- 2>&-
	rc=$?
	expect_eq "fds 0-2 closed: the first login builds the environment" "0" "$rc"
	# Without debug the module logs only what goes wrong.
	expect_no_match "fds 0-2 closed: pam_nsiso logged nothing" "pam_nsiso\\(nsiso-test-bare:session\\)" \
		"$(tail -n +"$((LOG_MARK + 1))" "$SYSLOG")"
	wait_gone "$ALICE"
	rm -f /etc/pam.d/nsiso-test-bare
}

# A caller that keeps its working directory (su without -, atd in its
# spool) is back in it after the join when the path names the same
# directory inside the environment; otherwise it is at the environment's
# root, never in a directory the user made under that name inside.
t_47_caller_directory_same_or_root() {
	base_policy
	local d="/tmp/t47-dir.$$" out holder pid
	# /etc/pam.d is the suite's private copy (setup_pam): a run stopped
	# half-way leaves the host's su stack as it was.
	cp /etc/pam.d/su "$W/su.t47"
	{ echo 'auth sufficient pam_permit.so'; cat "$W/su.t47"; pam_line; } > /etc/pam.d/su
	out=$(cd "/home/$ALICE" && su "$ALICE" -c 'pwd; hostname' 2>&1)
	expect_eq "su from alice's home: the command runs there, inside" \
		"/home/$ALICE $ALICE-box" "$(echo $out)"
	wait_gone "$ALICE"
	mkdir "$d"
	out=$(cd "$d" && su "$ALICE" -c 'pwd' 2>&1)
	expect_eq "su from a host directory missing inside: at the environment's root" "/" "$out"
	wait_gone "$ALICE"
	# alice makes that path inside her environment (its /tmp is its own)
	# and keeps the environment alive while su joins it from the host's.
	runuser_l "$ALICE" "mkdir $d && touch $d/hers && sleep 30" >/dev/null 2>&1 &
	holder=$!
	wait_live "$ALICE"
	pid=$(init_pid_of "$ALICE")
	local made=no
	for _ in $(seq 50); do
		[ -n "$pid" ] && nsenter -t "$pid" -m test -e "$d/hers" 2>/dev/null &&
			made=yes && break
		sleep 0.1
	done
	# Without it su would be at the root for the missing directory, and
	# the check below would prove nothing.
	expect_eq "alice's directory of that name is there inside" "yes" "$made"
	out=$(cd "$d" && su "$ALICE" -c 'pwd; ls; hostname' 2>&1)
	expect_eq "su from a host directory whose name alice made inside: at the root, not in hers" \
		"/ $ALICE-box" "$(echo $out | sed 's/ .* / /')"
	expect_no_match "and not in her directory" "hers" "$out"
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait "$holder" 2>/dev/null
	wait_gone "$ALICE"
	cp "$W/su.t47" /etc/pam.d/su
	rmdir "$d"
}
