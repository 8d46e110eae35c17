#!/bin/sh
# Installs, with apt-get when run as root, the Debian packages that the VM
# harness (tests/vm/run.sh) needs on the host, and says what it installs.
# Elsewhere it names what is missing and fails. The guest's userland is
# copied from the host, so the test packages (bats, jq, iproute2, ...) are
# needed here too.
set -eu

vm="qemu-system-x86 busybox-static cpio kmod dpkg apt bash dash bats jq iproute2 util-linux mount coreutils grep sed mawk findutils diffutils procps psmisc gzip python3"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; make sure these are installed: $vm" >&2
	exit 1
fi

missing=
for p in $vm; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root to install them, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: installed:$missing"
