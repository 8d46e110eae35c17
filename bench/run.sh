#!/usr/bin/env bash
# nstrace's benchmarks, run by `make bench` as root. Each prints its
# figures next to a baseline measured in the same run: this machine is
# shared and noisy, so runs are interleaved and repeated, and medians are
# reported. Nothing here asserts a time; the figures go to stdout and to
# $BUILD/bench/results.txt, and docs/performance.md says what they mean.
#
#   cost     a loop of UDP sendmsg and of getppid: bare, with nstrace,
#            with bpftrace on the same tracepoints (empty actions)
#   keepup   setns ping-pong from several threads, the rate stepped up
#            until nstrace loses an event; bpftrace printing the same
#   churn    1000 netns created and destroyed: every ns.create and
#            ns.destroy delivered, by inode
#   startup  exec to "nstrace: tracing", and peak RSS
#   progstats  ns a run of each nstrace program, from the kernel's own
#            counters, under sendmsg, sendto, setns and unshare loads
#            (bench/progstats.sh)
#   latency  from an event to its line read from nstrace's output, at a
#            trickle and at a flood of setns
#   names    the keep-up with names on events and with --no-names,
#            interleaved, ROUNDS rounds (not in the default set)
#   pingpong  one thread's setns ping-pong, flat out: bare, with
#            nstrace, with nstrace --no-names, interleaved, ROUNDS
#            rounds: the slowdown, the loader's CPU per event, losses
#   containers  the same storm from a process in a container's cgroup
#            and from one outside, interleaved, ROUNDS rounds: the
#            loader's CPU per event with attribution at work
#
#   BENCHES="cost churn" ROUNDS=3 bash bench/run.sh
#
# ANCHOR=none leaves bpftrace out (cost, pingpong, progstats): for the test VM,
# which has no bpftrace, where nstrace runs on fentry hooks (make bench-vm).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
NSTRACE=${NSTRACE:-$PWD/$BUILD/nstrace}
BIN=$PWD/$BUILD/bench
BENCHES=${BENCHES:-cost progstats latency pingpong keepup churn startup containers}
ANCHOR=${ANCHOR:-bpftrace}
ROUNDS=${ROUNDS:-5}
SENDMSG_N=${SENDMSG_N:-200000}
GETPPID_N=${GETPPID_N:-2000000}
THREADS=${THREADS:-4}
STEP_SECS=${STEP_SECS:-10}
RATES=${RATES:-200000 300000 400000 500000 600000 700000 800000 1000000}
CHURN_N=${CHURN_N:-1000}
CHURN_ROUNDS=${CHURN_ROUNDS:-3}
LAT_SECS=${LAT_SECS:-5}
LAT_RATES=${LAT_RATES:-20 200000}
WORK=$(mktemp -d)
RESULTS=$BUILD/bench/results.txt
PREFIX=nstbench$$_
TRACER_PID=
HWM_MAX=0

die() {
	echo "bench: $*" >&2
	exit 1
}

# wait_attached, as the integration tests wait for nstrace.
# shellcheck source=tests/integration/helpers.bash
. tests/integration/helpers.bash

cleanup() {
	local ns
	[ -z "$TRACER_PID" ] || kill -KILL "$TRACER_PID" 2>/dev/null || true
	[ -z "${CTR_CG:-}" ] || rmdir "$CTR_CG" 2>/dev/null || true
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX"); do
		ip netns del "$ns"
	done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || die "needs root (BPF, namespaces)"
[ -x "$NSTRACE" ] || die "no $NSTRACE: run make first"
for b in loop setns_storm nschurn startup; do
	[ -x "$BIN/$b" ] || die "no $BIN/$b: run make bench"
done
case $ANCHOR in
bpftrace)
	# Only the cost, ping-pong and keep-up benches run it.
	[[ " $BENCHES " != *" cost "* && " $BENCHES " != *" pingpong "* && " $BENCHES " != *" keepup "* ]] ||
		command -v bpftrace >/dev/null || die "no bpftrace: run make bench (it installs it)"
	;;
