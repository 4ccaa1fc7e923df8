#!/bin/sh
# The code that runs setuid root, measured from what the setuid programs
# were built from: the compile units in their debug info (so a file linked
# in by mistake is counted too), each counted in non-blank lines once its
# comments are gone (the preprocessor strips them; #define and #include
# lines stay). The union over both programs must stay at most LIMIT
# lines (issue 16; bubblewrap's whole setuid binary is about 3,500).
#   tests/setuid_size.sh [BINARY...]   prints the table; exit 1 over LIMIT
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
LIMIT=${SETUID_LINES_MAX:-2000}
cd "$TOP" || exit 1
[ $# -gt 0 ] || set -- setuid/nsiso-enter/nsiso-enter setuid/nsiso-shell/nsiso-shell
units=$(for b in "$@"; do
	if [ ! -f "$b" ]; then echo "setuid_size: $b: not built" >&2; exit 1; fi
	readelf --debug-dump=info "$b" |
		awk '/DW_TAG_compile_unit/ {cu = 1; next}
		     cu && /DW_AT_name/ {print $NF; cu = 0}'
done | grep -v '^/' | sort -u) || exit 1
[ -n "$units" ] || { echo "setuid_size: no debug info in $*" >&2; exit 1; }
total=0
for f in $units; do
	[ -f "$f" ] || { echo "setuid_size: $f (from the debug info) is not in the tree" >&2; exit 1; }
	n=$(gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null | grep -cv '^[[:space:]]*$')
	printf '%6d  %s\n' "$n" "$f"
	total=$((total + n))
done
printf '%6d  total in %d files (at most %d)\n' "$total" "$(echo "$units" | wc -l)" "$LIMIT"
[ "$total" -le "$LIMIT" ]
