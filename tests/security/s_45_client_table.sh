# The environment's client table and the admin's view of it: a user
# cannot hide an environment from root by filling the init's table, their
# open logins are bounded by the policy's logins_max, and an init that
# does not answer is listed and stopped anyway. The init's own reports
# reach the authpriv log.

# s45_logins USER N: how many logins USER's environment reports.
s45_logins() {
	"$NSISO" list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["uid"] == int(sys.argv[1]) and e.get("answering"):
        print(e["sessions"])' "$(uid_of "$1")"
}

# s45_wait_logins USER N: up to 10 s for N open logins.
s45_wait_logins() {
	for _ in $(seq 100); do
		[ "$(s45_logins "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

s_45_logins_max() {
	sec_policy
	printf 'logins_max = 3\n' >> "$POLICY/default.conf"
	local out rc pid
	# One login builds it (enter never builds); two more enter it.
	bg runuser_l "$ALICE" 'sleep 60'
	wait_env "$ALICE" >/dev/null
	for _ in 1 2; do
		bg as_user "$ALICE" "$ENTER" -- sleep 60
	done
	s45_wait_logins "$ALICE" 3
	expect_eq "three logins of alice registered" "3" "$(s45_logins "$ALICE")"
	pid=$(env_pid "$ALICE")
	out=$("$NSISO" list --json)
	expect_match "nsiso list --json shows the bound" '"logins_max": 3' "$out"
	out=$("$NSISO" explain --policy "$POLICY" "$ALICE")
	expect_match "nsiso explain shows logins_max" "logins_max: 3 open logins at once" "$out"
	expect_match "nsiso explain: a login would join (3 of 3)" \
		"joins the live environment \\(init pid $pid, 3 of 3 logins" "$out"

	out=$(as_user "$ALICE" "$ENTER" -- true 2>&1)
	rc=$?
	expect_ne "a fourth login by nsiso-enter is refused" "0" "$rc"
	expect_match "and says the bound and where it is set" \
		"already holds 3 logins, the most its policy allows \\(logins_max = 3 in $POLICY/default.conf\\)" "$out"
	mark_log
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		fail "a fourth login through PAM is denied"
	else pass "a fourth login through PAM is denied"; fi
	expect_log "the denial names logins_max" "already holds 3 logins.*logins_max = 3"
	expect_eq "the denied logins built nothing: the same environment" "$pid" "$(env_pid "$ALICE")"
	expect_eq "and it still has three logins" "3" "$(s45_logins "$ALICE")"
	stop_bg
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait_gone "$ALICE"
}

s_45_connection_flood() {
	sec_policy
	local au sock pid out hp
	au=$(uid_of "$ALICE")
	sock=/run/nsiso/user-$au.sock
	bg runuser_l "$ALICE" 'sleep 60'
	pid=$(wait_env "$ALICE")
	expect_ne "alice's environment is live" "" "$pid"
	# More connections than the init's table (4096) that never ask: what
	# a user gets from thousands of logins stalled before registering.
	"$ATTACK" hold "$sock" 4200 < <(sleep 120) > "$W/hold.out" 2>&1 &
	hp=$!
	for _ in $(seq 300); do grep -q '^held=' "$W/hold.out" && break; sleep 0.1; done
	expect_eq "4200 connections to the init are open" "held=4200" "$(grep '^held=' "$W/hold.out")"
	out=$("$NSISO" list --json)
	expect_match "nsiso list still lists alice's environment, answered" \
		"\"uid\": $au, \"sessions\": 1|\"answering\": true, \"uid\": $au, \"sessions\": 1" "$out"
	out=$("$NSISO" explain --policy "$POLICY" "$ALICE")
	expect_match "nsiso explain still sees it live" "joins the live environment \\(init pid $pid" "$out"
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		pass "a login of alice still gets in during the flood"
	else fail "a login of alice still gets in during the flood"; fi
	expect_eq "into the same environment" "$pid" "$(env_pid "$ALICE")"
	out=$("$NSISO" stop "$ALICE" 2>&1)
	expect_eq "nsiso stop ends it during the flood" "stopped 1 environment of $ALICE" \
		"$(printf '%s\n' "$out" | tail -1)"
	expect_match "and reports what it ended" "^user-$au\\.sock: ended [0-9]+ process" "$out"
	wait_gone "$ALICE"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	expect_eq "the init is gone" "gone" "$(kill -0 "$pid" 2>/dev/null && echo alive || echo gone)"
	kill "$hp" 2>/dev/null
	wait "$hp" 2>/dev/null
	stop_bg
}

s_45_unanswered_init() {
	sec_policy
	local au pid out rc
	au=$(uid_of "$ALICE")
	bg runuser_l "$ALICE" 'sleep 60'
	pid=$(wait_env "$ALICE")
	expect_ne "alice's environment is live" "" "$pid"
	# An init that cannot answer (stuck, or of another build): stopped.
	kill -STOP "$pid"
	out=$("$NSISO" list)
	expect_match "nsiso list shows it as not answering, with its init" \
		"^$ALICE +$au .* $pid .*not answering: no answer within 5 s \\(nsiso stop $ALICE ends it\\)" "$out"
	out=$("$NSISO" list --json)
	expect_match "list --json: answering false and the init pid" \
		"\"uid\": $au, \"answering\": false, \"share\": \"user\", \"error\": \"no answer within 5 s\", \"init_pid\": $pid" "$out"
	out=$("$NSISO" explain --policy "$POLICY" "$ALICE")
	expect_match "explain: a login is refused, it does not answer" \
		"refused: an environment is live .* does not answer: no answer within 5 s" "$out"
	out=$("$NSISO" stop "$ALICE" 2>&1)
	rc=$?
	expect_eq "nsiso stop succeeds" "0" "$rc"
	expect_match "and says how it ended it" \
		"user-$au.sock did not answer \\(no answer within 5 s\\): ended through its pidfd \\(SIGTERM to init $pid\\)" "$out"
	expect_match "and counts it" "stopped 1 environment of $ALICE" "$out"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	expect_eq "the init is gone" "gone" "$(kill -0 "$pid" 2>/dev/null && echo alive || echo gone)"
	expect_eq "its own teardown removed the socket" "" "$(sockets | grep "user-$au" || true)"
	stop_bg
	if pamtester nsiso-test "$ALICE" open_session close_session >/dev/null 2>&1; then
		pass "the next login builds a new environment"
	else fail "the next login builds a new environment"; fi
	"$NSISO" stop "$ALICE" >/dev/null 2>&1
	wait_gone "$ALICE"
}

s_45_init_reports_to_authpriv() {
	local out rc
	mark_log
	out=$("$W/bin/nsiso-init" 2>&1)
	rc=$?
	expect_eq "nsiso-init run by hand refuses" "1" "$rc"
	expect_match "on stderr" "nsiso-init: usage: nsiso-init --handoff FD" "$out"
	# <83>: facility authpriv (10), severity err (3).
	expect_log "and to the authpriv log, as nsiso-init[pid]" \
		"^<83>.*nsiso-init\\[[0-9]+\\]: usage: nsiso-init --handoff FD"
	mark_log
	out=$(as_user "$ALICE" "$HELPER" build --uid 0 2>&1)
	expect_log "the helper's refusals reach authpriv too" \
		"^<83>.*nsiso-helper\\[[0-9]+\\]: only root may run this"
}
