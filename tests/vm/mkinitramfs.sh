#!/usr/bin/env bash
# Builds the test VM's initramfs in two layers, concatenated (the kernel
# unpacks one cpio archive after the other):
#   base: the host's own Debian userland (the packages below, with the
#         shared libraries their programs load) or, for a guest of another
#         architecture, the same packages of that one (GUEST_ROOT, from
#         rootfs.sh), busybox for whatever those lack, and the kernel
#         modules the tests need. Cached in $VM_DIR
#         and rebuilt only when its inputs change: it is most of the bytes
#         and most of the time.
#   run:  build/nstrace, the test programs (and any library of theirs the
#         base lacks), the repo's tests/ directory, tests/vm/init as PID 1
#         and the job file. Rebuilt on every run.
#
# usage: mkinitramfs.sh KERNEL_DIR KVER JOB_FILE OUT
#   KERNEL_DIR  the unpacked kernel package (kernel.sh)
#   KVER        its lib/modules version
#   JOB_FILE    what the guest is to do (written by run.sh), becomes /vm/job
#   OUT         the initramfs to write
#
# The userland is copied rather than built so that the guest runs the same
# bash, bats, jq, iproute2 and util-linux as the host's test runs: a test
# that passes on the host and fails in the guest then points at the kernel.
set -euo pipefail

[ $# -eq 4 ] || {
	echo "usage: mkinitramfs.sh KERNEL_DIR KVER JOB_FILE OUT" >&2
	exit 2
}
# Absolute: modprobe -d prints absolute module paths.
kdir=$(cd "$1" && pwd) kver=$2 job=$3 out=$4
BUILD=${BUILD:-build}
VM_DIR=${VM_DIR:-$BUILD/vm}

# Packages whose files (less docs) go to the guest: GUEST_PKGS.
# shellcheck source=tests/vm/guest-pkgs.bash
. "$(dirname "$0")/guest-pkgs.bash"
# python3 (tests use it to check JSON), by the versioned package names of
# the host's python3: python3.11-minimal, libpython3.11-stdlib, ...
if [ -z "${GUEST_PYTHON_PKGS+set}" ]; then
	py=$(readlink /usr/bin/python3 2>/dev/null || true)
	GUEST_PYTHON_PKGS=${py:+"python3-minimal $py-minimal lib$py-minimal lib$py-stdlib"}
fi
GUEST_PKGS="$GUEST_PKGS $GUEST_PYTHON_PKGS"
# The CNI plugins (of /usr/lib/cni) that tests/vm/cni.bats calls, and the
# IPAM ones they call, rather than all of containernetworking-plugins:
# some twenty Go programs of 2 to 4 MB each.
GUEST_CNI=${GUEST_CNI:-"ipvlan vlan host-local static"}
# Network device drivers the tests may create or move. virtio_pci carries
# the second NIC (eth0); 8021q makes vlan devices; modprobe pulls in each
# one's dependencies.
VM_MODULES=${VM_MODULES:-"veth dummy bridge macvlan ipvlan 8021q tun virtio_pci virtio_net"}

# GUEST_ROOT: for a guest of another architecture, its userland as
# tests/vm/rootfs.sh unpacked it, instead of the host's.
GUEST_ROOT=${GUEST_ROOT:-}
[ -z "$GUEST_ROOT" ] || GUEST_ROOT=$(cd "$GUEST_ROOT" && pwd)

base=$VM_DIR/base
run=$VM_DIR/run
elves=$(mktemp)
trap 'rm -f "$elves"' EXIT

# archive DIR FILE: DIR as a gzip'd newc cpio archive. gzip -1: the guest
# decompresses it under emulation, where -9 buys a smaller file for a
# slower boot.
archive() {
	(cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# copy_path ROOT PATH: PATH from the host into ROOT, a symlink as a symlink
# (its target is copied too), and noted for the library scan if it is a
# program or shared object.
copy_path() {
	local r=$1 p=$2 t
	[ -e "$p" ] || [ -L "$p" ] || return 0
	[ -e "$r$p" ] || [ -L "$r$p" ] && return 0
	if [ -d "$p" ] && [ ! -L "$p" ]; then
		mkdir -p "$r$p"
		return 0
	fi
	mkdir -p "$r$(dirname "$p")"
	cp -P "$p" "$r$p"
	if [ -L "$p" ]; then
		t=$(readlink -f "$p")
		copy_path "$r" "$t"
		return 0
	fi
	# Python's byte code, which the packages leave to postinst: without
	# it every python3 start compiles its imports, slowly, under emulation.
	case "$p" in
	*.py)
		t=${p##*/}
		for t in "${p%/*}/__pycache__/${t%.py}".*.pyc; do
			[ -e "$t" ] || continue
			mkdir -p "$r${t%/*}"
			cp "$t" "$r$t"
		done
		;;
	esac
	# Programs, and shared objects such as Python's extension modules
	# (_ctypes.so needs libffi), which need not be executable.
	case "$p" in
	*.so | *.so.*) echo "$p" >>"$elves" ;;
	*) if [ -x "$p" ] && head -c 4 "$p" | grep -q 'ELF'; then echo "$p" >>"$elves"; fi ;;
	esac
}

