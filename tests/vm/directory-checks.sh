# Directory users (issue 17): users and groups that exist only in LDAP,
# served by a real slapd and Debian's sssd, and what pam_nsiso does when
# the directory, and then NSS, fails (nsiso-policy(5), WHICH FILE APPLIES).
# Sourced by tests/vm/guest-checks.sh (its pass/fail/expect_*, wait_for,
# ssh_as and $KEY) after its own clean-up; it puts back everything it
# changes: slapd and sssd are stopped, their data and sssd's caches are
# removed, and so are its users, policy files and PAM stack.
#
# The directory: dc=vmt,dc=test with ou=people and ou=groups (rfc2307:
# posixAccount, posixGroup with memberUid):
#   vmt-dora   uid 71001, primary group vmt-dirusers (71000), member of
#              vmt-lab (71100), which has group/vmt-lab.conf
# Local: vmt-admin, the break-glass admin (user/vmt-admin.conf: isolate =
# no). default.conf isolates nobody, so a login that fell through to it
# would run on the host: every check of an isolated login tells them apart.

DIR_USER=vmt-dora
DIR_GROUP=vmt-lab
DIR_ADMIN=vmt-admin
DIR_W=/root/vmt-dir
DIR_BASE=dc=vmt,dc=test
DIR_ROOTDN=cn=admin,$DIR_BASE
DIR_PW=vmt-secret
POL=/etc/security/nsiso

# nss_probe passwd|group NAME: what NSS answers, as the C library reports
# it ("found", "absent" or "error: STRERROR"): getent and python's pwd/grp
# cannot tell a failed look-up from a name that does not exist.
nss_probe() {
	timeout 60 python3 - "$1" "$2" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None)
fn = libc.getpwnam_r if sys.argv[1] == "passwd" else libc.getgrnam_r
ent = ctypes.create_string_buffer(256)
buf = ctypes.create_string_buffer(1 << 16)
res = ctypes.c_void_p()
rc = fn(sys.argv[2].encode(), ent, buf, len(buf), ctypes.byref(res))
print("error: " + os.strerror(rc) if rc else ("found" if res.value else "absent"))
PY
}

# journal_mark: the journal's last entry, so that later checks read only
# what came after it.
journal_mark() {
	JOURNAL_CURSOR=$(journalctl -q -n 1 --show-cursor -o cat 2>/dev/null | sed -n 's/^-- cursor: //p')
}
# journal_since_mark [MATCH...]: the entries since journal_mark, one a line
# ("IDENTIFIER: MESSAGE").
journal_since_mark() {
	journalctl -q --no-pager ${JOURNAL_CURSOR:+--after-cursor="$JOURNAL_CURSOR"} \
		-o short "$@" 2>/dev/null | sed 's/^[A-Z][a-z][a-z] [0-9 ]*[0-9:]* [^ ]* //'
}
# journal_facility WORD: log the syslog facility of the last entry since
# the mark that holds WORD (10 is authpriv).
journal_facility() {
	log "facility of the $1 line: $(journalctl -q --no-pager ${JOURNAL_CURSOR:+--after-cursor="$JOURNAL_CURSOR"} \
		-g "$1" -o export 2>/dev/null | sed -n 's/^SYSLOG_FACILITY=//p' | tail -1)"
}
journal_has() { local re=$1; shift; journal_since_mark "$@" | grep -Eq -- "$re"; }
# expect_journal WHAT REGEX [MATCH...]: such an entry arrives within 10 s
# (journald reads /dev/log on its own schedule).
expect_journal() {
	local what=$1 re=$2
	shift 2
	if wait_for 10 journal_has "$re" "$@"; then
		pass "$what"
	else
		fail "$what" "no journal entry matches /$re/; since the mark: $(journal_since_mark | tail -8)"
	fi
}

# A session through pam_nsiso alone (pamtester's stack vmt-nsiso): what
# the module decides, apart from what sshd and pam_sss decide before it.
pam_session() { timeout 60 pamtester -v vmt-nsiso "$1" open_session close_session </dev/null 2>&1; }

