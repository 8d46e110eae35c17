#!/usr/bin/env bash
# What one node's stream weighs (docs/fleet.md): the JSON lines and bytes
# of a pod's life and of one exec into a running pod, by event type, with
# all events and with each of the options that cut the stream. As root.
#
#   pod    POD_N times what a container runtime and its CNI plugin do for
#          a pod sandbox: a named netns (ip netns add, as CNI's cni-XXXX),
#          a veth pair whose peer moves in and becomes eth0, both ends
#          up; the sandbox's process in new mnt, uts, ipc and pid
#          namespaces inside it (ip netns exec + unshare, as runc does);
#          then the process killed and the netns deleted. Its processes
#          run in a cgroup named as containerd names a container's
#          (.../cri-containerd-ID.scope): events carry _container
#   exec   EXEC_N times nsenter into every namespace of one such sandbox:
#          what runc exec does for kubectl exec and for exec probes
#
# Each phase runs once, traced by one nstrace per variant at the same
# time, so that the variants count the same events:
#   all      --json
#   nonames  --json --no-names
#   events   --json -e ns.create,ns.destroy,netdev.create,netdev.delete,
#            netdev.move,netdev.rename,ns.name (no ns.setns)
#   net      --json -t net
#   topo     --json -t net -e (as events): the network topology alone,
#            what nstrace replay and history read
#
#   POD_N=200 EXEC_N=500 bash bench/fleet.sh
#
# Prints one table per phase: records and bytes by event type for "all",
# then the totals of each variant, per pod or per exec, and the rate the
# loop reached. Raw streams stay in $OUT (default build/bench/fleet).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
NSTRACE=${NSTRACE:-$PWD/$BUILD/nstrace}
POD_N=${POD_N:-200}
EXEC_N=${EXEC_N:-500}
OUT=${OUT:-$BUILD/bench/fleet}
PREFIX=nstfleet$$_
VARIANTS=(all nonames events net topo)
TOPO_EVENTS=ns.create,ns.destroy,netdev.create,netdev.delete,netdev.move,netdev.rename,ns.name
PIDS=()
SANDBOX=
TARGET=
# Each sandbox in a cgroup named as containerd's systemd driver names a
# container's, so that events carry its _container as on a node.
CGROOT=/sys/fs/cgroup/unified
[ -d "$CGROOT" ] || CGROOT=/sys/fs/cgroup
CGPARENT=$CGROOT/${PREFIX%_}.slice

# wait_attached, as the integration tests wait for nstrace.
# shellcheck source=tests/integration/helpers.bash
. tests/integration/helpers.bash

die() {
	echo "fleet: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$NSTRACE" ] || die "no $NSTRACE: make all first"
mkdir -p "$OUT"
export LC_ALL=C

