#!/usr/bin/env bash
# Boots Debian's 6.1 kernel under QEMU with an initramfs holding nstrace,
# the host's test userland and tests/, runs the smoke check and the
# integration suite inside (or one command), prints the guest's console
# (TAP) here, and exits 0 only if the guest said PASS.
#
# Why: the machine's own kernel has tracepoints only (no fentry, kprobes,
# BPF LSM, modules); Debian's 6.1 has them all and is what many users run,
# and it is older, so CO-RE relocations meet other struct layouts.
#
# usage: tests/vm/run.sh [--backend NAME] [--shell-cmd 'CMD' | --shell]
#                        [--timeout SECS] [--no-build]
#   --backend NAME   the guest exports NSTRACE_BACKEND_ARGS="--backend NAME"
#                    for the smoke check and the tests to pass to nstrace
#   --shell-cmd CMD  run CMD (bash -c, from /nstrace) instead of the tests;
#                    its exit status is the result
#   --shell          an interactive shell in the guest (Ctrl-A x quits QEMU)
#   --timeout SECS   kill the VM after SECS (default 2400, or VM_TIMEOUT)
#   --no-build       use build/nstrace and build/tools as they are
# Environment: BUILD (default build), VM_MEM (MiB, 1024), VM_SMP (2),
# VM_MODULES (modules to load), TESTS (as for tests/run.sh), VM_KERNEL
# (5.10, 6.1, 6.12 or sid: tests/vm/kernel.sh), VM_KERNEL_PKG, VM_DIR
# (default $BUILD/vm: one kernel, one run at a time per directory),
# VM_LOGLEVEL (guest console log level, default 1; 7 shows kernel warnings),
# VM_TEST_TIMEOUT (seconds one bats test may take in the guest, 300),
# VM_APPEND (more kernel command line), VM_SKIP_SUITES (bats files left to
# the host, default "fuzz"), VM_ACCEL (default tcg,thread=single), VM_ARCH
# (amd64, or arm64: Debian's arm64 kernel on qemu-system-aarch64's virt
# machine, with an arm64 userland from tests/vm/rootfs.sh and $BUILD's
# nstrace as make ARCH=arm64 builds it).
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
	sed -n 's/^# \{0,1\}//; /^usage:/,/^Environment/p' "$0" | sed '$d' >&2
	exit 2
}

backend_args="" mode=suite cmd="" timeout_s=${VM_TIMEOUT:-2400} build=1
while [ $# -gt 0 ]; do
	case "$1" in
	--backend)
		[ $# -ge 2 ] || usage
		backend_args="--backend $2"
		shift 2
		;;
	--shell-cmd)
		[ $# -ge 2 ] || usage
		mode=cmd cmd=$2
		shift 2
		;;
	--shell) mode=shell && shift ;;
	--timeout)
		[ $# -ge 2 ] || usage
		timeout_s=$2
		shift 2
		;;
	--no-build) build= && shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done

export BUILD=${BUILD:-build}
export VM_DIR=${VM_DIR:-$BUILD/vm}
export VM_ARCH=${VM_ARCH:-amd64}
# What differs by architecture: the make ARCH= of the build, the deps.sh
# sets, QEMU and its machine, the kernel's console. A guest of another
# architecture than the host's gets its userland from rootfs.sh.
case "$VM_ARCH" in
amd64)
	make_arch=() deps_sfx=
	# shellcheck disable=SC2054 # the commas are QEMU's
	qemu_arch=(qemu-system-x86_64 -cpu max) console=ttyS0
	;;
arm64)
	make_arch=(ARCH=arm64) deps_sfx=-arm64
	# virt: the generic board, with PCI for the virtio NIC and a PL011
	# UART. pauth-impdef: QEMU's cheap hash for pointer authentication
	# instead of the architected QARMA5, which under TCG costs a great
	# deal in every function's prologue and epilogue.
	# shellcheck disable=SC2054 # the commas are QEMU's
	qemu_arch=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on) console=ttyAMA0
	;;
*)
	echo "vm: unknown VM_ARCH $VM_ARCH (amd64 or arm64)" >&2
	exit 2
	;;
esac
VM_MEM=${VM_MEM:-1024}
VM_SMP=${VM_SMP:-2}
VM_MODULES=${VM_MODULES:-"veth dummy bridge macvlan ipvlan 8021q tun virtio_pci virtio_net"}
mkdir -p "$VM_DIR"
# Two runs on one build directory would overwrite each other's initramfs,
# job and console log.
exec 9>"$VM_DIR/lock"
flock -n 9 || {
	echo "vm: another VM run is using $VM_DIR; use another BUILD= to run in parallel" >&2
	exit 1
}

