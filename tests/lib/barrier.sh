# shellcheck shell=bash
# The login barrier of the root-only suites (tests/integration/t_95_*,
# tests/security/s_80_*): logins that must be open at the same time are
# held behind it, not for a fixed time, so that however slow the machine
# is at fork+exec all of them are open at once when the test looks.
#
# Each held login says it is in (a file in $BAR, which the environments
# of the suites' policies see: $W is not covered) and then waits for a
# shared flock on $BAR/release, which the test holds exclusively until it
# has looked.
#
#   bar_start DIR             a fresh barrier at DIR (under $W), closed
#   bar_hold TAG CMD LAUNCHER...  in the background, LAUNCHER... "SCRIPT",
#                             where SCRIPT runs CMD and holds at the barrier
#                             (LAUNCHER ends with the option that takes a
#                             command, e.g. runuser -l USER -c)
#   bar_login USER TAG CMD    bar_hold by runuser -l USER, as root
#   bar_wait N [TIMEOUT [STEP]]  prints how many are in, once N are
#   bar_out TAG               what CMD of the login TAG printed
#   bar_release               opens the barrier, waits for the held logins;
#                             BAR_FAILED is how many failed
#
# Sourced by the suites' test files.

# bar_start DIR: a fresh barrier, closed.
bar_start() {
	BAR=$1
	rm -rf "$BAR"
	install -d -m 1777 "$BAR"
	install -m 0644 /dev/null "$BAR/release"
	exec {BAR_FD}> "$BAR/release"
	flock -x "$BAR_FD"
	BAR_PIDS=()
}

# bar_cmd TAG CMD: the shell command a held login runs: CMD's output goes
# to $BAR/in.TAG (whole, then renamed), then it waits for the release.
bar_cmd() {
	printf '{ %s; } > %s/out.%s 2>&1; mv %s/out.%s %s/in.%s; flock -s %s/release true' \
		"$2" "$BAR" "$1" "$BAR" "$1" "$BAR" "$1" "$BAR"
}

# bar_hold TAG CMD LAUNCHER...: LAUNCHER... "$(bar_cmd TAG CMD)", in the
# background. The barrier's fd is not passed on: the release is the test
# closing it.
bar_hold() {
	local tag=$1 cmd=$2
	shift 2
	"$@" "$(bar_cmd "$tag" "$cmd")" >/dev/null 2>&1 {BAR_FD}>&- &
	BAR_PIDS+=($!)
}

# bar_login USER TAG CMD: as root, runuser -l USER holding at the barrier.
bar_login() { bar_hold "$2" "$3" runuser -l "$1" -c; }

# bar_wait N [TIMEOUT [STEP]]: until N logins are in, or one of them has
# ended (it did not get in, and never will: none may end before the
# release), or TIMEOUT seconds have passed (only a guard against a hang;
# default 300). Looks every STEP seconds (default 0.1). Prints how many
# are in.
bar_wait() {
	local n=$1 timeout=${2:-300} step=${3:-0.1} in p alive deadline
	deadline=$((SECONDS + timeout))
	while :; do
		in=$(find "$BAR" -maxdepth 1 -name 'in.*' | wc -l)
		[ "$in" -ge "$n" ] && break
		alive=0
		for p in "${BAR_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
		[ "$alive" -lt "${#BAR_PIDS[@]}" ] && break
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep "$step"
	done
	echo "$in"
}

# bar_release: open the barrier and wait for the held logins; BAR_FAILED
# is how many failed. (Not in a $(...): the lock and the logins are this
# shell's.)
bar_release() {
	local p
	BAR_FAILED=0
	exec {BAR_FD}>&-
	for p in "${BAR_PIDS[@]}"; do wait "$p" || BAR_FAILED=$((BAR_FAILED + 1)); done
	BAR_PIDS=()
}

bar_out() { cat "$BAR/in.$1" 2>/dev/null; }
