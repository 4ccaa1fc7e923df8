#!/bin/bash
# Added login latency of pam_nsiso, measured with pamtester against the
# same stack with pam_permit only: a first login (the environment is built
# and, with linger 0, ended) and a login that joins a live environment.
# Alternating runs, medians; each timed around fork + exec + wait by
# tests/bench/floor. In the same rounds /bin/true and bwrap doing nsiso's
# job, for issue 16's targets: a first login adds at most 0.6x bwrap's
# run, a join at most 0.25x a /bin/true spawn. Root; runs in its own
# mount namespace (tests/lib/benchns.sh: the host's /run/nsiso ends as it
# began) and removes the user it creates.
#
# Usage: tests/bench/login_latency.sh [RUNS]   (default 40)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-40}

. "$TOP/tests/lib/benchns.sh"
benchns_enter "all tests/bench/floor tests/bench/pam_lookup.so" "$0" "$@"

W=$NSISO_BENCH_DIR
U=nsbench-user
mount --make-rshared /
benchns_setup
install -d -m 0755 "$W/policy"
printf 'namespaces = mount uts ipc pid\nhostname = %%u-box\ntmpfs = /tmp\ntmpfs = /dev/shm\n' > "$W/policy/default.conf"
chmod 0644 "$W/policy/default.conf"
printf 'auth sufficient pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n' > /etc/pam.d/nsbench-permit
# The helper execs the nsiso-init next to it: both go into one directory,
# as installed (the build writes them into root/nsiso-helper/ and root/nsiso-init/).
install -d -m 0755 "$W/bin"
install -m 0755 "$TOP/root/nsiso-helper/nsiso-helper" "$TOP/root/nsiso-resolve/nsiso-resolve" "$TOP/root/nsiso-init/nsiso-init" "$W/bin/"
{ cat /etc/pam.d/nsbench-permit
  echo "session required $TOP/root/pam_nsiso/pam_nsiso.so policy=$W/policy helper=$W/bin/nsiso-helper"
} > /etc/pam.d/nsbench-nsiso
# The session that holds the environment open during the join runs.
echo "session required $TOP/root/pam_nsiso/pam_nsiso.so policy=$W/policy helper=$W/bin/nsiso-helper" >> /etc/pam.d/runuser-l
# A module that only looks the user up (tests/bench/pam_lookup.c): what
# any session module needing the uid adds, for scale next to the join.
{ cat /etc/pam.d/nsbench-permit; echo "session required $TOP/tests/bench/pam_lookup.so"; } > /etc/pam.d/nsbench-lookup
userdel -r "$U" >/dev/null 2>&1 || true
useradd -m -s /bin/bash "$U"
cleanup() {
	"$TOP/root/nsiso/nsiso" stop "$U" >/dev/null 2>&1 || true
	pkill -KILL -u "$U" 2>/dev/null || true
	sleep 0.2
	userdel -r "$U" >/dev/null 2>&1 || true
}
trap cleanup EXIT

FLOOR=$TOP/tests/bench/floor
one() { # prints microseconds of one pamtester open+close
	"$FLOOR" exec 1 /usr/bin/pamtester "$1" "$U" open_session close_session
}
BWRAP=$(command -v bwrap || true) # make bench-deps
other() { # /bin/true, then bwrap doing nsiso's job (its policy above)
	"$FLOOR" exec 1 /bin/true >> "$W/true"
	[ -z "$BWRAP" ] || "$FLOOR" exec 1 "$BWRAP" --unshare-ipc --unshare-pid --unshare-uts \
		--ro-bind / / --proc /proc --tmpfs /tmp --tmpfs /dev/shm --hostname box true >> "$W/bwrap"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
wait_ended() { for _ in $(seq 100); do [ -z "$(ls /run/nsiso | grep sock)" ] && return; sleep 0.01; done; }

: > "$W/permit"; : > "$W/first"; : > "$W/join"; : > "$W/true"; : > "$W/bwrap"; : > "$W/lookup"
for _ in $(seq "$RUNS"); do
	one nsbench-permit >> "$W/permit"
	one nsbench-nsiso >> "$W/first"
	wait_ended
	other
done
# Hold one session so that every measured login joins a live environment.
runuser -l "$U" -c 'sleep 3600' 2>/dev/null &
for _ in $(seq 100); do ls /run/nsiso | grep -q sock && break; sleep 0.02; done
for _ in $(seq "$RUNS"); do
	one nsbench-permit >> "$W/permit.2"
	one nsbench-nsiso >> "$W/join"
	one nsbench-lookup >> "$W/lookup"
	"$FLOOR" exec 1 /bin/true >> "$W/true"
done
p1=$(median < "$W/permit"); f=$(median < "$W/first")
p2=$(median < "$W/permit.2"); j=$(median < "$W/join")
printf '%-44s %10s\n' "pamtester open+close, median of $RUNS" "usec"
printf '%-44s %10d\n' "pam_permit only" "$p1"
printf '%-44s %10d  (+%d)\n' "pam_nsiso, first login (build + teardown)" "$f" "$((f - p1))"
printf '%-44s %10d  (+%d)\n' "pam_nsiso, joining a live environment" "$j" "$((j - p2))"
t=$(median < "$W/true")
printf '%-44s %10d\n' "/bin/true (fork + exec + wait)" "$t"
ratio() { awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN {r = a / b; printf "%.2fx (target <= %s: %s)", r, m, r <= m ? "met" : "NOT met"}'; }
if [ -s "$W/bwrap" ]; then
	b=$(median < "$W/bwrap")
	printf '%-44s %10d\n' "bwrap doing nsiso's job" "$b"
	printf '%-44s %s\n' "first login added / bwrap" "$(ratio $((f - p1)) "$b" 0.6)"
else
	printf '%-44s %s\n' "first login added / bwrap" "n/a: no bwrap (make bench-deps)"
fi
printf '%-44s %s\n' "join added / /bin/true" "$(ratio $((j - p2)) "$t" 0.25)"
l=$(median < "$W/lookup")
printf '%-44s %s\n' "(a module that only looks the user up) / true" "$(ratio $((l - p2)) "$t" 0.25)"
