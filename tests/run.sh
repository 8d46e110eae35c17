#!/usr/bin/env bash
# Runs every test: the C unit tests (cmocka, TAP output) and the
# integration tests (bats, TAP output), then prints one closing line:
# "N passed, N failed, N skipped". Exits non-zero when any test failed or
# when no test ran at all. BATS_FILTER_TAGS, when set, goes to bats as
# --filter-tags (the test VM leaves out the tests tagged host-userland).
# A test still running after BATS_TEST_TIMEOUT seconds (300) fails, and
# bats goes on with the next; a file still running after SUITE_TIMEOUT
# seconds (1200: hung in setup_file or teardown_file) is killed, after
# what it ran then is listed. Without both, one hang would hold the whole
# run until CI gave up on it, with nothing to show of where.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export NSTRACE="${NSTRACE:-$PWD/$BUILD/nstrace}"

export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-1200}

passed=0 failed=0 skipped=0
declare -A skipped_why # reason -> how many tests skipped for it
failures=()            # "WHAT: not ok ...", repeated before the totals
log=$(mktemp) smoke_log=$(mktemp)
trap 'rm -f "$log" "$smoke_log"' EXIT

# count_tap WHAT: reads WHAT's TAP on stdin, echoes it, and adds its
# results to the totals.
count_tap() {
	local line why
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*)
			failed=$((failed + 1))
			failures+=("$1: $line")
			;;
		"ok "*"# skip"* | "ok "*"# SKIP"*)
			skipped=$((skipped + 1))
			why=${line#*# [sS][kK][iI][pP]}
			why=${why# }
			# bats --timing ends the line with the test's time.
			why=${why% in [0-9]*ms}
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
	count_tap "$1" <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $1 exited with $rc"
		failed=$((failed + 1))
		failures+=("$1: exited with $rc")
	fi
}

# run_suite FILE: runs one bats file into $log, in a process group of its
# own, so that what its tests started goes with it when it is killed at
# SUITE_TIMEOUT.
run_suite() {
	local pid dog
	setsid bats --tap --timing ${BATS_FILTER_TAGS:+--filter-tags "$BATS_FILTER_TAGS"} "$1" >"$log" 2>&1 &
	pid=$!
	# Out of the terminal's process group, it would outlive a ^C.
	trap 'kill -TERM -- "-$pid" 2>/dev/null; exit 130' INT TERM
	# The watchdog writes to $log only, and its sleeps are short: nothing
	# of it may outlive the run holding CI's pipe (or, under bats, its
	# fd 3).
	(
		for ((i = 0; i < SUITE_TIMEOUT; i++)); do
			sleep 1
			kill -0 "$pid" 2>/dev/null || exit 0
		done
		{
			echo "# $1 still running after $SUITE_TIMEOUT s; its processes:"
			ps -eo pgid=,pid=,stat=,wchan:24=,etime=,args= |
				awk -v g="$pid" '$1 == g { $1 = ""; print "#  " $0 }'
		} >>"$log"
		kill -TERM -- "-$pid"
		for ((i = 0; i < 10; i++)); do
			sleep 1
			kill -0 -- "-$pid" 2>/dev/null || exit 0
		done
		kill -KILL -- "-$pid"
	) >/dev/null 2>&1 3>&- &
	dog=$!
	wait "$pid"
	rc=$?
	trap - INT TERM
	# What a file's tests left running dies with it.
	kill -KILL -- "-$pid" 2>/dev/null
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	return 0
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
	echo "# integration: $s (at ${SECONDS} s)"
	run_suite "$s"
	count_log "$s"
done

# The second kernel: Debian's 6.1 under QEMU, where fentry and kprobes
# exist. make test names the suites to run there in VM_TESTS; the guest's
# TAP counts with the rest. The guest runs this script too, without it.
# VM_BACKEND_TESTS run again once per backend forced with --backend.
vm_run() { # TESTS [--backend NAME]
	local tests=$1
	shift
	echo "# vm: Debian's 6.1 kernel under QEMU: $tests $* (at ${SECONDS} s)"
	run_tap env TESTS="$tests" bash tests/vm/run.sh --no-build "$@"
	# The guest's own closing lines would read as ours: keep them comments.
	# (Through a file: count_tap at the end of a pipe would count in a
	# subshell, and the totals would be lost.)
	sed -i -e 's/^\([0-9]* passed, \)/# vm: \1/' \
		-e 's/^\([0-9]* tests\? skipped: \)/# vm: \1/' "$log"
	count_log "the test VM"
}
# The other kernels users run (make test-kernels): the event smoke on
# every backend each allows, SMOKE_KERNELS one after the other. A guest
# runs on one host thread (tests/vm/run.sh), so the smoke runs beside the
# 6.1 VM, on the core that one leaves idle; its checks count with the
# rest once both are done.
if [ -n "${SMOKE_KERNELS:-}" ]; then
	echo "# kernels: the event smoke on $SMOKE_KERNELS starts at ${SECONDS} s, beside the VM"
	KERNELS="$SMOKE_KERNELS" bash tests/vm/kernels.sh >"$smoke_log" 2>&1 &
	smoke_pid=$!
fi
if [ -n "${VM_TESTS:-}" ]; then
	vm_run "$VM_TESTS"
	for b in ${VM_BACKENDS:-}; do
		vm_run "${VM_BACKEND_TESTS:-ns}" --backend "$b"
	done
fi

if [ -n "${SMOKE_KERNELS:-}" ]; then
	wait "$smoke_pid"
	rc=$?
	echo "# kernels: the event smoke on $SMOKE_KERNELS, done at ${SECONDS} s"
	sed 's/^\([0-9]* passed, \)/# kernels: \1/' "$smoke_log" >"$log"
	count_log "the kernels' smoke"
fi

# Skips are loud: a run as a user skips every integration test and would
# otherwise pass with nothing tested (CI=true makes those failures).
for why in "${!skipped_why[@]}"; do
	n=${skipped_why[$why]}
	msg="$n test$([ "$n" -eq 1 ] || echo s) skipped: $why"
	echo "$msg"
	[ -t 1 ] && [ -t 2 ] || echo "nstrace tests: $msg" >&2
done
# The failures again, where the end of a long log shows them.
for f in "${failures[@]}"; do
	echo "# failed: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
