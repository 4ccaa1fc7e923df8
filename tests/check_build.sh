#!/bin/bash
# The build's promises: the module exports only pam_sm_*, and every binary
# is PIE with full RELRO (BIND_NOW) and a non-executable stack (nsiso-init:
# static, with RELRO, a non-executable stack and the stack protector).
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
check() {
	if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "  ok   $1"
	else failed=$((failed + 1)); echo "  FAIL $1: expected '$2', got '$3'"; fi
}
check "the module exports only pam_sm_open_session and pam_sm_close_session" \
	"pam_sm_close_session pam_sm_open_session" \
	"$(nm -D --defined-only pam_nsiso/pam_nsiso.so | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ' | sed 's/ $//')"
for bin in pam_nsiso/pam_nsiso.so helper/nsiso-helper cli/nsiso shell/nsiso-shell; do
	check "$bin: BIND_NOW (full RELRO)" 1 "$(readelf -d "$bin" | grep -c 'FLAGS_1.*NOW')"
	check "$bin: GNU_RELRO segment" 1 "$(readelf -lW "$bin" | grep -c GNU_RELRO)"
	check "$bin: non-executable stack" "RW" "$(readelf -lW "$bin" | awk '/GNU_STACK/ {print $7}')"
	check "$bin: stack protector" 1 "$(nm -D "$bin" | grep -c '__stack_chk_fail' | sed 's/[2-9]/1/')"
done
for bin in helper/nsiso-helper cli/nsiso shell/nsiso-shell; do
	check "$bin: PIE" 1 "$(readelf -d "$bin" | grep -c 'FLAGS_1.*PIE')"
done
# nsiso-init: static (musl-gcc has no static-pie), so no dynamic section
# and no BIND_NOW to check; RELRO, the stack and the protector still hold.
bin=helper/nsiso-init
check "$bin: statically linked, no interpreter" 0 "$(readelf -lW "$bin" | grep -c INTERP)"
check "$bin: GNU_RELRO segment" 1 "$(readelf -lW "$bin" | grep -c GNU_RELRO)"
check "$bin: non-executable stack" "RW" "$(readelf -lW "$bin" | awk '/GNU_STACK/ {print $7}')"
check "$bin: stack protector" 1 "$(nm "$bin" | grep -c ' __stack_chk_fail$' | sed 's/[2-9]/1/')"
echo "build: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
