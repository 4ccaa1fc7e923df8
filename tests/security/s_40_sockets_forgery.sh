# /run/nsiso: users cannot reach it, and state in it that the module or the
# helper did not make (a non-root listener, a wrong pidfd, a lock symlink,
# a loose directory) is refused, never joined.

s_40_sockets() {
	sec_policy
	local bu pid out
	bu=$(uid_of "$BOB")
	runuser_l "$BOB" 'sleep 8' >/dev/null 2>&1 &
	local sp=$!
	pid=$(wait_env "$BOB")
	expect_ne "bob's environment is live" "" "$pid"
	out=$(as_user "$ALICE" "$ATTACK" connect "/run/nsiso/user-$bu.sock")
	expect_eq "alice connecting to bob's environment socket: EACCES" "connect=EACCES" "$out"
	out=$(as_user "$BOB" "$ATTACK" connect "/run/nsiso/user-$bu.sock")
	expect_eq "bob connecting to his own environment socket: EACCES" "connect=EACCES" "$out"
	out=$(as_user "$ALICE" ls /run/nsiso 2>&1)
	expect_match "listing /run/nsiso as a user: permission denied" "Permission denied" "$out"
	out=$(as_user "$ALICE" touch /run/nsiso/forged 2>&1)
	expect_match "creating a file in /run/nsiso as a user: permission denied" "Permission denied" "$out"

	# Second lock: with the directory and the socket opened up, the init
	# still answers no one but root.
	chmod 0711 /run/nsiso
	chmod 0777 "/run/nsiso/user-$bu.sock"
	out=$(as_user "$ALICE" "$ATTACK" connect "/run/nsiso/user-$bu.sock")
	expect_match "socket opened up: alice's connect gets no answer" "reply=(EOF|ECONNRESET)" "$out"
	expect_match "socket opened up: and no pidfd" "fd=none" "$out"
	# ... and a build refuses the loose directory.
	mark_log
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "a build with /run/nsiso mode 0711 is denied"
	else pass "a build with /run/nsiso mode 0711 is denied"; fi
	expect_log "and says why" "/run/nsiso is refused: it must be owned by root with mode 0700 \\(found uid 0, mode 0711\\)"
	chmod 0700 /run/nsiso
	chmod 0600 "/run/nsiso/user-$bu.sock" 2>/dev/null
	chown "$ALICE" /run/nsiso
	mark_log
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "a build with /run/nsiso owned by a user is denied"
	else pass "a build with /run/nsiso owned by a user is denied"; fi
	expect_log "and says why" "/run/nsiso is refused: it must be owned by root"
	chown root /run/nsiso
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	"$NSISO" stop "$BOB" >/dev/null 2>&1
	wait_gone "$BOB"
	expect_eq "no environment of alice was built meanwhile" "" "$(env_pid "$ALICE")"
}

# fake_case DESC MODE ARG LOG_REGEX: a forged init at alice's socket name;
# alice's login must be denied without joining it.
fake_case() {
	local desc=$1 mode=$2 arg=$3 regex=$4 au fp before
	au=$(uid_of "$ALICE")
	before=$(mountinfo_now)
	"$ATTACK" fake-init "/run/nsiso/user-$au.sock" "$mode" "$arg" > "$W/fake.out" 2>&1 &
	fp=$!
	for _ in $(seq 50); do grep -q ready "$W/fake.out" && break; sleep 0.05; done
	mark_log
	local out
	out=$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt; cat /run/nsiso/environment' 2>&1)
	expect_no_match "$desc: the login did not run in any environment" "^uid=" "$out"
	expect_log "$desc: refused with a clear message" "$regex"
	expect_eq "$desc: no namespace joined, mounts unchanged" "$before" "$(mountinfo_now)"
	kill "$fp" 2>/dev/null
	wait "$fp" 2>/dev/null
	rm -f "/run/nsiso/user-$au.sock"
}