dir_ldif() {
	cat <<EOF
dn: $DIR_BASE
objectClass: dcObject
objectClass: organization
o: vmt
dc: vmt

dn: ou=people,$DIR_BASE
objectClass: organizationalUnit
ou: people

dn: ou=groups,$DIR_BASE
objectClass: organizationalUnit
ou: groups

dn: uid=$DIR_USER,ou=people,$DIR_BASE
objectClass: account
objectClass: posixAccount
uid: $DIR_USER
cn: Dora Directory
uidNumber: 71001
gidNumber: 71000
homeDirectory: /home/$DIR_USER
loginShell: /bin/bash

dn: cn=vmt-dirusers,ou=groups,$DIR_BASE
objectClass: posixGroup
cn: vmt-dirusers
gidNumber: 71000

dn: cn=$DIR_GROUP,ou=groups,$DIR_BASE
objectClass: posixGroup
cn: $DIR_GROUP
gidNumber: 71100
memberUid: $DIR_USER
EOF
}

# slapd's configuration, loaded offline into a slapd.d of its own (nothing
# of Debian's /etc/ldap is used or changed): the schemas posixAccount
# needs, one mdb database, readable by anyone (sssd binds anonymously).
dir_slapd_config() {
	cat <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $DIR_W/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: $DIR_W/db
olcSuffix: $DIR_BASE
olcRootDN: $DIR_ROOTDN
olcRootPW: $DIR_PW
olcAccess: {0}to * by * read
EOF
}

dir_sssd_conf() {
	cat <<EOF
[sssd]
services = nss, pam
domains = vmt

[domain/vmt]
id_provider = ldap
auth_provider = ldap
access_provider = permit
ldap_uri = ldap://127.0.0.1
ldap_search_base = $DIR_BASE
ldap_schema = rfc2307
ldap_id_use_start_tls = false
ldap_auth_disable_tls_never_use_in_production = true
enumerate = false
cache_credentials = true
# An unreachable directory is found out within seconds, not minutes.
ldap_network_timeout = 3
ldap_opt_timeout = 5
EOF
}