none)
	for b in $BENCHES; do
		[[ $b = cost || $b = pingpong || $b = progstats ]] || die "ANCHOR=none is for the cost, pingpong and progstats benches only"
	done
	;;
*) die "ANCHOR is bpftrace or none, not $ANCHOR" ;;
esac
MODES=(bare nstrace)
[ "$ANCHOR" = none ] || MODES+=(bpftrace)
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"

say() {
	printf '%s\n' "$*" | tee -a "$RESULTS"
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { # A B: A/B to three decimals
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'
}

# cpu_ticks PID: utime + stime, in clock ticks.
cpu_ticks() {
	# Fields after the ")" of comm: utime and stime are the 12th and 13th.
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

note_hwm() { # PID
	local kb
	kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0)
	[ "${kb:-0}" -le "$HWM_MAX" ] || HWM_MAX=$kb
}

# nst_start ERRFILE ARGS...: nstrace in the background, attached, its
# stdout to /dev/null.
nst_start() {
	local err=$1
	shift
	"$NSTRACE" "$@" >/dev/null 2>"$err" &
	TRACER_PID=$!
	wait_attached "$TRACER_PID" "$err" 20 || die "nstrace did not start"
}

# tracer_stop: SIGINT, wait; for nstrace, note its peak RSS first.
tracer_stop() {
	[ -n "$TRACER_PID" ] || return 0
	[ "$(cat "/proc/$TRACER_PID/comm" 2>/dev/null)" != nstrace ] ||
		note_hwm "$TRACER_PID"
	kill -INT "$TRACER_PID"
	wait "$TRACER_PID" || true
	TRACER_PID=
}

# bt_start SCRIPT NPROBES OUTFILE ARGS...: bpftrace, attached. bpftrace
# says "Attaching" before it attaches; each tracepoint probe holds a perf
# event fd once attached, so count those.
bt_start() {
	local script=$1 nprobes=$2 out=$3 fds
	shift 3
	bpftrace -o "$out" "$script" "$@" >/dev/null 2>"$WORK/bt.err" &
	TRACER_PID=$!
	for _ in $(seq 600); do
		fds=$(find "/proc/$TRACER_PID/fd" -mindepth 1 -maxdepth 1 -lname 'anon_inode:*perf_event*' 2>/dev/null | wc -l)
		[ "$fds" -ge "$nprobes" ] && sleep 0.5 && return 0
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$WORK/bt.err" >&2
	die "bpftrace did not attach its $nprobes probes"
}

# The tracepoints nstrace attaches to here (this kernel has no fentry or
# kprobes), with empty actions: the cheapest a tracer on them can be.
# bpftrace 0.17 has no raw tracepoints: task_newtask and the workqueue
# ones are plain tracepoints there, the same hooks through perf.
cat >"$WORK/empty.bt" <<'EOF'
tracepoint:syscalls:sys_enter_sendmsg, tracepoint:syscalls:sys_exit_sendmsg,
tracepoint:syscalls:sys_enter_sendto, tracepoint:syscalls:sys_exit_sendto,
tracepoint:syscalls:sys_enter_setns, tracepoint:syscalls:sys_exit_setns,
tracepoint:syscalls:sys_enter_unshare, tracepoint:syscalls:sys_exit_unshare,
tracepoint:syscalls:sys_enter_clone3, tracepoint:syscalls:sys_exit_clone3,
tracepoint:task:task_newtask, tracepoint:workqueue:workqueue_queue_work,
tracepoint:workqueue:workqueue_execute_start,
tracepoint:workqueue:workqueue_execute_end
{ }
EOF
EMPTY_PROBES=14

# What nstrace says of a setns: the netns left and entered, per thread.
cat >"$WORK/setns.bt" <<'EOF'
tracepoint:syscalls:sys_enter_setns /pid == $1/ {
	@from[tid] = curtask->nsproxy->net_ns->ns.inum;
}
tracepoint:syscalls:sys_exit_setns /pid == $1/ {
	if (args->ret == 0) {
		printf("ns.setns %d %d %u %u\n", pid, tid, @from[tid],
		       curtask->nsproxy->net_ns->ns.inum);
	}
	delete(@from[tid]);
}
EOF

# A BPF tracer left running by someone else would make "bare" not bare.
other_tracers() {
	bpftool prog list 2>/dev/null | grep -cE '^[0-9]+: (tracepoint|raw_tracepoint|tracing|kprobe)' || true
}

bench_cost() {
	local r m i modes s g
	say "== cost: ns per call, $ROUNDS interleaved rounds, median (ratio to bare: median of per-round ratios)"
	[ "$(other_tracers)" -eq 0 ] ||
		say "warning: $(other_tracers) tracing BPF programs of others are loaded: bare is not bare"
	: >"$WORK/cost"
	for ((r = 0; r < ROUNDS; r++)); do
		modes=("${MODES[@]}")
		# Rotate the order, so that no mode always runs first.
		for ((i = 0; i < r % 3; i++)); do modes=("${modes[@]:1}" "${modes[0]}"); done
		for m in "${modes[@]}"; do
			case $m in
			nstrace) nst_start "$WORK/err" --json -o /dev/null ;;
			bpftrace) bt_start "$WORK/empty.bt" $EMPTY_PROBES /dev/null ;;
			esac
			# Someone else's tracer in a bare run makes it not bare.
			[ $m != bare ] || [ "$(other_tracers)" -eq 0 ] || say "warning: round $r: $(other_tracers) tracing BPF programs of others are loaded: bare is not bare"
			s=$("$BIN/loop" sendmsg "$SENDMSG_N")
			g=$("$BIN/loop" getppid "$GETPPID_N")
			tracer_stop
			echo "$r $m $s $g" >>"$WORK/cost"
		done
	done
	cost_report sendmsg 3
	cost_report getppid 4
}

