#!/usr/bin/env bash
# How long `nstrace ls --json` takes next to `ip -all netns exec ip -o link`
# (one fork and setns per namespace) for N network namespaces with a veth
# pair each, N = 100, 500, 1000 unless SIZES says otherwise. Prints one line
# per N: both times (the best of RUNS runs), their ratio, and nstrace's
# slowest run (on a busy machine the spread says how far to trust the
# best). Needs root; creates and deletes its own namespaces only.
#
#   bash bench/ls.sh            SIZES="100 500" RUNS=5 bash bench/ls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NSTRACE=${NSTRACE:-$PWD/build/nstrace}
SIZES=${SIZES:-100 500 1000}
RUNS=${RUNS:-3}
prefix="nstb$$_"
created=0

die() {
	echo "bench/ls: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (it creates network namespaces)"
[ -x "$NSTRACE" ] || die "no $NSTRACE: run make first"

# Deletes the namespaces this run made, whatever happened.
cleanup() {
	local i
	[ "$created" -gt 0 ] || return 0
	for ((i = 0; i < created; i++)); do
		echo "netns delete $prefix$i"
	done | ip -force -batch - 2>/dev/null || true
	created=0
}
trap cleanup EXIT INT TERM

# grow N: namespaces $prefix0 .. $prefix(N-1), each with a veth pair inside.
grow() {
	local i
	for ((i = created; i < $1; i++)); do
		echo "netns add $prefix$i"
		echo "link add a$i netns $prefix$i type veth peer name b$i netns $prefix$i"
	done | ip -batch -
	created=$1
}

now_ns() { date +%s%N; }

# run_times CMD...: the fastest and the slowest of RUNS runs, in nanoseconds.
run_times() {
	local best= worst=0 t0 t1 r
	for ((r = 0; r < RUNS; r++)); do
		t0=$(now_ns)
		"$@" >/dev/null 2>&1 || die "failed: $*"
		t1=$(now_ns)
		if [ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ]; then
			best=$((t1 - t0))
		fi
		if [ $((t1 - t0)) -gt "$worst" ]; then
			worst=$((t1 - t0))
		fi
	done
	echo "$best $worst"
}

ms() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'; }

printf '%6s %14s %14s %8s %14s\n' N "nstrace (ms)" "ip -all (ms)" ratio \
	"slowest (ms)"
for n in $SIZES; do
	grow "$n"
	# The namespaces must all be there, or the times compare nothing.
	seen=$("$NSTRACE" ls --json |
		jq --arg p "$prefix" '[.netns[] | select(any(.names[]; startswith($p)))] | length')
	[ "$seen" -eq "$n" ] || die "nstrace saw $seen of the $n namespaces"
	# Assigned first: set -e stops here if a run failed.
	r=$(run_times "$NSTRACE" ls --json)
	read -r t_nstrace t_slowest <<<"$r"
	r=$(run_times ip -all netns exec ip -o link)
	read -r t_ip _ <<<"$r"
	printf '%6d %14s %14s %7.1fx %14s\n' "$n" "$(ms "$t_nstrace")" \
		"$(ms "$t_ip")" \
		"$(awk -v a="$t_ip" -v b="$t_nstrace" 'BEGIN { print a / b }')" \
		"$(ms "$t_slowest")"
done
