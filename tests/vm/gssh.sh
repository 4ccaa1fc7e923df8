# gssh ARGS...: ssh into the check-vm guest as root, with the image's key
# and host key ($IMG) on the forwarded port ($PORT). Sourced by run.sh and
# ansible-checks.sh (on the host).
# shellcheck shell=bash
gssh() {
	ssh -F /dev/null -i "$IMG/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o HostKeyAlias=nsiso-vm -o UserKnownHostsFile="$IMG/known_hosts" \
		-o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o ServerAliveInterval=10 \
		-o ServerAliveCountMax=6 -o LogLevel=ERROR -p "$PORT" root@127.0.0.1 "$@"
}
