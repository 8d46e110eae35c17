#!/usr/bin/env bats
# podman 4.3 with netavark and runc through a container's life, driven as
# users drive it: run -d, exec, stop, rm, on the default network and with
# --network none, host and bridge. Every event of the container is checked
# field by field, in the stream's order, against what podman inspect,
# ip -j and /proc say, and no other event of it may come.
#
# What they do here. podman makes the netns (unshare in one of its
# threads), names it /run/netns/netns-UUID and goes back to the host's;
# netavark enters it and leaves, makes the bridge podman0 when it is
# missing and a veth pair whose container end it makes in the netns as
# eth0 (no move, no rename), and enters it once more; runc joins it and
# unshares mnt, uts, ipc and pid (the cgroup namespace stays the host's
# on these hybrid cgroups). With --network none runc unshares the netns
# itself; with --network host there is none. podman exec: runc joins the
# five. podman stop: netavark deletes eth0 by name (its peer goes too)
# and the bridge with the last container, podman unmounts the name, then
# the netns dies.

load helpers

setup() {
	need_root
	need_podman
	CTR=nstpod$$-$BATS_TEST_NUMBER
	MINE_OUT=$BATS_TEST_TMPDIR/mine.json
	KEY=
	NEXT=0
}

teardown() {
	teardown_nstrace
	podman rm -f -t 0 "$CTR" >/dev/null 2>&1 || true
	[ -z "${PNET:-}" ] || podman network rm -f "$PNET" >/dev/null 2>&1 || true
	[ -z "${OTHER:-}" ] || ip netns del "$OTHER" 2>/dev/null || true
	# A netns podman left behind when a test failed half-way.
	if [ -n "$KEY" ] && [ -e "$KEY" ]; then
		ip netns del "${KEY##*/}" 2>/dev/null || true
	fi
	true
}

# J KEY=STRING|KEY:=JSON...: a JSON object of those fields.
J() {
	local a args=()
	for a; do
		case $a in
		*:=*) args+=(--argjson "${a%%:=*}" "${a#*:=}") ;;
		*) args+=(--arg "${a%%=*}" "${a#*=}") ;;
		esac
	done
	jq -cn "${args[@]}" '$ARGS.named'
}

# task PID TID PPID COMM: TASK, the fields every event of that task has.
task() {
	TASK=(schema:=1 "pid:=$1" "tid:=$2" "ppid:=$3" uid:=0 "comm=$4")
}

# start_ctr ARGS...: podman run -d of a sleeping container, with ARGS, by
# a child of this shell (SH): RUN_PID is that podman, CID the container's
# id, MAIN its process, CONMON the parent of MAIN, INO[type] the inodes
# of MAIN's namespaces and HOSTNS[type] this shell's. With a netns of
# its own: NET_COOKIE its cookie, KEY its name's path and NAMES the names
# of nstrace's events ([] for none).
start_ctr() {
	local t
	SH=$BASHPID
	"${POD_RUN[@]}" -d --name "$CTR" "$@" "$PODMAN_IMAGE" /bin/sleep 600 \
		>"$BATS_TEST_TMPDIR/cid" &
	RUN_PID=$!
	wait "$RUN_PID"
	CID=$(cat "$BATS_TEST_TMPDIR/cid")
	CTR_JSON=$(J runtime=podman "id=$CID" "name=$CTR")
	declare -gA OWNED=()
	MAIN=$(podman inspect -f '{{.State.Pid}}' "$CTR")
	CONMON=$(awk '$1 == "PPid:" {print $2}' "/proc/$MAIN/status")
	assert_eq "$(cat "/proc/$CONMON/comm")" conmon "the parent of $MAIN"
	declare -gA INO HOSTNS
	for t in net mnt uts ipc pid cgroup user time; do
		INO[$t]=$(ns_inode "$MAIN" $t)
		HOSTNS[$t]=$(ns_inode $$ $t)
	done
	KEY=$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' "$CTR")
	NAMES=[]
	[ -z "$KEY" ] || NAMES=$(jq -cn --arg n "${KEY##*/}" '[$n]')
}

