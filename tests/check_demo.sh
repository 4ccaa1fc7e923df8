#!/bin/bash
# `make demo` leaves the host's /run/nsiso as it found it: there or not, its
# type, mode and owner (issue 15, item 9: a demo that left it 0755 made the
# helper refuse every login afterwards). The demo runs twice in a mount
# namespace whose /run is a fresh tmpfs, so the host's is not touched: as on
# a machine where nothing has made /run/nsiso yet, and as on one whose
# helper made it (root, 0700). Then once on this machine as it is. Root;
# about 15 s.
set -u
cd "$(dirname "$0")/.."
state() { stat -c '%F %a %U:%G' /run/nsiso 2>/dev/null || echo absent; }
# Neither a calling make's jobserver nor its variables.
demo() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s demo > "$1" 2>&1; }

if [ "${1:-}" = --fresh-run ]; then
	# In a mount namespace of our own: a /run with nothing in it, or with
	# the directory the helper makes. Prints "RC BEFORE|AFTER".
	mount -t tmpfs -o mode=0755,size=1m nsiso-check-run /run || exit 1
	[ "$2" = made ] && mkdir -m 0700 /run/nsiso
	before=$(state)
	demo "$3"
	echo "$? $before|$(state)"
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "check_demo.sh needs root (the demo does)" >&2; exit 1; }
passed=0 failed=0
check() {
	if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "  ok   $1"
	else failed=$((failed + 1)); echo "  FAIL $1: expected '$2', got '$3'"; fi
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
host_before=$(state)

# ran LOG: the demo got as far as the side-by-side view and the last step.
ran() { grep -q 'SESSION of nsiso-demo' "$1" && grep -q '^stopped 1 environment' "$1" && echo yes; }

r=$(unshare --mount --propagation private "$0" --fresh-run none "$T/fresh.log")
check "no /run/nsiso before the demo: it runs" "0 yes" "${r%% *} $(ran "$T/fresh.log")"
check "no /run/nsiso before the demo: none after it" "absent|absent" "${r#* }"
r=$(unshare --mount --propagation private "$0" --fresh-run made "$T/made.log")
check "/run/nsiso root's, 0700 before the demo: it runs" "0 yes" "${r%% *} $(ran "$T/made.log")"
check "/run/nsiso root's, 0700 before the demo: the same after it" \
	"directory 700 root:root|directory 700 root:root" "${r#* }"

demo "$T/host.log"; rc=$?
check "on this machine as it is: the demo runs" "0 yes" "$rc $(ran "$T/host.log")"
check "on this machine as it is: /run/nsiso unchanged ($host_before)" "$host_before" "$(state)"
if [ "$failed" -ne 0 ]; then
	for f in "$T"/*.log; do echo "--- the end of $(basename "$f" .log)'s demo:"; tail -15 "$f"; done
fi
echo "demo: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
