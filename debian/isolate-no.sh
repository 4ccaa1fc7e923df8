#!/bin/sh
# isolate-no.sh FILE: FILE (the source install's default.conf) on stdout with
# its "isolate = yes" line turned into "isolate = no" and a comment saying
# how to turn it on: the package's conffile isolates nobody until the
# administrator says so. Fails when FILE has not exactly one such line, so
# that a rewritten default.conf cannot silently ship an isolating conffile.
set -eu
f=$1
n=$(grep -c '^isolate = yes$' "$f" || true)
if [ "$n" != 1 ]; then
	echo "$f: expected exactly one line 'isolate = yes', found $n" >&2
	exit 1
fi
awk '
/^# Isolate users: every login of a user joins that user.s environment\.$/ { next }
/^isolate = yes$/ {
	print "# Installed by the pam-nsiso package: nobody is isolated until you say so."
	print "# To isolate every user this file applies to, change the next line to"
	print "# \"isolate = yes\", check with \"nsiso check\" and \"nsiso explain USER\", and"
	print "# cover the entry paths with \"nsiso enable\" (nsiso(8)).  Or leave it and"
	print "# isolate some users or groups only, with user/NAME.conf or"
	print "# group/GROUP.conf (examples: /usr/share/doc/pam-nsiso/examples)."
	print "# The rest of this file is what an isolated user then gets."
	print "isolate = no"
	next
}
{ print }
' "$f"
