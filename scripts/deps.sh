#!/bin/sh
# Installs, with apt-get when run as root, the Debian packages that
# building (deps.sh build), testing (deps.sh test) or the test VM's host
# side (deps.sh vm) needs, and says what it installs. Elsewhere it names
# what is missing and fails.
set -eu

build="clang llvm libbpf-dev libelf-dev zlib1g-dev libjansson-dev bpftool make gcc libc6-dev libncurses-dev pkg-config"
test="$build libcmocka-dev bats jq iproute2 util-linux python3 procps psmisc libclang-rt-14-dev tmux"
# Real clients the tests drive: CNI plugins, and podman with netavark
# (named, or --no-install-recommends would give it CNI instead); runc and
# busybox-static run its containers as users run them (deaths.bats,
# requests.bats).
test="$test containernetworking-plugins podman runc netavark aardvark-dns busybox-static"
# Docker (its dockerd, run on private roots by docker.bats) and
# systemd-nspawn (nspawn.bats).
test="$test docker.io systemd-container"

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
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run 'make' as root to install them, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: installed:$missing"