cost_report() { # NAME COLUMN
	local name=$1 col=$2 m med rat line
	line="$name:"
	for m in "${MODES[@]}"; do
		med=$(awk -v m=$m -v c="$col" '$2 == m { print $c }' "$WORK/cost" | median)
		line+=" $m $med"
		if [ $m != bare ]; then
			# Each round's ratio to the bare run of the same round.
			rat=$(awk -v m=$m -v c="$col" '$2 == "bare" { b[$1] = $c } $2 == m { t[$1] = $c }
				END { for (r in t) print t[r] / b[r] }' "$WORK/cost" | median)
			line+=" (x$(printf %.3f "$rat"))"
		fi
	done
	say "$line"
	say "  runs: $(awk -v c="$col" '{ printf "%s=%s ", $2, $c }' "$WORK/cost")"
}

# storm TRACER RATE: one step of setns ping-pong; sets GEN (setns done),
# GEN_RATE, DELIVERED, LOST, CPU_US (tracer's CPU per event, µs).
storm() {
	local tracer=$1 rate=$2 g fifo=$WORK/go out t0 t1
	rm -f "$fifo"
	mkfifo "$fifo"
	"$BIN/setns_storm" "/run/netns/${PREFIX}a" "/run/netns/${PREFIX}b" \
		"$THREADS" "$rate" "$STEP_SECS" <"$fifo" >"$WORK/storm" &
	g=$!
	exec 9>"$fifo"
	case $tracer in
	nstrace) nst_start "$WORK/err" --json -p $g ;;
	nstrace-nonames) nst_start "$WORK/err" --json --no-names -p $g ;;
	nstrace-container)
		# Its threads are a container's: each event's cgroup is looked
		# up, and both namespaces become the container's.
		echo $g >"$CTR_CG/cgroup.procs"
		nst_start "$WORK/err" --json -p $g
		;;
	bpftrace) bt_start "$WORK/setns.bt" 2 "$WORK/bt.out" $g ;;
	bpftrace-empty) bt_start "$WORK/empty.bt" $EMPTY_PROBES /dev/null ;;
	esac
	[ "$tracer" = bare ] || t0=$(cpu_ticks "$TRACER_PID")
	echo go >&9
	exec 9>&-
	wait $g
	GEN=$(sed -n 's/.*setns=\([0-9]*\).*/\1/p' "$WORK/storm")
	GEN_RATE=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$WORK/storm")
	DELIVERED=$GEN LOST=0 CPU_US=0
	[ "$tracer" != bare ] || return 0
	# Let the tracer catch up with what is queued before stopping it.
	sleep 1
	t1=$(cpu_ticks "$TRACER_PID")
	tracer_stop
	[ "$tracer" != bpftrace-empty ] || return 0
	case $tracer in
	nstrace | nstrace-nonames | nstrace-container)
		# "nstrace: N records written (N events, ...), N events lost"
		out=$(grep '^nstrace: [0-9]* records written' "$WORK/err")
		DELIVERED=$(sed -n 's/.*(\([0-9]*\) events,.*/\1/p' <<<"$out")
		LOST=$(sed -n 's/.* \([0-9]*\) events lost.*/\1/p' <<<"$out")
		;;
	bpftrace)
		DELIVERED=$(grep -c '^ns.setns' "$WORK/bt.out" || true)
		# bpftrace says "Lost N events" in its output stream.
		LOST=$({ grep -ho 'Lost [0-9]*' "$WORK/bt.err" "$WORK/bt.out" || true; } | awk '{ n += $2 } END { print n + 0 }')
		;;
	esac
	# USER_HZ, 100 on Linux: the test VM has no getconf.
	CPU_US=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" -v n="$DELIVERED" \
		'BEGIN { printf "%.2f", n ? t / hz * 1e6 / n : 0 }')
}

