#!/usr/bin/env bats
# A short run of every libFuzzer target (tests/fuzz/): the escapers, the
# decoding of ring buffer records, the parsers of /proc text, the
# reading of JSON logs back (replay), and the HTTP server of --metrics. make fuzz runs them longer. Needs
# no root.

ROOT=$BATS_TEST_DIRNAME/../..
BUILD=${BUILD:-build}

# fuzz NAME: runs it for FUZZ_SECS (5 s), failing on any crash or check.
fuzz() {
	run env BUILD="$BUILD" FUZZ="$1" FUZZ_SECS="${FUZZ_SECS:-5}" \
		bash "$ROOT/tests/fuzz/run.sh"
	echo "$output" >&2
	[ "$status" -eq 0 ]
}

setup() {
	cd "$ROOT" || return 1
}

@test "fuzz: json_str and text_str always give valid JSON and terminal-safe text" {
	fuzz fuzz_escape
}

@test "fuzz: any ring buffer record decodes and renders safely, or is refused" {
	fuzz fuzz_record
}

@test "fuzz: mountinfo lines of any shape, into a path buffer of any size" {
	fuzz fuzz_mountinfo
}

@test "fuzz: two mount tables of any shape: their names, and what changed" {
	fuzz fuzz_nsfs
}

@test "fuzz: /proc/PID/cgroup text of any shape" {
	fuzz fuzz_cgroup
}

@test "fuzz: a JSON log of any bytes replays into valid JSON and safe text" {
	fuzz fuzz_replay
}

@test "fuzz: any bytes from a --metrics client, in any pieces, get whole HTTP answers" {
	fuzz fuzz_httpd
}
