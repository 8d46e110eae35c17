#!/usr/bin/env bash
# The guest's userland for a test VM of another architecture than the
# machine's (VM_ARCH=arm64: make test-arm64), whose own programs cannot
# run there: Debian's packages of that architecture, downloaded with
# their dependencies through a package list of their own
# (tests/vm/apt.bash) and unpacked with dpkg-deb -x into
# $VM_ROOTFS_DIR/root, merged-/usr as the host is. No maintainer script
# runs, nothing is installed on the machine. Done once: later runs find
# the tree and download nothing. Prints the tree's path on stdout.
#
# The packages are the amd64 guest's (tests/vm/mkinitramfs.sh copies the
# same ones from the host), busybox-static for the gaps, and the shared
# libraries nstrace links (GUEST_LIB_PKGS).
set -euo pipefail
cd "$(dirname "$0")/../.."

VM_ARCH=${VM_ARCH:?}
BUILD=${BUILD:-build}
# The userland is bookworm's, as the host's: the kernel is what differs.
VM_ROOTFS_SUITE=${VM_ROOTFS_SUITE:-bookworm}
dir=${VM_ROOTFS_DIR:-$BUILD/vm/rootfs-$VM_ROOTFS_SUITE-$VM_ARCH}
# shellcheck source=tests/vm/guest-pkgs.bash
. tests/vm/guest-pkgs.bash
# usr-is-merged: what init-system-helpers wants, met without usrmerge,
# which would bring perl.
# One space between names (GUEST_PKGS spans lines): the key and the
# message below say them as a list.
pkgs="$GUEST_PKGS python3-minimal busybox-static $GUEST_LIB_PKGS usr-is-merged"
read -ra pkgs_a <<<"$pkgs"
pkgs=${pkgs_a[*]}
key="$VM_ROOTFS_SUITE $VM_ARCH $pkgs"

if [ -d "$dir/root" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ]; then
	echo "$dir/root"
	exit 0
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# shellcheck source=tests/vm/apt.bash
. tests/vm/apt.bash
vm_apt "$VM_ROOTFS_SUITE" "$VM_ARCH" "$dir/apt"
# An empty dpkg status of its own: apt resolves the whole dependency
# closure, as for an empty system, and downloads it (--download-only
# touches neither the machine's dpkg nor its cache).
mkdir -p "$dir/apt/state"
: >"$dir/apt/state/status"
apt_opts+=(-o "Dir::State=$dir/apt/state" -o "Dir::State::status=$dir/apt/state/status"
	-o Debug::NoLocking=1 -o APT::Install-Recommends=0)
if ! compgen -G "$dir/apt/lists/*_Packages*" >/dev/null; then
	echo "vm: apt-get update for $VM_ROOTFS_SUITE $VM_ARCH (lists in $dir/apt)" >&2
	apt-get "${apt_opts[@]}" update -qq >&2
fi
echo "vm: downloading the $VM_ARCH guest userland ($VM_ROOTFS_SUITE) into $dir/apt/cache/archives" \
	"(what is there already is kept): $pkgs and their dependencies" >&2
# shellcheck disable=SC2086
apt-get "${apt_opts[@]}" install -y -qq --download-only $pkgs >&2
debs=("$dir"/apt/cache/archives/*.deb)
echo "vm: unpacking ${#debs[@]} packages ($(du -ch "${debs[@]}" | tail -n 1 | cut -f1)) into $dir/root" >&2

r=$dir/root.tmp
rm -rf "$r"
mkdir -p "$r"
for d in "${debs[@]}"; do
	dpkg-deb -x "$d" "$r"
	# shellcheck disable=SC2016 # dpkg-deb's fields, not the shell's
	dpkg-deb -W --showformat='${Package} ${Version}\n' "$d" >>"$r.packages"
done
# Merged-/usr, as the amd64 guest copies it from the host: one place for
# a program whichever of /bin and /usr/bin its package chose.
for d in bin sbin lib lib64; do
	if [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then
		mkdir -p "$r/usr/$d"
		cp -a "$r/$d/." "$r/usr/$d/"
		rm -rf "${r:?}/$d"
	fi
	[ -e "$r/$d" ] || ln -s "usr/$d" "$r/$d"
done
# What maintainer scripts or alternatives would have made.
[ -e "$r/usr/bin/sh" ] || ln -s dash "$r/usr/bin/sh"
[ -e "$r/usr/bin/awk" ] || ln -s mawk "$r/usr/bin/awk"
if [ ! -e "$r/usr/bin/python3" ]; then
	for p in "$r"/usr/bin/python3.[0-9]*; do
		v=${p##*/python3.}
		case "$v" in "" | *[!0-9]*) ;; *) ln -s "python3.$v" "$r/usr/bin/python3" && break ;; esac
	done
fi
sort -o "$r.packages" "$r.packages"
mv "$r.packages" "$dir/packages"
rm -rf "$dir/root"
mv "$r" "$dir/root"
printf '%s\n' "$key" >"$dir/key"
echo "$dir/root"