storm_line() { # TRACER TARGET
	say "$(printf '%-8s target %8s/s  made %8s/s  setns %9s  delivered %9s  lost %7s  cpu %5s us/event' \
		"$1" "$2" "$GEN_RATE" "$GEN" "$DELIVERED" "$LOST" "$CPU_US")"
}

bench_keepup() {
	local rate best=0 bare_max nst_max bt_max
	ip netns add "${PREFIX}a"
	ip netns add "${PREFIX}b"
	say "== keepup: setns ping-pong, $THREADS threads, ${STEP_SECS} s a step; nstrace --json -p PID >/dev/null"
	for rate in $RATES; do
		storm nstrace "$rate"
		storm_line nstrace "$rate"
		# Stop at the first loss, or when the generator can't make the rate.
		[ "$LOST" -eq 0 ] && [ "$DELIVERED" -eq "$GEN" ] || break
		awk -v m="$GEN_RATE" -v t="$rate" 'BEGIN { exit !(m >= 0.95 * t) }' || break
		best=$GEN_RATE
	done
	say "keepup: highest rate sustained for ${STEP_SECS} s without loss: $best events/s"
	say "-- unlimited (as fast as the threads go), bare, nstrace, bpftrace printing:"
	storm bare 0
	storm_line bare max
	bare_max=$GEN_RATE
	storm nstrace 0
	storm_line nstrace max
	nst_max=$GEN_RATE
	storm bpftrace 0
	storm_line bpftrace max
	bt_max=$GEN_RATE
	storm bpftrace 200000
	storm_line bpftrace 200000
	say "keepup: generator's top speed, nstrace/bare x$(ratio "$nst_max" "$bare_max"), bpftrace/bare x$(ratio "$bt_max" "$bare_max")"
	ip netns del "${PREFIX}a"
	ip netns del "${PREFIX}b"
}

# The names cache costs a lookup or two per event and a liveness check of
# the processes shown per batch: the same storm with and without it.
bench_names() {
	local r m rate
	ip netns add "${PREFIX}a"
	ip netns add "${PREFIX}b"
	say "== names: setns ping-pong, $THREADS threads, ${STEP_SECS} s a step, $ROUNDS rounds; nstrace --json -p PID, with names and with --no-names"
	: >"$WORK/names"
	for r in $(seq "$ROUNDS"); do
		for rate in 0 300000; do
			for m in nstrace nstrace-nonames; do
				storm $m $rate
				storm_line $m "$rate"
				echo "$r $m $rate $GEN_RATE $CPU_US $LOST" >>"$WORK/names"
			done
		done
	done
	for rate in 0 300000; do
		local line="names: target $rate/s:"
		for m in nstrace nstrace-nonames; do
			line+=" $m made $(awk -v m=$m -v t=$rate '$2 == m && $3 == t { print $4 }' "$WORK/names" | median)/s"
			line+=" cpu $(awk -v m=$m -v t=$rate '$2 == m && $3 == t { print $5 }' "$WORK/names" | median) us/event"
			line+=" lost $(awk -v m=$m -v t=$rate '$2 == m && $3 == t { n += $6 } END { print n + 0 }' "$WORK/names");"
		done
		# Each round's ratio of the two, then the median.
		line+=" names/no-names made x$(awk -v t=$rate '$3 == t && $2 == "nstrace" { a[$1] = $4 } $3 == t && $2 == "nstrace-nonames" { b[$1] = $4 }
			END { for (r in a) print a[r] / b[r] }' "$WORK/names" | median)"
		say "$line"
	done
	ip netns del "${PREFIX}a"
	ip netns del "${PREFIX}b"
}