# trace: start_nstrace, and BACKEND the one it chose for ns.destroy
# (tracepoint here).
trace() {
	start_nstrace
	BACKEND=$(sed -n 's/.*(backend: \([a-z]*\).*/\1/p' "$TRACE_ERR")
}

# other_deaths: the ns.destroy of the container's mnt, uts, ipc and pid
# namespaces: none on the tracepoint backend, which sees only the
# netns's; on the others one each, taken out of mine (they come as the
# container's last process goes, in no set order).
other_deaths() {
	local t e
	for t in mnt uts ipc pid; do
		e=$(count ".event == \"ns.destroy\" and .ns_type == \"$t\" and .ns == ${INO[$t]}")
		if [ "$BACKEND" = tracepoint ]; then
			assert_eq "$e" 0 "$t ns.destroy"
			continue
		fi
		e=$(one ".event == \"ns.destroy\" and .ns_type == \"$t\" and .ns == ${INO[$t]}")
		jq -c "select(.seq != $(jq .seq <<<"$e"))" "$MINE_OUT" >"$MINE_OUT.new"
		mv "$MINE_OUT.new" "$MINE_OUT"
	done
}

# Read after nstrace has stopped: netns_cookie enters the netns.
cookies() {
	HOST_COOKIE=$(netns_cookie)
	NET_COOKIE=$(netns_cookie "$MAIN")
}

# mine: the events of the container, in the stream's order, into
# MINE_OUT: every event of podman, conmon, netavark and runc, and every
# one that names a namespace of the container (not the host's).
mine() {
	local t inos=()
	for t in net mnt uts ipc pid cgroup user time; do
		[ "${INO[$t]}" = "${HOSTNS[$t]}" ] || inos+=("${INO[$t]}")
	done
	jq -c --argjson inos "$(printf '%s\n' "${inos[@]}" | jq -cs .)" '
		select((.comm // "" | IN("podman", "conmon", "netavark",
				"aardvark-dns") or startswith("runc"))
			or ([.ns, .from_ns, .to_ns, .netns, .from_netns,
				.to_netns, .peer_netns] | any(IN($inos[]))))
	' "$TRACE_OUT" >"$MINE_OUT"
}

# next_event: E, the next event of mine.
next_event() {
	NEXT=$((NEXT + 1))
	E=$(sed -n "${NEXT}p" "$MINE_OUT")
	[ -n "$E" ] || {
		echo "no event $NEXT; the container's events:" >&2
		cat "$MINE_OUT" >&2
		return 1
	}
}

# no_more: every event of mine was expected.
no_more() {
	local n
	n=$(wc -l <"$MINE_OUT")
	[ "$n" -eq "$NEXT" ] || {
		echo "$((n - NEXT)) more events of the container than expected:" >&2
		tail -n +$((NEXT + 1)) "$MINE_OUT" >&2
		return 1
	}
}