sh tests/vm/deps.sh
# The build set has bpftool, which the guest needs too (the amd64 one).
sh scripts/deps.sh "build$deps_sfx"
if [ -n "$build" ]; then
	tools=()
	for t in tests/tools/*.c; do
		[ -f "$t" ] || continue
		t=${t##*/}
		tools+=("$BUILD/tools/${t%.c}")
	done
	make --no-print-directory "${make_arch[@]}" BUILD="$BUILD" all "${tools[@]}"
fi
[ -x "$BUILD/nstrace" ] || {
	echo "vm: no $BUILD/nstrace" >&2
	exit 1
}

kver=$(bash tests/vm/kernel.sh)
kdir=$VM_DIR/kernel

# What the guest is to do, as shell assignments that init sources.
job=$VM_DIR/job
{
	printf 'VM_MODE=%q\n' "$mode"
	printf 'VM_CMD=%q\n' "$cmd"
	printf 'VM_MODULES=%q\n' "$VM_MODULES"
	printf 'NSTRACE_BACKEND_ARGS=%q\n' "$backend_args"
	printf 'VM_LOGLEVEL=%q\n' "${VM_LOGLEVEL:-1}"
	printf 'VM_TTY=%q\n' "/dev/$console"
	# The guest gives up on the suite a minute before the host gives up on
	# the guest, so that it can still say which test hung.
	printf 'VM_SUITE_TIMEOUT=%q\n' "$((timeout_s > 120 ? timeout_s - 60 : 0))"
	printf 'BATS_TEST_TIMEOUT=%q\n' "${VM_TEST_TIMEOUT:-300}"
	printf 'VM_SKIP_SUITES=%q\n' "${VM_SKIP_SUITES-fuzz}"
	[ -z "${TESTS:-}" ] || printf 'TESTS=%q\n' "$TESTS"
} >"$job"
t_build=$EPOCHREALTIME
guest_root=
[ "$VM_ARCH" = "$(dpkg --print-architecture)" ] || guest_root=$(bash tests/vm/rootfs.sh)
GUEST_ROOT=$guest_root VM_MODULES=$VM_MODULES bash tests/vm/mkinitramfs.sh "$kdir" "$kver" "$job" "$VM_DIR/initramfs.gz"
echo "vm: initramfs built in $(awk -v a="$t_build" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s" >&2

# TCG, not KVM: KVM fails on this kind of machine (emulation failures,
# MSR errors with -cpu host/max). thread=single: with one host thread per
# vCPU (QEMU's default) the guest was seen to livelock in
# syscall_trace_enter (a soft lockup, do_sync_core on the stack) while
# tracepoints or trampolines were being patched in on the other vCPU,
# in two of four runs of the suite; with both vCPUs on one thread it was
# not. -nodefaults: no VGA, no default NIC; the
# one NIC is user networking with restrict=on, so the guest reaches nothing
# outside the VM: it is there to be moved between network namespaces.
# softlockup_panic: a CPU stuck in the kernel (a BPF program that never
# returns, a deadlock) ends the run at once with a backtrace, rather than
# at the timeout with nothing to show.
# shellcheck disable=SC2054 # the commas are QEMU's
qemu=("${qemu_arch[@]}" -accel "${VM_ACCEL:-tcg,thread=single}" -m "$VM_MEM" -smp "$VM_SMP"
	-nodefaults -no-user-config -display none -no-reboot
	-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$VM_DIR/initramfs.gz"
	-append "console=$console panic=-1 softlockup_panic=1 quiet loglevel=3 mitigations=off ${VM_APPEND:-}"
	-nic user,model=virtio-net-pci,restrict=on)

if [ "$mode" = shell ]; then
	# The terminal goes straight to the serial line, for line editing.
	exec "${qemu[@]}" -serial mon:stdio
fi

log=$VM_DIR/console.log
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
t0=$EPOCHREALTIME
set +e
# stdin is /dev/null: no terminal left in raw mode by a killed QEMU, and
# nothing typed reaches the guest.
timeout --kill-after=10 "$timeout_s" "${qemu[@]}" -serial stdio </dev/null 2>&1 |
	while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s\n' "$line"
		printf '%s\n' "$line" >>"$log.tmp"
		case "$line" in
		"nstrace-vm: ready at "*) echo "vm: guest ready after $(elapsed "$t0") s of wall time" ;;
		"nstrace-vm: result "*) echo "vm: guest finished after $(elapsed "$t0") s of wall time" ;;
		esac
	done
rcs=("${PIPESTATUS[@]}")
set -e
mv "$log.tmp" "$log"
rc=${rcs[0]}
echo "vm: QEMU exited with $rc after $(elapsed "$t0") s; console log in $log"

if grep -q '^nstrace-vm: result PASS' "$log"; then
	exit 0
elif grep -q '^nstrace-vm: result FAIL' "$log"; then
	exit 1
elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "vm: timed out after $timeout_s s with no result from the guest" >&2
	exit 124
fi
echo "vm: the guest gave no result (crash or panic: see $log)" >&2
exit 2
