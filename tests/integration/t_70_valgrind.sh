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
	wait_live "$ALICE"
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

# The module and the helper built with ASan and UBSan (make asan-bins):
# pamtester loads the module with the ASan runtime preloaded; the helper
# it runs is instrumented too (an error or a leak there fails the build,
# and so the login).
asan_pamtester() {
	LD_PRELOAD=$(gcc -print-file-name=libasan.so) \
	ASAN_OPTIONS=detect_leaks=0:exitcode=99:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		pamtester nsiso-test-asan "$ALICE" open_session close_session >"$W/asan.log" 2>&1
}

t_71_asan_module_and_helper() {
	base_policy
	asan_pamtester
	expect_eq "ASan/UBSan: first login (instrumented module and helper) is clean" "0" "$?"
	ssh_as "$ALICE" 'sleep 6' &
	local holder=$!
	wait_live "$ALICE"
	asan_pamtester
	expect_eq "ASan/UBSan: joining a live environment is clean" "0" "$?"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
colour = blue
P
	asan_pamtester
	expect_eq "ASan/UBSan: a denied login fails normally, not in a sanitizer" "1" "$?"
	grep -E "ERROR: AddressSanitizer|runtime error" "$W/asan.log" | head -5
	"$NSISO" stop "$ALICE" >/dev/null
	wait "$holder" 2>/dev/null
}
