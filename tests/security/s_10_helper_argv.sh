# The setuid helper run by a user: every subcommand and malformed argv is
# refused before anything happens, with one clear message; run by root it
# takes exact words only.

# helper_as_user DESC ARG...: alice runs the helper; it must exit 1 saying
# only root may run it, and build nothing.
helper_as_user() {
	local desc=$1 out rc
	shift
	out=$(as_user "$ALICE" "$HELPER" "$@" 2>&1)
	rc=$?
	expect_match "user: $desc: refused, exit 1, clear message" \
		"^rc=1 nsiso-helper: only root may run this" "rc=$rc $(printf '%s' "$out" | head -1)"
}

s_10_helper_argv_user() {
	sec_policy
	local before au bu long
	before=$(mountinfo_now)
	au=$(uid_of "$ALICE")
	bu=$(uid_of "$BOB")
	long=$(head -c 100000 /dev/zero | tr '\0' A)
	helper_as_user "no arguments"
	helper_as_user "build for herself" build --uid "$au"
	helper_as_user "build for another user" build --uid "$bu"
	helper_as_user "build for root" build --uid 0
	helper_as_user "build with her own policy dir" build --uid "$au" --policy "/home/$ALICE"
	helper_as_user "--uid=N form" build "--uid=$au"
	helper_as_user "unknown subcommand stop" stop "$bu"
	helper_as_user "unknown subcommand list" list
	helper_as_user "--help" --help
	helper_as_user "-h" -h
	helper_as_user "a 100 kB argument" build --uid "$long"
	helper_as_user "4000 arguments" build $(seq 4000)
	helper_as_user "an empty argument" ""
	helper_as_user "a newline in an argument" build --uid $'1\n2'
	local out rc
	out=$(as_user "$ALICE" "$ATTACK" argc0 "$HELPER" 2>&1)
	rc=$?
	expect_match "user: argc 0: refused, exit 1, clear message" \
		"^rc=1 nsiso-helper: only root may run this" "rc=$rc $(printf '%s' "$out" | head -1)"
	expect_eq "user: nothing built by any of it" "" "$(sockets)"
	expect_eq "user: the mount table is unchanged" "$before" "$(mountinfo_now)"
	expect_eq "user: no lock file was made for anyone" "" "$(ls /run/nsiso)"
}

# helper_as_root DESC ARG...: strict argv: exit 2 and the usage line.
helper_as_root() {
	local desc=$1 out rc
	shift
	out=$("$HELPER" "$@" 2>&1)
	rc=$?
	expect_match "root: $desc: usage error, exit 2" "^rc=2 usage: nsiso-helper build --uid UID" \
		"rc=$rc $(printf '%s' "$out" | head -1)"
}

s_11_helper_argv_root() {
	sec_policy
	local au before out rc
	au=$(uid_of "$ALICE")
	before=$(mountinfo_now)
	helper_as_root "no arguments"
	helper_as_root "build alone" build
	helper_as_root "--uid without a value" build --uid
	helper_as_root "--uid=N" build "--uid=$au"
	helper_as_root "a prefix of --uid" build --ui "$au"
	helper_as_root "--uid with a suffix" build --uidx "$au"
	helper_as_root "--uid twice" build --uid "$au" --uid "$au"
	helper_as_root "a negative uid" build --uid -1
	helper_as_root "a signed uid" build --uid +5
	helper_as_root "uid 4294967295 ((uid_t)-1)" build --uid 4294967295
	helper_as_root "a uid beyond 32 bits" build --uid 99999999999999999999
	helper_as_root "trailing garbage" build --uid "${au}x"
	helper_as_root "an empty uid" build --uid ""
	helper_as_root "a relative policy dir" build --uid "$au" --policy rel/dir
	helper_as_root "--policy without a value" build --uid "$au" --policy
	helper_as_root "--policy twice" build --uid "$au" --policy "$POLICY" --policy "$POLICY"
	helper_as_root "an extra word" build --uid "$au" extra
	helper_as_root "a capitalised subcommand" Build --uid "$au"
	helper_as_root "no --uid" build --policy "$POLICY"
	helper_as_root "an unknown option" build --uid "$au" --debug
	helper_as_root "a 100 kB argument" build --uid "$(head -c 100000 /dev/zero | tr '\0' 1)"
	helper_as_root "--plan without --uid" build --plan
	helper_as_root "--plan and --policy" build --uid "$au" --plan --policy "$POLICY"
	helper_as_root "--plan and --for-manager" build --uid "$au" --plan --for-manager
	helper_as_root "--plan twice" build --uid "$au" --plan --plan
	# --plan reads the plan the module made (glibc-musl/plan_wire.h) on
	# stdin: anything else is refused before anything is built.
	out=$("$HELPER" build --uid "$au" --plan 2>&1 </dev/null)
	rc=$?
	expect_match "root: build --plan with an empty stdin: refused, exit 1" \
		"^rc=1 nsiso-helper: read the plan: 0 bytes, too short" "rc=$rc $(printf '%s' "$out" | head -1)"
	out=$(head -c 100000 /dev/urandom | "$HELPER" build --uid "$au" --plan 2>&1)
	rc=$?
	expect_match "root: build --plan with 100 kB of noise: refused, exit 1" \
		"^rc=1 nsiso-helper: read the plan: " "rc=$rc $(printf '%s' "$out" | head -1)"
	out=$({ printf 'nsisoPL1'; head -c 20000 /dev/zero; } | "$HELPER" build --uid "$au" --plan 2>&1)
	rc=$?
	expect_match "root: build --plan with another build's layout: refused, exit 1" \
		"^rc=1 nsiso-helper: read the plan: not a plan of this build" "rc=$rc $(printf '%s' "$out" | head -1)"
	# A real plan (nsiso-resolve's, as build --uid gets it), of alice,
	# handed over for bob: refused.
	out=$("$W/bin/nsiso-resolve" build --uid "$au" --policy "$POLICY" |
		"$HELPER" build --uid "$(uid_of "$BOB")" --plan 2>&1)
	rc=$?
	expect_match "root: build --plan with another user's plan: refused, exit 1" \
		"^rc=1 nsiso-helper: read the plan: it is uid $au's, not uid $(uid_of "$BOB")'s" \
		"rc=$rc $(printf '%s' "$out" | head -1)"
	out=$("$ATTACK" argc0 "$HELPER" 2>&1)
	rc=$?
	expect_match "root: argc 0: usage error, exit 2" "^rc=2 usage:" "rc=$rc $(printf '%s' "$out" | head -1)"
	expect_eq "root: nothing built by any of it" "" "$(sockets)"
	expect_eq "root: the mount table is unchanged" "$before" "$(mountinfo_now)"
}

