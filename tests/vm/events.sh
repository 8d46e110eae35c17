#!/usr/bin/env bash
# The event smoke of make test-kernels, run in the test VM on each kernel:
# for every backend that `nstrace doctor` finds on it (fentry, kprobe,
# tracepoint), one nstrace run over a fixed workload, then one TAP line per
# event kind, its fields checked against /proc and ip -j as the integration
# tests check them (tests/integration/helpers.bash); then `nstrace ls`.
#
# A failed line says why in a comment: "not seen" (no such event), or
# "approximate" (the event came, a field differs). That is what the kernel
# matrix in docs/kernels.md is filled from. If nstrace does not start on a
# backend, every line of that backend fails, and libbpf's complaints follow
# (smoke.sh's report of nstrace -v).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export NSTRACE=${NSTRACE:-$PWD/build/nstrace}
NSTOOL=${NSTOOL:-$PWD/build/tools/nstool}
NIC=${NSTRACE_SPARE_NIC:-eth0}
KERNEL=$(uname -r)
# shellcheck source=tests/integration/helpers.bash
. tests/integration/helpers.bash

BATS_TEST_TMPDIR=$(mktemp -d)
trap 'rm -rf "$BATS_TEST_TMPDIR"' EXIT
n=0 failed=0

# check NAME FUNC: one TAP line. FUNC runs in a subshell under set -e;
# its status 3 is "not seen", any other failure "approximate", and its
# stderr follows as comments. Where nstrace did not start (started
# empty), it is "not seen" without running FUNC.
check() {
	local err=$BATS_TEST_TMPDIR/check.err rc
	n=$((n + 1))
	if [ -z "$started" ]; then
		failed=$((failed + 1))
		echo "not ok $n - $KERNEL $BACKEND: $1 # not seen: nstrace did not start"
		return
	fi
	(
		set -e
		"$2"
	) >/dev/null 2>"$err"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n - $KERNEL $BACKEND: $1 # exact"
		return
	fi
	failed=$((failed + 1))
	if [ $rc -eq 3 ]; then
		echo "not ok $n - $KERNEL $BACKEND: $1 # not seen"
	else
		echo "not ok $n - $KERNEL $BACKEND: $1 # approximate"
	fi
	sed 's/^/#   /' "$err"
}

# seen FILTER: the one event FILTER selects; status 3 if there is none.
seen() {
	if [ "$(count "$1")" -eq 0 ]; then
		echo "not seen: $1" >&2
		exit 3
	fi
	one "$1"
}

# Under emulation a program starts in a second, not a millisecond.
wait_for() {
	wait_secs 30 "$@"
}

# The workload, once per backend. Its facts (inodes, ifindexes, pids) go
# to variables that the checks below read.
workload() {
	local out=$BATS_TEST_TMPDIR/child
	# clone and clone3, whose children sleep until killed.
	"$NSTOOL" clone net,uts 60 >"$out" &
	CLONE_P=$!
	wait_for test -s "$out"
	CLONE_C=$(cat "$out")
	CLONE_NET=$(ns_inode "$CLONE_C" net) CLONE_UTS=$(ns_inode "$CLONE_C" uts)
	: >"$out"
	"$NSTOOL" clone3 net,uts 60 >"$out" &
	CLONE3_P=$!
	wait_for test -s "$out"
	CLONE3_C=$(cat "$out")
	CLONE3_NET=$(ns_inode "$CLONE3_C" net) CLONE3_UTS=$(ns_inode "$CLONE3_C" uts)
	kill_bg "$CLONE_P" "$CLONE3_P"
	# unshare, which execs sleep in the same process.
	unshare -n -u sleep 60 &
	UNSHARE_P=$!
	wait_for comm_is $UNSHARE_P sleep
	UNSHARE_NET=$(ns_inode $UNSHARE_P net)
	kill_bg $UNSHARE_P
	# setns into A by nsenter.
	nsenter "--net=/run/netns/$A" sleep 60 &
	SETNS_P=$!
	wait_for comm_is $SETNS_P sleep
	kill_bg $SETNS_P
	# netdev.create of a pair, a rename of one end, a move of the other
	# into A by request.
	ip link add "$VA" type veth peer name "$VB"
	IA=$(ifindex "" "$VA") IB=$(ifindex "" "$VB")
	ip link set "$VB" name "$VC"
	ip link set "$VA" netns "$A"
	IA_AFTER=$(ifindex "$A" "$VA")
	# netdev.delete of a pair.
	ip link add "$VD" type veth peer name "$VE"
	ID=$(ifindex "" "$VD") IE=$(ifindex "" "$VE")
	ip link del "$VD"
	# D dies holding a veth pair of its own (deleted with it) and the NIC
	# (handed back to the initial netns).
	ip -n "$D" link add "$VF" type veth peer name "$VG"
	IF=$(ifindex "$D" "$VF")
	ip link set "$NIC" netns "$D"
	ip netns del "$D"
	wait_events 1 ".event == \"ns.destroy\" and .ns == $D_INO" || true
	wait_events 1 ".event == \"netdev.move\" and .cause == \"netns-exit\"" || true
	wait_for ip link show "$NIC"
}

