# shellcheck shell=bash
# The runner shared by the root-only suites (tests/integration/run.sh and
# tests/security/run.sh). A suite's run.sh sets the variables below, defines
# its hooks, sources this file and calls `suite_main "$@"`; suite_main then
# runs the script twice:
#
#   outer half, on the host: a work dir under /var/lib (not /tmp, which the
#     environments cover, and nested logins must still reach the module and
#     the policy), the binaries installed into $W/bin, hostrun_enter, the
#     script again under `unshare --mount` (the inner half), and afterwards
#     the checks that nothing is left on the host: environments of the
#     suite's inits, users of its prefix, whatever suite_host_check looks at;
#     then hostrun_leave and the work dir removed. Exit 0 only when the inner
#     half passed and nothing was left.
#   inner half, in the suite's own mount namespace with / made rshared as on
#     systemd (propagation bugs show up on this machine too): suite_load,
#     suite_setup (the fixture: users, PAM stacks, sshd...), the tests, and
#     the summary line "$SUITE_NAME: N passed, M failed".
#
# Variables (set before suite_main):
#   SUITE_NAME     integration, security: messages and the summary line
#   SUITE_WORKDIR  the work dir's name in /var/lib (mktemp adds .XXXXXX)
#   SUITE_USERS    prefix of the suite's users, e.g. nsit-
#   SUITE_INITS    ERE for the names of the suite's inits after
#                  "^nsiso-init: ", e.g. "(nsit-|root)"
#   SUITE_TESTS    prefix of the test functions, t_ or s_
#
# Hooks (functions of run.sh):
#   suite_install        outer: install what the suite needs beyond the common
#                        part ($W/bin: pam_nsiso.so, nsiso, nsiso-helper-faults);
#                        nonzero aborts the run before anything is made
#   suite_host_snapshot  optional, outer, before the namespace is made
#   suite_host_check     optional, outer, after it is gone: print "FAIL: ..."
#                        and return nonzero when the host was changed
#   suite_load           inner (and for --list): source lib.sh and the tests
#   suite_setup          inner: the EXIT trap and the fixture; nonzero aborts
#
# Arguments of run.sh: none runs every test; otherwise each is a test
# function's name or a prefix of names (t_13 runs t_13_su, s_45 every
# s_45_*), checked before anything is built: an unknown name exits 2.
# `run.sh --list` prints the names (no root needed).

# The suite's test functions, sorted; in a subshell: suite_load defines them.
suite_list() (
	export NSISO_TEST_DIR=${NSISO_TEST_DIR:-/nonexistent}
	suite_load >/dev/null 2>&1
	declare -F | awk '{print $3}' | grep "^$SUITE_TESTS" | sort
)

# suite_resolve NAME...: the test functions meant by NAMEs (see above).
suite_resolve() {
	local all a m bad=0
	all=$(suite_list)
	for a in "$@"; do
		if printf '%s\n' "$all" | grep -qxF -- "$a"; then
			printf '%s\n' "$a"
			continue
		fi
		m=$(printf '%s\n' "$all" | awk -v p="$a" 'index($0, p) == 1')
		if [ -z "$m" ]; then
			echo "$SUITE_NAME: no test named $a (run.sh --list)" >&2
			bad=1
		fi
		[ -z "$m" ] || printf '%s\n' "$m"
	done
	return $bad
}

suite_inits() { pgrep -f "^nsiso-init: $SUITE_INITS" || true; }

suite_outer() {
	local W rc left p
	W=$(mktemp -d "/var/lib/$SUITE_WORKDIR.XXXXXX") || exit 1
	# The helper with fault points (make faults): a shorter set-up deadline.
	# Optional, as are the ASan builds: check-vm's copy of the tree has no
	# build/faults or build/asan-bin, tests/reliability.sh builds no
	# asan-bins; the tests that use them fail or skip on their own.
	install -d -m 0755 "$W/bin"
	install -o root -g root -m 0755 "$TOP/build/faults/nsiso-helper" "$W/bin/nsiso-helper-faults"
	# A binary the suite cannot do without (make all) stops here, before
	# any user or namespace is made.
	if ! { chmod 0755 "$W" &&
		install -m 0644 "$TOP/root/pam_nsiso/pam_nsiso.so" "$W/bin/" &&
		install -m 0755 "$TOP/root/nsiso/nsiso" "$W/bin/" &&
		suite_install "$W"; }; then
		rm -rf "$W"
		exit 1
	fi
	if declare -F suite_host_snapshot >/dev/null; then
		suite_host_snapshot
	fi
	# A directory for the suite's tmpfs on /run/nsiso; the host's /run
	# ends as it began (tests/lib/hostrun.sh).
	. "$TOP/tests/lib/hostrun.sh"
	hostrun_enter || { rm -rf "$W"; exit 1; }
	NSISO_IN_TEST_NS=1 NSISO_TEST_DIR=$W unshare --mount --propagation private \
		"$0" "$@" {HOSTRUN_FD}<&-
	rc=$?
	# Only the suite's own environments and users: other suites may run
	# on this machine at the same time.
	left=$(suite_inits)
	if [ -n "$left" ]; then
		echo "FAIL: environments of the suite left running:" >&2
		for p in $left; do
			ps -o pid=,args= -p "$p" >&2
			kill -KILL "$p" 2>/dev/null
		done
		rc=1
	fi
	if getent passwd | grep -q "^$SUITE_USERS"; then
		echo "FAIL: test users left behind" >&2
		rc=1
	fi
	if declare -F suite_host_check >/dev/null && ! suite_host_check; then
		rc=1
	fi
	hostrun_leave
	rm -rf "$W"
	exit $rc
}

suite_inner() {
	local t tests
	mount --make-rshared /
	suite_load
	suite_setup || exit 1
	if [ $# -gt 0 ]; then
		tests=("$@")
	else
		mapfile -t tests < <(declare -F | awk '{print $3}' | grep "^$SUITE_TESTS" | sort)
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
	echo "$SUITE_NAME: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

suite_main() {
	local resolved names
	if [ "${1:-}" = --list ]; then
		suite_list
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "$SUITE_NAME tests need root" >&2
		exit 1
	fi
	if [ -n "${NSISO_IN_TEST_NS:-}" ]; then
		suite_inner "$@"
		exit $?
	fi
	if [ $# -gt 0 ]; then
		resolved=$(suite_resolve "$@") || exit 2
		mapfile -t names <<<"$resolved"
		set -- "${names[@]}"
	fi
	suite_outer "$@"
}
