#!/bin/bash
# Build, or reuse from the cache, the Debian 12 guest image of make check-vm.
#
# Usage (root): tests/vm/build-image.sh
# Prints the image directory (kernel, initrd, root.img, ssh key) on stdout,
# progress on stderr.
#
# The image is debootstrapped from the Debian archive that apt on this
# machine already uses (read from the apt sources at run time; nothing here
# names a host), with the stock kernel and systemd, and everything the guest
# needs comes in through debootstrap --include: the guest never runs apt.
# It is cached under $NSISO_VM_CACHE (default /var/cache/nsiso-vm), keyed by
# a hash of the suite, the debootstrap arguments, the package list and the
# recipe (the part of this file between the "--- the recipe" and "--- end of
# the recipe" lines), so a changed image definition builds a new image and
# an unchanged one is reused.
set -euo pipefail

CACHE=${NSISO_VM_CACHE:-/var/cache/nsiso-vm}
SUITE=bookworm
# Packages for the guest, on top of debootstrap's minbase (Depends are
# resolved, Recommends are not). The first row is the production-like
# system; the second the directory (tests/vm/directory-checks.sh: slapd
# and SSSD, users and groups only in LDAP); the third is what the checks
# and the integration suite run; the fourth screen, for
# t_46_real_clients.sh's reattach under logind (tmux and sudo are above),
# and python3-apt, which Ansible's apt module needs on a managed host
# (tests/vm/ansible-checks.sh).
PACKAGES=(
	linux-image-amd64 systemd systemd-sysv udev kmod dbus libpam-systemd
	openssh-server openssh-client cron at dbus-user-session sudo
	slapd ldap-utils sssd-ldap sssd-tools libnss-sss libpam-sss
	tmux pamtester python3 iproute2 procps make valgrind libcap-ng0 libaudit1
	screen python3-apt
)

