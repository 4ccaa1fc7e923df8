# What a user sees in an isolated session, over every caller.

# Printed from inside a session: the kernel's view, one key=value a line.
SNAP='echo mnt=$(readlink /proc/self/ns/mnt)
echo uts=$(readlink /proc/self/ns/uts)
echo ipc=$(readlink /proc/self/ns/ipc)
echo pid=$(readlink /proc/self/ns/pid)
echo host=$(hostname)
echo shellpid=$$
echo users=$(ps -eo user= | sort -u | tr "\n" " ")
echo rootprocs=$(ps -o pid=,comm= -u root | tr -s " " | tr "\n" ";")
echo tmp=$(findmnt -n -o FSTYPE,SOURCE /tmp | tr -s " ")'

getv() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -1; }

base_policy() {
	reset_policy
	write_policy default.conf <<'P'
# as an admin would write it
namespaces = mount uts ipc pid
hostname = %u-box
tmpfs = /tmp
tmpfs = /var/tmp size=64m
tmpfs = /dev/shm size=16m
P
	write_policy "group/$ADMINS.conf" <<'P'
isolate = no
priority = 100
P
	write_policy "user/$DAVE.conf" <<'P'
namespaces = mount uts ipc pid
share = session
tmpfs = /tmp
P
}

# check_view VIA USER OUTPUT: the assertions of a user's isolated session.
check_view() {
	local via=$1 user=$2 out=$3
	expect_ne "$via: mount namespace differs from the host" "$(host_ns mnt)" "$(getv mnt "$out")"
	expect_ne "$via: UTS namespace differs" "$(host_ns uts)" "$(getv uts "$out")"
	expect_ne "$via: IPC namespace differs" "$(host_ns ipc)" "$(getv ipc "$out")"
	expect_ne "$via: PID namespace differs" "$(host_ns pid)" "$(getv pid "$out")"
	expect_eq "$via: hostname is the template's" "$user-box" "$(getv host "$out")"
	expect_ne "$via: the shell is not PID 1" "1" "$(getv shellpid "$out")"
	expect_eq "$via: ps shows only the user's processes and root's init" \
		"$(printf '%s\n' root "$user" | sort | tr '\n' ' ' | sed 's/ $//')" "$(getv users "$out")"
	expect_eq "$via: the only root process is the init, PID 1" "1 nsiso-init;" \
		"$(getv rootprocs "$out" | sed 's/^ //')"
	expect_eq "$via: /tmp is the environment's tmpfs" "tmpfs nsiso" "$(getv tmp "$out")"
}

t_10_ssh() {
	base_policy
	local out
	out=$(ssh_as "$ALICE" "$SNAP")
	check_view ssh "$ALICE" "$out"
	if wait_gone "$ALICE"; then pass "ssh: the environment ends after logout (linger 0)"
	else fail "ssh: the environment ends after logout (linger 0)"; fi
}

t_11_ssh_pty() {
	base_policy
	local out
	out=$(ssh_as "$ALICE" -tt "$SNAP" 2>/dev/null | tr -d '\r')
	check_view "ssh -tt" "$ALICE" "$out"
	wait_gone "$ALICE"
}

t_12_runuser() {
	base_policy
	check_view "runuser -l" "$ALICE" "$(runuser_l "$ALICE" "$SNAP")"
	wait_gone "$ALICE"
}

t_13_su() {
	base_policy
	check_view "su -l" "$ALICE" "$(su - "$ALICE" -c "$SNAP")"
	wait_gone "$ALICE"
}

t_14_login() {
	base_policy
	local out=/home/$ALICE/login.out
	rm -f "$out"
	tmux -L nsit kill-server 2>/dev/null
	tmux -L nsit new-session -d -x 200 -y 50 "login -f $ALICE"
	# login runs the shell on the tmux pty; the output goes to the home
	# directory, which the host sees.
	tmux_wait_prompt nsit
	tmux -L nsit send-keys "( $(printf '%s' "$SNAP" | tr '\n' ';') ) > $out.tmp; mv $out.tmp $out; exit" Enter
	for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
	check_view login "$ALICE" "$(cat "$out" 2>/dev/null)"
	tmux -L nsit kill-server 2>/dev/null
	wait_gone "$ALICE"
}