# pids_are FIELD SPEC: FIELD_pids and FIELD_container of E. SPEC host: a
# namespace of the host, up to 4 processes, each one still alive in it,
# no container. Else the processes known to be in the namespace, in the
# order they came, by commas: P? one that may have died before it was
# shown (dead ones drop out), P@ one in the container's cgroup. The
# namespace is the container's from the first event that shows one of
# those, to its death; nothing known, neither field.
pids_are() {
	local f=$1 spec=$2 got ino type p t item i=0 ctr=null
	got=($(jq -r --arg k "${f}_pids" '.[$k] // [] | .[]' <<<"$E"))
	if [ "$spec" = host ]; then
		ino=$(jq -r ".$f" <<<"$E")
		type=$(jq -r .ns_type <<<"$E")
		[ "${#got[@]}" -ge 1 ] && [ "${#got[@]}" -le 4 ] || {
			echo "$f: ${#got[@]} pids in $E" >&2
			return 1
		}
		for p in "${got[@]}"; do
			[ -e "/proc/$p" ] || continue
			# PID 1's cannot be read, even by root.
			t=$(ns_inode "$p" "$type" 2>/dev/null) || continue
			assert_eq "$t" "$ino" "${f}_pids: the netns of $p"
		done
		assert_eq "$(jq -c ".${f}_container" <<<"$E")" null "${f}_container"
		return 0
	fi
	ino=$(jq -r ".$f" <<<"$E")
	[ -z "${OWNED[$ino]:-}" ] || ctr=$CTR_JSON
	IFS=, read -ra spec <<<"$spec"
	for item in "${spec[@]}"; do
		p=${item%%[?@]*}
		if [ "${got[i]:-}" = "$p" ]; then
			[[ $item != *@* ]] || ctr=$CTR_JSON
			i=$((i + 1))
		elif [[ $item != *'?'* ]]; then
			echo "${f}_pids: no $p in ${got[*]} ($E)" >&2
			return 1
		fi
	done
	[ $i -eq ${#got[@]} ] || {
		echo "${f}_pids: ${got[*]}, expected ${spec[*]} ($E)" >&2
		return 1
	}
	# Before a process of the container is seen in it, its runtime's
	# state may have named the netns's bind mount already, or not yet.
	[ "$ctr" != null ] || [ "$(jq -c ".${f}_container" <<<"$E")" != "$CTR_JSON" ] ||
		ctr=$CTR_JSON
	assert_eq "$(jq -c ".${f}_container" <<<"$E")" "$ctr" "${f}_container"
	# Once it is the container's, it stays the container's.
	[ "$ctr" = null ] || OWNED[$ino]=1
}

# is_event JSON [FIELD=SPEC]...: E is JSON, less seq and time, and the
# _pids and _container of each namespace field are as SPEC (pids_are)
# says; a field without a SPEC has no _pids, and a _container only once
# the namespace is the container's.
is_event() {
	local want=$1 f spec apart
	shift
	apart=($(jq -r 'keys[] | select(endswith("_pids") or endswith("_container"))' <<<"$E"))
	assert_json "$E" "$want" "${apart[@]}"
	for f in ns from_ns to_ns netns from_netns to_netns; do
		[ "$(jq -r "has(\"$f\")" <<<"$E")" = true ] || continue
		spec=
		for s in "$@"; do
			[ "${s%%=*}" != "$f" ] || spec=${s#*=}
		done
		pids_are "$f" "$spec"
	done
}

# kworker: TASK of E, a kernel worker (netns cleanup).
kworker() {
	local pid comm now
	pid=$(jq -r .pid <<<"$E")
	comm=$(jq -r .comm <<<"$E")
	[[ $comm == kworker/* ]] || {
		echo "not a kernel worker: $E" >&2
		return 1
	}
	# Still there, it is that worker (proc adds its workqueue: -events...).
	now=$(cat "/proc/$pid/comm" 2>/dev/null) || now=$comm
	[[ $now == "$comm" || $now == "$comm"-* ]] || {
		echo "the worker $pid is $now, not $comm" >&2
		return 1
	}
	task "$pid" "$pid" 2 "$comm"
}

# setns_visit PID PPID COMM IN OUT: PID enters the container's netns and
# goes back to the host's; the netns's processes after each (SPECs).
setns_visit() {
	task "$1" "$1" "$2" "$3"
	next_event
	is_event "$(J "${TASK[@]}" event=ns.setns ns_type=net \
		"from_ns:=${HOSTNS[net]}" "from_ns_cookie:=$HOST_COOKIE" \
		"to_ns:=${INO[net]}" "to_ns_cookie:=$NET_COOKIE" \
		"to_ns_names:=$NAMES")" from_ns=host "to_ns=$4"
	next_event
	is_event "$(J "${TASK[@]}" event=ns.setns ns_type=net \
		"from_ns:=${INO[net]}" "from_ns_cookie:=$NET_COOKIE" \
		"to_ns:=${HOSTNS[net]}" "to_ns_cookie:=$HOST_COOKIE" \
		"from_ns_names:=$NAMES")" "from_ns=$5" to_ns=host
}

# netdev EVENT NETNS COOKIE IFNAME IFINDEX KIND NAMES SPEC: a netdev.create
# or netdev.delete of netavark's (TASK), by request.
netdev() {
	local names=()
	[ "$7" = "[]" ] || names=("netns_names:=$7")
	next_event
	is_event "$(J "${TASK[@]}" "event=$1" ns_type=net "netns:=$2" \
		"netns_cookie:=$3" "ifname=$4" "ifindex:=$5" "kind=$6" \
		cause=request syscall=sendto "${names[@]}")" "netns=$8"
}

# expect_runc_creates RC RCPPID TYPES...: runc's child, RC, unshares
# TYPES in one call: one ns.create each, in the kernel's order, with the
# inodes MAIN has now.
expect_runc_creates() {
	local rc=$1 t extra spec
	task "$1" "$1" "$2" "runc:[1:CHILD]"
	shift 2
	for t; do
		next_event
		extra=()
		[ "$t" != net ] || extra=("ns_cookie:=$NET_COOKIE")
		# pid: the caller's children go in, the caller stays.
		spec="$rc@?"
		[ "$t" != pid ] || spec=
		is_event "$(J "${TASK[@]}" event=ns.create "ns_type=$t" \
			"ns:=${INO[$t]}" syscall=unshare "${extra[@]}")" "ns=$spec"
	done
}

# expect_runc_joins TYPES...: podman exec's runc child joins each type of
# the container, in runc's order, where MAIN lives (the exec began after
# nstrace had started: the inventory knew MAIN).
expect_runc_joins() {
	local rc t extra spec p
	rc=$(peek pid)
	task "$rc" "$rc" "$(peek ppid)" "runc:[1:CHILD]"
	for t; do
		next_event
		extra=()
		[ "$t" != net ] || extra=("from_ns_cookie:=$HOST_COOKIE" \
			"to_ns_cookie:=$NET_COOKIE" "to_ns_names:=$NAMES")
		spec="$MAIN@,$rc@?"
		[ "$t" != pid ] || spec="$MAIN@"
		is_event "$(J "${TASK[@]}" event=ns.setns "ns_type=$t" \
			"from_ns:=${HOSTNS[$t]}" "to_ns:=${INO[$t]}" "${extra[@]}")" \
			from_ns=host "to_ns=$spec"
	done
	for p in "$MAIN" "$CONMON"; do
		[ "$rc" != "$p" ] || {
			echo "the exec's runc child is $p" >&2
			return 1
		}
	done
}

# peek FIELD: FIELD of the next event of mine.
peek() {
	sed -n "$((NEXT + 1))p" "$MINE_OUT" | jq -r ".$1"
}

# links NETNS: its interfaces as ip -j link shows them, by index.
links() {
	ip -n "$1" -j link | jq -c '[.[] | {ifindex, ifname}]'
}

# expect_bridged_run: the events of podman run -d on a bridge network
# (the default podman), in the stream's order. ETH0, VETH and BRIDGE:
# what ip -j says of them after the run.
expect_bridged_run() {
	local t nv rc rcp
	# podman's netns: made, named and left by one thread of podman run.
	next_event
	t=$(jq -r .tid <<<"$E")
	task "$RUN_PID" "$t" "$SH" podman
	is_event "$(J "${TASK[@]}" event=ns.create ns_type=net \
		"ns:=${INO[net]}" "ns_cookie:=$NET_COOKIE" syscall=unshare)" "ns=$t?"
	if [ "$BACKEND" != tracepoint ]; then
		next_event
		is_event "$(J "${TASK[@]}" event=netdev.create ns_type=net \
			"netns:=${INO[net]}" "netns_cookie:=$NET_COOKIE" \
			ifname=lo ifindex:=1 kind= cause=netns-create)" "netns=$t?"
	fi
	next_event
	is_event "$(J "${TASK[@]}" event=ns.name ns_type=net \
		"ns:=${INO[net]}" "ns_cookie:=$NET_COOKIE" op=add \
		"name=${KEY##*/}" "path=$KEY" "ns_names:=$NAMES")" "ns=$t?"
	next_event
	is_event "$(J "${TASK[@]}" event=ns.setns ns_type=net \
		"from_ns:=${INO[net]}" "from_ns_cookie:=$NET_COOKIE" \
		"to_ns:=${HOSTNS[net]}" "to_ns_cookie:=$HOST_COOKIE" \
		"from_ns_names:=$NAMES")" from_ns= to_ns=host

	# netavark, a child of podman run: a look in, the pair, a look in.
	nv=$(peek pid)
	setns_visit "$nv" "$RUN_PID" netavark "$nv?" ""
	if [ -n "$BRIDGE_NEW" ]; then
		netdev netdev.create "${HOSTNS[net]}" "$HOST_COOKIE" podman0 \
			"$(jq .ifindex <<<"$BRIDGE")" bridge [] host
	fi
	netdev netdev.create "${HOSTNS[net]}" "$HOST_COOKIE" \
		"$(jq -r .ifname <<<"$VETH")" "$(jq .ifindex <<<"$VETH")" veth [] host
	netdev netdev.create "${INO[net]}" "$NET_COOKIE" eth0 \
		"$(jq .ifindex <<<"$ETH0")" veth "$NAMES" ""
	setns_visit "$nv" "$RUN_PID" netavark "$nv?" ""

	# runc's child joins the netns and unshares the rest.
	rc=$(peek pid)
	rcp=$(peek ppid)
	task "$rc" "$rc" "$rcp" "runc:[1:CHILD]"
	next_event
	is_event "$(J "${TASK[@]}" event=ns.setns ns_type=net \
		"from_ns:=${HOSTNS[net]}" "from_ns_cookie:=$HOST_COOKIE" \
		"to_ns:=${INO[net]}" "to_ns_cookie:=$NET_COOKIE" \
		"to_ns_names:=$NAMES")" from_ns=host "to_ns=$rc@?"
	expect_runc_creates "$rc" "$rcp" mnt uts ipc pid
	for p in "$RUN_PID" "$nv" "$MAIN" "$CONMON"; do
		[ "$rc" != "$p" ] || {
			echo "runc's child is $p" >&2
			return 1
		}
	done
}

# bridged_run [ARGS...]: podman run -d on a bridge network, traced; then
# what ip -j and /proc say of it, and its events as expected.
bridged_run() {
	local veth
	BRIDGE_NEW=
	ip link show podman0 >/dev/null 2>&1 || BRIDGE_NEW=1
	trace
	start_ctr "$@"
	stop_nstrace
	cookies
	[[ $KEY == /run/netns/netns-* ]] || {
		echo "podman's netns: $KEY" >&2
		return 1
	}
	assert_eq "$(stat -L -c %i "$KEY")" "${INO[net]}" "the inode of $KEY"
	for t in mnt uts ipc pid; do
		[ "${INO[$t]}" != "${HOSTNS[$t]}" ] || {
			echo "the container's $t namespace is the host's" >&2
			return 1
		}
	done
	assert_eq "${INO[cgroup]}" "${HOSTNS[cgroup]}" "cgroup namespace"
	ETH0=$(ip -n "${KEY##*/}" -j link show eth0 | jq -c '.[0]')
	assert_eq "$(links "${KEY##*/}")" \
		"[{\"ifindex\":1,\"ifname\":\"lo\"},$(jq -c '{ifindex, ifname}' <<<"$ETH0")]" \
		"the container's interfaces"
	veth=$(jq .link_index <<<"$ETH0")
	VETH=$(ip -j link | jq -c ".[] | select(.ifindex == $veth)")
	BRIDGE=$(ip -j link show podman0 | jq -c '.[0]')
	assert_eq "$(jq -r .master <<<"$VETH")" podman0 "the host veth's master"
	mine
	expect_bridged_run
	no_more
}

# expect_teardown WHO: the events of a bridged container's netns going
# away, when the podman process WHO (stop or rm) tears it down, or
# conmon's cleanup (a podman child of CONMON) does before it. On the
# tracepoint backend no other type's death is seen; on the others each
# dies once.
expect_teardown() {
	local who=$1 td tdp nv last
	# Who tears down: the podman that removes the name.
	td=$(jq -r 'select(.event == "ns.name") | "\(.pid) \(.ppid)"' "$MINE_OUT")
	read -r td tdp <<<"$td"
	[[ "$td $tdp" == "$who $SH" || $tdp == "$CONMON" ]] || {
		echo "the name removed by $td (parent $tdp), not $who or conmon's cleanup" >&2
		return 1
	}
	other_deaths
	nv=$(peek pid)
	setns_visit "$nv" "$td" netavark "$nv?" ""
	netdev netdev.delete "${INO[net]}" "$NET_COOKIE" eth0 \
		"$(jq .ifindex <<<"$ETH0")" veth "$NAMES" ""
	netdev netdev.delete "${HOSTNS[net]}" "$HOST_COOKIE" \
		"$(jq -r .ifname <<<"$VETH")" "$(jq .ifindex <<<"$VETH")" veth [] host
	if ! ip link show podman0 >/dev/null 2>&1; then
		netdev netdev.delete "${HOSTNS[net]}" "$HOST_COOKIE" podman0 \
			"$(jq .ifindex <<<"$BRIDGE")" bridge [] host
	fi
	next_event
	task "$td" "$(jq -r .tid <<<"$E")" "$tdp" podman
	is_event "$(J "${TASK[@]}" event=ns.name ns_type=net \
		"ns:=${INO[net]}" "ns_cookie:=$NET_COOKIE" op=remove \
		"name=${KEY##*/}" "path=$KEY")"
	expect_netns_death
	# The last reference: podman's (or a socket's, after an RCU grace
	# period, in an interrupt: none).
	last=$(jq -r '"\(.last_ref_pid) \(.last_ref_comm)"' <<<"$DEATH")
	[[ $last == "null null" || $last == "$who podman" || $last == "$td podman" ]] || {
		echo "last reference: $last" >&2
		return 1
	}
}

# expect_netns_death [FIELD...]: the kernel worker's delete of its lo,
# and the netns's ns.destroy (DEATH), with last_ref_* as the FIELDs (J's)
# say; without, the caller checks them apart.
expect_netns_death() {
	next_event
	kworker
	is_event "$(J "${TASK[@]}" event=netdev.delete ns_type=net \
		"netns:=${INO[net]}" "netns_cookie:=$NET_COOKIE" ifname=lo \
		ifindex:=1 kind= cause=netns-exit)"
	next_event
	kworker
	DEATH=$E
	[ $# -gt 0 ] || E=$(jq -c 'del(.last_ref_pid, .last_ref_comm)' <<<"$E")
	is_event "$(J "${TASK[@]}" event=ns.destroy ns_type=net \
		"ns:=${INO[net]}" "ns_cookie:=$NET_COOKIE" \
		'interfaces:=[{"ifname":"lo","ifindex":1,"fate":"deleted"}]' "$@")"
}

# wait_death: until the netns of the container has died.
wait_death() {
	wait_events 1 ".event == \"ns.destroy\" and .ns == ${INO[net]} and .ns_cookie == $NET_COOKIE"
}

# torn_down CMD [THEN]: traced, podman CMD (words) of the bridged
# container, by a child of this shell, and then podman THEN once its
# netns has died: the events of expect_teardown, and no other.
torn_down() {
	local who
	trace
	# shellcheck disable=SC2086
	podman $1 "$CTR" >/dev/null &
	who=$!
	wait "$who"
	wait_death
	# shellcheck disable=SC2086
	[ -z "${2:-}" ] || podman $2 "$CTR" >/dev/null
	# Anything late would come in this time.
	sleep 0.5
	stop_nstrace
	mine
	NEXT=0
	expect_teardown "$who"
	no_more
}

# bats test_tags=host-userland
@test "podman run -d: podman's named netns, netavark's pair, runc's namespaces, each once" {
	bridged_run
}

# bats test_tags=host-userland
@test "podman exec: runc's child joins the container's five namespaces, and creates none" {
	start_ctr
	cookies
	trace
	podman exec "$CTR" /bin/sh -c 'exit 0'
	stop_nstrace
	mine
	expect_runc_joins ipc uts net pid mnt
	no_more
}

# bats test_tags=host-userland
@test "podman stop, then rm: netavark's deletes, the name's remove, one ns.destroy; rm adds none" {
	bridged_run
	# The container is down then: rm has nothing of it left to take.
	torn_down "stop -t 0" rm
	[ ! -e "$KEY" ] || {
		echo "$KEY is still there" >&2
		return 1
	}
}

# bats test_tags=host-userland
@test "podman rm -f of a running container: the teardown of stop, from rm" {
	bridged_run
	torn_down "rm -f -t 0"
}

# bats test_tags=host-userland
@test "--network bridge: the default network's events, from run to stop" {
	bridged_run --network bridge
	assert_eq "$(podman inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' "$CTR")" \
		podman "the container's network"
	torn_down "stop -t 0"
}

# bats test_tags=host-userland
@test "--network none: runc's own netns with lo alone, no name, no device events" {
	trace
	start_ctr --network none
	stop_nstrace
	cookies
	assert_eq "$KEY" "" "the sandbox key"
	assert_eq "$(nsenter -t "$MAIN" -n ip -j link | jq -c '[.[] | {ifindex, ifname}]')" \
		'[{"ifindex":1,"ifname":"lo"}]' "the container's interfaces"
	mine
	rc=$(peek pid)
	expect_runc_creates "$rc" "$(peek ppid)" net mnt uts ipc pid
	no_more

	trace
	podman stop -t 0 "$CTR" >/dev/null
	wait_death
	stop_nstrace
	mine
	NEXT=0
	other_deaths
	# Its last process was its last reference.
	expect_netns_death "last_ref_pid:=$MAIN" last_ref_comm=sleep
	no_more
}

# bats test_tags=host-userland
@test "--network host: no netns made or joined, the other four made" {
	trace
	start_ctr --network host
	stop_nstrace
	assert_eq "${INO[net]}" "${HOSTNS[net]}" "the container's netns"
	assert_eq "$KEY" "" "the sandbox key"
	# Its process is the container's; the host's netns is no one's.
	run "$NSTRACE" identify "$MAIN"
	[ "$status" -eq 0 ]
	assert_eq "${lines[1]}" "  container podman:${CID:0:12}/$CTR host-network" "identify"
	run "$NSTRACE" identify --json "$MAIN"
	assert_eq "$(jq -c '[.container, .host_network, .netns.containers]' <<<"$output")" "[$CTR_JSON,true,[]]" \
		"identify --json"
	mine
	rc=$(peek pid)
	expect_runc_creates "$rc" "$(peek ppid)" mnt uts ipc pid
	no_more

	trace
	podman exec "$CTR" /bin/sh -c 'exit 0'
	podman stop -t 0 "$CTR" >/dev/null
	sleep 0.5
	stop_nstrace
	mine
	NEXT=0
	other_deaths
	expect_runc_joins ipc uts pid mnt
	no_more
}

# bats test_tags=host-userland
@test "where, identify, ls and the snapshot name the container of a netns and of its veth" {
	local net eth0 hidx hname out
	start_ctr
	net=${KEY##*/}
	eth0=$(ip -n "$net" -j link show eth0 | jq .[0].ifindex)
	hidx=$(ip -n "$net" -j link show eth0 | jq .[0].link_index)
	hname=$(ip -j link show | jq -r --argjson i "$hidx" '.[] | select(.ifindex == $i) | .ifname')
	[ -n "$hname" ] || { echo "no host end of eth0 ($hidx)" >&2; return 1; }
	ctr_word="podman:${CID:0:12}/$CTR"

	# The host end: its peer's netns is the container's.
	run "$NSTRACE" where "$hname"
	[ "$status" -eq 0 ]
	assert_eq "$output" "${HOSTNS[net]} $hidx
  peer eth0 $eth0 in ${INO[net]} $net [$ctr_word]" "where $hname"
	run "$NSTRACE" where --json "$hname"
	assert_eq "$(jq -c '.netns[0].peer.netns_container' <<<"$output")" "$CTR_JSON" "where --json's peer container"
	run "$NSTRACE" where --netns "$KEY" "$eth0"
	[ "$status" -eq 0 ]
	assert_eq "${lines[1]}" "  container $ctr_word" "where --netns"

	run "$NSTRACE" identify "$MAIN"
	[ "$status" -eq 0 ]
	assert_eq "$output" "${INO[net]} $net
  container $ctr_word" "identify"
	run "$NSTRACE" ls --json
	assert_eq "$(jq -c --argjson i "${INO[net]}" '.netns[] | select(.inode == $i) | .containers' <<<"$output")" \
		"[$CTR_JSON]" "ls --json's containers"
	run "$NSTRACE" ls
	[[ "$output" == *"net:[${INO[net]}] $net [$ctr_word]"* ]] ||
		{ echo "ls: $output" >&2; return 1; }

	start_nstrace --snapshot -e ns.name
	wait_events 1 '.event == "snapshot.end"'
	stop_nstrace
	out=$(one ".event == \"snapshot.netns\" and .inode == ${INO[net]}")
	assert_eq "$(jq -c .container <<<"$out")" "$CTR_JSON" "snapshot.netns's container"
	assert_eq "$(count '.event == "snapshot.netns" and .init and .container != null')" 0 "the host's netns has none"
}

# bats test_tags=host-userland
@test "--container NAME, on an --internal network started after nstrace: its events alone, each naming it" {
	local net cid main e
	PNET=nstpn$$
	OTHER=nstpo$$
	start_nstrace --container "$CTR"
	podman_run "$CTR" "$PNET" 10.199.7.0/24
	cid=$(podman inspect -f '{{.Id}}' "$CTR")
	main=$(podman inspect -f '{{.State.Pid}}' "$CTR")
	net=$(ns_inode "$main" net)
	CTR_JSON=$(J runtime=podman "id=$cid" "name=$CTR")
	# Another netns's life, and a host process's, meanwhile: left out.
	ip netns add "$OTHER"
	ip -n "$OTHER" link add nstpx$$ type veth peer name nstpy$$
	ip netns del "$OTHER"
	nsenter -t "$main" -n true
	podman stop -t 0 "$CTR" >/dev/null
	wait_events 1 ".event == \"ns.destroy\" and .ns == $net"
	stop_nstrace

	# Each event names the container, on a namespace of its or as the
	# namespace its process entered.
	assert_eq "$(count "[.ns_container, .from_ns_container, .to_ns_container, .netns_container,
		.from_netns_container, .to_netns_container] | map(select(. == $CTR_JSON)) | length == 0")" 0 \
		"events that do not name it"
	assert_eq "$(count ".comm == \"nsenter\" and .event == \"ns.setns\" and .to_ns == $net")" 1 "nsenter's entry"
	e=$(one ".event == \"ns.destroy\" and .ns == $net")
	assert_eq "$(jq -c .ns_container <<<"$e")" "$CTR_JSON" "its netns's ns.destroy"
	# netavark's delete of eth0 at the stop, after its process is gone.
	e=$(one ".event == \"netdev.delete\" and .netns == $net and .ifname == \"eth0\"")
	assert_eq "$(jq -r .comm <<<"$e")" netavark "eth0's deleter"
	assert_eq "$(jq -c .netns_container <<<"$e")" "$CTR_JSON" "the delete's netns_container"
	assert_eq "$(count "(.ns_names // .netns_names // [] | index([\"$OTHER\"])) or .ifname == \"nstpx$$\"")" 0 \
		"the other netns's events"
	# runc's namespaces of it, created after nstrace started, came too.
	assert_eq "$(count ".event == \"ns.create\" and .ns_container == $CTR_JSON")" 4 "runc's mnt, uts, ipc and pid"
}