# What nstrace costs the traced: one thread's setns ping-pong as fast as
# it goes, every call one ns.setns; bare, under nstrace with names and
# without, and under bpftrace's empty probes on the same tracepoints (the
# floor: what attaching anything to the syscall tracepoints costs),
# interleaved, ROUNDS rounds.
bench_pingpong() {
	local r m line threads=$THREADS modes=(bare nstrace nstrace-nonames)
	[ "$ANCHOR" = none ] || modes+=(bpftrace-empty)
	THREADS=1
	ip netns add "${PREFIX}a"
	ip netns add "${PREFIX}b"
	say "== pingpong: setns ping-pong, 1 thread, no limit, ${STEP_SECS} s a step, $ROUNDS rounds; ${modes[*]} (nstrace --json -p PID)"
	: >"$WORK/pingpong"
	for r in $(seq "$ROUNDS"); do
		for m in "${modes[@]}"; do
			storm $m 0
			storm_line $m max
			echo "$r $m $GEN_RATE $CPU_US $LOST $GEN $DELIVERED" >>"$WORK/pingpong"
		done
	done
	line="pingpong:"
	for m in "${modes[@]}"; do
		line+=" $m made $(awk -v m=$m '$2 == m { print $3 }' "$WORK/pingpong" | median)/s"
		if [[ $m = nstrace* ]]; then
			line+=" cpu $(awk -v m=$m '$2 == m { print $4 }' "$WORK/pingpong" | median) us/event"
			line+=" lost $(awk -v m=$m '$2 == m { n += $5 } END { print n + 0 }' "$WORK/pingpong")"
			line+=" of $(awk -v m=$m '$2 == m { n += $6 } END { print n + 0 }' "$WORK/pingpong")"
		fi
		# Each round's slowdown against its own bare run, then the median.
		[ $m = bare ] || line+=" slowdown x$(awk -v m=$m '$2 == "bare" { b[$1] = $3 } $2 == m { t[$1] = $3 }
			END { for (r in t) if (t[r] > 0) printf "%.3f\n", b[r] / t[r] }' "$WORK/pingpong" | median)"
		line+=";"
	done
	say "$line"
	ip netns del "${PREFIX}a"
	ip netns del "${PREFIX}b"
	THREADS=$threads
}

# Attribution to containers: the same storm from a process in a
# docker-like cgroup, whose events each carry a container's cgroup id and
# whose two namespaces become the container's, against one outside.
bench_containers() {
	local r m root id
	root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$root" ] || { say "containers: no cgroup v2 hierarchy, skipped"; return 0; }
	id=$(printf 'nstbench%s' $$ | sha256sum | cut -c1-64)
	mkdir -p "$root/system.slice"
	CTR_CG=$root/system.slice/docker-$id.scope
	mkdir "$CTR_CG"
	ip netns add "${PREFIX}a"
	ip netns add "${PREFIX}b"
	say "== containers: setns ping-pong, $THREADS threads, ${STEP_SECS} s a step, $ROUNDS rounds; nstrace --json -p PID, its threads outside any container and in one"
	: >"$WORK/containers"
	for r in $(seq "$ROUNDS"); do
		for m in nstrace nstrace-container; do
			storm $m 0
			storm_line $m max
			echo "$r $m $GEN_RATE $CPU_US $LOST" >>"$WORK/containers"
		done
	done
	local line="containers:"
	for m in nstrace nstrace-container; do
		line+=" $m made $(awk -v m=$m '$2 == m { print $3 }' "$WORK/containers" | median)/s"
		line+=" cpu $(awk -v m=$m '$2 == m { print $4 }' "$WORK/containers" | median) us/event;"
	done
	# Each round's ratio, then the median.
	line+=" container/plain cpu per event x$(awk '$2 == "nstrace" { a[$1] = $4 } $2 == "nstrace-container" { b[$1] = $4 }
		END { for (r in a) if (a[r] > 0) print b[r] / a[r] }' "$WORK/containers" | median)"
	say "$line"
	ip netns del "${PREFIX}a"
	ip netns del "${PREFIX}b"
	rmdir "$CTR_CG"
}

