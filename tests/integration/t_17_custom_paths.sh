# A build and an install with paths of their own (issue 15, item 6): the
# module, named by absolute path and given no arguments, runs the helper and
# reads the policy directory compiled into it, and a login through it is
# isolated. (The strings of such a build, and an install with other paths
# than the build's: tests/check_build.sh.)

t_17_custom_paths() {
	local src=$W/paths-src P=$W/paths out pid
	# The VM guest (tests/vm) has no compiler; every other runner has.
	if ! command -v cc >/dev/null || ! command -v musl-gcc >/dev/null; then
		log "custom paths: skipped, no cc or musl-gcc to build with"
		return
	fi
	rm -rf "$src" "$P"
	# A scratch copy of the tree: the checkout's objects stay as they are.
	mkdir -p "$src"
	tar -C "$TOP" --exclude=./.git --exclude=./build/asan --exclude=./build/asan-bin \
		--exclude=./build/faults --exclude=./build/fuzz -cf - . | tar -C "$src" -xf -
	# Neither a calling make's jobserver nor its variables.
	if out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" -j"$(nproc)" \
		PREFIX="$P" LIBEXECDIR="$P/lx" SYSCONFDIR="$P/conf" PAMDIR="$P/pam" install 2>&1); then
		pass "custom paths: make install with PREFIX, LIBEXECDIR, SYSCONFDIR, PAMDIR of its own"
	else
		fail "custom paths: make install with PREFIX, LIBEXECDIR, SYSCONFDIR, PAMDIR of its own" \
			"$(printf '%s' "$out" | tail -5)"
		rm -rf "$src" "$P"
		return
	fi
	rm -rf "$src"
	expect_eq "custom paths: the helper is root's, not setuid; nsiso-enter and nsiso-shell are setuid root" \
		"755 root 4755 root 4755 root" \
		"$(stat -c '%a %U' "$P/lx/nsiso/nsiso-helper" "$P/lx/nsiso/nsiso-enter" "$P/lx/nsiso/nsiso-shell" | tr '\n' ' ' | sed 's/ $//')"
	cat > "$P/conf/security/nsiso/default.conf" <<'EOF'
namespaces = mount uts ipc pid
hostname = %u-paths
tmpfs = /tmp
linger = 0
EOF
	chmod 0644 "$P/conf/security/nsiso/default.conf"
	expect_match "custom paths: the installed nsiso checks the installed policy directory" \
		"^$P/conf/security/nsiso" "$("$P/sbin/nsiso" check 2>&1)"

	# runuser -l through the installed module alone: no policy= or helper=.
	# A fresh environment, not one an earlier test left lingering.
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait_gone "$ALICE"
	{ cat "$W/pam.orig/runuser-l"; echo "session required $P/pam/pam_nsiso.so debug"; } \
		> /etc/pam.d/runuser-l
	mark_log
	out=$(runuser_l "$ALICE" 'echo mnt=$(readlink /proc/self/ns/mnt); echo host=$(hostname)
		sleep 30 >/dev/null 2>&1 & echo started')
	expect_ne "custom paths: the login's mount namespace differs from the host's" \
		"mnt=$(host_ns mnt)" "$(printf '%s\n' "$out" | grep '^mnt=')"
	expect_eq "custom paths: the hostname is the policy's" "host=$ALICE-paths" \
		"$(printf '%s\n' "$out" | grep '^host=')"
	expect_log "custom paths: the module read the installed policy" \
		"$P/conf/security/nsiso/default.conf"
	# The environment lives on with the sleep: its init is the installed one,
	# and the installed nsiso lists and stops it.
	pid=$("$P/sbin/nsiso" list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["uid"] == int(sys.argv[1]):
        print(e["init_pid"])' "$(id -u "$ALICE")")
	expect_eq "custom paths: the environment's init is the installed nsiso-init" \
		"$P/lx/nsiso/nsiso-init" "$(readlink "/proc/$pid/exe" 2>/dev/null)"
	"$P/sbin/nsiso" stop "$ALICE" >/dev/null 2>&1
	if wait_gone "$ALICE"; then pass "custom paths: the installed nsiso stops it"
	else fail "custom paths: the installed nsiso stops it"; "$NSISO" stop "$ALICE" >/dev/null 2>&1; fi

	{ cat "$W/pam.orig/runuser-l"; pam_line; } > /etc/pam.d/runuser-l
	rm -rf "$P"
}