cleanup() {
	local p n
	# The sandbox's pid 1 first: its unshare reaps it and then exits.
	[ -z "$TARGET" ] || kill -KILL "$TARGET" 2>/dev/null || true
	for p in "${PIDS[@]}" $SANDBOX; do
		[ "$p" = "$SANDBOX" ] || kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	PIDS=() TARGET= SANDBOX=
	for n in $(ip netns list | awk -v p="$PREFIX" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$n" 2>/dev/null || true
	done
	for _ in $(seq 50); do
		[ -d "$CGPARENT" ] || break
		rmdir "$CGPARENT"/*.scope "$CGPARENT" 2>/dev/null || sleep 0.1
	done
}
trap cleanup EXIT

args_of() {
	case $1 in
	all) ;;
	nonames) printf %s --no-names ;;
	events) printf %s "-e $TOPO_EVENTS" ;;
	net) printf %s "-t net" ;;
	topo) printf %s "-t net -e $TOPO_EVENTS" ;;
	esac
}

# start PHASE: one nstrace per variant into $OUT/PHASE.VARIANT.json.
start() {
	local v
	PIDS=()
	for v in "${VARIANTS[@]}"; do
		# shellcheck disable=SC2046
		: >"$OUT/$1.$v.err"
		"$NSTRACE" --json $(args_of "$v") >"$OUT/$1.$v.json" 2>"$OUT/$1.$v.err" &
		PIDS+=($!)
		wait_attached "$!" "$OUT/$1.$v.err"
	done
}

# stop: SIGINT to each (it drains its ring buffer), then wait; the netns
# destroyed last are reported by the kernel's cleanup work a moment late.
stop() {
	local p
	sleep 2
	for p in "${PIDS[@]}"; do
		kill -INT "$p"
		wait "$p" || die "nstrace $p exited with $?"
	done
	PIDS=()
}

# in_container ID CMD...: CMD in the background, in a cgroup of its own
# named for container ID (a number); ! its pid.
in_container() {
	local cg
	cg=$CGPARENT/cri-containerd-$(printf '%064x' "$1").scope
	shift
	mkdir -p "$cg"
	(
		echo "$BASHPID" >"$cg/cgroup.procs"
		exec "$@"
	) </dev/null >/dev/null 2>&1 &
}

# await_sandbox UNSHARE: the pid of UNSHARE's child once it runs sleep,
# the sandbox's process (pid 1 of its own pid namespace).
await_sandbox() {
	local c
	for _ in $(seq 200); do
		c=$(pgrep -P "$1" | head -1)
		[ -n "$c" ] && [ "$(cat /proc/"$c"/comm 2>/dev/null)" = sleep ] && break
		sleep 0.01
	done
	echo "$c"
}

# pod I: one sandbox made and torn down. Killing its pid 1 ends the pid
# namespace, and the last holder of the netns but its name goes with it.
pod() {
	local n=${PREFIX}$1 h=nf$$h$1 pid
	ip netns add "$n"
	ip link add "$h" type veth peer name "nf$$c$1"
	ip link set "nf$$c$1" netns "$n"
	ip -n "$n" link set "nf$$c$1" name eth0
	ip -n "$n" link set eth0 up
	ip -n "$n" link set lo up
	ip link set "$h" up
	in_container "$1" ip netns exec "$n" unshare --mount --uts --ipc --pid --fork sleep 60
	pid=$!
	kill -KILL "$(await_sandbox "$pid")"
	wait "$pid" 2>/dev/null || true
	ip netns del "$n"
	rmdir "$CGPARENT/cri-containerd-$(printf '%064x' "$1").scope" 2>/dev/null || true
}

# sandbox: one long-lived pod for the exec phase, made before it is
# traced; SANDBOX its unshare, TARGET the process in its namespaces.
sandbox() {
	local n=${PREFIX}x
	ip netns add "$n"
	in_container 0 ip netns exec "$n" unshare --mount --uts --ipc --pid --fork sleep 3600
	SANDBOX=$!
	TARGET=$(await_sandbox "$SANDBOX")
}

# table PHASE N UNIT: what the streams of PHASE say, per UNIT (N of them).
table() {
	local phase=$1 n=$2 unit=$3 v f lost secs
	f=$OUT/$phase.all.json
	echo "## $phase: $n ${unit}s, $(cat "$OUT/$phase.secs") s"
	echo
	echo "| event | records | bytes | records per $unit | bytes per $unit | bytes per record |"
	echo "| --- | --- | --- | --- | --- | --- |"
	jq -r '.event' "$f" | paste - <(awk '{ print length($0) + 1 }' "$f") |
		awk -v n="$n" -F'\t' '{ r[$1]++; b[$1] += $2 }
		END { for (e in r) printf "| %s | %d | %d | %.1f | %.0f | %.0f |\n",
			e, r[e], b[e], r[e] / n, b[e] / n, b[e] / r[e] }' | sort
	echo
	echo "| variant | records | bytes | bytes per $unit | records/s | lost |"
	echo "| --- | --- | --- | --- | --- | --- |"
	secs=$(cat "$OUT/$phase.secs")
	[ "$(echo "$secs > 0" | bc)" = 1 ] || secs=0.1
	for v in "${VARIANTS[@]}"; do
		f=$OUT/$phase.$v.json
		lost=$(sed -n 's/.* \([0-9]*\) events lost.*/\1/p' "$OUT/$phase.$v.err")
		printf '| %s (%s) | %d | %d | %.0f | %.0f | %s |\n' "$v" "--json $(args_of "$v")" \
			"$(wc -l <"$f")" "$(wc -c <"$f")" \
			"$(echo "$(wc -c <"$f") / $n" | bc -l)" \
			"$(echo "$(wc -l <"$f") / $secs" | bc -l)" "${lost:-?}"
	done
	echo
}

echo "# $(date -u +%FT%TZ), $(uname -r), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

start pod
t0=$(date +%s.%N)
for i in $(seq "$POD_N"); do
	pod "$i"
done
echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.1f\n' >"$OUT/pod.secs"
stop

sandbox
start exec
t0=$(date +%s.%N)
for _ in $(seq "$EXEC_N"); do
	nsenter -t "$TARGET" -a true
done
echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.1f\n' >"$OUT/exec.secs"
stop
cleanup

table pod "$POD_N" pod
table exec "$EXEC_N" exec
