# What the invoker controls besides argv: the environment, fds 0-2 and
# resource limits. None of it may reach code that runs as root.

no_marks() { ls "$MARKS" | tr '\n' ' '; }

s_20_hostile_environment() {
	sec_policy
	local au huge out rc
	au=$(uid_of "$ALICE")
	huge=$(head -c 120000 /dev/zero | tr '\0' B)
	rm -f "$MARKS"/pwned-*
	# The preload works at all (so its absence below means something).
	as_user "$ALICE" env LD_PRELOAD="$EVIL" /bin/true
	expect_eq "control: the preload library runs in an ordinary program" \
		"pwned-$au " "$(no_marks)"
	rm -f "$MARKS"/pwned-*
	out=$(as_user "$ALICE" env -i LD_PRELOAD="$EVIL" LD_LIBRARY_PATH="$W/marks" \
		LD_AUDIT="$EVIL" PATH="$W/marks" LC_ALL="../../../../$W/marks" \
		LANG=xx_XX.UTF-8 LANGUAGE=../../x NLSPATH="$W/marks/%N" \
		GCONV_PATH="$W/marks" LOCPATH="$W/marks" MALLOC_CHECK_=3 \
		GLIBC_TUNABLES=glibc.malloc.check=3:glibc.malloc.mmap_threshold=1 \
		TMPDIR="$W/marks" HOME=/root HUGE="$huge" \
		"$ENTER" 2>&1)
	rc=$?
	expect_match "user with a hostile environment: setuid nsiso-enter says the usual" \
		"^rc=1 nsiso-enter: you have no live environment to enter" "rc=$rc $out"
	expect_eq "the preloaded library never ran in setuid nsiso-enter" "" "$(no_marks)"
	# 3000 variables of 1 kB each
	out=$(as_user "$ALICE" bash -c 'for i in $(seq 1500); do export V$i=$(printf "%01000d" 0); done; exec "$0"' "$ENTER" 2>&1)
	rc=$?
	expect_match "user with 1.5 MB of environment: nsiso-enter says the usual" \
		"^rc=1 nsiso-enter: you have no live environment to enter" "rc=$rc $out"

	# A real login through su, started by alice with the same environment:
	# the helper the module runs and the init it forks see none of it.
	sec_policy
	as_user "$ALICE" env LD_PRELOAD="$EVIL" LC_ALL="../../$W/marks" \
		GCONV_PATH="$W/marks" HUGE="$huge" PATH="$W/marks:/usr/bin:/bin" \
		su - "$BOB" -c 'cat /run/nsiso/environment; sleep 2' > "$W/su.out" 2>&1 &
	local supid=$!
	local pid
	pid=$(wait_env "$BOB")
	expect_ne "su - bob by alice with a hostile environment: bob's environment is built" "" "$pid"
	if [ -n "$pid" ]; then
		expect_eq "the init's environment is the helper's fixed PATH only" \
			"PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$(tr '\0' '\n' < "/proc/$pid/environ")"
	fi
	wait "$supid"
	expect_eq "su - bob by alice: the session ran in bob's environment" "uid=$(uid_of "$BOB")" "$(head -1 "$W/su.out")"
	wait_gone "$BOB"
	expect_eq "no preloaded code ran as root anywhere" "" "$(ls "$MARKS" | grep 'pwned-0$' || true)"
	rm -f "$MARKS"/pwned-*
}

