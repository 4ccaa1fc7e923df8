# Symlinks and FIFOs swapped into paths that a policy binds, hides or
# mounts on, while logins build environments (bounded race loops). No
# mount may ever land on the symlink's target, no login may hang, and the
# host's mount table stays as it was.

RACE_LOGINS=${RACE_LOGINS:-15}

# start_swapper USER DIR NAME...: as USER, forever, each NAME in DIR (one
# loop per name) is mostly a real directory, and in between a symlink to
# /etc, a symlink to a root-only directory, or a FIFO: builds meet every
# state, and the switch from one to the next. Each hostile state is held
# 10-20 ms: held only for the exec of the next rm (~1 ms), a run of 15
# logins could meet none of them (a CI run saw 15 built, 0 denied).
start_swapper() {
	local u=$1 dir=$2
	shift 2
	as_user "$u" bash -c '
		dir=$1 secret=$2; shift 2
		cd "$dir" || exit 1
		for n in "$@"; do
			while :; do
				rm -rf "$n"; mkdir "$n"; sleep 0.0$((RANDOM % 5 + 3))
				rm -rf "$n"; ln -s /etc "$n"; sleep 0.0$((RANDOM % 2 + 1))
				rm -rf "$n"; mkdir "$n"; sleep 0.0$((RANDOM % 5 + 3))
				rm -rf "$n"; ln -s "$secret" "$n"; sleep 0.0$((RANDOM % 2 + 1))
				rm -rf "$n"; mkdir "$n"; sleep 0.0$((RANDOM % 5 + 3))
				rm -rf "$n"; mkfifo "$n"; sleep 0.0$((RANDOM % 2 + 1))
			done &
		done
		wait' swapper "$dir" "$W/rootonly" "$@" >/dev/null 2>&1 &
	SWAPPER=$!
}

stop_swapper() {
	local c
	for c in $(pgrep -P "$SWAPPER"); do kill "$c" 2>/dev/null; done
	kill "$SWAPPER" 2>/dev/null
	wait "$SWAPPER" 2>/dev/null
}

# race_logins DESC: RACE_LOGINS logins of alice under the swapper; each
# prints the environment's mount table. Asserts that nothing was mounted
# through a symlink.
race_logins() {
	local desc=$1 i out ok=0 denied=0 hung=0 bad=0 before
	before=$(mountinfo_now)
	: > "$W/race.log"
	# (root, mount point) pairs this namespace has: what the environment
	# adds beyond them is its own.
	awk '{print $4 " " $5}' /proc/self/mountinfo | sort > "$W/race.base"
	# RACE_LOGINS logins, and more (up to three times as many) until
	# both outcomes were met: a race that only ever built, or only ever
	# refused, would prove nothing about the other side.
	i=0
	while [ "$i" -lt "$RACE_LOGINS" ] ||
		{ [ "$i" -lt "$((3 * RACE_LOGINS))" ] && { [ "$ok" = 0 ] || [ "$denied" = 0 ]; }; }; do
		i=$((i + 1))
		mark_log
		out=$(timeout 20 runuser -l "$ALICE" -c 'echo IN; cat /proc/self/mountinfo; touch /etc/nssec-pwn 2>/dev/null && echo WROTE-ETC; true' 2>&1)
		case $? in
		0) ok=$((ok + 1)) ;;
		124) hung=$((hung + 1)) ;;
		*) denied=$((denied + 1)) ;;
		esac
		# A mount from the policy on /etc or on the root-only dir, or
		# one whose root is /etc or the root-only dir, is a gain.
		if printf '%s\n' "$out" | awk 'NF > 9 {print $4 " " $5}' | sort |
			comm -13 "$W/race.base" - |
			awk '$1 ~ /^\/etc(\/|$)/ || $2 ~ /^\/etc(\/|$)/ || /rootonly/' | grep -q .; then
			bad=$((bad + 1))
			printf '%s\n' "$out" >> "$W/race.log"
		fi
		printf '%s\n' "$out" | grep -q WROTE-ETC && bad=$((bad + 1))
		tail -n +"$((LOG_MARK + 1))" "$SYSLOG" | grep -E 'refused|failed' >> "$W/race.msgs"
		"$NSISO" stop "$ALICE" >/dev/null 2>&1
		wait_gone "$ALICE"
	done
	log "       ($desc: $ok built, $denied denied, $hung hung)"
	sed -n 's/.*build the environment of [^:]*: [^ ]*:[0-9]*: //p' "$W/race.msgs" | sed 's/nssec-alice/USER/g' | sort | uniq -c | sort -rn | head -8 | sed 's/^/         /' >&2
	expect_ne "$desc: the race was real (some logins built under it)" "0" "$ok"
	expect_eq "$desc: nothing mounted on or from a symlink's target" "0" "$bad"
	expect_eq "$desc: no login hung" "0" "$hung"
	expect_eq "$desc: the host's mount table is unchanged" "$before" "$(mountinfo_now)"
	expect_eq "$desc: /etc was never written" "" "$(ls /etc/nssec-pwn 2>/dev/null)"
}

s_50_home_races() {
	reset_policy
	install -d -m 0700 "$W/rootonly"
	echo secret > "$W/rootonly/secret"
	install -d -o "$ALICE" -m 0755 "/home/$ALICE/hideme" "/home/$ALICE/scratch" \
		"/home/$ALICE/src" "/home/$ALICE/dst"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
tmpfs = /tmp
linger = 0
hide = /home/%u/hideme
tmpfs = /home/%u/scratch mode=1777
bind = /home/%u/src /home/%u/dst
P
	: > "$W/race.msgs"
	# Control: without the attacker the policy works as meant.
	local out
	out=$(runuser_l "$ALICE" 'findmnt -rn -o TARGET /home/'"$ALICE"'/scratch; findmnt -rn -o TARGET /home/'"$ALICE"'/dst')
	expect_eq "control: the per-user mounts are made on the real paths" \
		"/home/$ALICE/scratch /home/$ALICE/dst" "$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ $//')"
	wait_gone "$ALICE"
	start_swapper "$ALICE" "/home/$ALICE" hideme scratch src dst
	race_logins "home paths swapped"
	stop_swapper
	expect_match "the swaps were seen and named clearly" \
		"a component is a symlink|No such file|Not a directory|must be owned" "$(cat "$W/race.msgs")"
	rm -rf "/home/$ALICE/hideme" "/home/$ALICE/scratch" "/home/$ALICE/src" "/home/$ALICE/dst"
}

s_51_tmp_races() {
	reset_policy
	install -d -m 0700 "$W/rootonly"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
linger = 0
hide = /tmp/nssec-hide
bind = /tmp/nssec-src /var/lib/nssec-dst
tmpfs = /tmp
P
	install -d -m 0755 /var/lib/nssec-dst
	: > "$W/race.msgs"
	start_swapper "$ALICE" /tmp nssec-hide nssec-src
	race_logins "/tmp paths swapped"
	stop_swapper
	rm -rf /tmp/nssec-hide /tmp/nssec-src /var/lib/nssec-dst
}