# churn_check INODES EVENTS PID: per inode, as many ns.create by PID and
# ns.destroy as it was made (a dead netns's inode can be given again).
churn_check() {
	python3 - "$@" <<'EOF'
import collections, json, sys
inodes = [int(l) for l in open(sys.argv[1]) if l.strip()]
pid = int(sys.argv[3])
made = collections.Counter(inodes)
created, destroyed = collections.Counter(), collections.Counter()
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e.get("ns_type") != "net":
        continue
    if e["event"] == "ns.create" and e["pid"] == pid:
        created[e["ns"]] += 1
    elif e["event"] == "ns.destroy":
        destroyed[e["ns"]] += 1
c = sum(min(n, created[i]) for i, n in made.items())
d = sum(min(n, destroyed[i]) for i, n in made.items())
print(len(inodes), c, d)
EOF
}

bench_churn() {
	local r m g fifo=$WORK/go secs t0 left check
	say "== churn: $CHURN_N netns created and destroyed by one process (unshare -n in a row), $CHURN_ROUNDS rounds"
	: >"$WORK/churn"
	for ((r = 0; r < CHURN_ROUNDS; r++)); do
		for m in bare nstrace; do
			rm -f "$fifo"
			mkfifo "$fifo"
			"$BIN/nschurn" "$CHURN_N" "$WORK/inodes" <"$fifo" >"$WORK/churn.t" &
			g=$!
			exec 9>"$fifo"
			# No -p: a netns dies in a kernel worker, not in the process.
			[ $m = bare ] || nst_start "$WORK/err" --json -e ns.create,ns.destroy -o "$WORK/churn.json"
			t0=$(date +%s.%N)
			echo go >&9
			exec 9>&-
			wait $g
			secs=$(cat "$WORK/churn.t")
			if [ $m = bare ]; then
				echo "$r bare $secs" >>"$WORK/churn"
				continue
			fi
			# The kernel destroys them in batches, after the process is done.
			for left in $(seq 600); do
				check=$(churn_check "$WORK/inodes" "$WORK/churn.json" $g)
				[ "$(awk '{ print $3 }' <<<"$check")" -lt "$CHURN_N" ] || break
				sleep 0.1
			done
			secs_all=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
			tracer_stop
			check=$(churn_check "$WORK/inodes" "$WORK/churn.json" $g)
			echo "$r nstrace $secs $secs_all $check $(grep -Eo '[0-9]+ events lost' "$WORK/err" | cut -d' ' -f1)" >>"$WORK/churn"
			say "$(awk '{ printf "round %d: made %d in %.3f s; ns.create %d/%d, ns.destroy %d/%d (all seen %.3f s after start), %s lost\n", $1, $5, $3, $6, $5, $7, $5, $4, $8 }' <<<"$(tail -1 "$WORK/churn")")"
		done
	done
	local b n
	b=$(awk '$2 == "bare" { print $3 }' "$WORK/churn" | median)
	n=$(awk '$2 == "nstrace" { print $3 }' "$WORK/churn" | median)
	say "churn: time to make $CHURN_N, median: bare $b s, nstrace $n s (x$(ratio "$n" "$b")); $(awk -v n="$CHURN_N" '$2 == "nstrace" && ($6 != n || $7 != n) { bad++ } END { print (bad ? bad " round(s) missed events" : "every ns.create and ns.destroy delivered") }' "$WORK/churn")"
}