# The checks, one per event kind.
# clone_check SYSCALL PID CHILD NET UTS: nstool's two ns.create (net and
# uts) by SYSCALL, with its child's inodes.
clone_check() {
	local e
	e=$(seen ".event == \"ns.create\" and .pid == $2 and .ns_type == \"net\"")
	assert_task "$e" "$2" nstool "$$"
	assert_eq "$(jq -r .ns <<<"$e")" "$4" "net inode"
	assert_eq "$(jq -r .syscall <<<"$e")" "$1" syscall
	assert_eq "$(jq -r .child_pid <<<"$e")" "$3" child_pid
	assert_eq "$(jq -r .ns <<<"$(seen ".event == \"ns.create\" and .pid == $2 and .ns_type == \"uts\"")")" \
		"$5" "uts inode"
	assert_eq "$(count ".event == \"ns.create\" and .pid == $2")" 2 "ns.create of nstool $1"
}

c_clone() {
	clone_check clone "$CLONE_P" "$CLONE_C" "$CLONE_NET" "$CLONE_UTS"
}

c_clone3() {
	clone_check clone3 "$CLONE3_P" "$CLONE3_C" "$CLONE3_NET" "$CLONE3_UTS"
}

c_unshare() {
	local e
	e=$(seen ".event == \"ns.create\" and .pid == $UNSHARE_P and .ns_type == \"net\"")
	assert_task "$e" "$UNSHARE_P" unshare "$$"
	assert_eq "$(jq -r .ns <<<"$e")" "$UNSHARE_NET" "net inode"
	assert_eq "$(jq -r .syscall <<<"$e")" unshare syscall
	assert_eq "$(count ".pid == $UNSHARE_P and .event == \"ns.create\"")" 2 "ns.create of unshare -n -u"
}

c_setns() {
	local e
	e=$(seen ".event == \"ns.setns\" and .pid == $SETNS_P")
	assert_task "$e" "$SETNS_P" nsenter "$$"
	assert_eq "$(jq -r .ns_type <<<"$e")" net ns_type
	assert_eq "$(jq -r .from_ns <<<"$e")" "$HOST" from_ns
	assert_eq "$(jq -r .to_ns <<<"$e")" "$A_INO" to_ns
}

c_create() {
	local e
	for e in "$VA:$IA" "$VB:$IB" "$VD:$ID" "$VE:$IE"; do
		seen ".event == \"netdev.create\" and .ifname == \"${e%:*}\"" >/dev/null
		assert_life netdev.create "$HOST" "${e%:*}" "${e#*:}" veth request
	done
}

c_delete() {
	seen ".event == \"netdev.delete\" and .ifname == \"$VD\"" >/dev/null
	assert_life netdev.delete "$HOST" "$VD" "$ID" veth request
	assert_life netdev.delete "$HOST" "$VE" "$IE" veth request
}

c_rename() {
	seen ".event == \"netdev.rename\" and .ifname == \"$VB\"" >/dev/null
	assert_rename "$HOST" "$VB" "$VC" "$IB" ip sendmsg
}

c_move() {
	local e
	e=$(seen ".event == \"netdev.move\" and .ifname == \"$VA\"")
	assert_eq "$(jq -r .from_netns <<<"$e")" "$HOST" from_netns
	assert_eq "$(jq -r .to_netns <<<"$e")" "$A_INO" to_netns
	assert_eq "$(jq -r .ifindex <<<"$e")" "$IA" ifindex
	assert_eq "$(jq -r .new_ifname <<<"$e")" "$VA" new_ifname
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$IA_AFTER" new_ifindex
	assert_eq "$(jq -r .cause <<<"$e")" request cause
	assert_eq "$(jq -r .syscall <<<"$e")" sendmsg syscall
	assert_eq "$(jq -r .comm <<<"$e")" ip comm
	assert_eq "$(jq -r 'has("error")' <<<"$e")" false "has error"
}