# copy_libs ROOT: every shared library that the programs in $elves load,
# and the dynamic loader, into ROOT unless the base has it already.
copy_libs() {
	local r=$1 lib
	sort -u "$elves" | while IFS= read -r e; do
		ldd "$e" 2>/dev/null | awk '
			$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// { print $1 }'
	done | sort -u | while IFS= read -r lib; do
		[ -e "$base$lib" ] || [ -e "$r$lib" ] && continue
		# Under usr/ as the base has it: a run layer's own lib/ would
		# replace the base's lib -> usr/lib link when the kernel
		# unpacks it, and /lib/modules with it.
		case "$lib" in
		/lib/* | /lib64/* | /bin/* | /sbin/*) lib_dst=/usr$lib ;;
		*) lib_dst=$lib ;;
		esac
		mkdir -p "$r$(dirname "$lib_dst")"
		cp -L "$lib" "$r$lib_dst"
	done
	: >"$elves"
}

# copy_host ROOT: the host's files of GUEST_PKGS and GUEST_CNI into ROOT,
# less docs, with the libraries their programs load.
copy_host() {
	local r=$1 pkg p
	for pkg in $GUEST_PKGS; do
		dpkg -L "$pkg" >/dev/null 2>&1 || {
			echo "vm: package $pkg is not installed (run tests/vm/deps.sh)" >&2
			exit 1
		}
		while IFS= read -r p; do
			case "$p" in
			/usr/share/doc/* | /usr/share/man/* | /usr/share/info/* | \
				/usr/share/locale/* | /usr/share/lintian/* | /usr/include/* | \
				/usr/share/bash-completion/* | /usr/share/zsh/* | /usr/share/fish/*) continue ;;
			esac
			copy_path "$r" "$p"
		done < <(dpkg -L "$pkg")
	done
	for p in $GUEST_CNI; do
		[ -x "/usr/lib/cni/$p" ] || {
			echo "vm: no CNI plugin /usr/lib/cni/$p (run tests/vm/deps.sh)" >&2
			exit 1
		}
		copy_path "$r" "/usr/lib/cni/$p"
	done
	# awk is an alternatives link on the host, which no package ships.
	[ -e "$r/usr/bin/awk" ] || ln -s mawk "$r/usr/bin/awk"
	base=$r copy_libs "$r"
}

# copy_root ROOT: the unpacked userland of another architecture
# (tests/vm/rootfs.sh: GUEST_PKGS with their dependencies, libraries
# included), less docs, into ROOT. Its CNI plugins are left out: the
# arm64 guest runs the event smoke, which calls none.
copy_root() {
	(cd "$GUEST_ROOT" && tar -c --exclude=./usr/share/doc --exclude=./usr/share/man \
		--exclude=./usr/share/info --exclude=./usr/share/locale --exclude=./usr/share/lintian \
		--exclude=./usr/include --exclude=./usr/share/bash-completion --exclude=./usr/share/zsh \
		--exclude=./usr/share/fish --exclude=./dev --exclude=./etc/passwd --exclude=./etc/group \
		--exclude=./etc/hostname --exclude=./etc/hosts --exclude=./etc/nsswitch.conf .) |
		tar -C "$1" -x
}

# need_libs: for a guest of another architecture, where ldd cannot run
# the programs, that every library the programs in $elves name is in the
# base (GUEST_LIB_PKGS), or a failure that says which.
need_libs() {
	local e lib missing=
	while IFS= read -r e; do
		for lib in $(readelf -d "$e" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			compgen -G "$base/usr/lib/*/$lib" >/dev/null || compgen -G "$base/usr/lib/$lib" >/dev/null ||
				missing="$missing ${e##*/}:$lib"
		done
	done < <(sort -u "$elves")
	: >"$elves"
	if [ -n "$missing" ]; then
		echo "vm: the guest's userland lacks libraries that these need:$missing (GUEST_LIB_PKGS in tests/vm/guest-pkgs.bash)" >&2
		exit 1
	fi
}

