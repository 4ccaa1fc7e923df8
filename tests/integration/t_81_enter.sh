# nsiso enter: what the admin's process holds is not handed to the user's
# command, and no word of a long command is dropped (issue 15, item 5).

t_81_enter_closes_inherited_fds() {
	base_policy
	ssh_as "$ALICE" 'readlink /proc/self/ns/mnt > ~/fds.mnt; sleep 6' &
	local holder=$! out
	for _ in $(seq 50); do [ -s "/home/$ALICE/fds.mnt" ] && break; sleep 0.1; done
	# An admin script with /etc/shadow open on fd 7 and a root-only log
	# on fd 9: the user's command must get neither.
	out=$( exec 7</etc/shadow 9>>"$W/root-only.log"
		"$NSISO" enter "$ALICE" -- sh -c 'echo $(id -un) $(ls /proc/self/fd | sort -n | tr "\n" " "); cat <&7 2>&1 | head -c 40; echo x >&9' </dev/null 2>&1)
	expect_match "root's nsiso enter: the command runs as the user" "^$ALICE " "$out"
	expect_match "and gets only descriptors 0-2 (and ls's own)" "^$ALICE 0 1 2 3$" "$(printf '%s' "$out" | head -1)"
	expect_no_match "/etc/shadow held by the admin is not readable through fd 7" "root:" "$out"
	expect_eq "nothing was written through the admin's fd 9" "0" "$(stat -c %s "$W/root-only.log" 2>/dev/null || echo 0)"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	"$NSISO" stop "$ALICE" >/dev/null
}

t_81_enter_passes_every_argument() {
	base_policy
	chown root:root "$ENTER"
	chmod 4755 "$ENTER"
	ssh_as "$ALICE" 'readlink /proc/self/ns/mnt > ~/args.mnt; sleep 6' &
	local holder=$! args=() out i
	for _ in $(seq 50); do [ -s "/home/$ALICE/args.mnt" ] && break; sleep 0.1; done
	for i in $(seq 1 100); do args+=("a$i"); done
	# A user (through the setuid helper) and root: 100 arguments each.
	out=$(runuser -u "$ALICE" -- env NSISO_ENTER="$ENTER" "$NSISO" enter "$ALICE" -- \
		sh -c 'echo $# $1 ${100}' sh "${args[@]}" </dev/null 2>&1)
	expect_eq "a user's nsiso enter passes all 100 arguments" "100 a1 a100" "$out"
	out=$("$NSISO" enter "$ALICE" -- sh -c 'echo $# $1 ${100}' sh "${args[@]}" </dev/null 2>&1)
	expect_eq "root's nsiso enter passes all 100 arguments" "100 a1 a100" "$out"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	"$NSISO" stop "$ALICE" >/dev/null
}