c_destroy() {
	local e
	e=$(seen ".event == \"ns.destroy\" and .ns == $D_INO and any(.interfaces[]; .ifname == \"$VF\")")
	assert_eq "$(jq -r .ns_type <<<"$e")" net ns_type
	assert_eq "$(jq -r .last_ref_comm <<<"$e")" ip last_ref_comm
	assert_eq "$(jq -c "[.interfaces[] | select(.ifname == \"$VF\") | [.ifindex, .fate]]" <<<"$e")" \
		"[[$IF,\"deleted\"]]" "$VF in interfaces"
	assert_eq "$(jq -c "[.interfaces[] | select(.ifname == \"$NIC\") | .fate]" <<<"$e")" \
		'["returned"]' "$NIC in interfaces"
	assert_life netdev.delete "$D_INO" "$VF" "$IF" veth netns-exit
}

c_nic() {
	local e
	e=$(seen ".event == \"netdev.move\" and .ifname == \"$NIC\" and .cause == \"netns-exit\"")
	assert_eq "$(jq -r .from_netns <<<"$e")" "$D_INO" from_netns
	assert_eq "$(jq -r .to_netns <<<"$e")" "$HOST" to_netns
	assert_eq "$(jq -r .new_ifname <<<"$e")" "$(ip -j link show "$NIC" | jq -r '.[0].ifname')" new_ifname
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$(ifindex "" "$NIC")" new_ifindex
	assert_eq "$(jq -r 'has("syscall")' <<<"$e")" false syscall
	e=$(seen ".event == \"netdev.move\" and .ifname == \"$NIC\" and .cause == \"request\"")
	assert_eq "$(jq -r .to_netns <<<"$e")" "$D_INO" "request to_netns"
}

# nstrace ls (no backend: an iterator walk): A with the interfaces ip shows.
c_ls() {
	local out=$BATS_TEST_TMPDIR/ls.json got want nsj
	"$NSTRACE" ls --json >"$out" || {
		echo "not seen: nstrace ls exited with $?" >&2
		exit 3
	}
	assert_eq "$(jq .schema "$out")" 1 schema
	nsj=$(jq -c --argjson i "$A_INO" '.netns[] | select(.inode == $i)' "$out")
	[ -n "$nsj" ] || {
		echo "not seen: netns $A_INO in nstrace ls" >&2
		exit 3
	}
	assert_eq "$(jq -c .names <<<"$nsj")" "[\"$A\"]" names
	want=$(ip -n "$A" -j link | jq -c '[.[] | {name: .ifname, ifindex}] | sort')
	got=$(jq -c '[.interfaces[] | {name, ifindex}] | sort' <<<"$nsj")
	assert_eq "$got" "$want" interfaces
	nsj=$(jq -c --argjson i "$HOST" '.netns[] | select(.inode == $i)' "$out")
	want=$(ip -j link | jq -c '[.[] | {name: .ifname, ifindex}] | sort')
	got=$(jq -c '[.interfaces[] | {name, ifindex}] | sort' <<<"$nsj")
	assert_eq "$got" "$want" "interfaces of the initial netns"
}

# The backends doctor finds on this kernel, the best first.
backends() {
	"$NSTRACE" doctor --json 2>/dev/null |
		jq -r '.checks[] | select((.name == "fentry" or .name == "kprobe") and .ok) | .name'
	echo tracepoint
}

echo "# $KERNEL: backends $(backends | tr '\n' ' ')"
"$NSTRACE" doctor 2>&1 | sed 's/^/# doctor: /'
HOST=$(ns_inode $$ net)
# Loading and verifying BPF under emulation takes seconds.
export NSTRACE_ATTACH_SECS=${NSTRACE_ATTACH_SECS:-120}
i=0
for BACKEND in $(backends); do
	t0=$(cut -d' ' -f1 /proc/uptime)
	# Names of their own per backend: the previous run's namespaces may
	# still be dying, and their inodes may come back for new ones.
	i=$((i + 1))
	own_names "ev$i"
	D=$(tname "ev${i}d") VC=ev${i}c$$ VD=ev${i}d$$ VE=ev${i}e$$ VF=ev${i}f$$ VG=ev${i}g$$
	ip netns add "$A"
	ip netns add "$D"
	A_INO=$(netns_ino "$A") D_INO=$(netns_ino "$D")
	started=1
	if ! start_nstrace --backend "$BACKEND" 2>/dev/null; then
		started=
		echo "# $KERNEL $BACKEND: nstrace did not start"
		sed 's/^/#   /' "$TRACE_ERR"
		NSTRACE_BACKEND_ARGS="--backend $BACKEND" bash tests/vm/smoke.sh 2>&1 | grep '^# ' || true
		teardown_nstrace
	else
		workload >/dev/null
		stop_nstrace || echo "# $KERNEL $BACKEND: nstrace failed on SIGINT"
	fi
	check "ns.create by clone" c_clone
	check "ns.create by clone3" c_clone3
	check "ns.create by unshare" c_unshare
	check "ns.setns" c_setns
	check "netdev.create" c_create
	check "netdev.rename" c_rename
	check "netdev.move by request" c_move
	check "netdev.delete" c_delete
	check "ns.destroy net with its interfaces" c_destroy
	check "netdev.move of a NIC handed back by a dying netns" c_nic
	ip netns del "$A" 2>/dev/null
	ip netns del "$D" 2>/dev/null
	ip link del "$VC" 2>/dev/null
	# Give the kernel's cleanup of A time before the next backend's run.
	sleep 1
	echo "# $KERNEL $BACKEND took $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s"
done

BACKEND="ls" started=1
own_names ls
ip netns add "$A"
ip -n "$A" link add "$VA" type veth peer name "$VB"
A_INO=$(netns_ino "$A")
check "nstrace ls" c_ls
ip netns del "$A"

echo "1..$n"
echo "# $KERNEL: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
