# shellcheck shell=bash
# Sourced by kernel.sh and rootfs.sh: the apt options that read one
# Debian suite for one architecture without touching the machine's apt
# state.
#
# vm_apt SUITE ARCH DIR: sets the array apt_opts. Empty (the machine's own
# apt) when the machine's sources have SUITE and ARCH is the machine's
# own; else a sources list, package lists and cache of their own in DIR
# (apt-get -o Dir::Etc::SourceList=...), from the mirror that
# /etc/apt/sources.list* use for Debian (VM_DEBIAN_MIRROR overrides it),
# and for another architecture APT::Architecture=ARCH, so that apt-get
# download fetches ARCH's packages by their plain names and resolves
# their dependencies among ARCH's.

# sources_have SUITE: the machine's apt sources (one-line or deb822) read
# SUITE.
sources_have() {
	grep -rqsE "^(Suites:.*[[:space:]]|deb .*[[:space:]])$1([[:space:]]|$)" \
		/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

# sources_uri REGEX: the first URI of the machine's apt sources that
# REGEX matches, if any.
sources_uri() {
	{ grep -rhsE '^(URIs:|deb) ' /etc/apt/sources.list /etc/apt/sources.list.d/ |
		grep -oE "$1" | head -n 1 | tr -d '[:space:]'; } || true
}

vm_apt() {
	local suite=$1 arch=$2 dir=$3 mirror host
	host=$(dpkg --print-architecture)
	apt_opts=()
	if [ "$arch" = "$host" ] && sources_have "$suite"; then
		return 0
	fi
	mirror=${VM_DEBIAN_MIRROR:-$(sources_uri 'https?://[^ ]*/debian/?([[:space:]]|$)')}
	mirror=${mirror:-http://deb.debian.org/debian}
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	dir=$(cd "$dir" && pwd)
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"${mirror%/}" "$suite" >"$dir/sources.list"
	# The machine's own suite for another architecture: with its updates
	# and security suites too where the machine has them, so that the
	# newest kernel of the line is the one the machine's apt would pick.
	if [ "$arch" != "$host" ]; then
		local s m sec
		sec=$(sources_uri 'https?://[^ ]*/debian-security/?')
		for s in "$suite-updates" "$suite-security"; do
			sources_have "$s" || continue
			m=$mirror
			case "$s" in *-security) m=$sec ;; esac
			[ -n "$m" ] || continue
			printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
				"${m%/}" "$s" >>"$dir/sources.list"
		done
	fi
	apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache")
	[ "$arch" = "$host" ] ||
		apt_opts+=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
}
