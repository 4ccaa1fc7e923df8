#!/bin/bash
# The adversarial suite: attacks on the setuid helper, the module, the
# environments' inits and the policy, run as unprivileged test users
# (nssec-*). Every attack asserts that nothing was gained and that the
# refusal says why.
#
# Usage (root): tests/security/run.sh [TEST_FUNCTION|PREFIX...]
#               tests/security/run.sh --list
# Prints "security: N passed, M failed"; exit 0 only when nothing failed
# and nothing was left on the host. The outer half (work dir, namespace,
# leftover checks) is tests/lib/suite.sh.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)

SUITE_NAME=security
SUITE_WORKDIR=nsiso-sec
SUITE_USERS=nssec-
# Our own environments: inits renamed "nsiso-init: nssec-...".
SUITE_INITS=nssec-
SUITE_TESTS=s_

# (sec_cleanup kills these too)
# shellcheck disable=SC2317
our_inits() { suite_inits; }

# The binaries with the helper setuid root as installed, and the attackers.
suite_install() {
	install -d -m 1777 "$W/marks" &&
	# As installed: the builder root's alone, nsiso-enter and nsiso-shell
	# setuid root.
	install -o root -g root -m 0755 "$TOP/root/nsiso-helper/nsiso-helper" "$W/bin/" &&
	install -o root -g root -m 4755 "$TOP/setuid/nsiso-enter/nsiso-enter" "$W/bin/" &&
	install -o root -g root -m 0755 "$TOP/root/nsiso-init/nsiso-init" "$TOP/root/nsiso-resolve/nsiso-resolve" "$W/bin/" &&
	install -o root -g root -m 4755 "$TOP/setuid/nsiso-shell/nsiso-shell" "$W/bin/" &&
	cc -O1 -Wall -I"$TOP/setuid/lib" -I"$TOP/root/policy" -I"$TOP/glibc-musl" -o "$W/bin/nssec-attack" "$TOP/tests/security/attack.c" &&
	cc -O1 -Wall -shared -fPIC -DMARK_DIR="\"$W/marks\"" \
		-o "$W/bin/evil.so" "$TOP/tests/security/evil_preload.c" &&
	cc -O1 -Wall -Wextra -o "$W/bin/nssec-fuse-hang" "$TOP/tests/security/fuse_hang.c" &&
	chmod 0755 "$W/bin/nssec-attack" "$W/bin/evil.so" "$W/bin/nssec-fuse-hang"
}

# The host's mount table: nothing of ours may stay in it.
host_mounts() { grep -E 'nsiso|nssec' /proc/self/mountinfo | cut -d' ' -f5- | sort; }
suite_host_snapshot() { HOST_BEFORE=$(host_mounts); }
suite_host_check() {
	if [ "$HOST_BEFORE" != "$(host_mounts)" ]; then
		echo "FAIL: the host's mount table changed" >&2
		return 1
	fi
}

# lib.sh brings the assertions, deny_case, the PAM and /run/nsiso set-up
# and sshd; the users and the clean-up are ours (prefix nssec).
suite_load() {
	. "$TOP/tests/integration/lib.sh"
	. "$TOP/tests/security/lib.sh"
	for f in "$TOP"/tests/security/s_*.sh; do
		# shellcheck source=/dev/null
		. "$f"
	done
}

suite_setup() {
	trap sec_cleanup EXIT
	setup_rundir
	sec_setup_syslog
	setup_pam
	sec_setup_users
	reset_policy
	setup_sshd
}

. "$TOP/tests/lib/suite.sh"
suite_main "$@"
