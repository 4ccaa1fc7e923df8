# shellcheck shell=bash
# The benchmarks' mount namespace of their own (tests/bench/login_latency.sh,
# tests/bench/nss_groups.sh), so that suites running at the same time on
# this machine are not disturbed and the host's /run/nsiso ends as it
# began (hostrun.sh). Sourced by the script, which runs twice: on the host,
# then inside the namespace.
#
#   benchns_enter "TARGETS" "$0" "$@"
#           first: on the host, makes TARGETS, re-runs the script in a
#           mount namespace of its own with NSISO_BENCH_DIR a fresh
#           directory under /var/lib (removed at the end), and exits with
#           it; inside, returns at once
#   benchns_setup
#           inside: a tmpfs over /run/nsiso (the host's directory,
#           hostrun_enter) and a private copy of /etc/pam.d, which the
#           script may change

benchns_enter() {
	local targets=$1
	shift
	[ -z "${NSISO_BENCH_NS:-}" ] || return 0
	. "$TOP/tests/lib/hostrun.sh"
	W=$(mktemp -d /var/lib/nsiso-bench.XXXXXX)
	chmod 0755 "$W"
	trap 'hostrun_leave; rm -rf "$W"' EXIT
	# shellcheck disable=SC2086 # a list of make targets
	make -C "$TOP" -s $targets
	hostrun_enter
	NSISO_BENCH_NS=1 NSISO_BENCH_DIR=$W unshare --mount --propagation private "$@" {HOSTRUN_FD}<&-
	exit
}

benchns_setup() {
	mount -t tmpfs -o mode=0700,size=1m nsiso-bench /run/nsiso  # the host's directory: hostrun_enter
	mkdir -p "$NSISO_BENCH_DIR/pam.d" && cp -a /etc/pam.d/. "$NSISO_BENCH_DIR/pam.d/" &&
		mount --bind "$NSISO_BENCH_DIR/pam.d" /etc/pam.d
}
