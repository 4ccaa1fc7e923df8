# The module lives inside sshd for days: no invalid access and no leak on
# the build, join and denial paths (valgrind on pamtester loading it).

vg_pamtester() {
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --track-fds=no \
		pamtester nsiso-test "$ALICE" open_session close_session 2>"$W/vg.log"
}

t_70_valgrind_module() {
	base_policy
	vg_pamtester
	expect_eq "valgrind: first login (build path) is clean" "0" "$?"
	ssh_as "$ALICE" 'sleep 6' &
	local holder=$!
	for _ in $(seq 50); do [ -n "$(init_pid_of "$ALICE")" ] && break; sleep 0.1; done
	vg_pamtester
	expect_eq "valgrind: joining a live environment is clean" "0" "$?"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
colour = blue
P
	vg_pamtester
	expect_eq "valgrind: a denied login is clean (pamtester fails, valgrind has no errors)" "1" "$?"
	[ -s "$W/vg.log" ] && grep -v '^pamtester' "$W/vg.log" | head -20
	"$NSISO" stop "$ALICE" >/dev/null
	wait "$holder" 2>/dev/null
}
