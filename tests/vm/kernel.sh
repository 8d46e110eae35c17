#!/usr/bin/env bash
# Fetches one of Debian's cloud kernel packages (the newest of its line that
# apt knows) and unpacks it into $VM_DIR/kernel, once: later runs reuse the
# unpacked tree, so a run needs no package download. Prints the kernel
# version (the lib/modules directory name) on stdout; with --suite, the
# Debian suite of VM_KERNEL only.
#
# Which kernel: VM_KERNEL names a line, each from its Debian suite, for
# VM_ARCH (amd64, the default, or arm64: the same names with arm64 for
# amd64):
#   5.10  bullseye   linux-image-5.10.0-N-cloud-amd64-unsigned
#   6.1   bookworm   linux-image-6.1.0-N-cloud-amd64-unsigned (the default)
#   6.12  trixie     linux-image-6.12.*-cloud-amd64-unsigned
#   sid   sid        the newest linux-binary-unsigned-*-cloud-amd64, with
#                    its linux-modules-* and linux-base-* (7.x splits the
#                    image package in three)
# VM_KERNEL_PKG picks one package by name instead (from VM_KERNEL's suite).
#
# Why 6.1 by default: it has fentry/fexit, kprobes, BPF LSM and BTF, which
# the machine's own kernel lacks, so it exercises the code paths nstrace
# takes on common distribution kernels; the others are what users run
# before and after it (make test-kernels).
#
# A suite that the machine's own apt sources lack is read through a
# sources list of its own under $VM_DIR/apt, with its own package lists
# and cache there (apt-get -o Dir::Etc::SourceList=...), so the machine's
# apt state is left as it is. The mirror is the one /etc/apt/sources.list*
# use for Debian (VM_DEBIAN_MIRROR overrides it).
set -euo pipefail

VM_DIR=${VM_DIR:-build/vm}
VM_KERNEL=${VM_KERNEL:-6.1}
# Debian's name for the architecture: amd64, or arm64 (make test-arm64).
VM_ARCH=${VM_ARCH:-amd64}
case "$VM_ARCH" in
amd64 | arm64) ;;
*)
	echo "vm: unknown VM_ARCH $VM_ARCH (amd64 or arm64)" >&2
	exit 2
	;;
esac
dest=$VM_DIR/kernel

case "$VM_KERNEL" in
5.10) suite=bullseye re="^linux-image-5\\.10\\.0-[0-9]+-cloud-$VM_ARCH-unsigned\$" ;;
6.1) suite=bookworm re="^linux-image-6\\.1\\.0-[0-9]+-cloud-$VM_ARCH-unsigned\$" ;;
6.12) suite=trixie re="^linux-image-6\\.12\\.[0-9]+[^ ]*-cloud-$VM_ARCH-unsigned\$" ;;
sid) suite=sid re="^linux-binary-unsigned-[0-9][^ ]*-cloud-$VM_ARCH\$" ;;
*)
	echo "vm: unknown VM_KERNEL $VM_KERNEL (5.10, 6.1, 6.12 or sid)" >&2
	exit 2
	;;
esac

# --suite: which Debian suite that is, and nothing else.
if [ "${1:-}" = --suite ]; then
	echo "$suite"
	exit 0
fi

mkdir -p "$VM_DIR"
# A tree unpacked earlier wins: no network or apt lists needed then.
if [ -z "${VM_KERNEL_PKG:-}" ] && [ -f "$dest/.package" ] &&
	[ "$(cat "$dest/.line" 2>/dev/null || echo 6.1)" = "$VM_KERNEL" ] &&
	[ "$(cat "$dest/.arch" 2>/dev/null || echo amd64)" = "$VM_ARCH" ]; then
	ver=$(cat "$dest/.version")
	if [ -f "$dest/boot/vmlinuz-$ver" ]; then
		echo "$ver"
		exit 0
	fi
fi

# apt: the machine's own apt, or one reading only $suite's lists (for
# VM_ARCH's packages).
# shellcheck source=tests/vm/apt.bash
. "$(dirname "$0")/apt.bash"
a=$(cd "$VM_DIR" && pwd)/apt
vm_apt "$suite" "$VM_ARCH" "$a"

pkg=${VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	# apt-cache needs lists; an empty answer means "apt-get update" was
	# never run for them.
	list() {
		apt-cache "${apt_opts[@]}" search --names-only "$re" 2>/dev/null |
			awk '{print $1}' | sort -V
	}
	pkgs=$(list)
	if [ -z "$pkgs" ] && { [ ${#apt_opts[@]} -gt 0 ] || [ "$(id -u)" = 0 ]; }; then
		echo "vm: apt-get update for $suite${apt_opts:+ (lists in $a)}" >&2
		apt-get "${apt_opts[@]}" update -qq >&2
		pkgs=$(list)
	fi
	pkg=$(tail -n 1 <<<"$pkgs")
	[ -n "$pkg" ] || {
		echo "vm: no package matching $re known to apt for $suite" >&2
		exit 1
	}
fi

# The image alone, or (split packages) the image, its modules and base.
pkgs=$pkg
case "$pkg" in
linux-binary-unsigned-*)
	v=${pkg#linux-binary-unsigned-}
	pkgs="$pkg linux-modules-$v linux-base-$v"
	;;
esac
dl=$VM_DIR/dl
mkdir -p "$dl"
rm -rf "$dest.tmp"
for p in $pkgs; do
	if ! ls "$dl/${p}_"*.deb >/dev/null 2>&1; then
		echo "vm: downloading $p from $suite into $dl" >&2
		# apt-get download writes into the current directory.
		(cd "$dl" && apt-get "${apt_opts[@]}" download -q "$p" >&2)
	fi
	deb=$(ls "$dl/${p}_"*.deb | sort -V | tail -n 1)
	dpkg -x "$deb" "$dest.tmp"
done
# Packages from trixie on are merged-/usr (usr/lib/modules): one path for
# the initramfs to read modules from whichever layout it is.
if [ ! -e "$dest.tmp/lib" ] && [ -d "$dest.tmp/usr/lib/modules" ]; then
	ln -s usr/lib "$dest.tmp/lib"
fi
ver=$(ls "$dest.tmp/lib/modules" | head -n 1)
# The split image package keeps the kernel beside its modules.
if [ -f "$dest.tmp/lib/modules/$ver/vmlinuz.unsigned" ]; then
	mkdir -p "$dest.tmp/boot"
	ln -s "../lib/modules/$ver/vmlinuz.unsigned" "$dest.tmp/boot/vmlinuz-$ver"
fi
[ -f "$dest.tmp/boot/vmlinuz-$ver" ] || {
	echo "vm: $deb has no boot/vmlinuz-$ver" >&2
	exit 1
}
echo "$pkg" >"$dest.tmp/.package"
echo "$ver" >"$dest.tmp/.version"
echo "$VM_KERNEL" >"$dest.tmp/.line"
echo "$VM_ARCH" >"$dest.tmp/.arch"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "vm: unpacked $pkg ($ver) into $dest" >&2
echo "$ver"
