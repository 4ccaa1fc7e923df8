#!/bin/bash
# Integration tests: real PAM stacks (sshd, login, su -l, runuser -l,
# pamtester), real users, a real sshd on 127.0.0.1 with key authentication,
# and assertions on the kernel state seen from inside the sessions.
#
# Usage (root): tests/integration/run.sh [TEST_FUNCTION...]
set -u

if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root" >&2
	exit 1
fi

TOP=$(cd "$(dirname "$0")/../.." && pwd)

if [ -z "${NSISO_IN_TEST_NS:-}" ]; then
	# Outer half: make a work dir, run the suite in its own mount
	# namespace, then check that nothing it built is left on the host.
	# Not under /tmp: the environments get a private /tmp, and nested
	# logins inside them must still reach the module and the policy.
	W=$(mktemp -d /var/lib/nsiso-it.XXXXXX)
	chmod 0755 "$W"
	install -d -m 0755 "$W/bin"
	install -m 0644 "$TOP/pam_nsiso/pam_nsiso.so" "$W/bin/"
	# Each helper execs the nsiso-init next to it (the environment's init).
	install -m 0755 "$TOP/helper/nsiso-helper" "$TOP/init/nsiso-init" "$TOP/cli/nsiso" "$W/bin/"
	install -m 0755 "$TOP/build/faults/nsiso-helper" "$W/bin/nsiso-helper-faults"
	install -d -m 0755 "$W/asan"
	install -m 0644 "$TOP/build/asan-bin/pam_nsiso.so" "$W/asan/"
	install -m 0755 "$TOP/build/asan-bin/nsiso-helper" "$TOP/init/nsiso-init" "$W/asan/"
	# Helpers that tests run inside sessions: the checkout may live under
	# /tmp, which an environment hides.
	install -d -m 0755 "$W/lib"
	install -m 0644 "$TOP"/tests/lib/* "$W/lib/"
	# A directory for the suite's tmpfs on /run/nsiso; the host's /run
	# ends as it began (tests/lib/hostrun.sh).
	. "$TOP/tests/lib/hostrun.sh"
	hostrun_enter || { rm -rf "$W"; exit 1; }
	NSISO_IN_TEST_NS=1 NSISO_TEST_DIR=$W unshare --mount --propagation private \
		"$0" "$@" {HOSTRUN_FD}<&-
	rc=$?
	# Only the suite's own environments (its users, and root's): other
	# suites may run on this machine at the same time.
	leftovers=$(pgrep -a -f '^nsiso-init: (nsit-|root)' || true)
	if [ -n "$leftovers" ]; then
		echo "FAIL: environments left running after the suite:" >&2
		echo "$leftovers" >&2
		pkill -KILL -f '^nsiso-init: (nsit-|root)'
		rc=1
	fi
	if getent passwd | grep -q '^nsit-'; then
		echo "FAIL: test users left behind" >&2
		rc=1
	fi
	hostrun_leave
	rm -rf "$W"
	exit $rc
fi

# Inner half, in the suite's own mount namespace.
# On systemd hosts / is shared; reproduce that here so that propagation
# bugs show up on this machine too.
mount --make-rshared /

. "$TOP/tests/integration/lib.sh"
for f in "$TOP"/tests/integration/t_*.sh; do
	. "$f"
done

trap cleanup EXIT
setup_rundir
setup_syslog
setup_pam
setup_users
reset_policy
setup_sshd || exit 1

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(declare -F | awk '{print $3}' | grep '^t_' | sort)
fi
for t in "${tests[@]}"; do
	run_test "$t"
done

echo
if [ "$FAILED" -gt 0 ]; then
	printf 'failed: %s\n' "${FAILED_NAMES[@]}"
	echo "--- syslog (last 40 lines) ---"
	tail -40 "$SYSLOG"
fi
echo "integration: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