s_41_forged_state() {
	sec_policy
	local au bu pid
	au=$(uid_of "$ALICE")
	bu=$(uid_of "$BOB")
	fake_case "a socket listened on by a non-root process" user "$au" \
		"connect to /run/nsiso/user-$au.sock: Operation not permitted"
	# bob's real init as the pidfd a root forger hands out
	runuser_l "$BOB" 'sleep 8' >/dev/null 2>&1 &
	local sp=$!
	pid=$(wait_env "$BOB")
	fake_case "a root listener handing out bob's init's pidfd" pidfd "$pid" \
		"answered without a matching pidfd: refusing to join"
	fake_case "a root listener claiming to be another uid's environment" uid "$bu" \
		"belongs to uid $bu, not $au: refusing to join"
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	"$NSISO" stop "$BOB" >/dev/null 2>&1
	wait_gone "$BOB"

	# The lock file replaced by a symlink to a file root would write.
	echo victim > "$W/victim"
	rm -f "/run/nsiso/user-$au.lock"
	ln -s "$W/victim" "/run/nsiso/user-$au.lock"
	# ELOOP in glibc's words, as every other program on the host says it,
	# though the helper is static musl (glibc-musl/err.c, errno_text).
	deny_case "the build lock is a symlink" "lock /run/nsiso/user-$au.lock: Too many levels of symbolic links"
	expect_eq "the symlink's target was not touched" "victim" "$(cat "$W/victim")"
	rm -f "/run/nsiso/user-$au.lock"
	# A directory where the socket belongs.
	mkdir "/run/nsiso/user-$au.sock"
	mark_log
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "a directory at the socket name: denied"
	else pass "a directory at the socket name: denied"; fi
	expect_log "a directory at the socket name: clear message" "remove stale /run/nsiso/user-$au.sock: Is a directory"
	rmdir "/run/nsiso/user-$au.sock"
	# A marker on the host claiming that the caller is inside bob's
	# environment: fail closed.
	echo "uid=$bu" > /run/nsiso/environment
	mark_log
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "a forged nesting marker: denied"
	else pass "a forged nesting marker: denied"; fi
	expect_log "a forged nesting marker: clear message" "the caller is inside the environment of uid $bu"
	rm -f /run/nsiso/environment
	expect_eq "after the forgeries a login works" "uid=$au" \
		"$(runuser_l "$ALICE" 'cat /run/nsiso/environment')"
	wait_gone "$ALICE"
}

s_42_su_and_nesting() {
	sec_policy
	local au bu out
	au=$(uid_of "$ALICE")
	bu=$(uid_of "$BOB")
	out=$(as_user "$ALICE" su - "$BOB" -c 'cat /run/nsiso/environment; hostname; id -ru' 2>&1)
	expect_eq "su - bob by alice (real uid alice): bob's environment" \
		"uid=$bu $BOB-box $bu" "$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "su - bob by alice: no environment of alice" "" "$(env_pid "$ALICE")"
	wait_gone "$BOB"
	out=$(as_user "$BOB" su - "$ALICE" -c 'cat /run/nsiso/environment; hostname' 2>&1)
	expect_eq "su - alice by bob: alice's environment" "uid=$au $ALICE-box" \
		"$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"
	wait_gone "$ALICE"

	# Nested: inside alice's environment.
	mark_log
	out=$(runuser_l "$ALICE" "su - $BOB -c 'echo INSIDE-BOB' 2>&1; echo rc=\$?
		ls -A /run/nsiso; $HELPER build --uid $bu 2>&1; echo helper-rc=\$?
		touch /run/nsiso/environment 2>&1 || echo marker-readonly")
	expect_no_match "nested su to bob inside alice's environment: refused" "INSIDE-BOB" "$out"
	expect_log "nested su: the log says why" \
		"session of $BOB denied: the caller is inside the environment of uid $au"
	expect_match "inside: /run/nsiso shows only the marker (no host socket)" "^environment$" "$out"
	expect_no_match "inside: no socket of the host is visible" "\\.sock" "$out"
	expect_match "inside: the helper refuses alice" "only root may run this" "$out"
	expect_match "inside: the marker cannot be rewritten" "marker-readonly" "$out"
	wait_gone "$ALICE"
	expect_eq "no environment of bob was built from inside alice's" "" "$(env_pid "$BOB")"
}
