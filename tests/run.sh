#!/usr/bin/env bash
# Runs every test: the C unit tests (cmocka, TAP output) and the
# integration tests (bats, TAP output), then prints one closing line:
# "N passed, N failed, N skipped". Exits non-zero when any test failed or
# when no test ran at all. BATS_FILTER_TAGS, when set, goes to bats as
# --filter-tags (the test VM leaves out the tests tagged host-userland).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export NSTRACE="${NSTRACE:-$PWD/$BUILD/nstrace}"

passed=0 failed=0 skipped=0
declare -A skipped_why # reason -> how many tests skipped for it
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Reads TAP on stdin, echoes it, and adds its results to the totals.
count_tap() {
	local line why
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*) failed=$((failed + 1)) ;;
		"ok "*"# skip"* | "ok "*"# SKIP"*)
			skipped=$((skipped + 1))
			why=${line#*# [sS][kK][iI][pP]}
			why=${why# }
			why=${why:-no reason given}
			skipped_why[$why]=$((${skipped_why[$why]:-0} + 1))
			;;
		"ok "*) passed=$((passed + 1)) ;;
		esac
	done
}

# run_tap CMD...: runs CMD, which writes TAP, into $log; rc its status.
run_tap() {
	"$@" >"$log" 2>&1
	rc=$?
}

# count_log WHAT: counts what run_tap wrote. A crash before any TAP line
# still counts as a failure.
count_log() {
	count_tap <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $1 exited with $rc"
		failed=$((failed + 1))
	fi
}

for t in "$BUILD"/tests/*; do
	[ -x "$t" ] || continue
	echo "# unit: $t"
	run_tap env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	count_log "$t"
done

suites=(tests/integration/*.bats)
if [ -n "${TESTS:-}" ]; then
	# TESTS=netdev runs tests/integration/netdev.bats only; a path runs
	# that file (tests/vm/nic.bats, which needs the test VM's spare NIC).
	suites=()
	for s in $TESTS; do
		case $s in
		*/*) suites+=("$s") ;;
		*) suites+=("tests/integration/$s.bats") ;;
		esac
	done
fi
for s in "${suites[@]}"; do
	[ -f "$s" ] || continue
	echo "# integration: $s"
	run_tap bats --tap ${BATS_FILTER_TAGS:+--filter-tags "$BATS_FILTER_TAGS"} "$s"
	count_log "$s"
done

# The second kernel: Debian's 6.1 under QEMU, where fentry and kprobes
# exist. make test names the suites to run there in VM_TESTS; the guest's
# TAP counts with the rest. The guest runs this script too, without it.
# VM_BACKEND_TESTS run again once per backend forced with --backend.
vm_run() { # TESTS [--backend NAME]
	local tests=$1
	shift
	echo "# vm: Debian's 6.1 kernel under QEMU: $tests $*"
	run_tap env TESTS="$tests" bash tests/vm/run.sh --no-build "$@"
	# The guest's own closing lines would read as ours: keep them comments.
	# (Through a file: count_tap at the end of a pipe would count in a
	# subshell, and the totals would be lost.)
	sed -i -e 's/^\([0-9]* passed, \)/# vm: \1/' \
		-e 's/^\([0-9]* tests\? skipped: \)/# vm: \1/' "$log"
	count_log "the test VM"
}
if [ -n "${VM_TESTS:-}" ]; then
	vm_run "$VM_TESTS"
	for b in ${VM_BACKENDS:-}; do
		vm_run "${VM_BACKEND_TESTS:-ns}" --backend "$b"
	done
fi

# Skips are loud: a run as a user skips every integration test and would
# otherwise pass with nothing tested (CI=true makes those failures).
for why in "${!skipped_why[@]}"; do
	n=${skipped_why[$why]}
	msg="$n test$([ "$n" -eq 1 ] || echo s) skipped: $why"
	echo "$msg"
	[ -t 1 ] && [ -t 2 ] || echo "nstrace tests: $msg" >&2
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
