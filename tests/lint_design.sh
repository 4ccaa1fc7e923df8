#!/bin/bash
# Keeps the code's citations of the design document true (issue 16).
#
# Every mention of DESIGN.md in a C source or header must read
#     doc/DESIGN.md, "Section name"
# (the citation may wrap across comment lines), and "Section name" must be
# a heading (## or ###) of doc/DESIGN.md. Exit 1, naming file:line and the
# citation, on the first kind of problem found in any file; 0 when clean.
#
# Usage: tests/lint_design.sh [REPO_DIR]   (default: the repository root)
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
doc=$root/doc/DESIGN.md

if [ ! -f "$doc" ]; then
	echo "lint_design: $doc is missing" >&2
	exit 1
fi

cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
else
	mapfile -t files < <(find . -path ./build -prune -o \( -name '*.c' -o -name '*.h' \) -type f -print | sed 's|^\./||')
fi

# The headings, one a line, exactly as written after the hashes.
headings=$(sed -n 's/^###* \(.*[^[:space:]]\)[[:space:]]*$/\1/p' "$doc")

# perl reads each file whole, joins comment continuation lines (a newline,
# blanks, '*', blanks) into one blank so that a wrapped citation reads as
# one, and prints "line<TAB>status<TAB>text" per mention of DESIGN.md:
#   ok      doc/DESIGN.md, "Section"   (text: the section)
#   nodoc   DESIGN.md without the doc/ path
#   nosect  doc/DESIGN.md not followed by , "Section"
status=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	grep -q 'DESIGN\.md' "$f" || continue
	while IFS=$'\t' read -r line kind text; do
		case $kind in
		ok)
			if ! grep -qxF -- "$text" <<<"$headings"; then
				echo "$f:$line: cites doc/DESIGN.md, \"$text\", which is not a heading of doc/DESIGN.md" >&2
				status=1
			fi
			;;
		nodoc)
			echo "$f:$line: cites \"$text\" without the path: write doc/DESIGN.md, \"Section\"" >&2
			status=1
			;;
		nosect)
			echo "$f:$line: cites \"$text\" without a section: write doc/DESIGN.md, \"Section\"" >&2
			status=1
			;;
		esac
	done < <(perl -0777 -ne '
		my $src = $_;
		while ($src =~ /(\S*)DESIGN\.md/g) {
			my ($pre, $at, $end) = ($1, $-[0], $+[0]);
			my $line = 1 + (substr($src, 0, $at) =~ tr/\n//);
			my $rest = substr($src, $end, 400);
			$rest =~ s/\n[ \t]*\*?[ \t]*/ /g;
			if ($pre !~ m{(?:^|[^A-Za-z0-9_./-])doc/$}) {
				print "$line\tnodoc\t${pre}DESIGN.md\n";
			} elsif ($rest =~ /^,\s*"([^"]+)"/) {
				my $sect = $1;
				$sect =~ s/\s+/ /g;
				print "$line\tok\t$sect\n";
			} else {
				print "$line\tnosect\t${pre}DESIGN.md\n";
			}
		}' "$f")
done

if [ "$status" -eq 0 ]; then
	echo "design citations: lint clean"
fi
exit "$status"
