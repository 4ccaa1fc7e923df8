#!/bin/bash
# The Debian package's promises (README, "Install from the package";
# debian/): make deb builds it without leaving a built file in the
# checkout, lintian finds no error or warning but the commented overrides,
# and the .deb holds what an admin relies on: the module in the multiarch
# PAM directory, the helpers with exactly their modes (setuid root on
# nsiso-enter and nsiso-shell only), one conffile that isolates nobody, no
# /etc/pam.d file, and maintainer scripts that remove enable's PAM lines on
# remove, refuse to leave an administrator's line pointing at a missing
# module, and leave nothing on purge.
#
# Root (make check-deb). It changes nothing on this host: nothing is
# installed; the maintainer scripts run in a mount and PID namespace of
# their own, on tmpfs copies of /etc/pam.d, /etc/security, /var/backups,
# /run and the cgroup directory. The install, a login, remove with a live
# environment and purge on a real system: tests/vm/package-checks.sh.
# Last line: "check-deb: N passed, M failed".
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0
check() {
	if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "  ok   $1"
	else failed=$((failed + 1)); echo "  FAIL $1: expected '$2', got '$3'"; fi
}
# check_match NAME REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then passed=$((passed + 1)); echo "  ok   $1"
	else failed=$((failed + 1)); echo "  FAIL $1: no match for /$2/ in: $(printf '%s' "$3" | head -c 600)"; fi
}
finish() {
	echo "check-deb: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
if [ "$(id -u)" != 0 ]; then
	echo "check_deb.sh needs root (the package's owners, the namespaces)" >&2
	exit 1
fi
for t in dpkg-buildpackage dh lintian unshare; do
	command -v "$t" >/dev/null || { echo "check_deb.sh: $t is missing: make deps" >&2; exit 1; }
done

T=$(mktemp -d /tmp/nsiso-deb.XXXXXX)
trap 'rm -rf "$T"' EXIT

# --- the build ---------------------------------------------------------
# Neither the make that runs this script's jobserver nor its variables.
git_state() { git status --porcelain --untracked-files=all --ignored=no; }
before=$(git_state)
t=$(date +%s)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make deb > "$T/build.log" 2>&1
rc=$?
check "make deb builds the package ($(( $(date +%s) - t ))s)" 0 "$rc"
if [ "$rc" != 0 ]; then tail -25 "$T/build.log"; finish; fi
check "make deb leaves no file in the checkout that git sees" "$before" "$(git_state)"
check "and no debian/ build debris (debian/pam-nsiso, debian/files, .debhelper)" "" \
	"$(ls -d debian/pam-nsiso debian/files debian/.debhelper debian/*.substvars debian/debhelper-build-stamp 2>/dev/null)"
VERSION=$(dpkg-parsechangelog -S Version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
DEB=build/deb/pam-nsiso_${VERSION}_$ARCH.deb
CHANGES=build/deb/pam-nsiso_${VERSION}_$ARCH.changes
check "build/deb/ holds the .deb, its -dbgsym, the .buildinfo and the .changes of version $VERSION" \
	"pam-nsiso-dbgsym_${VERSION}_$ARCH.deb pam-nsiso_${VERSION}_$ARCH.buildinfo pam-nsiso_${VERSION}_$ARCH.changes pam-nsiso_${VERSION}_$ARCH.deb" \
	"$(ls build/deb | sort | tr '\n' ' ' | sed 's/ $//')"
[ -f "$DEB" ] || finish

# --- lintian -----------------------------------------------------------
# The .changes names the .deb, the -dbgsym and the .buildinfo: lintian
# checks them all. -I shows the info tags too, among them unused-override:
# an override that silences nothing hides nothing, but says something is
# no longer as its comment claims (a setuid bit gone). Root's lintian says
# it would rather not run as root (stderr).
lintian -i -I --pedantic --show-overrides "$CHANGES" > "$T/lintian" 2>"$T/lintian.err"
check "lintian -i -I --pedantic: no error and no warning" "" "$(grep -E '^[EW]: ' "$T/lintian")"
check "lintian: every override is used and matches" "" "$(grep -E 'unused-override|mismatched-override' "$T/lintian")"
check "lintian ran (it names the package)" yes "$(grep -q 'pam-nsiso' "$T/lintian" && echo yes)"
# Each override carries its reason: a block of override lines follows a
# comment.
bad=$(awk 'FNR == 1 { prev = "" }
	/^[[:space:]]*$/ { prev = ""; next }
	/^#/ { prev = "comment"; next }
	{ if (prev == "") print FILENAME ":" FNR ": an override without a comment"; prev = "override" }' debian/*.lintian-overrides)
check "every lintian override in debian/ follows a comment with its reason" "" "$bad"

# --- the files and their modes -----------------------------------------
dpkg-deb -c "$DEB" | awk '{ print $1, $2, $6 }' | sed 's| \./| /|; s|/$||' > "$T/contents"
mode() { awk -v p="$1" '$3 == p { print $1, $2 }' "$T/contents"; }
check "/usr/libexec/nsiso/nsiso-helper: 0755 root/root" "-rwxr-xr-x root/root" "$(mode /usr/libexec/nsiso/nsiso-helper)"
check "/usr/libexec/nsiso/nsiso-init: 0755 root/root" "-rwxr-xr-x root/root" "$(mode /usr/libexec/nsiso/nsiso-init)"
check "/usr/libexec/nsiso/nsiso-resolve: 0755 root/root" "-rwxr-xr-x root/root" "$(mode /usr/libexec/nsiso/nsiso-resolve)"
check "/usr/libexec/nsiso/nsiso-enter: 4755 root/root" "-rwsr-xr-x root/root" "$(mode /usr/libexec/nsiso/nsiso-enter)"
check "/usr/libexec/nsiso/nsiso-shell: 4755 root/root" "-rwsr-xr-x root/root" "$(mode /usr/libexec/nsiso/nsiso-shell)"
check "setuid or setgid: those two and nothing else" \
	"/usr/libexec/nsiso/nsiso-enter /usr/libexec/nsiso/nsiso-shell" \
	"$(awk '$1 ~ /[sS]/ { print $3 }' "$T/contents" | sort | tr '\n' ' ' | sed 's/ $//')"
check "the module is in the multiarch PAM directory, 0644" "-rw-r--r-- root/root" \
	"$(mode "/usr/lib/$MA/security/pam_nsiso.so")"
check "nothing else is in a PAM directory" "/usr/lib/$MA/security/pam_nsiso.so" \
	"$(awk '$3 ~ /\/security\/./ && $3 !~ /^\/etc\// { print $3 }' "$T/contents" | tr '\n' ' ' | sed 's/ $//')"
check "/usr/sbin/nsiso: 0755 root/root" "-rwxr-xr-x root/root" "$(mode /usr/sbin/nsiso)"
for m in man/*.[0-9]; do
	n=$(basename "$m")
	check "the man page $n is in /usr/share/man/man${n##*.}" "-rw-r--r-- root/root" \
		"$(mode "/usr/share/man/man${n##*.}/$n.gz")"
done
for f in conf/default.conf conf/examples/*/* conf/pam.d/*; do
	e=/usr/share/doc/pam-nsiso/examples/${f#conf/}
	e=${e/examples\/examples/examples}
	check "example $e" "-rw-r--r-- root/root" "$(mode "$e")"
done
check "/etc holds the policy directory and nothing else" \
	"/etc /etc/security /etc/security/nsiso /etc/security/nsiso/default.conf /etc/security/nsiso/group /etc/security/nsiso/user" \
	"$(awk '$3 ~ /^\/etc/ { print $3 }' "$T/contents" | sort | tr '\n' ' ' | sed 's/ $//')"
check "the user/ and group/ policy directories: 0755 root/root" "drwxr-xr-x root/root drwxr-xr-x root/root" \
	"$(mode /etc/security/nsiso/user) $(mode /etc/security/nsiso/group)"
check "no /etc/pam.d file (installing never edits /etc/pam.d)" "" "$(grep ' /etc/pam\.d' "$T/contents")"

# --- the control data ---------------------------------------------------
check "Package and Version (debian/changelog)" "pam-nsiso $VERSION" \
	"$(dpkg-deb -f "$DEB" Package) $(dpkg-deb -f "$DEB" Version)"
deps=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libpam0g; do
	check_match "Depends has $lib (shlibs)" "(^|, )$lib( |,|$)" "$deps"
done
# The capability sets are set with prctl and capset (setuid/lib/caps.c)
# and the netlink requests built by hand (glibc-musl/nlmsg.c): no
# program of the package loads libcap or libmnl.
check "Depends has no libcap2 and no libmnl0" "" "$(printf '%s' "$deps" | grep -oE '(libcap2|libmnl0)[^,]*')"
mkdir "$T/ctrl"
dpkg-deb --ctrl-tarfile "$DEB" | tar -C "$T/ctrl" -xf -
check "conffiles: exactly /etc/security/nsiso/default.conf" "/etc/security/nsiso/default.conf" \
	"$(cat "$T/ctrl/conffiles" 2>/dev/null)"
for s in preinst postinst prerm postrm; do
	[ -e "$T/ctrl/$s" ] || continue
	check "maintainer script $s: sh -n" 0 "$(sh -n "$T/ctrl/$s" 2>&1; echo $?)"
done
check "prerm and postrm are there" "yes yes" \
	"$([ -x "$T/ctrl/prerm" ] && echo yes) $([ -x "$T/ctrl/postrm" ] && echo yes)"
check "installing runs nothing that touches PAM or enables (no preinst or postinst mentions pam.d or enable)" "" \
	"$(cat "$T/ctrl/preinst" "$T/ctrl/postinst" 2>/dev/null | grep -E 'pam\.d|enable')"

# --- what the packaged binaries make of the conffile ----------------------
X=$T/x
dpkg-deb -x "$DEB" "$X"
NSISO=$X/usr/sbin/nsiso
check "nsiso --version is the package's version" "nsiso $VERSION" "$("$NSISO" --version)"
check "the packaged binaries run the packaged helper (/usr/libexec/nsiso/nsiso-helper compiled in)" "1 1 1 1" \
	"$(for b in "usr/lib/$MA/security/pam_nsiso.so" usr/sbin/nsiso usr/libexec/nsiso/nsiso-enter usr/libexec/nsiso/nsiso-shell; do
		strings -n 6 "$X/$b" | grep -cxF /usr/libexec/nsiso/nsiso-helper | sed 's/[2-9]/1/'; done | tr '\n' ' ' | sed 's/ $//')"
check "the module and the helper read /etc/security/nsiso" "1 1" \
	"$(for b in "usr/lib/$MA/security/pam_nsiso.so" usr/libexec/nsiso/nsiso-helper; do
		strings -n 6 "$X/$b" | grep -cF /etc/security/nsiso | sed 's/[2-9]/1/'; done | tr '\n' ' ' | sed 's/ $//')"
P=$X/etc/security/nsiso
out=$("$NSISO" check "$P" 2>&1)
check "nsiso check: the package's policy directory is clean" "0 $P: ok" "$? $(printf '%s' "$out" | tail -1)"
# nobody (uid 65534, above uid_min, in no group with a policy file) gets
# default.conf.
out=$("$NSISO" explain nobody --policy "$P" 2>&1)
check "nsiso explain nobody with the package's conffile: exit 0" 0 "$?"
check_match "it applies default.conf, which says isolate = no" "policy: +$P/default.conf" "$out"
check_match "and the login is not isolated" "at login: +not isolated" "$out"
# The same check can fail: with the source install's default.conf (the
# example) nobody would be isolated.
mkdir "$T/p2"
cp -a "$P/." "$T/p2/"
cp "$X/usr/share/doc/pam-nsiso/examples/default.conf" "$T/p2/default.conf"
out=$("$NSISO" explain nobody --policy "$T/p2" 2>&1)
check_match "(the example default.conf, the source install's, would isolate: the check above can fail)" \
	"namespaces: +mount uts ipc pid" "$out"
# The conffile is the source install's default.conf but for the isolate
# line and its comment (debian/isolate-no.sh).
check "the conffile differs from conf/default.conf only in comments and the isolate line" "" \
	"$(diff conf/default.conf "$P/default.conf" | grep '^[<>]' | grep -Ev '^[<>] (#|isolate = (yes|no)$)')"
check "conffile: isolate = no, once" "isolate = no" "$(grep '^isolate' "$P/default.conf")"
check "isolate-no.sh refuses a default.conf without exactly one 'isolate = yes'" 1 \
	"$(printf 'isolate = no\n' > "$T/bad.conf"; sh debian/isolate-no.sh "$T/bad.conf" >/dev/null 2>&1; echo $?)"

# --- the maintainer scripts, in namespaces of their own --------------------
# ns_run SCRIPT: bash SCRIPT in a new mount and PID namespace (its own
# /proc) whose /etc/pam.d, /etc/security, /var/backups, /run and
# /sys/fs/cgroup are empty tmpfs; the packaged nsiso comes first on PATH,
# as /usr/sbin/nsiso would be. SCRIPT sees $CTRL (the control scripts) and
# $X (the package's files).
ns_run() {
	CTRL=$T/ctrl X=$X unshare --mount --propagation private --pid --fork --mount-proc \
		bash -c '
		set -e
		for d in /etc/pam.d /etc/security /var/backups /run /sys/fs/cgroup; do
			mount -t tmpfs -o mode=0755 nsiso-deb-test "$d"
		done
		export PATH=$X/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin
		set +e
		. "$1"' ns_run "$1"
}
# The stock sshd stack's session lines with enable's line last.
STACK='@include common-session
session    optional     pam_motd.so noupdate
session    required     pam_env.so'
cat > "$T/remove-enabled.sh" <<EOF
printf '%s\n' '$STACK' > /etc/pam.d/sshd
cp /etc/pam.d/sshd /run/sshd.orig
printf '%s\n' 'session required pam_nsiso.so # nsiso enable' >> /etc/pam.d/sshd
printf '%s\n' '-session optional pam_nsiso.so' '# session required pam_nsiso.so' > /etc/pam.d/login
"\$CTRL/prerm" remove > /run/out 2>&1
echo "rc=\$?"
echo "sshd-back=\$(cmp -s /etc/pam.d/sshd /run/sshd.orig && echo yes)"
echo "login-kept=\$(grep -c pam_nsiso /etc/pam.d/login)"
echo "backup=\$(ls /var/backups/nsiso | grep -c '^etc-pam.d-sshd\.')"
sed 's/^/out: /' /run/out
EOF
out=$(ns_run "$T/remove-enabled.sh" 2>&1)
check "prerm remove with enable's line: exit 0" "rc=0" "$(printf '%s\n' "$out" | grep '^rc=')"
check_match "it says it runs nsiso disable" "out: pam-nsiso: running 'nsiso disable'" "$out"
check "nsiso disable took enable's line out: /etc/pam.d/sshd is as before enable" "sshd-back=yes" \
	"$(printf '%s\n' "$out" | grep '^sshd-back=')"
check "a '-session' line and a comment are not in the way (PAM skips a missing '-' module)" "login-kept=2" \
	"$(printf '%s\n' "$out" | grep '^login-kept=')"
check "the old stack is backed up in /var/backups/nsiso" "backup=1" "$(printf '%s\n' "$out" | grep '^backup=')"

cat > "$T/remove-own.sh" <<EOF
printf '%s\n' '$STACK' 'session required pam_nsiso.so # nsiso enable' > /etc/pam.d/sshd
printf '%s\n' '$STACK' 'session [default=ignore] pam_nsiso.so debug' > /etc/pam.d/login
printf '%s\n' 'SESSION required pam_nsiso.so' > /etc/pam.d/su-l
sum=\$(cat /etc/pam.d/* | md5sum)
"\$CTRL/prerm" remove > /run/out 2>&1
echo "rc=\$?"
echo "unchanged=\$([ "\$(cat /etc/pam.d/* | md5sum)" = "\$sum" ] && echo yes)"
echo "backups=\$(ls -A /var/backups | wc -l)"
"\$CTRL/prerm" upgrade > /run/out2 2>&1
echo "upgrade-rc=\$?"
echo "upgrade-unchanged=\$([ "\$(cat /etc/pam.d/* | md5sum)" = "\$sum" ] && echo yes)"
sed 's/^/out: /' /run/out
EOF
out=$(ns_run "$T/remove-own.sh" 2>&1)
check "prerm remove with an administrator's own pam_nsiso line: refused (exit 1)" "rc=1" \
	"$(printf '%s\n' "$out" | grep '^rc=')"
check_match "it names the file and line" "out: +/etc/pam\.d/login:4:session \[default=ignore\] pam_nsiso\.so debug" "$out"
check_match "and one whose type is in capitals (PAM reads it in any case)" "out: +/etc/pam\.d/su-l:1:SESSION required pam_nsiso\.so" "$out"
check_match "and says why" "without the module PAM would deny every session" "$out"
check "and changes nothing (not even enable's line in sshd)" "unchanged=yes backups=0" \
	"$(printf '%s\n' "$out" | grep -E '^(unchanged|backups)=' | tr '\n' ' ' | sed 's/ $//')"
check "prerm upgrade leaves every stack alone" "upgrade-rc=0 upgrade-unchanged=yes" \
	"$(printf '%s\n' "$out" | grep -E '^upgrade-' | tr '\n' ' ' | sed 's/ $//')"

cat > "$T/purge.sh" <<'EOF'
install -d /etc/security/nsiso/user /etc/security/nsiso/group /var/backups/nsiso /run/nsiso \
	/sys/fs/cgroup/nsiso/user-1000
cp "$X/etc/security/nsiso/default.conf" /etc/security/nsiso/default.conf
cp /etc/security/nsiso/default.conf /etc/security/nsiso/default.conf.dpkg-old
touch /var/backups/nsiso/etc-pam.d-sshd.20261203-070000 /run/nsiso/1000.lock
# An environment is live: a process named nsiso-init.
cp /bin/sleep /run/nsiso-init
/run/nsiso-init 600 &
live=$!
"$CTRL/postrm" purge > /run/out1 2>&1
echo "rc1=$?"
echo "left1=$(find /etc/security /var/backups /run/nsiso /sys/fs/cgroup -mindepth 1 | sort | tr '\n' ' ')"
sed 's/^/out1: /' /run/out1
kill "$live"; wait "$live"
install -d /etc/security/nsiso/user /etc/security/nsiso/group
echo 'isolate = yes' > /etc/security/nsiso/user/alice.conf
"$CTRL/postrm" purge > /run/out2 2>&1
echo "rc2=$?"
echo "left2=$(find /etc/security /var/backups /run/nsiso /sys/fs/cgroup -mindepth 1 2>/dev/null | sort | tr '\n' ' ')"
sed 's/^/out2: /' /run/out2
rm /etc/security/nsiso/user/alice.conf
"$CTRL/postrm" purge > /dev/null 2>&1
echo "left3=$(find /etc/security -mindepth 1 | sort | tr '\n' ' ')"
"$CTRL/postrm" remove; echo "remove-rc=$?"
EOF
out=$(ns_run "$T/purge.sh" 2>&1)
check "postrm purge with an environment live: exit 0" "rc1=0" "$(printf '%s\n' "$out" | grep '^rc1=')"
check "it removes the conffile, its .dpkg-old, the empty policy dirs and the backups, keeps /run/nsiso and the cgroups" \
	"left1=/run/nsiso/1000.lock /sys/fs/cgroup/nsiso /sys/fs/cgroup/nsiso/user-1000" \
	"$(printf '%s\n' "$out" | grep '^left1=' | sed 's/ $//')"
check_match "and says /run/nsiso is kept because environments are live" "out1: pam-nsiso: kept /run/nsiso.*live" "$out"
check "postrm purge once none is live: /run/nsiso and the cgroups go; the admin's policy file stays" \
	"left2=/etc/security/nsiso /etc/security/nsiso/user /etc/security/nsiso/user/alice.conf" \
	"$(printf '%s\n' "$out" | grep '^left2=' | sed 's/ $//')"
check_match "and says which files it kept" "out2: pam-nsiso: kept /etc/security/nsiso/user: .*alice\.conf" "$out"
check_match "and that it removed /run/nsiso" "out2: pam-nsiso: removed /run/nsiso" "$out"
check "once the admin's file is gone, purge leaves nothing in /etc/security" "left3=" \
	"$(printf '%s\n' "$out" | grep '^left3=' | sed 's/ $//')"
check "postrm remove: exit 0" "remove-rc=0" "$(printf '%s\n' "$out" | grep '^remove-rc=')"

finish
