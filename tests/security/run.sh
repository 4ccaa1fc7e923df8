#!/bin/bash
# The adversarial suite: attacks on the setuid helper, the module, the
# environments' inits and the policy, run as unprivileged test users
# (nssec-*). Every attack asserts that nothing was gained and that the
# refusal says why.
#
# Usage (root): tests/security/run.sh [TEST_FUNCTION...]
# Prints "security: N passed, M failed"; exit 0 only when nothing failed.
set -u

if [ "$(id -u)" != 0 ]; then
	echo "security tests need root" >&2
	exit 1
fi

TOP=$(cd "$(dirname "$0")/../.." && pwd)

# Our own environments: inits renamed "nsiso-init: nssec-...".
our_inits() { pgrep -f '^nsiso-init: nssec-' || true; }

if [ -z "${NSISO_IN_TEST_NS:-}" ]; then
	# Outer half: a work dir (not under /tmp, which environments cover),
	# the binaries with the helper setuid root as installed, the suite in
	# a mount namespace of its own, and a check of the host afterwards.
	W=$(mktemp -d /var/lib/nsiso-sec.XXXXXX)
	chmod 0755 "$W"
	install -d -m 0755 "$W/bin"
	install -d -m 1777 "$W/marks"
	install -m 0644 "$TOP/pam_nsiso/pam_nsiso.so" "$W/bin/"
	install -m 0755 "$TOP/cli/nsiso" "$W/bin/"
	install -o root -g root -m 4755 "$TOP/helper/nsiso-helper" "$W/bin/"
	install -o root -g root -m 0755 "$TOP/init/nsiso-init" "$W/bin/"
	install -o root -g root -m 4755 "$TOP/shell/nsiso-shell" "$W/bin/"
	cc -O1 -Wall -I"$TOP/common" -I"$TOP/glibc-musl" -o "$W/bin/nssec-attack" "$TOP/tests/security/attack.c" || exit 1
	cc -O1 -Wall -shared -fPIC -DMARK_DIR="\"$W/marks\"" \
		-o "$W/bin/evil.so" "$TOP/tests/security/evil_preload.c" || exit 1
	cc -O1 -Wall -Wextra -o "$W/bin/nssec-fuse-hang" "$TOP/tests/security/fuse_hang.c" || exit 1
	# The helper with fault points (make faults): a shorter set-up deadline.
	install -o root -g root -m 0755 "$TOP/build/faults/nsiso-helper" "$W/bin/nsiso-helper-faults"
	chmod 0755 "$W/bin/nssec-attack" "$W/bin/evil.so" "$W/bin/nssec-fuse-hang"
	host_before=$(grep -E 'nsiso|nssec' /proc/self/mountinfo | cut -d' ' -f5- | sort)
	# A directory for the suite's tmpfs on /run/nsiso; the host's /run
	# ends as it began (tests/lib/hostrun.sh).
	. "$TOP/tests/lib/hostrun.sh"
	hostrun_enter || { rm -rf "$W"; exit 1; }
	NSISO_IN_TEST_NS=1 NSISO_TEST_DIR=$W unshare --mount --propagation private \
		"$0" "$@" {HOSTRUN_FD}<&-
	rc=$?
	left=$(our_inits)
	if [ -n "$left" ]; then
		echo "FAIL: environments of the suite left running:" >&2
		for p in $left; do ps -o pid=,args= -p "$p" >&2; kill -KILL "$p"; done
		rc=1
	fi
	if getent passwd | grep -q '^nssec-'; then
		echo "FAIL: test users left behind" >&2
		rc=1
	fi
	if [ "$host_before" != "$(grep -E 'nsiso|nssec' /proc/self/mountinfo | cut -d' ' -f5- | sort)" ]; then
		echo "FAIL: the host's mount table changed" >&2
		rc=1
	fi
	hostrun_leave
	rm -rf "$W"
	exit $rc
fi

# Inner half, in the suite's own mount namespace, / rshared as on systemd.
mount --make-rshared /

# lib.sh brings the assertions, deny_case, the PAM and /run/nsiso set-up
# and sshd; the users and the clean-up are ours (prefix nssec).
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/security/lib.sh"
for f in "$TOP"/tests/security/s_*.sh; do
	. "$f"
done

trap sec_cleanup EXIT
setup_rundir
sec_setup_syslog
setup_pam
sec_setup_users
reset_policy
setup_sshd || exit 1

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(declare -F | awk '{print $3}' | grep '^s_' | sort)
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
echo "security: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
