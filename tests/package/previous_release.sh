#!/bin/bash
# Builds the package of the previous release: the second entry of
# debian/changelog, from the commit that added that entry (README,
# "Install from the package": each release is built from the commit that
# adds its entry). check-vm installs it, then this tree's package over it,
# to prove that an upgrade keeps live environments (issue 17).
#
# Usage: tests/package/previous_release.sh OUTDIR
# Leaves OUTDIR/pam-nsiso_VERSION_ARCH.deb; prints its path. Needs the
# repository's history (a clone, not an export) and what make deb needs.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?usage: $0 OUTDIR}
die() { echo "previous_release.sh: $*" >&2; exit 1; }

git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 ||
	die "$TOP is not a git checkout: the previous release is built from its commit"
# The entries' versions, newest first.
mapfile -t versions < <(sed -n 's/^pam-nsiso (\([^)]*\)) .*/\1/p' "$TOP/debian/changelog")
[ "${#versions[@]}" -ge 2 ] ||
	die "debian/changelog has ${#versions[@]} entry: no previous release to upgrade from"
prev=${versions[1]}
# The oldest commit whose changelog gained the line "pam-nsiso (PREV) ...".
commit=$(git -C "$TOP" log --format=%H --reverse -S"pam-nsiso ($prev) " -- debian/changelog | head -1)
[ -n "$commit" ] || die "no commit adds the entry of $prev to debian/changelog"
work=$(mktemp -d /tmp/nsiso-prev.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q --shared --no-checkout "$TOP" "$work/src"
git -C "$work/src" -c advice.detachedHead=false checkout -q "$commit"
echo "previous_release.sh: building $prev from commit $commit" >&2
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$work/src" -s deb >&2
debs=("$work"/src/build/deb/pam-nsiso_"$prev"_*.deb)
[ -f "${debs[0]}" ] || die "make deb at $commit made no pam-nsiso_${prev}_*.deb"
mkdir -p "$OUT"
cp "${debs[0]}" "$OUT/"
echo "$OUT/${debs[0]##*/}"
