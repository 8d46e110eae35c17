#!/bin/sh
# Installs, with apt-get when run as root, the Debian packages that
# building (deps.sh build), testing (deps.sh test) or the test VM's host
# side (deps.sh vm) needs, and says what it installs (and the two it
# unpacks instead: $loggers below). Elsewhere it names what is missing
# and fails.
set -eu

build="clang llvm libbpf-dev libelf-dev zlib1g-dev libjansson-dev bpftool make gcc libc6-dev libncurses-dev pkg-config"
test="$build libcmocka-dev bats jq iproute2 util-linux python3 procps psmisc libclang-rt-14-dev tmux"
# Real clients the tests drive: CNI plugins, and podman with netavark
# (named, or --no-install-recommends would give it CNI instead); runc and
# busybox-static run its containers as users run them (podman.bats,
# deaths.bats, requests.bats).
test="$test containernetworking-plugins podman runc netavark aardvark-dns busybox-static"
# Docker (its dockerd, run on private roots by docker.bats) and
# systemd-nspawn (nspawn.bats).
test="$test docker.io systemd-container"
# systemd-analyze verify checks the unit in deploy/ (service.bats).
test="$test systemd"
# Prometheus scrapes --metrics, and curl asks it and nstrace (service.bats).
test="$test prometheus curl"
# The log pipelines that pipelines.bats runs: rsyslog and syslog-ng.
# Each Conflicts with every other system-log-daemon, so the two cannot
# both be installed, and installing one would replace the system's
# logger (and enable and start it). So each is unpacked into
# $loggers_root, its maintainer scripts never run, and only what it
# depends on is installed; the tests run the daemon from there as an
# instance of their own. One that is installed already is used as is.
loggers="rsyslog syslog-ng-core"
loggers_root=${NSTRACE_LOGGERS_ROOT:-/opt/nstrace-test}
# deploy.bats: the Kubernetes manifests checked against the API's models
# (kubectl checks nothing without a cluster), and the bash completion
# run as bash-completion runs it.
test="$test python3-kubernetes python3-yaml bash-completion"

# The test VM's host side (tests/vm): QEMU and what builds the initramfs.
# The guest's userland is copied from the host, so the test packages
# (bats, jq, iproute2, ..., the CNI plugins) are needed there too.
vm="qemu-system-x86 busybox-static cpio kmod dpkg apt bash dash bats jq iproute2 util-linux mount coreutils grep sed mawk findutils diffutils procps psmisc gzip python3 containernetworking-plugins"

set_name=${1:-build}
case "$set_name" in
build) want=$build ;;
test) want=$test ;;
vm) want=$vm ;;
*) echo "usage: deps.sh build|test|vm" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; make sure these are installed: $want" >&2
	# The VM is built from Debian packages: elsewhere it cannot be.
	[ "$set_name" = vm ] && exit 1
	exit 0
fi

missing=
for p in $want; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
unpack=
if [ "$set_name" = test ]; then
	for p in $loggers; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$status" in
		*"install ok installed"*) ;;
		*) [ -e "$loggers_root/$p/.unpacked" ] || unpack="$unpack $p" ;;
		esac
	done
fi
[ -z "$missing$unpack" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing$unpack" >&2
	echo "deps: run 'make' as root to install them, or: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	echo "deps: installed:$missing"
fi
for p in $unpack; do
	# What installing it would bring besides itself (and never a
	# removal: the logger that conflicts is the system's).
	libs=$(apt-get install -s -qq --no-install-recommends "$p" |
		sed -n 's/^Inst \([^ ]*\) .*/\1/p' | grep -vx "$p" | tr '\n' ' ' || true)
	if [ -n "$libs" ]; then
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $libs >/dev/null
	fi
	tmp=$(mktemp -d)
	# apt downloads as its own user, where there is one.
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download -qq "$p")
	rm -rf "${loggers_root:?}/$p"
	mkdir -p "$loggers_root/$p"
	dpkg-deb -x "$tmp"/*.deb "$loggers_root/$p"
	rm -rf "$tmp"
	touch "$loggers_root/$p/.unpacked"
	echo "deps: unpacked $p into $loggers_root/$p${libs:+; installed: $libs}"
done
