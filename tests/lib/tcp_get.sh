# tcp_get ADDRESS PORT: prints the first line a server sends, or "refused".
# Sourced into test commands that run inside sessions; bash only.
tcp_get() {
	local line
	if exec 7<>"/dev/tcp/$1/$2" 2>/dev/null; then
		read -r -t 3 line <&7
		exec 7<&-
		printf '%s\n' "${line:-empty}"
	else
		echo refused
	fi
}

# tcp_wait ADDRESS PORT: like tcp_get, but gives a server that is still
# starting (python on a loaded machine) up to 5 s.
tcp_wait() {
	local i got
	for i in $(seq 50); do
		got=$(tcp_get "$1" "$2" 2>/dev/null)
		[ "$got" != refused ] && break
		sleep 0.1
	done
	printf '%s\n' "$got"
}
