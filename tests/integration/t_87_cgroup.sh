# The cgroup namespace and the environment's resource limits (issue 5),
# checked from inside real logins and from the host. Which branch runs
# depends on the host, and every branch asserts: on a host without
# systemd the logins move into the environment's own directory; on a
# systemd host they stay in logind's scopes and the limits are the user's
# slice's; where the cgroup v2 hierarchy has no controllers (a hybrid
# host such as the CI machine) a policy with limits is refused.

cg2_root() { findmnt -n -t cgroup2 -o TARGET | head -1; }
systemd_host() { [ -e /run/systemd/system ]; }
has_v2_controller() { grep -qw "$1" "$(cg2_root)/cgroup.controllers"; }
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

# Printed from inside a session.
CGSNAP='echo cg=$(sed -n "s/^0:://p" /proc/self/cgroup)
echo above=$(grep -vc ":/$" /proc/self/cgroup)
echo cgns=$(readlink /proc/self/ns/cgroup)'

t87_getv() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -1; }

# t87_pid_of USER NAME: the host pid of the user's process called NAME.
t87_pid_of() {
	local pid
	for _ in $(seq 50); do
		pid=$(pgrep -u "$1" -x "$2" | head -1)
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.1
	done
	return 1
}

# On a systemd host the suite's sshd runs in the session the suite was
# started from (root's, in the VM), where pam_systemd leaves its logins.
# A real sshd is a service: this one gets a transient scope of its own,
# so that each login gets a logind session in the user's slice.
T87_SSHD=
T87_PORT=
t87_sshd_start() {
	systemd_host || return 0
	T87_PORT=$(free_port 40001 50000)
	sed -e "s/^Port .*/Port $T87_PORT/" -e "s#^PidFile .*#PidFile $W/sshd/pid87#" \
		"$W/sshd/config" > "$W/sshd/config87"
	systemd-run --scope --quiet --collect \
		"$W/sshd/sshd-nsiso-test" -D -e -f "$W/sshd/config87" 2>>"$W/sshd/log87" &
	T87_SSHD=$!
	wait_listening "$T87_PORT" && return 0
	fail "a scoped sshd starts" "$(tail -3 "$W/sshd/log87")"
}
t87_sshd_stop() {
	[ -n "$T87_SSHD" ] && kill "$T87_SSHD" 2>/dev/null && wait "$T87_SSHD" 2>/dev/null
	T87_SSHD=
}
# ssh logins as sshd.service would make them (t87_sshd_start first, in
# the test's own shell: not in a $(...) or & subshell).
t87_ssh() {
	if systemd_host; then ssh_port_as "$T87_PORT" "$@"; else ssh_as "$@"; fi
}

# Where the host's own processes are, before and after: a login must move
# nothing of the host.
t87_host_cgroups() {
	echo "self=$(cgroup_of $$) sshd=$(cgroup_of "$SSHD_PID") init1=$(cgroup_of 1)"
}