build_base() {
	local r=$base.tmp m mdir
	rm -rf "$r"
	mkdir -p "$r"/usr/{bin,sbin,lib,lib64} "$r"/{dev,proc,sys,run,tmp,etc,root,var,vm}
	# The host is merged-/usr (bin -> usr/bin, ...), and so is the guest,
	# so that a path from dpkg -L or ldd lands in one place whichever
	# spelling it has.
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$r/$d"; done
	ln -s ../run "$r/var/run"
	chmod 1777 "$r/tmp"

	if [ -n "$GUEST_ROOT" ]; then
		copy_root "$r"
	else
		copy_host "$r"
	fi

	# busybox fills the gaps (poweroff, ...). Its applets are linked only
	# where the guest has no real program of that name. Its ip lacks
	# "ip netns", and a static busybox runs its own applets ahead of PATH
	# from its shell: there is no "ip" link and no busybox shell at all.
	# The guest's own busybox for another architecture, with the host's
	# list of applets, which it cannot run (the same Debian release).
	cp "${GUEST_ROOT:-}/bin/busybox" "$r/usr/bin/busybox"
	busybox --list-full | while IFS= read -r a; do
		n=${a##*/}
		case "$n" in ip | sh | ash | hush | init | linuxrc) continue ;; esac
		for d in bin sbin; do
			[ -e "$r/usr/$d/$n" ] || [ -L "$r/usr/$d/$n" ] && continue 2
		done
		case "$a" in
		*sbin/*) ln -s ../bin/busybox "$r/usr/sbin/$n" ;;
		*) ln -s busybox "$r/usr/bin/$n" ;;
		esac
	done

	# Kernel modules with their dependencies, and a modules.dep for
	# modprobe.
	mdir=lib/modules/$kver
	mkdir -p "$r/$mdir"
	cp "$kdir/$mdir"/modules.{builtin,builtin.modinfo,order} "$r/$mdir/"
	[ -f "$kdir/$mdir/modules.dep" ] || depmod -b "$kdir" "$kver"
	for m in $VM_MODULES; do
		modprobe -d "$kdir" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | sort -u | while IFS= read -r ko; do
		rel=${ko#"$kdir"/}
		mkdir -p "$r/$(dirname "$rel")"
		cp "$kdir/$rel" "$r/$rel"
	done
	depmod -b "$r" "$kver"

	# Just enough of /etc for names (root, nobody), for setpriv and id.
	cat >"$r/etc/passwd" <<-'PASSWD'
		root:x:0:0:root:/root:/bin/bash
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	PASSWD
	cat >"$r/etc/group" <<-'GROUP'
		root:x:0:
		nogroup:x:65534:
	GROUP
	printf 'passwd: files\ngroup: files\nhosts: files\n' >"$r/etc/nsswitch.conf"
	echo '127.0.0.1 localhost nstrace-vm' >"$r/etc/hosts"
	echo nstrace-vm >"$r/etc/hostname"
	# The kernel opens /dev/console for PID 1 before anything is mounted.
	# As non-root mknod fails: init then reopens it after mounting
	# devtmpfs.
	mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || true

	rm -rf "$base"
	mv "$r" "$base"
	archive "$base" "$VM_DIR/base.cpio.gz"
}

# What the base is made of: a change to any of it rebuilds it.
key=$(
	echo "$kver $VM_MODULES"
	if [ -n "$GUEST_ROOT" ]; then
		echo "$GUEST_ROOT"
		cat "$GUEST_ROOT/../packages"
	else
		echo "$GUEST_CNI"
		# shellcheck disable=SC2086
		dpkg-query -W $GUEST_PKGS busybox-static containernetworking-plugins
	fi
	sha256sum "$0"
)
if [ -f "$VM_DIR/base.cpio.gz" ] && [ -d "$base" ] &&
	[ "$(cat "$VM_DIR/base.key" 2>/dev/null)" = "$key" ]; then
	echo "vm: base layer is up to date" >&2
else
	echo "vm: building the base layer (userland, modules)" >&2
	rm -f "$VM_DIR/base.key"
	build_base
	printf '%s\n' "$key" >"$VM_DIR/base.key"
fi

# The run layer.
rm -rf "$run"
mkdir -p "$run/nstrace/build/tools" "$run/vm"
cp "$BUILD/nstrace" "$run/nstrace/build/nstrace"
echo "$BUILD/nstrace" >>"$elves"
for t in "$BUILD"/tools/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	cp "$t" "$run/nstrace/build/tools/"
	echo "$t" >>"$elves"
done
# The load generators of bench/, when built (make bench-vm).
for t in "$BUILD"/bench/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	mkdir -p "$run/nstrace/build/bench"
	cp "$t" "$run/nstrace/build/bench/"
	echo "$t" >>"$elves"
done
if [ -n "$GUEST_ROOT" ]; then
	need_libs
else
	copy_libs "$run"
fi
# tests/ whole: run.sh, integration/, vm/ (the guest-side scripts); and
# bench/'s scripts.
cp -a tests "$run/nstrace/tests"
cp -a bench "$run/nstrace/bench"
install -m 0755 tests/vm/init "$run/init"
install -m 0644 "$job" "$run/vm/job"
archive "$run" "$VM_DIR/run.cpio.gz"

mkdir -p "$(dirname "$out")"
cat "$VM_DIR/base.cpio.gz" "$VM_DIR/run.cpio.gz" >"$out.tmp"
mv "$out.tmp" "$out"
echo "vm: initramfs $out ($(du -h "$out" | cut -f1))" >&2