# nsiso-enter: what a user may run setuid root. It acts for the real uid
# only, never builds, and runs the command with no privilege.
s_12_helper_enter() {
	sec_policy
	local au bu out rc
	au=$(uid_of "$ALICE")
	bu=$(uid_of "$BOB")
	out=$(as_user "$ALICE" "$ENTER" 2>&1 </dev/null)
	rc=$?
	expect_match "enter without a live environment: refused, clear message" \
		"^rc=1 nsiso-enter: you have no live environment to enter" "rc=$rc $out"
	expect_eq "enter never builds an environment" "" "$(sockets)"
	# Crontabs and drop-ins written before nsiso-enter name the helper:
	# it passes the words on to the nsiso-enter next to it.
	out=$(as_user "$ALICE" "$HELPER" enter 2>&1 </dev/null)
	rc=$?
	expect_match "nsiso-helper enter (as written before nsiso-enter): nsiso-enter answers" \
		"^rc=1 nsiso-enter: you have no live environment to enter" "rc=$rc $out"
	local a
	for a in "$bu" "--uid $bu" "--" "-x" "--policy /tmp -- id" "bash" "enter" "manager x"; do
		out=$(as_user "$ALICE" "$ENTER" $a 2>&1 </dev/null)
		rc=$?
		expect_match "enter, malformed argv '$a': usage error" "^rc=2 usage:" "rc=$rc $out"
	done
	# bob is logged in; alice has nothing to enter, and never gets bob's.
	runuser_l "$BOB" 'sleep 8' >/dev/null 2>&1 &
	local sp=$!
	wait_env "$BOB" >/dev/null
	out=$(as_user "$ALICE" "$ENTER" -- cat /run/nsiso/environment 2>&1 </dev/null)
	expect_no_match "alice cannot enter bob's environment" "uid=$bu" "$out"
	expect_match "and is told she has none" "you have no live environment" "$out"
	# bob enters his own: no privilege, no leaked fd, clean environment.
	rm -f "$MARKS"/pwned-*
	out=$(as_user "$BOB" env LD_PRELOAD="$EVIL" LC_ALL="../../$W/marks" TERM='../../evil' \
		"$ENTER" -- sh -c 'cat /run/nsiso/environment; id -u; id -G
			grep -E "^Cap(Prm|Eff|Amb)" /proc/self/status | tr -s "\t" " "
			echo "T=$TERM P=$LD_PRELOAD L=$LC_ALL"' 2>&1 </dev/null)
	expect_match "bob enters his own environment" "^uid=$bu$" "$out"
	expect_match "as bob, not root" "^$bu$" "$out"
	expect_no_match "with no root group" "(^| )0( |$)" "$(printf '%s\n' "$out" | sed -n 3p)"
	expect_match "with no capabilities" "^CapPrm: 0000000000000000$" "$out"
	expect_match "with no effective capabilities" "^CapEff: 0000000000000000$" "$out"
	# The command's fds, seen from the host while it runs.
	as_user "$BOB" "$ENTER" -- sleep 3.5 </dev/null >/dev/null 2>&1 &
	local ep=$! cp=
	for _ in $(seq 50); do cp=$(pgrep -u "$BOB" -f '^sleep 3.5$'); [ -n "$cp" ] && break; sleep 0.05; done
	expect_eq "the entered command has only fds 0-2 (no registration socket leaked)" "0 1 2" \
		"$(ls "/proc/$cp/fd" 2>&1 | sort -n | tr '\n' ' ' | sed 's/ $//')"
	wait "$ep"
	expect_match "and none of the caller's hostile variables" "^T= P= L=$" "$out"
	expect_eq "the preload never ran as root" "" "$(ls "$MARKS" | grep 'pwned-0$' || true)"
	out=$(as_user "$BOB" "$ATTACK" ptrace-running "$ENTER" -- sleep 3 </dev/null)
	expect_match "nsiso-enter waiting runs as root (test is meaningful)" "^elevated=1$" "$out"
	expect_no_match "bob against his nsiso-enter waiting: nothing works" "=OK$" "$out"
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	"$NSISO" stop "$BOB" >/dev/null 2>&1
	wait_gone "$BOB"
}
