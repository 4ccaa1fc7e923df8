#!/bin/bash
# The build's promises: the module exports only pam_sm_*, and every binary
# is PIE with full RELRO (BIND_NOW) and a non-executable stack (nsiso-init
# and nsiso-helper: static, with RELRO, a non-executable stack and the
# stack protector); the
# paths compiled in are the ones the build and the install were given.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
check() {
	if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "  ok   $1"
	else failed=$((failed + 1)); echo "  FAIL $1: expected '$2', got '$3'"; fi
}
check "the module exports only pam_sm_open_session and pam_sm_close_session" \
	"pam_sm_close_session pam_sm_open_session" \
	"$(nm -D --defined-only root/pam_nsiso/pam_nsiso.so | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ' | sed 's/ $//')"
for bin in root/pam_nsiso/pam_nsiso.so root/nsiso-resolve/nsiso-resolve root/nsiso/nsiso setuid/nsiso-enter/nsiso-enter setuid/nsiso-shell/nsiso-shell; do
	check "$bin: BIND_NOW (full RELRO)" 1 "$(readelf -d "$bin" | grep -c 'FLAGS_1.*NOW')"
	check "$bin: GNU_RELRO segment" 1 "$(readelf -lW "$bin" | grep -c GNU_RELRO)"
	check "$bin: non-executable stack" "RW" "$(readelf -lW "$bin" | awk '/GNU_STACK/ {print $7}')"
	check "$bin: stack protector" 1 "$(nm -D "$bin" | grep -c '__stack_chk_fail' | sed 's/[2-9]/1/')"
done
for bin in root/nsiso-resolve/nsiso-resolve root/nsiso/nsiso setuid/nsiso-enter/nsiso-enter setuid/nsiso-shell/nsiso-shell; do
	check "$bin: PIE" 1 "$(readelf -d "$bin" | grep -c 'FLAGS_1.*PIE')"
done
# nsiso-init and the builder, nsiso-helper: static (musl-gcc has no
# static-pie), so no dynamic section and no BIND_NOW to check; RELRO, the
# stack and the protector still hold.
for bin in root/nsiso-init/nsiso-init root/nsiso-helper/nsiso-helper; do
	check "$bin: statically linked, no interpreter" 0 "$(readelf -lW "$bin" | grep -c INTERP)"
	check "$bin: GNU_RELRO segment" 1 "$(readelf -lW "$bin" | grep -c GNU_RELRO)"
	check "$bin: non-executable stack" "RW" "$(readelf -lW "$bin" | awk '/GNU_STACK/ {print $7}')"
	check "$bin: stack protector" 1 "$(nm "$bin" | grep -c ' __stack_chk_fail$' | sed 's/[2-9]/1/')"
done

# The paths compiled in come from the Makefile (issue 15, item 6): a build
# with a PREFIX, LIBEXECDIR and SYSCONFDIR of its own, in a scratch copy of
# the tree (the checkout's objects are untouched), compiles them in and not
# the defaults; an install with other paths than the build rebuilds. The
# login through such an install: tests/integration/t_17_custom_paths.sh.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# Neither the make that runs this script's jobserver nor its variables.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$T/src" "$@"; }
mkdir "$T/src"
tar -C . --exclude=./.git --exclude=./build/asan --exclude=./build/asan-bin \
	--exclude=./build/faults --exclude=./build/fuzz -cf - . | tar -C "$T/src" -xf -
P=$T/p
A=(PREFIX="$P" LIBEXECDIR="$P/lx" SYSCONFDIR="$P/conf" PAMDIR="$P/pam")
out=$(mk -j"$(nproc)" "${A[@]}" all 2>&1); rc=$?
check "make with PREFIX, LIBEXECDIR, SYSCONFDIR of its own builds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -20
check "and a second make with the same paths has nothing to do" 0 \
	"$(mk -q "${A[@]}" all >/dev/null 2>&1; echo $?)"
out=$(mk "${A[@]}" install 2>&1); rc=$?
check "make install with the same paths installs without compiling" "0 0" \
	"$rc $(printf '%s\n' "$out" | grep -c -- ' -c -o ')"
for f in pam/pam_nsiso.so lx/nsiso/nsiso-helper lx/nsiso/nsiso-resolve lx/nsiso/nsiso-init lx/nsiso/nsiso-enter \
	lx/nsiso/nsiso-shell sbin/nsiso conf/security/nsiso/default.conf share/man/man8/nsiso.8; do
	check "installed: \$PREFIX/$f" yes "$([ -f "$P/$f" ] && echo yes)"