# t87_login_checks VIA: a login over VIA ("ssh" or "runuser -l") in a
# policy with "cgroup" and no limits.
t87_login_checks() {
	local via=$1 uid out pid where host_before init dir
	uid=$(id -u "$ALICE")
	dir="$(cg2_root)/nsiso/user-$uid"
	host_before=$(t87_host_cgroups)
	if [ "$via" = ssh ]; then
		out=$(t87_ssh "$ALICE" "$CGSNAP")
		t87_ssh "$ALICE" 'exec sleep 4' &
	else
		out=$(runuser_l "$ALICE" "$CGSNAP")
		runuser_l "$ALICE" 'exec sleep 4' &
	fi
	local bg=$!
	expect_eq "$via: /proc/self/cgroup shows nothing above the session's cgroup" \
		"/" "$(t87_getv cg "$out")"
	expect_eq "$via: no hierarchy shows a path above it (v1 ones of a hybrid host too)" \
		"0" "$(t87_getv above "$out")"
	expect_match "$via: the shell has a cgroup namespace" "^cgroup:\[[0-9]+\]$" \
		"$(t87_getv cgns "$out")"
	expect_ne "$via: (not the host's)" "$(host_ns cgroup)" "$(t87_getv cgns "$out")"
	pid=$(t87_pid_of "$ALICE" sleep)
	where=$(cgroup_of "$pid")
	init=$(init_pid_of "$ALICE")
	if systemd_host; then
		# logind's scope, untouched; the init has its own directory.
		if [ "$via" = ssh ]; then
			expect_match "$via: the login stays in its logind session scope (host view)" \
				"^/user.slice/user-$uid.slice/session-[0-9]+.scope$" "$where"
		else
			expect_no_match "$via: the login is not moved into the init's directory" \
				"nsiso/user-$uid" "$where"
		fi
	else
		expect_eq "$via: the login lives in the environment's cgroup (host view)" \
			"/nsiso/user-$uid" "$where"
		expect_eq "$via: so does the init" "/nsiso/user-$uid" "$(cgroup_of "$init")"
		expect_eq "$via: no limits were set there" "" \
			"$(cat "$dir/pids.max" 2>/dev/null)"
	fi
	wait "$bg"
	if wait_gone "$ALICE"; then pass "$via: the environment ended with the login"
	else fail "$via: the environment ended with the login" "init $(init_pid_of "$ALICE")"; fi
	expect_eq "$via: the host's own cgroups did not change" "$host_before" "$(t87_host_cgroups)"
	if [ -d "$dir" ]; then fail "$via: the environment's cgroup is removed" "$dir is left"
	else pass "$via: the environment's cgroup is removed"; fi
}

t87_policy() {
	reset_policy
	write_policy "user/$ALICE.conf" <<P
namespaces = mount uts ipc pid cgroup
$*
P
}

t_87_cgroup_ns_ssh() {
	t87_policy
	t87_sshd_start
	t87_login_checks ssh
	t87_sshd_stop
}

t_87_cgroup_ns_runuser() {
	t87_policy
	t87_login_checks "runuser -l"
}

# cgroup_parent: where the environment's directory goes.
t_87_cgroup_parent() {
	local uid parent dir init bg
	uid=$(id -u "$ALICE")
	parent="$(cg2_root)/nsit-cg"
	t87_policy "cgroup_parent = nsit-cg/envs"
	dir="$parent/envs/user-$uid"
	runuser_l "$ALICE" 'exec sleep 3' &
	bg=$!
	t87_pid_of "$ALICE" sleep >/dev/null
	init=$(init_pid_of "$ALICE")
	expect_eq "the init's cgroup is under cgroup_parent" "/nsit-cg/envs/user-$uid" \
		"$(cgroup_of "$init")"
	if ! systemd_host; then
		expect_eq "the login's too" "/nsit-cg/envs/user-$uid" \
			"$(cgroup_of "$(t87_pid_of "$ALICE" sleep)")"
	fi
	wait "$bg"
	wait_gone "$ALICE"
	if [ -d "$dir" ]; then fail "the directory under cgroup_parent is removed" "$dir is left"
	else pass "the directory under cgroup_parent is removed"; fi
	rmdir "$parent/envs" "$parent" 2>/dev/null
}

# A policy whose controller the hierarchy lacks: denied, nothing built.
t87_limits_refused() {
	local uid out
	uid=$(id -u "$ALICE")
	t87_policy "pids_max = 40"
	mark_log
	if out=$(runuser_l "$ALICE" 'echo inside' 2>&1); then
		fail "a limit the cgroup v2 hierarchy cannot enforce denies the login" "$out"
	else
		pass "a limit the cgroup v2 hierarchy cannot enforce denies the login"
	fi
	expect_log "the denial names the file, the line and the missing controller" \
		"user/$ALICE.conf:2: pids_max: the cgroup v2 hierarchy at $(cg2_root) has no 'pids' controller"
	expect_eq "no environment was left" "" "$(init_pid_of "$ALICE")"
	if [ -e "$(cg2_root)/nsiso/user-$uid" ]; then
		fail "no cgroup directory was left" "$(cg2_root)/nsiso/user-$uid"
	else
		pass "no cgroup directory was left"
	fi
	if [ -e "/run/nsiso/user-$uid.sock" ]; then fail "no socket was left" "/run/nsiso/user-$uid.sock"
	else pass "no socket was left"; fi
}

