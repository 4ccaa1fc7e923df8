# POSIX message queues (issue 15, item 3): an environment with `ipc` has
# its own queues, and its /dev/mqueue shows them, not the host's (systemd
# mounts the host's there on every host).

# mq NAME: create queue NAME (mq_open O_CREAT), as whoever runs it.
MQ_CREATE='import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.mq_open(sys.argv[1].encode(), os.O_CREAT | os.O_RDWR, 0o600, None)
print("created" if fd >= 0 else "mq_open: " + os.strerror(ctypes.get_errno()))'

t_18_mqueue_is_the_environments_own() {
	base_policy
	local made_dir= out
	# The host's mqueue mount point, as on a systemd host, in the suite's
	# namespace only; the directory is removed again if we made it.
	if [ ! -d /dev/mqueue ]; then mkdir /dev/mqueue && made_dir=1; fi
	mount -t mqueue nsit-mqueue /dev/mqueue
	python3 -c "$MQ_CREATE" /nsit-hostq >/dev/null
	expect_eq "the host's queue is in the host's /dev/mqueue" "yes" \
		"$([ -e /dev/mqueue/nsit-hostq ] && echo yes)"
	out=$(ssh_as "$ALICE" "python3 -c '$MQ_CREATE' /nsit-aliceq; ls /dev/mqueue | tr '\n' ' '; findmnt -n -o FSTYPE /dev/mqueue")
	expect_match "inside, mq_open creates a queue" "^created" "$out"
	expect_match "inside, /dev/mqueue is an mqueue mount" "mqueue$" "$out"
	expect_no_match "inside, the host's queue is not listed" "nsit-hostq" "$out"
	expect_match "inside, the environment's own queue is listed" "nsit-aliceq" "$out"
	expect_eq "the host does not see alice's queue" "no" \
		"$([ -e /dev/mqueue/nsit-aliceq ] && echo yes || echo no)"
	out=$(ssh_as "$BOB" "ls /dev/mqueue | tr '\n' ' '")
	expect_no_match "bob's environment does not see alice's queue" "nsit-aliceq" "$out"
	rm -f /dev/mqueue/nsit-hostq
	"$NSISO" stop "$ALICE" >/dev/null
	"$NSISO" stop "$BOB" >/dev/null
	umount /dev/mqueue
	[ -n "$made_dir" ] && rmdir /dev/mqueue
	return 0
}
