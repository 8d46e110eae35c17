#!/usr/bin/env bash
# Fetches Debian's 6.1 cloud kernel package (the newest one apt knows) and
# unpacks it into $VM_DIR/kernel, once: later runs reuse the unpacked tree,
# so a run needs no package download. Prints the kernel version (the
# lib/modules directory name) on stdout.
#
# Why this kernel: it has fentry/fexit, kprobes, BPF LSM and BTF, which the
# machine's own kernel lacks, so it exercises the code paths nstrace takes
# on common distribution kernels. VM_KERNEL_PKG picks another package.
set -euo pipefail

VM_DIR=${VM_DIR:-build/vm}
dest=$VM_DIR/kernel
mkdir -p "$VM_DIR"

# A tree unpacked earlier wins: no network or apt lists needed then.
if [ -z "${VM_KERNEL_PKG:-}" ] && [ -f "$dest/.package" ]; then
	ver=$(cat "$dest/.version")
	if [ -f "$dest/boot/vmlinuz-$ver" ]; then
		echo "$ver"
		exit 0
	fi
fi

pkg=${VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	# apt-cache needs lists; an empty answer means "apt-get update" was
	# never run on this machine.
	list() {
		apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' |
			awk '{print $1}' | sort -V
	}
	pkgs=$(list)
	if [ -z "$pkgs" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >&2
		pkgs=$(list)
	fi
	pkg=$(tail -n 1 <<<"$pkgs")
	[ -n "$pkg" ] || {
		echo "vm: no linux-image-6.1.0-*-cloud-amd64-unsigned package known to apt" >&2
		exit 1
	}
fi

dl=$VM_DIR/dl
mkdir -p "$dl"
if ! ls "$dl/${pkg}_"*.deb >/dev/null 2>&1; then
	echo "vm: downloading $pkg" >&2
	# apt-get download writes into the current directory.
	(cd "$dl" && apt-get download -q "$pkg" >&2)
fi
deb=$(ls "$dl/${pkg}_"*.deb | sort -V | tail -n 1)

rm -rf "$dest.tmp"
dpkg -x "$deb" "$dest.tmp"
ver=$(ls "$dest.tmp/lib/modules" | head -n 1)
[ -f "$dest.tmp/boot/vmlinuz-$ver" ] || {
	echo "vm: $deb has no boot/vmlinuz-$ver" >&2
	exit 1
}
echo "$pkg" >"$dest.tmp/.package"
echo "$ver" >"$dest.tmp/.version"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "vm: unpacked $pkg ($ver) into $dest" >&2
echo "$ver"