done
# Setuid root exactly where a user needs it (README, "Layout"): entering
# one's own environment and the user-namespace login shell; the builder,
# its resolver and the init are root's alone.
check "installed modes: the builder, the resolver and the init without setuid, nsiso-enter and nsiso-shell setuid root" \
	"755 755 755 4755 4755" \
	"$(cd "$P/lx/nsiso" && stat -c %a nsiso-helper nsiso-resolve nsiso-init nsiso-enter nsiso-shell | tr '\n' ' ' | sed 's/ $//')"
out=$(tests/setuid_size.sh 2>&1); rc=$?
check "the setuid programs are built from at most 2,000 lines of code (tests/setuid_size.sh)" 0 "$rc"
printf '%s\n' "$out" | tail -1 | sed 's/^ */       /'
# has BINARY STRING: how many of the binary's strings contain STRING.
has() { strings -n 6 "$1" | grep -cF -- "$2"; }
for bin in pam/pam_nsiso.so sbin/nsiso lx/nsiso/nsiso-enter lx/nsiso/nsiso-shell; do
	check "$bin: the custom helper path is compiled in" 1 \
		"$(has "$P/$bin" "$P/lx/nsiso/nsiso-helper" | sed 's/[2-9]/1/')"
	check "$bin: the default helper path is not" 0 "$(has "$P/$bin" /usr/libexec/nsiso)"
done
for bin in pam/pam_nsiso.so lx/nsiso/nsiso-helper lx/nsiso/nsiso-resolve sbin/nsiso; do
	check "$bin: the custom policy directory is compiled in" 1 \
		"$(has "$P/$bin" "$P/conf/security/nsiso" | sed 's/[2-9]/1/')"
done
for bin in pam/pam_nsiso.so lx/nsiso/nsiso-helper lx/nsiso/nsiso-resolve lx/nsiso/nsiso-enter lx/nsiso/nsiso-shell; do
	check "$bin: the default policy directory is not" 0 "$(has "$P/$bin" /etc/security/nsiso)"
done
# nsiso's usage text names the default directory in words (root/nsiso/main.c);
# no string is the default itself.
check "sbin/nsiso: the default policy directory is not compiled in" 0 \
	"$(strings -n 6 "$P/sbin/nsiso" | grep -cx /etc/security/nsiso)"
# Installing with other paths than the build's: everything that has a path
# compiled in is recompiled with the install's (DESTDIR: nothing leaves $T).
out=$(mk PREFIX=/opt/nsiso-b SYSCONFDIR=/etc/nsiso-b PAMDIR=/opt/nsiso-b/pam \
	DESTDIR="$T/d" install 2>&1); rc=$?
check "make install PREFIX=other after make: succeeds" 0 "$rc"
check "and says the paths differ from the build's" 1 \
	"$(printf '%s\n' "$out" | grep -c '^paths differ from the last build')"
check "and recompiles the module, the helper, its resolver, the shell and nsiso" yes \
	"$(for o in root/pam_nsiso/args.o build/musl/root/nsiso-helper/main.o root/nsiso-resolve/main.o setuid/nsiso-shell/nsiso-shell.o root/nsiso/check.o; do
		printf '%s\n' "$out" | grep -q -- "-c -o $o " || echo "$o"; done | grep -q . || echo yes)"
D=$T/d/opt/nsiso-b
check "the installed module runs the installed helper" 1 \
	"$(has "$D/pam/pam_nsiso.so" /opt/nsiso-b/libexec/nsiso/nsiso-helper | sed 's/[2-9]/1/')"
for bin in pam/pam_nsiso.so libexec/nsiso/nsiso-helper libexec/nsiso/nsiso-resolve sbin/nsiso; do
	check "$bin: reads the installed policy directory" 1 \
		"$(has "$D/$bin" /etc/nsiso-b/security/nsiso | sed 's/[2-9]/1/')"
	check "$bin: no path of the earlier build" 0 "$(has "$D/$bin" "$P/")"
done
# The setuid programs read no policy: they ask the installed helper.
for bin in libexec/nsiso/nsiso-enter libexec/nsiso/nsiso-shell; do
	check "$bin: runs the installed helper" 1 \
		"$(has "$D/$bin" /opt/nsiso-b/libexec/nsiso/nsiso-helper | sed 's/[2-9]/1/')"
	check "$bin: no path of the earlier build" 0 "$(has "$D/$bin" "$P/")"
done
check "the policy is installed under the install's SYSCONFDIR" yes \
	"$([ -f "$T/d/etc/nsiso-b/security/nsiso/default.conf" ] && echo yes)"
check "a relative path is refused" 2 \
	"$(mk -n PREFIX=usr/local all >/dev/null 2>&1; echo $?)"

echo "build: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
