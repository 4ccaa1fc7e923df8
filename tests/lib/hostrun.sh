# The host's /run/nsiso, for the scripts that cover it with a tmpfs in a
# mount namespace of their own (the demo, the benchmarks, the integration
# and security suites). Sourced by their outer half, which runs on the host:
#
#   hostrun_enter        before `unshare --mount`; close the lock for the
#                        namespace: unshare ... {HOSTRUN_FD}<&-
#   hostrun_leave        once the namespace is gone (and from an EXIT trap)
#
# A tmpfs needs a directory to be mounted on, and /run is the host's even
# inside `unshare --mount`: a `mkdir -p /run/nsiso` there stays on the host,
# with the umask's mode 0755, and the helper refuses every login from then
# on (issue 15, item 9). hostrun_enter creates /run/nsiso only when the
# host has none, as the helper itself would (root, 0700), and marks it as
# made by a test (an extended attribute, gone with the directory);
# hostrun_leave removes a marked directory again, so the host's /run ends
# as it began.
#
# Such scripts may overlap, and removing the directory on the host would
# detach the tmpfs another script's namespace has on it (since Linux 3.18
# rmdir succeeds on a mount point of another namespace). So each holds a
# shared lock on /run from enter to leave, and only the last one out (its
# exclusive lock granted at once) removes the directory; rmdir leaves it
# when the host's own environments have put anything in it meanwhile.

HOSTRUN_DIR=/run/nsiso
HOSTRUN_MARK=trusted.nsiso.made-by-test
HOSTRUN_FD=
HOSTRUN_MADE=

# Succeeds when PATH carries the mark (python3: no attr package needed).
hostrun_marked() {
	python3 -c 'import os, sys; os.getxattr(sys.argv[1], sys.argv[2])' \
		"$HOSTRUN_DIR" "$HOSTRUN_MARK" 2>/dev/null
}

hostrun_enter() {
	[ -z "$HOSTRUN_FD" ] || return 0
	exec {HOSTRUN_FD}</run || return 1
	flock -s "$HOSTRUN_FD" || return 1
	if [ ! -e "$HOSTRUN_DIR" ] && mkdir -m 0700 "$HOSTRUN_DIR" 2>/dev/null; then
		# A file system without extended attributes: this script removes
		# what it made when it is the last one out.
		python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], b"1")' \
			"$HOSTRUN_DIR" "$HOSTRUN_MARK" 2>/dev/null || HOSTRUN_MADE=1
	fi
	if [ ! -d "$HOSTRUN_DIR" ] || [ -L "$HOSTRUN_DIR" ]; then
		echo "$HOSTRUN_DIR is not a directory" >&2
		return 1
	fi
}

hostrun_leave() {
	[ -n "$HOSTRUN_FD" ] || return 0
	# Converting the shared lock may drop it first; we are leaving anyway.
	if flock -x -n "$HOSTRUN_FD" && [ -d "$HOSTRUN_DIR" ] && [ ! -L "$HOSTRUN_DIR" ] &&
		{ [ -n "$HOSTRUN_MADE" ] || hostrun_marked; }; then
		rmdir "$HOSTRUN_DIR" 2>/dev/null || true
	fi
	exec {HOSTRUN_FD}<&-
	HOSTRUN_FD=
}