bench_progstats() {
	say "== progstats: ns a run per program (kernel.bpf_stats_enabled)"
	local floor=bpftrace
	[ "$ANCHOR" != none ] || floor=none
	BUILD=$BUILD NSTRACE=$NSTRACE FLOOR=$floor RESULTS=$WORK/progstats bash bench/progstats.sh >/dev/null
	tail -n +2 "$WORK/progstats" | tee -a "$RESULTS"
}

# latency_report LINES: from each event's time to when its line was read
# (both CLOCK_REALTIME, the line's time being the event's boot time
# turned into UTC).
latency_report() {
	python3 - "$1" <<'EOF'
import datetime, json, sys
lat = []
for line in open(sys.argv[1]):
    got, _, rec = line.partition(" ")
    e = json.loads(rec)
    if e.get("event") != "ns.setns":
        continue
    t, frac = e["time"].rstrip("Z").split(".")
    ts = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    ns = int(ts.timestamp()) * 10**9 + int(frac.ljust(9, "0"))
    lat.append((int(got) - ns) / 1e6)
lat.sort()
if not lat:
    print("no events")
else:
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
    print("%d events, latency ms: median %.1f, p99 %.1f, max %.1f" % (len(lat), q(0.5), q(0.99), lat[-1]))
EOF
}

bench_latency() {
	local rate g fifo=$WORK/go
	ip netns add "${PREFIX}a"
	ip netns add "${PREFIX}b"
	say "== latency: setns ping-pong, 1 thread, ${LAT_SECS} s; nstrace --json --no-names -p PID, each line stamped as it is read"
	for rate in $LAT_RATES; do
		rm -f "$fifo"
		mkfifo "$fifo"
		"$BIN/setns_storm" "/run/netns/${PREFIX}a" "/run/netns/${PREFIX}b" \
			1 "$rate" "$LAT_SECS" <"$fifo" >"$WORK/storm" &
		g=$!
		exec 9>"$fifo"
		"$NSTRACE" --json --no-names -p $g 2>"$WORK/err" \
			> >(python3 "$PWD/bench/stamp.py" >"$WORK/lat") &
		TRACER_PID=$!
		wait_attached "$TRACER_PID" "$WORK/err" 20 || die "nstrace did not start"
		echo go >&9
		exec 9>&-
		wait $g
		sleep 1
		tracer_stop
		sleep 0.5
		say "latency: target $rate/s, made $(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$WORK/storm")/s: $(latency_report "$WORK/lat"); $(grep -Eo '[0-9]+ events lost' "$WORK/err")"
	done
	ip netns del "${PREFIX}a"
	ip netns del "${PREFIX}b"
}

bench_startup() {
	local i line
	say "== startup: exec to 'nstrace: tracing', $ROUNDS runs"
	: >"$WORK/startup"
	for ((i = 0; i < ROUNDS; i++)); do
		"$BIN/startup" 'nstrace: tracing' "$NSTRACE" --json -o /dev/null >>"$WORK/startup"
	done
	say "startup: median $(awk '{ print $1 }' "$WORK/startup" | median) ms (runs: $(awk '{ printf "%s ", $1 }' "$WORK/startup")); VmHWM at attach, median $(awk '{ print $2 }' "$WORK/startup" | median) kB"
	for line in $(awk '{ print $2 }' "$WORK/startup"); do
		[ "$line" -le "$HWM_MAX" ] || HWM_MAX=$line
	done
}

# What else keeps this machine busy: the figures only mean much next to it.
busy() {
	echo "load $(cut -d' ' -f1-3 /proc/loadavg); busiest: $(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | awk '{ printf "%s %s%%, ", $2, $1 }')"
}

anchor=none
[ "$ANCHOR" = none ] || ! command -v bpftrace >/dev/null || anchor="bpftrace $(bpftrace --version | awk '{ print $2 }')"
say "nstrace bench: $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $anchor"
say "$(busy)"
for b in $BENCHES; do
	"bench_$b"
	say "$(busy)"
done
say "peak RSS (VmHWM) of nstrace over these runs: $HWM_MAX kB"
