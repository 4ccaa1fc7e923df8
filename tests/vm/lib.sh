# The check scripts' shared harness (sourced by guest-checks.sh,
# package-checks.sh and ansible-checks.sh): counting, the expectations,
# sections and bounded waits. Each script prints its own summary line with
# summary NAME ("NAME: N passed, M failed"), which run.sh reads.
# shellcheck shell=bash

PASSED=0
FAILED=0
FAILED_NAMES=()
SECTION=
T0=$(date +%s)

pass() { PASSED=$((PASSED + 1)); printf '  ok   %s\n' "$1"; }
fail() {
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$SECTION: $1")
	printf '  FAIL %s\n' "$1"
	[ -n "${2:-}" ] && printf '       %s\n' "$2" | head -c 1500
	return 0
}
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi; }
expect_ne() { if [ "$2" != "$3" ]; then pass "$1"; else fail "$1" "both are '$2'"; fi; }
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"
	else fail "$1" "no match for /$2/ in: $(printf '%s' "$3" | head -c 800)"; fi
}
expect_no_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		fail "$1" "unexpected /$2/ in: $(printf '%s' "$3" | head -c 800)"
	else pass "$1"; fi
}
section() { SECTION=$1; printf '%s  [%ss]\n' "$1" "$(( $(date +%s) - T0 ))"; }
log() { printf '       (%s)\n' "$*"; }

# wait_for SECONDS CMD...: poll until CMD succeeds; bounded.
wait_for() {
	local limit=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$limit" ] && return 1
		sleep 0.2
	done
}

# summary NAME: the failures, then the line run.sh reads; the status says
# whether all passed.
summary() {
	echo
	[ "$FAILED" -gt 0 ] && printf 'failed: %s\n' "${FAILED_NAMES[@]}"
	echo "$1: $PASSED passed, $FAILED failed ($(( $(date +%s) - T0 ))s)"
	[ "$FAILED" -eq 0 ]
}
