#!/usr/bin/env bash
# What each of nstrace's BPF programs costs a run, from the kernel's own
# counters (kernel.bpf_stats_enabled: run_time_ns and run_cnt per
# program), under a load from bench/: UDP sendmsg and sendto, which pass
# the rtnetlink filter and leave; setns ping-pong with nothing to emit
# (-t uts) and with one ns.setns per call; unshare(CLONE_NEWUTS) with
# nothing to emit and with one ns.create per call. Only the programs of
# the nstrace started here are counted, the delta over the load; other
# sendmsg calls on the machine during it are counted too (a few).
# Beside each, the floor: bpftrace with empty probes on the same
# tracepoints, whose runs cost what the kernel's run of any program and
# its statistics cost (FLOOR=none leaves it out, where bpftrace is not).
# NSTRACE_ARGS go before each run's own (the test VM's --backend kprobe).
#
#   BUILD=build LOADS="send setns" bash bench/progstats.sh   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
NSTRACE=${NSTRACE:-$PWD/$BUILD/nstrace}
BIN=$PWD/$BUILD/bench
SEND_N=${SEND_N:-200000}
SETNS_SECS=${SETNS_SECS:-3}
UNSHARE_N=${UNSHARE_N:-50000}
LOADS=${LOADS:-send setns unshare}
FLOOR=${FLOOR:-bpftrace}
RESULTS=${RESULTS:-$BUILD/bench/progstats.txt}
WORK=$(mktemp -d)
PREFIX=nstprog$$_
TRACER_PID=
STATS_WAS=

# shellcheck source=tests/integration/helpers.bash
. tests/integration/helpers.bash

cleanup() {
	[ -z "$TRACER_PID" ] || kill -KILL "$TRACER_PID" 2>/dev/null || true
	ip netns del "${PREFIX}a" 2>/dev/null || true
	ip netns del "${PREFIX}b" 2>/dev/null || true
	[ -z "$STATS_WAS" ] || sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || { echo "progstats: needs root" >&2; exit 1; }
for b in loop setns_storm; do
	[ -x "$BIN/$b" ] || { echo "progstats: no $BIN/$b: run make bench" >&2; exit 1; }
done
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1

say() {
	printf '%s\n' "$*" | tee -a "$RESULTS"
}

# counters PID: "id run_time_ns run_cnt" of every program PID holds.
counters() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(awk '$1 == "prog_id:" { print $2 }' "$f" 2>/dev/null) || continue
		[ -n "$id" ] || continue
		# A link's fdinfo names its program too, without the counters.
		awk -v id="$id" '$1 == "run_time_ns:" { t = $2 } $1 == "run_cnt:" { c = $2; n = 1 }
			END { if (n) print id, t + 0, c + 0 }' "$f"
	done
}

# measure TITLE LOAD...: the programs $TRACER_PID holds that ran under
# the load, with their ns a run; then stops the tracer.
measure() {
	local title=$1
	shift
	counters "$TRACER_PID" >"$WORK/before"
	"$@" >/dev/null
	counters "$TRACER_PID" >"$WORK/after"
	bpftool prog show -j >"$WORK/progs" 2>/dev/null || echo '[]' >"$WORK/progs"
	kill -INT "$TRACER_PID"
	wait "$TRACER_PID" || true
	TRACER_PID=
	say "-- $title"
	python3 - "$WORK/before" "$WORK/after" "$WORK/progs" "$WORK/err" <<'EOF' | tee -a "$RESULTS"
import json, sys
def load(p):
    return {int(a): (int(t), int(c)) for a, t, c in (l.split() for l in open(p))}
before, after = load(sys.argv[1]), load(sys.argv[2])
names = {}
try:
    names = {p["id"]: p["name"] for p in json.load(open(sys.argv[3]))}
except Exception:
    pass
for pid, (t, c) in sorted(after.items()):
    t0, c0 = before.get(pid, (0, 0))
    if c - c0 > 0:
        print("  %-28s %10d runs %8.0f ns/run" % (names.get(pid, "prog %d" % pid), c - c0, (t - t0) / (c - c0)))
summary = [l.strip() for l in open(sys.argv[4]) if " events lost" in l]
if summary:
    print("  " + summary[-1])
EOF
}

# scenario TITLE "NSTRACE ARGS" "TRACEPOINTS" LOAD...: nstrace's programs
# under the load, then bpftrace's empty probes on TRACEPOINTS (the
# syscall tracepoints nstrace's busy programs sit on) under the same.
scenario() {
	local title=$1 args=$2 tps=$3 tp script=
	shift 3
	# shellcheck disable=SC2086
	"$NSTRACE" --json -o /dev/null ${NSTRACE_ARGS:-} $args 2>"$WORK/err" &
	TRACER_PID=$!
	wait_attached "$TRACER_PID" "$WORK/err" 20 || { cat "$WORK/err" >&2; exit 1; }
	measure "$title (nstrace --json ${NSTRACE_ARGS:-}${NSTRACE_ARGS:+ }$args)" "$@"
	[ "$FLOOR" = bpftrace ] || return 0
	for tp in $tps; do
		script="$script tracepoint:syscalls:$tp {}"
	done
	: >"$WORK/err"
	bpftrace -e "$script" >/dev/null 2>"$WORK/bt.err" &
	TRACER_PID=$!
	for _ in $(seq 600); do
		[ "$(find "/proc/$TRACER_PID/fd" -mindepth 1 -maxdepth 1 -lname 'anon_inode:*perf_event*' 2>/dev/null | wc -l)" -ge "$(wc -w <<<"$tps")" ] && break
		kill -0 "$TRACER_PID" 2>/dev/null || { cat "$WORK/bt.err" >&2; exit 1; }
		sleep 0.05
	done
	measure "the same under bpftrace, empty probes: $tps" "$@"
}

storm() { # THREADS: setns ping-pong for SETNS_SECS
	echo go | "$BIN/setns_storm" "/run/netns/${PREFIX}a" "/run/netns/${PREFIX}b" "$1" 0 "$SETNS_SECS"
}

say "nstrace progstats: $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for l in $LOADS; do
	case $l in
	send)
		scenario "UDP sendmsg x$SEND_N" "" "sys_enter_sendmsg sys_exit_sendmsg" \
			"$BIN/loop" sendmsg "$SEND_N"
		scenario "UDP sendto x$SEND_N" "" "sys_enter_sendto sys_exit_sendto" \
			"$BIN/loop" sendto "$SEND_N"
		;;
	setns)
		ip netns add "${PREFIX}a"
		ip netns add "${PREFIX}b"
		scenario "setns, 1 thread, ${SETNS_SECS} s, nothing to emit" "-t uts" \
			"sys_enter_setns sys_exit_setns" storm 1
		scenario "setns, 1 thread, ${SETNS_SECS} s, one ns.setns each" "" \
			"sys_enter_setns sys_exit_setns" storm 1
		;;
	unshare)
		scenario "unshare(CLONE_NEWUTS) x$UNSHARE_N, nothing to emit" "-t net" \
			"sys_enter_unshare sys_exit_unshare" "$BIN/loop" unshare "$UNSHARE_N"
		scenario "unshare(CLONE_NEWUTS) x$UNSHARE_N, one ns.create each" "-t uts" \
			"sys_enter_unshare sys_exit_unshare" "$BIN/loop" unshare "$UNSHARE_N"
		;;
	*)
		echo "progstats: unknown load $l" >&2
		exit 1
		;;
	esac
done
