#!/usr/bin/env bats
# tests/run.sh itself: a hung test fails alone, a hung file is killed
# with its processes listed, and the failures come again before the
# closing line. Driven with bats files of its own, as make test drives
# the real ones. Needs no root.

ROOT=$BATS_TEST_DIRNAME/../..

# The suites are written by printf: bats would take an @test at the
# start of a line here, even in a here-document, for one of this file.
setup() {
	S=$BATS_TEST_TMPDIR/suites
	mkdir -p "$S"
	printf '%s\n' 'setup_file() { exec 3>&-; sleep 1000; }' \
		'@test "never runs" { true; }' >"$S/hung_setup.bats"
	printf '%s\n' '@test "hangs" { sleep 1000; }' \
		'@test "skips" { skip "on purpose"; }' \
		'@test "passes" { true; }' >"$S/hung_test.bats"
	printf '%s\n' '@test "passes" { true; }' >"$S/fine.bats"
}

# runner SECS_PER_TEST SECS_PER_FILE FILE...: tests/run.sh on FILEs only
# (no unit test: BUILD has none).
runner() {
	local t=$1 f=$2
	shift 2
	run env BUILD="$BATS_TEST_TMPDIR/nobuild" BATS_TEST_TIMEOUT="$t" \
		SUITE_TIMEOUT="$f" TESTS="$*" VM_TESTS= SMOKE_KERNELS= \
		bash "$ROOT/tests/run.sh"
	echo "$output" >&2
}

@test "runner: a hung test fails after BATS_TEST_TIMEOUT, and the file goes on" {
	runner 2 60 "$S/hung_test.bats"
	[ "$status" -ne 0 ]
	[[ $output == *"not ok 1 hangs in "*"# timeout after 2s"* ]]
	[[ $output == *"ok 2 skips in "*"# skip on purpose"* ]]
	[[ $output == *"ok 3 passes in "* ]]
	# The skip's reason without the test's time.
	[[ $output == *$'\n1 test skipped: on purpose\n'* ]]
	[[ $output == *"# failed: $S/hung_test.bats: not ok 1 hangs"* ]]
	[ "${lines[-1]}" = "1 passed, 1 failed, 1 skipped" ]
}

@test "runner: a file hung outside its tests is killed after SUITE_TIMEOUT, its processes listed" {
	runner 300 3 "$S/hung_setup.bats" "$S/fine.bats"
	[ "$status" -ne 0 ]
	[[ $output == *"# $S/hung_setup.bats still running after 3 s; its processes:"* ]]
	[[ $output == *"sleep 1000"* ]]
	[[ $output == *"not ok - $S/hung_setup.bats exited with 143"* ]]
	[[ $output == *"# failed: $S/hung_setup.bats: exited with 143"* ]]
	# The next file still ran, to the end.
	[[ $output == *"# integration: $S/fine.bats (at "* ]]
	[[ $output == *"ok 1 passes in "* ]]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	# Nothing of the hung file is left.
	! pgrep -f "^sleep 1000$" >/dev/null || {
		pgrep -af "^sleep 1000$" >&2
		return 1
	}
}
