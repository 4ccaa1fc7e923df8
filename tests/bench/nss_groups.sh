#!/bin/bash
# What group policy files add to a login (issue 17): pam_open_session +
# pam_close_session of pam_nsiso, timed in-process by tests/bench/pamlat
# (NSS warmed as sshd has it), for a user with 0, 1 and 20 group files.
# Every file says isolate = no and default.conf too, so nothing is built:
# what is timed is the user look-up and the policy resolution alone. The
# groups are a directory's (tests/integration/nss_fault.c bound over
# libnss_hesiod.so.2 with `group: files hesiod`, in this script's mount
# namespace only): each look-up goes through /etc/group first, as with
# `group: files sss`. The user is in the first group through its member
# list, or (initgroups-only, as sssd's ignore_group_members) through
# initgroups only, which costs the one getgrouplist() too.
#
# Usage: tests/bench/nss_groups.sh [RUNS]   (default 400; root)
#        NSISO_MODULE=/path/pam_nsiso.so ...   time another build's module
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-400}

. "$TOP/tests/lib/benchns.sh"
benchns_enter "all tests/bench/pamlat" "$0" "$@"

W=$NSISO_BENCH_DIR
U=nsbench-nss
MODULE=${NSISO_MODULE:-$TOP/root/pam_nsiso/pam_nsiso.so}
benchns_setup

# The directory: 20 groups that exist only there.
F=$W/nss
install -d -m 0755 "$F"
cc -std=gnu11 -O2 -shared -fPIC -DNSS_NAME=hesiod -DFAULT_DIR="\"$F\"" \
	-o "$F/libnss_fault.so" "$TOP/tests/integration/nss_fault.c"
directory() { # MEMBERSHIP: list | initgroups
	: > "$F/group"; : > "$F/initgroups"
	for i in $(seq 20); do
		if [ "$i" = 1 ] && [ "$1" = list ]; then m=$U; else m=; fi
		echo "nsbench-d$i:x:$((3950000 + i)):$m" >> "$F/group"
	done
	[ "$1" = initgroups ] && echo "$U:3950001" > "$F/initgroups"
	return 0
}
sed -E 's/^(group:).*/\1 files hesiod/' /etc/nsswitch.conf > "$F/nsswitch.conf"
mount --bind "$F/libnss_fault.so" "$(readlink -f "/lib/$(cc -print-multiarch)/libnss_hesiod.so.2")"
mount --bind "$F/nsswitch.conf" /etc/nsswitch.conf

P=$W/policy
policy() { # N: group files for the first N directory groups
	rm -rf "$P"
	install -d -m 0755 "$P" "$P/group"
	printf 'isolate = no\n' > "$P/default.conf"
	for i in $(seq "$1"); do
		printf 'isolate = no\npriority = %d\n' "$i" > "$P/group/nsbench-d$i.conf"
	done
	chmod 0644 "$P"/*.conf "$P"/group/*.conf 2>/dev/null || true
}

{
	printf 'auth sufficient pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n'
	echo "session required $MODULE policy=$P helper=/nonexistent"
} > /etc/pam.d/nsbench-nss
userdel -r "$U" >/dev/null 2>&1 || true
useradd -m -s /bin/bash "$U"
trap 'userdel -r "$U" >/dev/null 2>&1 || true' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
# The machine is shared: the variants take turns, 10 rounds of RUNS/10.
ROUNDS=10
for _ in $(seq "$ROUNDS"); do
	for how in list initgroups; do
		directory "$how"
		for n in 0 1 20; do
			policy "$n"
			PAMLAT_WARM_NSS=1 "$TOP/tests/bench/pamlat" seq nsbench-nss "$U" \
				$((RUNS / ROUNDS)) >> "$W/t.$how.$n"
		done
	done
done

printf 'pam_open_session + pam_close_session, median of %d (usec), %s\n' "$RUNS" "$MODULE"
printf '%-14s %12s %12s %12s\n' membership "0 files" "1 file" "20 files"
for how in list initgroups; do
	printf '%-14s %12s %12s %12s\n' "$how" "$(median < "$W/t.$how.0")" \
		"$(median < "$W/t.$how.1")" "$(median < "$W/t.$how.20")"
done
