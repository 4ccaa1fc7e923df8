#!/bin/bash
# Integration tests: real PAM stacks (sshd, login, su -l, runuser -l,
# pamtester), real users, a real sshd on 127.0.0.1 with key authentication,
# and assertions on the kernel state seen from inside the sessions.
#
# Usage (root): tests/integration/run.sh [TEST_FUNCTION|PREFIX...]
#               tests/integration/run.sh --list
# Prints "integration: N passed, M failed"; exit 0 only when nothing failed
# and nothing was left on the host. The outer half (work dir, namespace,
# leftover checks) is tests/lib/suite.sh.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)

SUITE_NAME=integration
SUITE_WORKDIR=nsiso-it
SUITE_USERS=nsit-
# The suite's environments: its users' and root's.
SUITE_INITS='(nsit-|root)'
SUITE_TESTS=t_

suite_install() {
	# Each helper execs the nsiso-init next to it (the environment's init).
	install -m 0755 "$TOP/root/nsiso-helper/nsiso-helper" "$TOP/root/nsiso-resolve/nsiso-resolve" "$TOP/root/nsiso-init/nsiso-init" "$W/bin/" || return 1
	# Setuid only in the tests that need it (they chmod 4755 and back).
	install -m 0755 "$TOP/setuid/nsiso-enter/nsiso-enter" "$W/bin/" || return 1
	# Helpers that tests run inside sessions: the checkout may live under
	# /tmp, which an environment hides.
	install -d -m 0755 "$W/lib" &&
	install -m 0644 "$TOP"/tests/lib/* "$W/lib/" || return 1
	# make asan-bins; optional (see tests/lib/suite.sh).
	install -d -m 0755 "$W/asan"
	install -m 0644 "$TOP/build/asan-bin/pam_nsiso.so" "$W/asan/"
	install -m 0755 "$TOP/build/asan-bin/nsiso-helper" "$TOP/build/asan-bin/nsiso-resolve" "$TOP/root/nsiso-init/nsiso-init" "$W/asan/"
	return 0
}

suite_load() {
	. "$TOP/tests/integration/lib.sh"
	for f in "$TOP"/tests/integration/t_*.sh; do
		# shellcheck source=/dev/null
		. "$f"
	done
}

suite_setup() {
	trap cleanup EXIT
	setup_rundir
	setup_syslog
	setup_pam
	setup_users
	reset_policy
	setup_sshd
}

. "$TOP/tests/lib/suite.sh"
suite_main "$@"
