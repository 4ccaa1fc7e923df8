# Network isolation: loopback only, an admin's named netns, a veth to an
# admin's bridge. Every device, namespace and server made here is on this
# machine, in namespaces the test created, and removed at the end.

TCPGET=$(cat "$TESTLIB/tcp_get.sh")
NET_PORT=47123

net_policy() { # net_policy "network = ..." [extra lines]
	reset_policy
	{
		echo "namespaces = mount uts ipc pid net"
		printf '%s\n' "$@"
		echo "tmpfs = /tmp"
	} | write_policy default.conf
}

# serve ADDRESS NAME: a hello server for 30 s; prints its pid
serve() {
	python3 "$TESTLIB/tcp_hello.py" "$1" "$NET_PORT" "$2" 30 >/dev/null 2>&1 &
	echo $!
}

no_nsiso_links() { ip -o link | grep -c ' nsiso[0-9]' || true; }

t_90_loopback() {
	net_policy "network = loopback"
	local out srv host_links
	out=$(runuser_l "$ALICE" "$TCPGET
ip -o link | awk '{print \$2}' | tr '\n' ' '; echo
python3 $TESTLIB/tcp_hello.py 127.0.0.1 $NET_PORT inside-v4 8 & p4=\$!
python3 $TESTLIB/tcp_hello.py ::1 $((NET_PORT + 1)) inside-v6 8 & p6=\$!
tcp_wait 127.0.0.1 $NET_PORT; tcp_wait ::1 $((NET_PORT + 1))
readlink /proc/self/ns/net
echo PORT-OPEN; sleep 1.5")
	expect_eq "loopback: only lo inside" "lo: " "$(printf '%s\n' "$out" | sed -n 1p)"
	expect_eq "loopback: 127.0.0.1 works inside" "hello from inside-v4" "$(printf '%s\n' "$out" | sed -n 2p)"
	expect_eq "loopback: ::1 works inside" "hello from inside-v6" "$(printf '%s\n' "$out" | sed -n 3p)"
	expect_ne "loopback: a network namespace of its own" "$(host_ns net)" "$(printf '%s\n' "$out" | sed -n 4p)"
	wait_gone "$ALICE"
	# A server inside on 127.0.0.1, answering inside, is not reachable
	# from the host.
	rm -f "/home/$ALICE/inside.ready"
	runuser_l "$ALICE" "$TCPGET
python3 $TESTLIB/tcp_hello.py 127.0.0.1 $NET_PORT inside 8 &
tcp_wait 127.0.0.1 $NET_PORT > ~/inside.ready; sleep 3" &
	local holder=$!
	for _ in $(seq 80); do [ -s "/home/$ALICE/inside.ready" ] && break; sleep 0.1; done
	expect_eq "loopback: the server answers inside" "hello from inside" "$(cat "/home/$ALICE/inside.ready" 2>/dev/null)"
	expect_eq "loopback: the host cannot reach it" "refused" "$(eval "$TCPGET"; tcp_get 127.0.0.1 $NET_PORT 2>/dev/null)"
	expect_eq "loopback over ssh: only lo" "lo:" "$(ssh_as "$ALICE" "ip -o link | awk '{print \$2}'")"
	wait "$holder"
	wait_gone "$ALICE"
}

t_91_named_netns() {
	# The admin's namespace nsit-net, wired by a veth to nsit-peer, which
	# runs a server.
	ip netns add nsit-net
	ip netns add nsit-peer
	ip link add nsit-a netns nsit-net type veth peer name nsit-b netns nsit-peer
	ip -n nsit-net addr add 10.231.7.1/24 dev nsit-a
	ip -n nsit-peer addr add 10.231.7.2/24 dev nsit-b
	ip -n nsit-net link set lo up; ip -n nsit-net link set nsit-a up
	ip -n nsit-peer link set lo up; ip -n nsit-peer link set nsit-b up
	mkdir -p /etc/netns/nsit-net
	echo "nameserver 10.231.7.53" > /etc/netns/nsit-net/resolv.conf
	ip netns exec nsit-peer python3 "$TESTLIB/tcp_hello.py" 10.231.7.2 "$NET_PORT" peer 30 &
	local srv=$!
	sleep 0.5
	net_policy "network = netns nsit-net"
	local out
	out=$(runuser_l "$ALICE" "$TCPGET
ip -o link | awk '{print \$2}' | tr '\n' ' '; echo
ls /sys/class/net | tr '\n' ' '; echo
tcp_wait 10.231.7.2 $NET_PORT
cat /etc/resolv.conf")
	expect_match "netns: the session sees the admin's veth" "nsit-a@" "$(printf '%s\n' "$out" | sed -n 1p)"
	expect_eq "netns: /sys/class/net shows that namespace's devices" "lo nsit-a " "$(printf '%s\n' "$out" | sed -n 2p)"
	expect_eq "netns: reaches a server in another test namespace" "hello from peer" "$(printf '%s\n' "$out" | sed -n 3p)"
	expect_eq "netns: /etc/netns/NAME/resolv.conf is bound over /etc" "nameserver 10.231.7.53" "$(printf '%s\n' "$out" | sed -n 4p)"
	expect_eq "netns over ssh: the same namespace" "hello from peer" \
		"$(ssh_as "$ALICE" "$TCPGET
tcp_get 10.231.7.2 $NET_PORT")"
	wait_gone "$ALICE"
	expect_eq "netns: the admin's namespace is never removed" "nsit-net" "$(ls /run/netns | grep '^nsit-net$')"

	net_policy "network = netns nsit-missing"
	deny_case "netns: a missing namespace" "netns /run/netns/nsit-missing: No such file or directory \\(create it with ip netns add, or set netns_create = yes\\)"

	net_policy "network = netns nsit-%u" "netns_create = yes"
	runuser_l "$ALICE" 'ip -o link | wc -l; sleep 2' > "$W/netns_create.out" &
	local holder=$!
	sleep 1
	expect_eq "netns_create: the namespace is made and named while the environment lives" \
		"nsit-$ALICE" "$(ls /run/netns | grep "^nsit-$ALICE\$")"
	expect_eq "netns_create: ip netns exec sees the session's namespace (lo only)" "1" \
		"$(ip netns exec "nsit-$ALICE" ip -o link | wc -l)"
	wait "$holder"
	wait_gone "$ALICE"
	expect_eq "netns_create: the name goes with the environment" "" "$(ls /run/netns | grep "^nsit-$ALICE\$" || true)"

	kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
	ip netns del nsit-net; ip netns del nsit-peer
	rm -rf /etc/netns/nsit-net
}

t_92_veth() {
	ip link add nsit-br0 type bridge
	ip addr add 10.231.0.1/16 dev nsit-br0
	ip link set nsit-br0 up
	local srv
	srv=$(serve 10.231.0.1 host)
	sleep 0.5
	net_policy "network = veth nsit-br0 10.231.0.0/16 10.231.0.1"
	local a_uid b_uid a_addr b_addr out
	a_uid=$(id -u "$ALICE"); b_uid=$(id -u "$BOB")
	a_addr=10.231.$((a_uid / 256)).$((a_uid % 256))
	b_addr=10.231.$((b_uid / 256)).$((b_uid % 256))
	# bob's environment stays up with a server of its own.
	ssh_as "$BOB" "python3 $TESTLIB/tcp_hello.py $b_addr $NET_PORT bob 10" &
	local bob_holder=$!
	out=$(ssh_as "$ALICE" "$TCPGET
ip -o -4 addr show dev eth0 | awk '{print \$4}'
ip route | grep ^default
tcp_wait 10.231.0.1 $NET_PORT
tcp_wait $b_addr $NET_PORT")
	expect_eq "veth: alice's address is the pool base plus her uid" "$a_addr/16" "$(printf '%s\n' "$out" | sed -n 1p)"
	expect_match "veth: nsiso explain shows the same address" \
		"^network: +veth nsiso$a_uid on bridge nsit-br0, eth0 $a_addr/16 via 10.231.0.1" \
		"$("$NSISO" explain "$ALICE" --policy "$POLICY")"
	expect_match "veth: the default route goes via the gateway" "^default via 10.231.0.1 dev eth0" "$(printf '%s\n' "$out" | sed -n 2p)"
	expect_eq "veth: the session reaches the host side of the bridge" "hello from host" "$(printf '%s\n' "$out" | sed -n 3p)"
	expect_eq "veth: alice reaches bob's address through the bridge" "hello from bob" "$(printf '%s\n' "$out" | sed -n 4p)"
	expect_match "veth: the host end is named after the uid and sits on the bridge" \
		"nsiso$b_uid@.* master nsit-br0" "$(ip -o link show master nsit-br0)"
	wait "$bob_holder"
	wait_gone "$BOB"
	# Logout and an immediate re-login.
	local i ok=0
	for i in 1 2 3; do
		[ "$(runuser_l "$ALICE" 'ip -o -4 addr show dev eth0 | wc -l')" = 1 ] && ok=$((ok + 1))
	done
	expect_eq "veth: three immediate re-logins each get their veth" "3" "$ok"
	wait_gone "$ALICE"
	sleep 0.2
	expect_eq "veth: no veth is left after the environments end" "0" "$(no_nsiso_links)"

	net_policy "network = veth nsit-nobridge 10.231.0.0/16"
	deny_case "veth: a missing bridge" "network: bridge nsit-nobridge on the host: No such device"
	expect_eq "veth: nothing half-built after the denial" "0" "$(no_nsiso_links)"

	kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
	ip link del nsit-br0
}

t_93_network_policy_errors() {
	reset_policy
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
network = loopback
P
	deny_case "network without net" "default.conf:2: network needs 'net' in namespaces"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid net
network = veth br0 10.1.0.0/16 10.2.0.1
P
	deny_case "a gateway outside the subnet" "default.conf:2: network: gateway 10.2.0.1 is outside 10.1.0.0/16"
}
