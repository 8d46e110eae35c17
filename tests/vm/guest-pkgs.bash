# shellcheck shell=bash
# Sourced by mkinitramfs.sh and rootfs.sh: the Debian packages whose
# files make the guest's userland, copied from the host for an amd64
# guest, downloaded for another architecture.
#
# coreutils and util-linux are the GNU ones on purpose: busybox's date,
# stat, unshare or nsenter differ in options the tests use. dash is
# /bin/sh, so that no script ends up in busybox's shell. bpftool: tests
# check that nothing of nstrace stays loaded.
GUEST_PKGS=${GUEST_PKGS:-"bash dash coreutils util-linux mount iproute2 bats jq \
	grep sed mawk findutils diffutils procps psmisc kmod gzip bpftool"}
# The shared libraries that nstrace and the test programs link (the
# Makefile's LDLIBS less the static libbpf), for a guest whose libraries
# come as packages rather than from ldd on the host.
GUEST_LIB_PKGS=${GUEST_LIB_PKGS:-"libc6 libelf1 zlib1g libjansson4 libncursesw6 libtinfo6"}