s_21_closed_fds() {
	sec_policy
	local au rc sum_before
	au=$(uid_of "$ALICE")
	as_user "$ALICE" "$ATTACK" closefds "$ENTER"
	rc=$?
	expect_eq "user, fds 0-2 closed: setuid nsiso-enter refuses (exit 1)" "1" "$rc"
	expect_eq "user, fds 0-2 closed: nothing built" "" "$(sockets)"
	# As root (the module's way) with 0-2 closed: the first files the
	# helper opens must not become its stdout and receive the socket name.
	sum_before=$(md5sum "$POLICY/default.conf")
	"$ATTACK" closefds "$HELPER" build --uid "$au" --policy "$POLICY"
	rc=$?
	expect_eq "root, fds 0-2 closed: the build still works" "0" "$rc"
	expect_eq "root, fds 0-2 closed: the socket name went nowhere" \
		"0" "$(stat -c %s "/run/nsiso/user-$au.lock" 2>/dev/null || echo 0)"
	expect_eq "root, fds 0-2 closed: the policy file is unchanged" "$sum_before" \
		"$(md5sum "$POLICY/default.conf")"
	local pid
	pid=$(env_pid "$ALICE")
	if [ -n "$pid" ]; then
		expect_eq "root, fds 0-2 closed: the init's 0-2 are /dev/null" \
			"/dev/null /dev/null /dev/null" \
			"$(readlink "/proc/$pid/fd/0" "/proc/$pid/fd/1" "/proc/$pid/fd/2" | tr '\n' ' ' | sed 's/ $//')"
	else
		fail "root, fds 0-2 closed: the init's 0-2 are /dev/null" "no environment"
	fi
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait_gone "$ALICE"
}

s_22_rlimits() {
	sec_policy
	local au out rc lim
	au=$(uid_of "$ALICE")
	for lim in "-n 4" "-f 0" "-t 1" "-s 200" "-u 1" "-c unlimited" "-l 0" "-q 0" "-i 0"; do
		out=$(as_user "$ALICE" bash -c "ulimit -S -H $lim 2>/dev/null || ulimit -S $lim; exec \"\$0\"" "$ENTER" 2>&1)
		rc=$?
		expect_match "user, ulimit $lim: setuid nsiso-enter fails closed, clear message" \
			"^rc=1 nsiso-enter: " "rc=$rc $(printf '%s' "$out" | head -1)"
	done
	for lim in "-n 0" "-n 3" "-v 4000" "-d 100"; do
		out=$(as_user "$ALICE" bash -c "ulimit -S -H $lim; exec \"\$0\"" "$ENTER" 2>&1)
		rc=$?
		expect_ne "user, ulimit $lim (the loader cannot even start): no success" "0" "$rc"
	done
	expect_eq "no core file of the setuid helper" "" "$(ls / | grep '^core' || true)"
	expect_eq "nothing built under exhausted limits" "" "$(sockets)"

	# su keeps the invoker's limits; the init must get PID 1's instead.
	as_user "$ALICE" bash -c "ulimit -S -n 20; ulimit -S -s 256; ulimit -S -f 4096; ulimit -S -t 30
		exec su - $BOB -c 'cat /run/nsiso/environment; sleep 2'" > "$W/su.out" 2>&1 &
	local supid=$!
	local pid
	pid=$(wait_env "$BOB")
	expect_ne "su with tiny soft limits: bob's environment is built" "" "$pid"
	if [ -n "$pid" ]; then
		# Soft limits are PID 1's (capped by the hard limit, which a
		# container without CAP_SYS_RESOURCE cannot raise).
		local what want got hard
		for what in "cpu time" "file size" "stack size" "open files"; do
			want=$(grep "^Max $what " /proc/1/limits | awk '{print $(NF-2)}')
			hard=$(grep "^Max $what " "/proc/$pid/limits" | awk '{print $(NF-1)}')
			[ "$want" != unlimited ] && [ "$hard" != unlimited ] && [ "$want" -gt "$hard" ] && want=$hard
			got=$(grep "^Max $what " "/proc/$pid/limits" | awk '{print $(NF-2)}')
			expect_eq "the init's soft '$what' limit is PID 1's, not the invoker's" "$want" "$got"
		done
	fi
	wait "$supid"
	expect_eq "su with tiny soft limits: the session ran in bob's environment" "uid=$(uid_of "$BOB")" "$(head -1 "$W/su.out")"
	wait_gone "$BOB"
}
