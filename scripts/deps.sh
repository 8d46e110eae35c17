#!/bin/sh
# Installs, with apt-get when run as root, the Debian packages that
# building (deps.sh build), testing (deps.sh test) or the test VM's host
# side (deps.sh vm) needs, and says what it installs (and the two it
# unpacks instead: $loggers below). Elsewhere it names what is missing
# and fails. build-arm64 and vm-arm64 are the same for an arm64 nstrace
# built on another machine (make ARCH=arm64) and its test VM (make
# test-arm64): a cross compiler, the arm64 libraries it links (dpkg's
# foreign architecture arm64, added then) and qemu-system-arm.
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

# Cross-building for arm64: the host's clang and bpftool make the BPF
# objects and skeletons as for any build; gcc-aarch64-linux-gnu compiles
# and links the loader against the arm64 builds of the libraries it links
# (pkg:arm64, from dpkg's multiarch).
build_arm64="$build gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libjansson-dev:arm64 libncurses-dev:arm64"
# The arm64 test VM's host side: QEMU for arm64 and what builds the
# initramfs. Its userland is not the host's but arm64 packages that
# tests/vm/rootfs.sh downloads and unpacks (dpkg-deb); its modules.dep
# comes from the host's depmod, its busybox applets from the host's
# busybox --list, and readelf (binutils) says which libraries nstrace
# needs there.
vm_arm64="qemu-system-arm busybox-static binutils cpio kmod dpkg apt gzip"

set_name=${1:-build}
case "$set_name" in
build) want=$build ;;
test) want=$test ;;
vm) want=$vm ;;
build-arm64) want=$build_arm64 ;;
vm-arm64) want=$vm_arm64 ;;
*) echo "usage: deps.sh build|test|vm|build-arm64|vm-arm64" >&2; exit 2 ;;
esac
# pkg:arm64 needs dpkg to know arm64 as a foreign architecture, on a
# machine of another one.
foreign=
case "$want" in
*:arm64*)
	if [ "$(dpkg --print-architecture 2>/dev/null)" != arm64 ] &&
		! dpkg --print-foreign-architectures 2>/dev/null | grep -qx arm64; then
		foreign=arm64
	fi
	;;
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
	[ -z "$foreign" ] || echo "deps: and the foreign architecture: sudo dpkg --add-architecture $foreign" >&2
	echo "deps: run 'make' as root to install them, or: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$foreign" ]; then
	echo "deps: adding dpkg's foreign architecture $foreign (its package lists come with apt-get update)"
	dpkg --add-architecture "$foreign"
fi
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