# The user's processes in a PID namespace other than the host's (the
# environment's); the user's systemd --user is not one of them.
t87_inside_pids() {
	local p host ns
	host=$(host_ns pid)
	for p in $(pgrep -u "$ALICE"); do
		ns=$(readlink "/proc/$p/ns/pid" 2>/dev/null) || continue # gone
		[ "$ns" = "$host" ] || echo "$p"
	done
}

# t87_refused_forks DIR: forks the kernel refused for pids.max in DIR's
# subtree. Linux 6.1 counts each refusal in the forking process's own
# cgroup (a session scope below the user's slice), not where the limit is.
t87_refused_forks() {
	find "$1" -name pids.events -exec sed -n 's/^max //p' {} + |
		awk '{ n += $1 } END { print n + 0 }'
}

# t87_limits_enforced VIA RUN LIMIT_DIR: memory_max, pids_max and
# cpu_weight from inside logins made by "RUN USER COMMAND", LIMIT_DIR
# being the cgroup that holds them.
t87_limits_enforced() {
	local via=$1 run=$2 dir=$3 out host_ok events_before events_after peak n hold
	# A login held open keeps the environment (and on a host without
	# systemd its directory) while the files are read.
	$run "$ALICE" 'exec sleep 60' </dev/null >/dev/null 2>&1 &
	hold=$!
	t87_pid_of "$ALICE" sleep >/dev/null
	out=$($run "$ALICE" "$CGSNAP"'
head -c 300M /dev/zero | tail > /dev/null; echo oom_rc=$?')
	expect_eq "$via: cgroup namespace root" "/" "$(t87_getv cg "$out")"
	expect_eq "$via: pids.max is pids_max" "40" "$(cat "$dir/pids.max")"
	expect_eq "$via: memory.max is memory_max" "$((64 << 20))" "$(cat "$dir/memory.max")"
	expect_eq "$via: cpu.weight is cpu_weight" "50" "$(cat "$dir/cpu.weight")"
	expect_eq "$via: a program using more than memory_max is killed (SIGKILL)" \
		"137" "$(t87_getv oom_rc "$out")"
	expect_match "$via: by the cgroup's OOM killer" "^oom_kill [1-9]" \
		"$(grep '^oom_kill ' "$dir/memory.events")"
	# A real fork bomb, left running after the login ends.
	events_before=$(t87_refused_forks "$dir")
	$run "$ALICE" '(b() { b | b & }; b) </dev/null >/dev/null 2>&1 & sleep 0.2'
	peak=0
	for _ in $(seq 30); do
		n=$(cat "$dir/pids.current")
		[ "$n" -gt "$peak" ] && peak=$n
		sleep 0.1
	done
	events_after=$(t87_refused_forks "$dir")
	if [ "$peak" -le 40 ] && [ "$peak" -ge 30 ]; then
		pass "$via: the fork bomb stops at pids_max (peak $peak of 40 tasks)"
	else
		fail "$via: the fork bomb stops at pids_max" "peak $peak tasks, pids.max 40"
	fi
	if [ "${events_after:-0}" -gt "${events_before:-0}" ]; then
		pass "$via: the kernel refused its forks (pids.events max $events_before -> $events_after)"
	else
		fail "$via: the kernel refused its forks" "pids.events max $events_before -> $events_after"
	fi
	# The host, meanwhile: forks and runs programs as usual.
	if host_ok=$(timeout 20 bash -c 'for i in $(seq 50); do /bin/true || exit 1; done; echo ok'); then
		expect_eq "$via: the host stays responsive during the fork bomb" "ok" "$host_ok"
	else
		fail "$via: the host stays responsive during the fork bomb" "50 x /bin/true did not finish in 20 s"
	fi
	"$NSISO" stop "$ALICE" >/dev/null
	wait_gone "$ALICE"
	for _ in $(seq 50); do [ -z "$(t87_inside_pids)" ] && break; sleep 0.1; done
	expect_eq "$via: nsiso stop ends the fork bomb" "" "$(t87_inside_pids)"
	wait "$hold" 2>/dev/null
}

t87_limits_policy() {
	t87_policy "memory_max = 64M
pids_max = 40
cpu_weight = 50"
}

t_87_cgroup_limits() {
	local uid slice
	uid=$(id -u "$ALICE")
	if ! has_v2_controller pids; then
		t87_limits_refused
		return
	fi
	t87_limits_policy
	if systemd_host; then
		slice="$(cg2_root)/user.slice/user-$uid.slice"
		t87_sshd_start
		t87_limits_enforced ssh t87_ssh "$slice"
		expect_eq "ssh: systemd holds the limits as the slice's properties" \
			"TasksMax=40 MemoryMax=$((64 << 20)) CPUWeight=50" \
			"$(systemctl show -p TasksMax -p MemoryMax -p CPUWeight "user-$uid.slice" | sort -r | tr '\n' ' ' | sed 's/ $//')"
		t87_systemd_refusals
		t87_sshd_stop
		systemctl revert "user-$uid.slice" >/dev/null 2>&1
		t87_limits_policy
		# The same policy where systemd does not run the cgroup tree:
		# a login in a mount namespace without /run/systemd.
		t87_limits_direct t87_runuser_without_systemd
	else
		t87_limits_direct runuser_l
	fi
}

# runuser -l in a mount namespace where /run/systemd is empty: the module
# and the helper take the host for one without systemd.
t87_runuser_without_systemd() {
	unshare -m bash -c 'mount -t tmpfs -o size=1m none /run/systemd &&
		exec runuser -l "$0" -c "$1"' "$1" "$2"
}

# t87_limits_direct RUN: the environment's own directory holds the limits.
t87_limits_direct() {
	local uid dir
	uid=$(id -u "$ALICE")
	dir="$(cg2_root)/nsiso/user-$uid"
	t87_limits_enforced "runuser -l, own directory" "$1" "$dir"
	if [ -d "$dir" ]; then fail "the limited directory is removed after nsiso stop" "$dir"
	else pass "the limited directory is removed after nsiso stop"; fi
}

# systemd host: what is refused so that the slice's limits hold.
t87_systemd_refusals() {
	local uid gid out rc bg
	uid=$(id -u "$ALICE")
	gid=$(id -g "$ALICE")
	# A process from outside the user's slice (here: the test's own
	# cgroup, like a cron job's) may not add itself to a limited
	# environment through the setuid nsiso-enter.
	t87_ssh "$ALICE" 'exec sleep 5' &
	bg=$!
	wait_live "$ALICE"
	chown root:root "$ENTER"
	chmod 4755 "$ENTER"
	out=$(setpriv --reuid="$uid" --regid="$gid" --init-groups "$ENTER" -- true 2>&1 </dev/null)
	rc=$?
	chmod 0755 "$ENTER"
	expect_ne "nsiso-enter from outside user-$uid.slice is refused" "0" "$rc"
	expect_match "(the message names both cgroups)" \
		"limited through /user.slice/user-$uid.slice, but this process runs in .*, outside it" "$out"
	wait "$bg"
	wait_gone "$ALICE"
	# max would lift the slice's own TasksMax until reboot.
	t87_policy "pids_max = max"
	mark_log
	if t87_ssh "$ALICE" true 2>/dev/null; then
		fail "pids_max = max is refused on a systemd host" "the login succeeded"
	else
		pass "pids_max = max is refused on a systemd host"
	fi
	expect_log "(naming the file and line)" "user/$ALICE.conf:2: pids_max = max: on a systemd host leave the line out"
	expect_eq "(nothing was built)" "" "$(init_pid_of "$ALICE")"
}