log() { printf 'build-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
for tool in debootstrap mkfs.ext4 ssh-keygen unshare flock python3; do
	command -v "$tool" >/dev/null || die "$tool is missing (make check-vm installs it)"
done

SELF=$(readlink -f "$0")
DEBOOTSTRAP_ARGS=(--variant=minbase --components=main)
KEY=$( {
	echo "$SUITE ${DEBOOTSTRAP_ARGS[*]}"
	printf '%s\n' "${PACKAGES[@]}"
	sed -n '/^# --- the recipe/,/^# --- end of the recipe/p' "$SELF"
} | sha256sum | cut -c1-16)
OUT=$CACHE/debian12-$KEY

# The archive apt uses for this release: the first "deb" source of suite
# $SUITE with component main, from deb822 .sources files or one-line .list
# files. NSISO_VM_MIRROR overrides it.
apt_mirror() {
	python3 - "$SUITE" <<'PY'
import glob, re, sys
suite = sys.argv[1]
files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")) \
    + sorted(glob.glob("/etc/apt/sources.list.d/*.sources"))
for path in files:
    try:
        text = open(path).read()
    except OSError:
        continue
    if path.endswith(".sources"):
        for stanza in re.split(r"\n\s*\n", text):
            fields, key = {}, None
            for line in stanza.splitlines():
                if line.startswith("#") or not line.strip():
                    continue
                if line[0] in " \t" and key:
                    fields[key] += " " + line.strip()
                    continue
                key, _, val = line.partition(":")
                key = key.strip().lower()
                fields[key] = val.strip()
            if fields.get("enabled", "yes").lower() == "no":
                continue
            if "deb" in fields.get("types", "").split() \
                    and suite in fields.get("suites", "").split() \
                    and "main" in fields.get("components", "").split():
                print(fields["uris"].split()[0])
                sys.exit(0)
    else:
        for line in text.splitlines():
            line = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
            if len(line) >= 4 and line[0] == "deb" and line[2] == suite and "main" in line[3:]:
                print(line[1])
                sys.exit(0)
sys.exit(1)
PY
}

mkdir -p "$CACHE"
chmod 0700 "$CACHE"
exec 9>"$CACHE/.lock"
flock -w 1500 9 || die "another build holds $CACHE/.lock"

if [ -e "$OUT/ready" ]; then
	log "cached image $OUT"
	echo "$OUT"
	exit 0
fi

MIRROR=${NSISO_VM_MIRROR:-$(apt_mirror)} || die "no '$SUITE main' deb source in the apt sources"
TMP=$(mktemp -d "$CACHE/build.XXXXXX")
ROOT=$TMP/root
BUILD_PID=
cleanup() {
	set +e
	# debootstrap runs in a session of its own: end all of it first.
	if [ -n "$BUILD_PID" ]; then
		kill -TERM -- "-$BUILD_PID" 2>/dev/null
		for _ in $(seq 50); do pgrep -g "$BUILD_PID" >/dev/null || break; sleep 0.2; done
		kill -KILL -- "-$BUILD_PID" 2>/dev/null
		wait "$BUILD_PID" 2>/dev/null
	fi
	# debootstrap and the chroot steps run in mount namespaces of their
	# own, so nothing is mounted below $ROOT once they have exited.
	rm -rf --one-file-system "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# chroot_run CMD...: a command in the target, in a private mount namespace
# with /proc, /sys and /dev, all gone when it exits.
chroot_run() {
	unshare --mount --propagation private -- sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount --rbind /dev "$root/dev" &&
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"' sh "$ROOT" "$@"
}

START=$(date +%s)
log "debootstrap $SUITE (minbase + ${#PACKAGES[@]} packages) into $ROOT"
include=$(IFS=,; echo "${PACKAGES[*]}")
# In the background and waited for, so that a TERM is handled at once.
setsid -w unshare --mount --propagation private -- \
	debootstrap "${DEBOOTSTRAP_ARGS[@]}" --include="$include" \
	"$SUITE" "$ROOT" "$MIRROR" > "$TMP/debootstrap.log" 2>&1 &
BUILD_PID=$!
if ! wait "$BUILD_PID"; then
	tail -30 "$TMP/debootstrap.log" >&2
	[ -f "$ROOT/debootstrap/debootstrap.log" ] && tail -30 "$ROOT/debootstrap/debootstrap.log" >&2
	die "debootstrap failed"
fi
BUILD_PID=
log "debootstrap done in $(( $(date +%s) - START ))s"

# --- the recipe: a bootable, reachable, quiet guest ---------------------
echo nsiso-vm > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tnsiso-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	> "$ROOT/etc/hosts"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' > "$ROOT/etc/fstab"
# No name service: the guest reaches nothing but the forwarded port.
: > "$ROOT/etc/resolv.conf"
# qemu user networking without a gateway or DNS: the guest answers on the
# forwarded port and sends nothing anywhere else.
install -d "$ROOT/etc/systemd/network"
cat > "$ROOT/etc/systemd/network/10-qemu.network" <<'EOF'
[Match]
Name=eth0

[Network]
Address=10.0.2.15/24
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
cat > "$ROOT/etc/ssh/sshd_config.d/nsiso-vm.conf" <<'EOF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
MaxStartups 100:30:200
MaxSessions 100
EOF
chroot_run systemctl enable systemd-networkd.service >/dev/null 2>&1 \
	|| die "systemctl enable systemd-networkd failed"
# Nothing in the guest may try the network (apt) or steal time from the
# checks (timers); the checks start what they need themselves.
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	e2scrub_reap.service fstrim.timer man-db.timer \
	systemd-networkd-wait-online.service; do
	ln -sf /dev/null "$ROOT/etc/systemd/system/$unit"
done
# slapd and sssd are installed enabled: the directory checks start their
# own slapd and write sssd.conf, and nothing else may see a directory.
chroot_run systemctl disable slapd.service sssd.service >/dev/null 2>&1 \
	|| die "systemctl disable slapd sssd failed"
# Root logs in on the serial console without a password (debugging a
# failed boot: the console log is kept on failure); ssh uses the key.
passwd -R "$ROOT" -d root >/dev/null
install -d -m 0700 "$ROOT/root/.ssh"
ssh-keygen -q -t ed25519 -N '' -C nsiso-vm -f "$TMP/id_ed25519"
install -m 0600 "$TMP/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
[ -s "$ROOT/etc/ssh/ssh_host_ed25519_key.pub" ] || chroot_run ssh-keygen -A >/dev/null
printf 'nsiso-vm %s\n' "$(cut -d' ' -f1-2 "$ROOT/etc/ssh/ssh_host_ed25519_key.pub")" \
	> "$TMP/known_hosts"

# The stock kernel and its initramfs, booted directly by qemu.
if ! ls "$ROOT"/boot/initrd.img-* >/dev/null 2>&1; then
	chroot_run update-initramfs -c -k all >/dev/null 2>&1 || die "update-initramfs failed"
fi
cp "$(ls "$ROOT"/boot/vmlinuz-* | sort -V | tail -1)" "$TMP/vmlinuz"
cp "$(ls "$ROOT"/boot/initrd.img-* | sort -V | tail -1)" "$TMP/initrd.img"
basename "$(ls "$ROOT"/boot/vmlinuz-* | sort -V | tail -1)" | sed 's/^vmlinuz-//' > "$TMP/kernel-version"
chroot_run dpkg-query -W -f '${Package} ${Version}\n' > "$TMP/packages.txt"

rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT/debootstrap"
log "making the ext4 image ($(du -sh --one-file-system "$ROOT" | cut -f1) of files)"
truncate -s 6G "$TMP/root.img"
mkfs.ext4 -q -F -L nsiso-root -d "$ROOT" "$TMP/root.img" || die "mkfs.ext4 -d failed"
rm -rf --one-file-system "$ROOT"
# --- end of the recipe ---------------------------------------------------
touch "$TMP/ready"

# Publish atomically, then drop images built from older recipes.
mv "$TMP" "$OUT"
trap - EXIT
for old in "$CACHE"/debian12-*; do
	[ "$old" = "$OUT" ] || rm -rf --one-file-system "$old"
done
rm -rf --one-file-system "$CACHE"/build.*
log "image ready in $(( $(date +%s) - START ))s: $OUT"
echo "$OUT"