# The policy's own mounts, as the user meets them: a bind, a read-only
# tree, a hidden directory and a hidden file (a placeholder file mount,
# which Linux 6.1 can only clone from an attached tmpfs).
t_15_policy_mounts() {
	reset_policy
	install -d -m 0755 /srv/nsit-shared /srv/nsit-ro /srv/nsit-secret
	echo shared-data > /srv/nsit-shared/file
	echo ro-data > /srv/nsit-ro/file
	chmod 0666 /srv/nsit-ro/file
	echo secret-data > /srv/nsit-secret/file
	echo secret-file > /srv/nsit-secret.txt
	chmod 0644 /srv/nsit-secret.txt /srv/nsit-secret/file
	install -d -o "$ALICE" -m 0755 "/home/$ALICE/shared"
	write_policy default.conf <<'P'
namespaces = mount uts ipc pid
bind = /srv/nsit-shared /home/%u/shared
readonly = /srv/nsit-ro
hide = /srv/nsit-secret
hide = /srv/nsit-secret.txt
P
	local out
	out=$(ssh_as "$ALICE" 'echo bound=$(cat ~/shared/file)
echo ro=$(echo x 2>&1 >> /srv/nsit-ro/file | sed "s/.*: //")
echo hiddendir=$(ls -A /srv/nsit-secret 2>&1 | tr "\n" " ")
echo hiddenfile=$(cat /srv/nsit-secret.txt 2>&1)
echo hiddensize=$(stat -c %s /srv/nsit-secret.txt)')
	expect_eq "bind: the source's file appears at the target" "shared-data" "$(getv bound "$out")"
	expect_eq "readonly: writing a world-writable file fails" "Read-only file system" "$(getv ro "$out")"
	expect_eq "hide: the directory is empty inside" "" "$(getv hiddendir "$out")"
	expect_eq "hide: the file reads empty inside" "" "$(getv hiddenfile "$out")"
	expect_eq "hide: the file has size 0 inside" "0" "$(getv hiddensize "$out")"
	expect_eq "the host's file is untouched" "ro-data" "$(cat /srv/nsit-ro/file)"
	expect_eq "the host still sees the hidden file" "secret-file" "$(cat /srv/nsit-secret.txt)"
	wait_gone "$ALICE"
	rm -rf /srv/nsit-shared /srv/nsit-ro /srv/nsit-secret /srv/nsit-secret.txt "/home/$ALICE/shared"
}

t_20_tmp_shared_between_logins() {
	base_policy
	local word=secret-$RANDOM got
	ssh_as "$ALICE" "echo $word > /tmp/nsit-shared; sleep 8" &
	local first=$!
	for _ in $(seq 50); do
		got=$(ssh_as "$ALICE" 'cat /tmp/nsit-shared 2>/dev/null')
		[ -n "$got" ] && break
		sleep 0.1
	done
	expect_eq "a second concurrent login sees the first login's /tmp file" "$word" "$got"
	if [ -e /tmp/nsit-shared ]; then fail "the host's /tmp does not have it"
	else pass "the host's /tmp does not have it"; fi
	got=$(ssh_as "$BOB" 'cat /tmp/nsit-shared 2>&1; readlink /proc/self/ns/mnt')
	expect_match "bob's /tmp does not have it" "No such file" "$got"
	local alice_mnt
	alice_mnt=$(ssh_as "$ALICE" 'readlink /proc/self/ns/mnt')
	expect_ne "bob's environment is not alice's" "$alice_mnt" "$(printf '%s' "$got" | tail -1)"
	kill "$first" 2>/dev/null
	wait "$first" 2>/dev/null
	wait_gone "$ALICE"
	wait_gone "$BOB"
}

t_21_jobs_survive_logout() {
	base_policy
	ssh_as "$ALICE" 'nohup sleep 1001 >/dev/null 2>&1 &
tmux -L keep new-session -d -s keep "sleep 1002"; echo started' >/dev/null
	sleep 0.5
	expect_ne "the environment lives on after logout while jobs run" "" "$(init_pid_of "$ALICE")"
	local out
	out=$(ssh_as "$ALICE" 'ps -eo args=; tmux -L keep ls')
	expect_match "the nohup job is seen by the next login" "^sleep 1001" "$out"
	expect_match "the tmux session is seen by the next login" "^keep:" "$out"
	"$NSISO" stop "$ALICE" >/dev/null
	if wait_gone "$ALICE"; then pass "nsiso stop ends the environment"
	else fail "nsiso stop ends the environment"; fi
	for _ in $(seq 20); do [ -e "/run/nsiso/user-$(id -u "$ALICE").lock" ] || break; sleep 0.1; done
	expect_eq "nsiso stop leaves no lock file behind" "" \
		"$(ls /run/nsiso | grep "^user-$(id -u "$ALICE")\." || true)"
	for _ in $(seq 50); do [ -z "$(pgrep -u "$ALICE")" ] && break; sleep 0.1; done
	expect_eq "no process of the user is left" "" "$(pgrep -a -u "$ALICE" || true)"
}

t_22_share_session() {
	base_policy
	local a b
	ssh_as "$DAVE" 'readlink /proc/self/ns/mnt > ~/first.mnt; sleep 5' &
	local first=$!
	for _ in $(seq 50); do [ -s "/home/$DAVE/first.mnt" ] && break; sleep 0.1; done
	a=$(cat "/home/$DAVE/first.mnt")
	b=$(ssh_as "$DAVE" 'readlink /proc/self/ns/mnt')
	expect_ne "share = session: concurrent logins get separate environments" "$a" "$b"
	expect_ne "share = session: and not the host's" "$(host_ns mnt)" "$b"
	"$NSISO" stop "$DAVE" >/dev/null
	wait "$first" 2>/dev/null
	expect_eq "nsiso stop ends every per-login environment of the user" "" \
		"$(ls /run/nsiso | grep "^session-$(id -u "$DAVE")-" || true)"
}

t_30_untouched_users() {
	base_policy
	expect_eq "isolate = no (admins group): host namespaces" "$(host_ns mnt)" \
		"$(ssh_as "$CAROL" 'readlink /proc/self/ns/mnt')"
	expect_eq "a system account below uid_min: host namespaces" "$(host_ns mnt)" \
		"$(runuser_l "$SYSUSER" 'readlink /proc/self/ns/mnt')"
	expect_eq "root without user/root.conf: host namespaces" "$(host_ns mnt)" \
		"$(runuser -l root -c 'readlink /proc/self/ns/mnt')"
	expect_eq "no environment was built for them" "" \
		"$(ls /run/nsiso | grep '\.sock$' || true)"
}

t_31_root_with_own_file() {
	base_policy
	write_policy user/root.conf <<'P'
namespaces = mount uts
hostname = rootbox
P
	local out
	out=$(runuser -l root -c 'hostname; readlink /proc/self/ns/mnt')
	expect_eq "root with user/root.conf: isolated" "rootbox" "$(printf '%s' "$out" | head -1)"
	"$NSISO" stop root >/dev/null
	rm -f "$POLICY/user/root.conf"
}