# The root DSE answers before the database has any entry.
slapd_answers() { ldapsearch -x -LLL -o nettimeout=5 -H ldap://127.0.0.1 -s base -b "" namingContexts >/dev/null 2>&1; }

# Best effort and silent: it also runs when the checks stopped early, so
# each step may find nothing to undo; the checks after it ("clean-up: ...")
# and the integration suite show what it left.
dir_cleanup() {
	set +e
	nsiso stop "$DIR_USER" >/dev/null 2>&1
	nsiso stop "$DIR_ADMIN" >/dev/null 2>&1
	pkill -KILL -u "$DIR_ADMIN" 2>/dev/null
	pkill -KILL -u 71001 2>/dev/null
	systemctl stop sssd.service 2>/dev/null
	rm -rf /run/systemd/system/sssd.service.d/vmt.conf
	rmdir /run/systemd/system/sssd.service.d 2>/dev/null
	systemctl daemon-reload
	systemctl reset-failed sssd.service 2>/dev/null
	systemctl stop vmt-slapd.service 2>/dev/null
	systemctl reset-failed vmt-slapd.service 2>/dev/null
	# sssd's caches hold the directory's entries, and the sockets it
	# leaves behind would turn every later look-up of an unknown name
	# into an error (ECONNREFUSED): /var/lib/sss goes back to what it was.
	if [ -d "$DIR_W/sss.orig" ]; then
		rm -rf /var/lib/sss
		cp -a "$DIR_W/sss.orig" /var/lib/sss
	fi
	rm -f /etc/sssd/sssd.conf /etc/pam.d/vmt-nsiso
	[ -f "$DIR_W/sssd.conf" ] && cp -a "$DIR_W/sssd.conf" /etc/sssd/sssd.conf
	rm -f "$POL/group/$DIR_GROUP.conf" "$POL/user/$DIR_ADMIN.conf"
	[ -f "$DIR_W/default.conf" ] && cp -a "$DIR_W/default.conf" "$POL/default.conf"
	[ -f "$DIR_W/sshd" ] && cp -a "$DIR_W/sshd" /etc/pam.d/sshd
	rm -rf "/home/${DIR_USER:?}"
	userdel -r "$DIR_ADMIN" >/dev/null 2>&1
	rm -rf "$DIR_W"
}

# --------------------------------------------------------------------------
section "directory users: slapd and sssd, users and groups only in LDAP"
t_dir=$(date +%s)
trap dir_cleanup EXIT
trap 'exit 1' INT TERM HUP
rm -rf "$DIR_W"
install -d -m 0700 "$DIR_W" "$DIR_W/slapd.d" "$DIR_W/db"
cp -a /etc/pam.d/sshd "$DIR_W/sshd"
cp -a "$POL/default.conf" "$DIR_W/default.conf"
cp -a /var/lib/sss "$DIR_W/sss.orig"
[ -f /etc/sssd/sssd.conf ] && cp -a /etc/sssd/sssd.conf "$DIR_W/sssd.conf"
expect_match "nsswitch.conf asks sss for users and groups (libnss-sss)" "^passwd:.* sss" "$(grep '^passwd:' /etc/nsswitch.conf)"
expect_match "and for groups" "^group:.* sss" "$(grep '^group:' /etc/nsswitch.conf)"
expect_eq "slapd and sssd are not running at boot" "inactive inactive" \
	"$(systemctl is-active slapd.service sssd.service 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
out=$(dir_slapd_config | slapadd -n 0 -F "$DIR_W/slapd.d" 2>&1)
expect_eq "slapadd loads slapd's configuration" "0" "$?"
[ -n "$out" ] && log "$out"
systemd-run -q --unit=vmt-slapd -- /usr/sbin/slapd -d 0 -h ldap://127.0.0.1:389/ -F "$DIR_W/slapd.d"
if wait_for 30 slapd_answers; then pass "slapd answers on ldap://127.0.0.1"
else fail "slapd answers on ldap://127.0.0.1" "$(journalctl -q -u vmt-slapd -n 5 -o cat)"; fi
out=$(dir_ldif | ldapadd -x -o nettimeout=10 -H ldap://127.0.0.1 -D "$DIR_ROOTDN" -w "$DIR_PW" 2>&1)
expect_eq "ldapadd: the OU, the user and the groups" "0" "$?"
[ "$(printf '%s\n' "$out" | grep -c '^adding new entry')" = 6 ] || log "$out"
install -m 0600 /dev/null /etc/sssd/sssd.conf
dir_sssd_conf > /etc/sssd/sssd.conf
# Restart=no while the checks run: a killed sssd must stay dead.
install -d /run/systemd/system/sssd.service.d
printf '[Service]\nRestart=no\n' > /run/systemd/system/sssd.service.d/vmt.conf
systemctl daemon-reload
out=$(timeout 90 systemctl start sssd.service 2>&1)
expect_eq "sssd starts with id_provider = ldap" "0 active" "$? $(systemctl is-active sssd.service)"
[ -n "$out" ] && log "$out"
wait_for 30 sh -c "getent passwd $DIR_USER >/dev/null"
expect_eq "the user is not in /etc/passwd" "" "$(getent -s files passwd "$DIR_USER")"
expect_eq "getent passwd: the directory user, from sss" "$DIR_USER:*:71001:71000:Dora Directory:/home/$DIR_USER:/bin/bash" \
	"$(timeout 30 getent passwd "$DIR_USER")"
expect_eq "id: the directory user and its directory groups" \
	"uid=71001($DIR_USER) gid=71000(vmt-dirusers) groups=71000(vmt-dirusers),71100($DIR_GROUP)" \
	"$(timeout 30 id "$DIR_USER")"
expect_eq "the group is not in /etc/group" "" "$(getent -s files group "$DIR_GROUP")"

# The policy: the directory group is isolated, default.conf is not; the
# local admin has a file of his own.
cat > "$POL/default.conf" <<'EOF'
isolate = no
EOF
install -d -m 0755 "$POL/group" "$POL/user"
cat > "$POL/group/$DIR_GROUP.conf" <<'EOF'
namespaces = mount uts ipc pid
hostname = %u-lab
tmpfs = /tmp
linger = 0
priority = 10
EOF
useradd -m -s /bin/bash "$DIR_ADMIN"
cat > "$POL/user/$DIR_ADMIN.conf" <<'EOF'
isolate = no
EOF
grep -q '^session.*pam_nsiso\.so' /etc/pam.d/sshd || echo 'session required pam_nsiso.so' >> /etc/pam.d/sshd
printf 'auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_nsiso.so\n' \
	> /etc/pam.d/vmt-nsiso
out=$(timeout 60 nsiso check 2>&1)
expect_eq "nsiso check: the policy is clean" "0" "$?"
log "$(printf '%s' "$out" | tr '\n' ';' | head -c 400)"
install -d -m 0755 -o 71001 -g 71000 "/home/$DIR_USER"
install -d -m 0700 -o 71001 -g 71000 "/home/$DIR_USER/.ssh"
install -m 0600 -o 71001 -g 71000 "$KEY.pub" "/home/$DIR_USER/.ssh/authorized_keys"
install -d -m 0700 -o "$DIR_ADMIN" -g "$DIR_ADMIN" "/home/$DIR_ADMIN/.ssh"
install -m 0600 -o "$DIR_ADMIN" -g "$DIR_ADMIN" "$KEY.pub" "/home/$DIR_ADMIN/.ssh/authorized_keys"
HOST_MNT=$(readlink /proc/self/ns/mnt)

out=$(timeout 60 nsiso explain "$DIR_USER")
expect_match "nsiso explain: group/$DIR_GROUP.conf applies to the directory user" \
	"^policy: +$POL/group/$DIR_GROUP.conf" "$out"
# dir_login_isolated WHEN: an ssh login of the directory user is in an
# environment of group/vmt-lab.conf, not on the host.
dir_login_isolated() {
	local out
	out=$(ssh_as "$DIR_USER" 'echo mnt=$(readlink /proc/self/ns/mnt); echo host=$(hostname); echo groups=$(id -Gn)')
	expect_match "$1: ssh login of $DIR_USER: its mount namespace is not the host's" \
		"^mnt:\[[0-9]+\]\$" "$(getv mnt "$out" | grep -vxF "$HOST_MNT")"
	expect_eq "$1: its hostname is group/$DIR_GROUP.conf's" "$DIR_USER-lab" "$(getv host "$out")"
	expect_eq "$1: its groups, from the directory" "vmt-dirusers $DIR_GROUP" "$(getv groups "$out")"
}
# admin_gets_in WHEN: the local admin logs in over ssh, on the host.
admin_gets_in() {
	expect_eq "$1: the local admin $DIR_ADMIN logs in over ssh, on the host (user/$DIR_ADMIN.conf)" \
		"$HOST_MNT" "$(ssh_as "$DIR_ADMIN" 'readlink /proc/self/ns/mnt')"
}
dir_login_isolated "directory up"
admin_gets_in "directory up"
log "directory up: $(( $(date +%s) - t_dir ))s"

# --------------------------------------------------------------------------
section "slapd stopped: sssd's cache answers"
t_dir=$(date +%s)
systemctl stop vmt-slapd.service
expect_eq "slapd is stopped (nothing answers on 127.0.0.1:389)" "down" "$(slapd_answers && echo up || echo down)"
# Everything cached is expired, so each look-up below asks the directory
# first, finds it down, and falls back to the cache (offline).
sss_cache -E
expect_eq "NSS still finds the directory user (sssd offline, from its cache)" "found" "$(nss_probe passwd "$DIR_USER")"
expect_match "id still lists the directory group" "\\($DIR_GROUP\\)" "$(timeout 60 id "$DIR_USER")"
expect_match "nsiso explain: still group/$DIR_GROUP.conf" "^policy: +$POL/group/$DIR_GROUP.conf" \
	"$(timeout 60 nsiso explain "$DIR_USER")"
dir_login_isolated "slapd down, sssd's cache"
admin_gets_in "slapd down"
log "slapd stopped, cache: $(( $(date +%s) - t_dir ))s"

# --------------------------------------------------------------------------
section "sssd dead, the passwd entry still in its memory cache: group look-ups fail"
t_dir=$(date +%s)
# The state the issue measured: sssd's memory cache (/var/lib/sss/mc)
# still answers the user's passwd entry, nothing answers group look-ups.
# Expire everything, look up the passwd entry and the primary group alone
# (into the memory cache, as any ls -l of the user's files does), then kill
# sssd: its sockets stay, and nobody listens on them.
sss_cache -E
timeout 60 getent passwd "$DIR_USER" >/dev/null
timeout 60 getent group vmt-dirusers >/dev/null
systemctl kill -s KILL sssd.service
wait_for 30 sh -c '! systemctl is-active -q sssd.service'
expect_eq "sssd is dead (killed; Restart=no)" "inactive" "$(systemctl is-active sssd.service | sed 's/failed/inactive/')"
expect_eq "NSS: the passwd entry is answered (memory cache)" "found" "$(nss_probe passwd "$DIR_USER")"
expect_match "NSS: the group look-up fails with an error, not 'absent'" "^error: " "$(nss_probe group "$DIR_GROUP")"
expect_eq "id: only the primary group (getgrouplist hides the failure)" \
	"uid=71001($DIR_USER) gid=71000(vmt-dirusers) groups=71000(vmt-dirusers)" "$(timeout 60 id "$DIR_USER" 2>&1)"
out=$(timeout 60 nsiso explain "$DIR_USER"); rc=$?
expect_no_match "nsiso explain: never falls through to default.conf" "default\\.conf" "$out"
expect_match "nsiso explain: the login is denied" "login denied|the session is denied" "$out"
expect_match "nsiso explain: names the group and the NSS error" "$DIR_GROUP.*Connection refused" "$out"
expect_ne "nsiso explain: exits non-zero" "0" "$rc"
journal_mark
out=$(pam_session "$DIR_USER"); rc=$?
expect_ne "pam_nsiso denies the session (pamtester, stack: pam_nsiso alone)" "0" "$rc"
expect_journal "authpriv: pam_nsiso names the user, the group and the NSS error" \
	"pam_nsiso\\(vmt-nsiso:session\\): .*$DIR_USER.*$DIR_GROUP.*Connection refused"
journal_facility pam_nsiso
journal_mark
out=$(ssh_as "$DIR_USER" 'readlink /proc/self/ns/mnt'); rc=$?
expect_eq "an ssh login of $DIR_USER is refused (never on the host)" "255 " "$rc $out"
# Debian's pam_sss account line refuses it already (sssd does not answer).
expect_journal "sshd: pam_sss's account line refuses it" "pam_sss\\(sshd:account\\): Request to sssd failed"
admin_gets_in "sssd dead"
log "partial failure: $(( $(date +%s) - t_dir ))s"

# --------------------------------------------------------------------------
section "NSS fails outright: nothing answers the directory user"
t_dir=$(date +%s)
# Without sssd's memory cache, every look-up goes to its socket, which
# nobody serves: getpwnam fails with an error (ECONNREFUSED), which is not
# "no such user".
rm -f /var/lib/sss/mc/passwd /var/lib/sss/mc/group /var/lib/sss/mc/initgroups
expect_eq "NSS: the user look-up fails with an error" "error: Connection refused" "$(nss_probe passwd "$DIR_USER")"
out=$(timeout 60 nsiso explain "$DIR_USER"); rc=$?
expect_match "nsiso explain: the login is denied, with the NSS error" \
	"^$DIR_USER: login denied: .*$DIR_USER.*Connection refused" "$out"
expect_no_match "nsiso explain: never falls through to default.conf" "default\\.conf" "$out"
expect_ne "nsiso explain: exits non-zero" "0" "$rc"
journal_mark
out=$(pam_session "$DIR_USER"); rc=$?
expect_ne "pam_nsiso denies the session (pamtester)" "0" "$rc"
expect_journal "authpriv: pam_nsiso names the user and the NSS error" \
	"pam_nsiso\\(vmt-nsiso:session\\): .*$DIR_USER.*Connection refused"
journal_facility pam_nsiso
journal_mark
out=$(ssh_as "$DIR_USER" 'readlink /proc/self/ns/mnt'); rc=$?
expect_eq "an ssh login of $DIR_USER is refused" "255 " "$rc $out"
expect_journal "sshd refuses the user it cannot look up before PAM (Invalid user)" \
	"sshd\\[[0-9]+\\]: Invalid user $DIR_USER "
admin_gets_in "NSS failing"
log "full failure: $(( $(date +%s) - t_dir ))s"

dir_cleanup
trap - EXIT
# With no sssd socket, nss_sss answers ENOENT, which callers take for
# "no such user" (the state the guest booted in).
expect_match "clean-up: the directory user is unknown again" "^(absent|error: No such file or directory)$" \
	"$(nss_probe passwd "$DIR_USER")"
expect_eq "clean-up: slapd and sssd are stopped" "inactive inactive" \
	"$(systemctl is-active vmt-slapd.service sssd.service 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
