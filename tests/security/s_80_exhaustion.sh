# Shared tables and locks, attacked by unprivileged users: the per-user
# build lock held by a login of one's own that never finishes, /run/nsiso
# crowded with stale sockets and locks, uids that collide in the low bits
# or digits the veth names and pool addresses are made from, and many
# logins of one user racing the build of their one environment.
#
# Logins that must be open at the same time are held behind the barrier
# of tests/lib/barrier.sh (in $W/bar), not for a fixed time.
# shellcheck source=tests/lib/barrier.sh
. "$TOP/tests/lib/barrier.sh"

EXH_BRIDGE=nssec-br0

# sessions_of: "user:sessions ..." of the live environments, sorted.
sessions_of() {
	"$NSISO" list --json | python3 -c '
import json, sys
print(" ".join(sorted("%s:%d" % (e["user"], e["sessions"]) for e in json.load(sys.stdin))))'
}

# An extra user with a chosen uid (removed by sec_cleanup with the rest).
add_uid_user() {
	local name=$1 uid=$2
	if getent passwd "$uid" >/dev/null && [ "$(getent passwd "$uid" | cut -d: -f1)" != "$name" ]; then
		log "uid $uid is taken on this machine"
		return 1
	fi
	add_user "$name" -u "$uid" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------
# 1. The build lock is per user: alice's own login, stopped mid-build,
# holds only her lock; bob and dave log in meanwhile.
s_80_build_lock_per_user() {
	sec_policy
	local au hp sp su out state
	au=$(uid_of "$ALICE")
	# A build of alice's that does not end until released: root holds her
	# lock (a deterministic "mid-build"), and her own su -l of herself
	# comes in behind it.
	hold_lock "$au" 120
	as_user "$ALICE" su -l "$ALICE" -c hostname > "$W/su.out" 2>&1 &
	sp=$!
	hp=$(helper_pid_for "$au")
	expect_ne "alice's su of herself is mid-build (its helper waits for her lock)" "" "$hp"
	for _ in $(seq 50); do su=$(pgrep -U "$ALICE" -x su | head -1); [ -n "$su" ] && break; sleep 0.1; done
	expect_ne "alice's su is found" "" "$su"
	# Attack: alice stops the helper that builds for her.
	expect_rc "alice cannot stop her login's helper (EPERM)" 1 as_user "$ALICE" kill -STOP "$hp"
	state=$(awk '{print $3}' "/proc/$hp/stat" 2>/dev/null)
	expect_ne "and the helper is not stopped" "T" "$state"
	# Attack: she stops what is hers, the su waiting in pam_open_session.
	expect_rc "alice may stop her own su" 0 as_user "$ALICE" kill -STOP "$su"
	# Other users' logins go on while alice's build is held.
	out=$(timeout 60 runuser -l "$BOB" -c hostname 2>&1)
	expect_eq "bob's login succeeds while alice's build is held" "$BOB-box" "$out"
	out=$(timeout 60 pamtester nsiso-test "$DAVE" open_session close_session 2>&1; echo "rc=$?")
	expect_match "dave's login (pamtester) succeeds too" "rc=0$" "$out"
	expect_eq "... and alice's build was still held meanwhile" "yes" \
		"$(kill -0 "$hp" 2>/dev/null && echo yes)"
	expect_eq "nothing of alice's was built while her lock was held" "" "$(env_pid "$ALICE")"
	wait_gone "$BOB"
	wait_gone "$DAVE"
	# The lock released: alice's helper builds although her su is stopped,
	# and her next login works (the stopped su holds no lock).
	release_lock
	out=$(timeout 60 runuser -l "$ALICE" -c hostname 2>&1)
	expect_eq "with her first su stopped, alice's next login works" "$ALICE-box" "$out"
	as_user "$ALICE" kill -CONT "$su"
	if timeout 60 tail --pid="$su" -f /dev/null; then
		pass "the continued su ends"
	else
		fail "the continued su ends"; kill -KILL "$su" 2>/dev/null
	fi
	wait "$sp" 2>/dev/null
	expect_eq "and it ran in alice's environment" "$ALICE-box" "$(cat "$W/su.out")"
	wait_gone "$ALICE"
	expect_eq "no environment is left" "" "$(sockets)"
	# Attack: alice takes another user's lock herself.
	out=$(as_user "$ALICE" flock -n "/run/nsiso/user-$(uid_of "$BOB").lock" true 2>&1)
	expect_match "alice cannot open bob's build lock" "Permission denied" "$out"
}

# ---------------------------------------------------------------------------
# 2. /run/nsiso: root-only, and crowded with stale state of other uids.
s_81_rundir_crowded() {
	sec_policy
	local au bu out n json
	au=$(uid_of "$ALICE")
	bu=$(uid_of "$BOB")
	# Attacks: alice writes into /run/nsiso in every way a user could.
	out=$(as_user "$ALICE" touch "/run/nsiso/user-$bu.lock" 2>&1)
	expect_match "alice cannot create bob's lock" "Permission denied" "$out"
	out=$(as_user "$ALICE" ln -s /etc/shadow "/run/nsiso/user-$au.lock" 2>&1)
	expect_match "alice cannot plant a symlink at her own lock" "Permission denied" "$out"
	out=$(as_user "$ALICE" mkdir "/run/nsiso/user-$au.sock" 2>&1)
	expect_match "alice cannot plant a directory at her socket" "Permission denied" "$out"
	out=$(as_user "$ALICE" "$ATTACK" connect "/run/nsiso/user-$au.sock")
	expect_match "alice cannot bind or reach a socket there" "connect=EACCES" "$out"
	expect_eq "/run/nsiso is root's, mode 0700" "root 700" "$(stat -c '%U %a' /run/nsiso)"

	# 1000 stale sockets (bound, then their listeners gone) and 1000
	# locks of uids that have no environment, and a stale socket at
	# alice's own name.
	python3 - /run/nsiso "$au" <<'PY'
import os, socket, sys
d, au = sys.argv[1], int(sys.argv[2])
for uid in list(range(500000, 501000)) + [au]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.bind("%s/user-%d.sock" % (d, uid))
    s.close()
for uid in range(500000, 501000):
    os.close(os.open("%s/user-%d.lock" % (d, uid), os.O_CREAT | os.O_RDWR, 0o600))
PY
	n=$(ls /run/nsiso | grep -c '^user-50[0-9]*\.\(sock\|lock\)$')
	expect_eq "2000 stale sockets and locks of other uids are in place" "2000" "$n"
	bar_start "$W/bar"
	bar_login "$ALICE" a 'hostname; cat /run/nsiso/environment'
	bar_login "$BOB" b 'hostname'
	expect_eq "with 2000 stale entries, alice and bob log in" "2" "$(bar_wait 2)"
	expect_eq "alice's login: her environment (her stale socket replaced)" \
		"$ALICE-box uid=$au" "$(bar_out a | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "bob's login: his environment" "$BOB-box" "$(bar_out b)"
	json=$(timeout 60 "$NSISO" list --json)
	expect_eq "nsiso list --json: the two live environments, no stale one" \
		"$ALICE:1 $BOB:1" "$(printf '%s' "$json" | python3 -c '
import json, sys
print(" ".join(sorted("%s:%d" % (e["user"], e["sessions"]) for e in json.load(sys.stdin))))')"
	out=$(timeout 60 "$NSISO" list 2>&1)
	expect_eq "nsiso list: two lines besides its header, no stale uid" "2" \
		"$(printf '%s\n' "$out" | grep -c "^$PREFIX-")"
	expect_no_match "nsiso list names no stale uid" "50[0-9]{4}" "$out"
	out=$(timeout 60 "$NSISO" explain "$ALICE" --policy "$POLICY" 2>&1; echo "rc=$?")
	expect_match "nsiso explain alice copes" "rc=0$" "$out"
	expect_match "nsiso explain alice shows her policy" "hostname: +$ALICE-box|$ALICE-box" "$out"
	bar_release
	expect_eq "all held logins succeeded" "0" "$BAR_FAILED"
	wait_gone "$ALICE"
	wait_gone "$BOB"
	n=$(ls /run/nsiso | grep -c '^user-50[0-9]*\.\(sock\|lock\)$')
	expect_eq "other uids' entries are left alone" "2000" "$n"
	expect_eq "nothing of alice's or bob's is left listening" "" \
		"$(sockets | grep -E "^user-($au|$bu)\.sock$" || true)"
	rm -f /run/nsiso/user-50[0-9]*.sock /run/nsiso/user-50[0-9]*.lock
}

# ---------------------------------------------------------------------------
# 3. veth: the host end is "nsiso<uid>" and a pool gives base + uid. Uids
# that share alice's low 16 bits, or her low six decimal digits, or are ten
# digits long, get names and addresses of their own or a clear denial.

# veth_report: what a held login reports: eth0's address, then the
# ifindex of its peer (on the host).
veth_report() { echo 'ip -o -4 addr show dev eth0 | awk "{print \$4}"; ip -o link show dev eth0 | sed -n "s/.*eth0@if\([0-9]*\):.*/\1/p"'; }

# check_veth DESC USER TAG WANT_ADDR: the login got WANT_ADDR on eth0,
# and its peer on the host is nsiso<uid>, on the bridge.
check_veth() {
	local desc=$1 u=$2 tag=$3 want=$4 uid addr peer hostidx
	uid=$(uid_of "$u")
	addr=$(bar_out "$tag" | sed -n 1p)
	peer=$(bar_out "$tag" | sed -n 2p)
	hostidx=$(ip -o link show dev "nsiso$uid" 2>/dev/null | cut -d: -f1)
	expect_eq "$desc: eth0 has $want" "$want" "$addr"
	expect_eq "$desc: its peer is nsiso$uid on the host" "$hostidx" "$peer"
	expect_match "$desc: nsiso$uid sits on the bridge" "master $EXH_BRIDGE" \
		"$(ip -o link show dev "nsiso$uid" 2>&1)"
}

s_82_veth_uid_collisions() {
	local au hu du gu g9 out a
	au=$(uid_of "$ALICE")
	hu=$((au + 65536))      # alice's low 16 bits
	du=$((au + 1000000))    # alice's low six decimal digits
	gu=4000000000           # ten digits: "nsiso4000000000" is 15 characters
	g9=400000000            # nine, the same leading digits
	add_uid_user nssec-hi "$hu" && add_uid_user nssec-dec "$du" &&
		add_uid_user nssec-big "$gu" && add_uid_user nssec-big9 "$g9" ||
		{ fail "the users with colliding uids were made"; return; }
	ip link del "$EXH_BRIDGE" 2>/dev/null
	ip link add "$EXH_BRIDGE" type bridge
	ip link set "$EXH_BRIDGE" up

	# A /12 pool: base + uid for all three, each on its own.
	ip4() { local v=$(($1)); echo "$((v >> 24 & 255)).$((v >> 16 & 255)).$((v >> 8 & 255)).$((v & 255))"; }
	local base=$(((10 << 24) + (224 << 16)))
	reset_policy
	write_policy default.conf <<P
namespaces = mount uts ipc pid net
hostname = %u-box
network = veth $EXH_BRIDGE 10.224.0.0/12
tmpfs = /tmp
linger = 0
P
	# The ten-digit uids fit no pool: a fixed address each, in their
	# own files.
	write_policy user/nssec-big.conf <<P
namespaces = mount uts ipc pid net
hostname = %u-box
network = veth $EXH_BRIDGE 10.240.0.1/16
tmpfs = /tmp
linger = 0
P
	write_policy user/nssec-big9.conf <<P
namespaces = mount uts ipc pid net
hostname = %u-box
network = veth $EXH_BRIDGE 10.240.0.2/16
tmpfs = /tmp
linger = 0
P
	bar_start "$W/bar"
	bar_login "$ALICE" a "$(veth_report)"
	bar_login nssec-hi h "$(veth_report)"
	bar_login nssec-dec d "$(veth_report)"
	bar_login nssec-big g "$(veth_report)"
	bar_login nssec-big9 n "$(veth_report)"
	expect_eq "five users with colliding uids are logged in at once" "5" "$(bar_wait 5)"
	check_veth "alice (uid $au)" "$ALICE" a "$(ip4 "$base + $au")/12"
	check_veth "uid $hu (alice's low 16 bits)" nssec-hi h "$(ip4 "$base + $hu")/12"
	check_veth "uid $du (alice's low decimal digits)" nssec-dec d "$(ip4 "$base + $du")/12"
	check_veth "uid $gu (ten digits)" nssec-big g "10.240.0.1/16"
	check_veth "uid $g9 (its nine-digit prefix)" nssec-big9 n "10.240.0.2/16"
	a=$(for t in a h d g n; do bar_out "$t" | sed -n 1p; done | sort | uniq -d)
	expect_eq "no two users share an address" "" "$a"
	expect_eq "five host ends on the bridge, one per uid" \
		"$(printf 'nsiso%s\n' "$au" "$hu" "$du" "$gu" "$g9" | sort | tr '\n' ' ')" \
		"$(ip -o link show master "$EXH_BRIDGE" | sed -n 's/^[0-9]*: \(nsiso[0-9]*\)@.*/\1/p' | sort | tr '\n' ' ')"
	bar_release
	expect_eq "all held logins succeeded" "0" "$BAR_FAILED"
	for u in "$ALICE" nssec-hi nssec-dec nssec-big nssec-big9; do wait_gone "$u"; done

	# A /16 pool for everyone: the colliding uids do not fit, and say so;
	# alice does.
	rm -f "$POLICY/user/nssec-big.conf" "$POLICY/user/nssec-big9.conf"
	write_policy default.conf <<P
namespaces = mount uts ipc pid net
hostname = %u-box
network = veth $EXH_BRIDGE 10.231.0.0/16
tmpfs = /tmp
linger = 0
P
	deny_case "uid $hu in a /16 pool" "network: uid $hu does not fit in the /16 pool" nssec-hi
	deny_case "uid $du in a /16 pool" "network: uid $du does not fit in the /16 pool" nssec-dec
	deny_case "uid $gu in a /16 pool" "network: uid $gu does not fit in the /16 pool" nssec-big
	out=$(runuser -l "$ALICE" -c 'ip -o -4 addr show dev eth0 | awk "{print \$4}"' 2>&1)
	expect_eq "alice still gets her /16 address" "10.231.$((au / 256)).$((au % 256))/16" "$out"
	wait_gone "$ALICE"
	# A uid that lands on the gateway, or on the pool's broadcast.
	write_policy default.conf <<P
namespaces = mount uts ipc pid net
network = veth $EXH_BRIDGE 10.224.0.0/12 $(ip4 "$base + $hu")
tmpfs = /tmp
linger = 0
P
	deny_case "uid $hu on the gateway's address" \
		"user nssec-hi would get $(ip4 "$base + $hu"), the network, broadcast or gateway address" nssec-hi
	expect_eq "the denials left no veth behind" "" \
		"$(ip -o link show master "$EXH_BRIDGE" | grep -o 'nsiso[0-9]*' || true)"
	ip link del "$EXH_BRIDGE"
}

# 3b. A fixed address (host part not zero) in a file that serves more than
# one user would give each of them the same address on the same bridge,
# so the second could take the first one's traffic: such a file is
# refused (a fixed address belongs in a user file).
s_83_veth_fixed_address_shared() {
	ip link del "$EXH_BRIDGE" 2>/dev/null
	ip link add "$EXH_BRIDGE" type bridge
	ip link set "$EXH_BRIDGE" up
	reset_policy
	write_policy default.conf <<P
namespaces = mount uts ipc pid net
network = veth $EXH_BRIDGE 10.232.0.9/16
tmpfs = /tmp
linger = 0
P
	# Every user of default.conf would get 10.232.0.9: the file is
	# refused, for alice and for bob, before anything is built.
	deny_case "a fixed veth address in default.conf (alice)" \
		"default.conf:2: network: 10.232.0.9/16 is one address and this file serves many users"
	deny_case "a fixed veth address in default.conf (bob)" \
		"default.conf:2: network: 10.232.0.9/16 is one address" "$BOB"
	expect_eq "no veth was made for either" "" \
		"$(ip -o link show master "$EXH_BRIDGE" 2>/dev/null)"
	ip link del "$EXH_BRIDGE"
}

# ---------------------------------------------------------------------------
# 4. Fifty logins of one user at once, racing the build: one environment.
s_84_one_user_fifty_logins() {
	sec_policy
	local i n=50 envs
	bar_start "$W/bar"
	# alice's own su -l of herself, fifty times, all started at once.
	for i in $(seq "$n"); do
		bar_hold "$i" 'readlink /proc/self/ns/mnt /proc/self/ns/pid' \
			as_user "$ALICE" su -l "$ALICE" -c
	done
	expect_eq "$n logins of alice are in at once" "$n" "$(bar_wait "$n")"
	expect_eq "nsiso list: one environment, $n sessions" "$ALICE:$n" "$(sessions_of)"
	envs=$(for i in $(seq "$n"); do bar_out "$i" | tr '\n' ' '; echo; done | sort -u | wc -l)
	expect_eq "every login is in the same namespaces" "1" "$envs"
	expect_eq "exactly one init of alice runs" "1" "$(pgrep -c -f "^nsiso-init: $ALICE" || true)"
	expect_eq "exactly one socket" "user-$(uid_of "$ALICE").sock" "$(sockets)"
	bar_release
	expect_eq "all $n logins succeeded" "0" "$BAR_FAILED"
	wait_gone "$ALICE"
	expect_eq "afterwards nothing is left" "" "$(sockets)"
}
