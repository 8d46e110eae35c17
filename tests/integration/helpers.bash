# Shared by the integration tests: start nstrace, wait until it is attached,
# stop it, and read what it wrote.
# shellcheck shell=bash

: "${NSTRACE:=$BATS_TEST_DIRNAME/../../build/nstrace}"

# Lacking root or kernel support is a skip on a laptop, a failure in CI.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "required in CI: $*" >&2
		return 1
	fi
	skip "$*"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
}

# Names that this test file owns, so that parallel runs don't collide.
tname() {
	echo "nst$$_$1"
}

# start_nstrace [ARGS...]: runs nstrace --json in the background into
# $TRACE_OUT, stderr into $TRACE_ERR, and waits for its "tracing" line.
start_nstrace() {
	TRACE_OUT=$BATS_TEST_TMPDIR/events.json
	TRACE_ERR=$BATS_TEST_TMPDIR/stderr
	"$NSTRACE" --json "$@" >"$TRACE_OUT" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	for _ in $(seq 200); do
		grep -q '^nstrace: tracing' "$TRACE_ERR" && return 0
		kill -0 "$TRACE_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "nstrace did not start:" >&2
	cat "$TRACE_ERR" >&2
	return 1
}

# stop_nstrace: SIGINT, then wait; nstrace drains its ring buffer on the way
# out, so every event of the workload is in $TRACE_OUT afterwards.
stop_nstrace() {
	kill -INT "$TRACE_PID"
	wait "$TRACE_PID"
	TRACE_RC=$?
	TRACE_PID=
	[ "$TRACE_RC" -eq 0 ] || {
		echo "nstrace exited with $TRACE_RC" >&2
		cat "$TRACE_ERR" >&2
		return 1
	}
}

# Kill a nstrace left running by a failed test.
teardown_nstrace() {
	if [ -n "${TRACE_PID:-}" ]; then
		kill -KILL "$TRACE_PID" 2>/dev/null || true
		wait "$TRACE_PID" 2>/dev/null || true
	fi
}

# events FILTER: the JSON lines that jq FILTER selects, compact.
events() {
	jq -c "select($1)" "$TRACE_OUT"
}

# count FILTER: how many lines FILTER selects.
count() {
	jq -c "select($1)" "$TRACE_OUT" | wc -l
}

ns_inode() { # PID TYPE
	stat -L -c %i "/proc/$1/ns/$2"
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: expected '$2', got '$1'" >&2
		return 1
	fi
}
