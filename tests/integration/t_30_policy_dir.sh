# The policy directory itself.

t_32_missing_policy_dir_isolates_nobody() {
	base_policy
	mv "$POLICY" "$POLICY.away"
	mark_log
	expect_eq "no policy directory: alice is not isolated" "$(host_ns mnt)" \
		"$(runuser_l "$ALICE" 'readlink /proc/self/ns/mnt')"
	expect_log "and the module warns about it" "policy directory does not exist: nobody is isolated"
	mv "$POLICY.away" "$POLICY"
}
