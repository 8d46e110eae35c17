#!/usr/bin/env bash
# make test-kernels: boots each kernel of KERNELS (tests/vm/kernel.sh's
# names: 5.10, 6.1, 6.12, sid) under QEMU, one after the other, and runs
# the event smoke (tests/vm/events.sh) there on every backend the kernel
# allows. Prints the guests' TAP, the wall time of each boot and smoke,
# and one closing line, "N passed, N failed", naming each kernel and
# backend that ran. Exits 0 only if every check of every kernel passed.
#
# Each kernel has a VM directory of its own, $BUILD/vm/kernels/SUITE,
# where its package, unpacked tree and initramfs base layer are kept
# between runs. VM_ARCH=arm64 (make test-arm64) runs Debian's arm64
# kernels of those lines instead, with BUILD an arm64 build.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export BUILD=${BUILD:-build}
KERNELS=${KERNELS:-5.10 6.1 6.12 sid}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

passed=0 failed=0 ran=() times=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for k in $KERNELS; do
	suite=$(VM_KERNEL=$k bash tests/vm/kernel.sh --suite) || exit 2
	echo "# kernels: $k (Debian $suite, ${VM_ARCH:-amd64})"
	t0=$EPOCHREALTIME
	VM_KERNEL=$k VM_DIR=$BUILD/vm/kernels/$suite bash tests/vm/run.sh --no-build \
		--timeout "${VM_TIMEOUT:-1200}" --shell-cmd 'bash tests/vm/events.sh' 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	t=$(elapsed "$t0")
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	# A guest that died or never got to the smoke: one failure for it.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $k: the VM run ended with $rc and no failed check"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
	kver=$(sed -n 's/^# \([^ ]*\): backends \(.*\)$/\1/p' "$log" | head -n 1)
	b=$(sed -n 's/^# [^ ]*: backends \(.*\)$/\1/p' "$log" | head -n 1)
	ran+=("$k ${kver:-(no boot)}: ${b:-no backend}")
	times+=("$k ${t}s")
done
for r in "${ran[@]}"; do echo "# kernels ran: $r"; done
echo "# kernels wall time (boot + smoke): ${times[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
