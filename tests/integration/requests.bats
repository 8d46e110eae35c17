#!/usr/bin/env bats
# rtnetlink requests in every form the kernel accepts (by index, by name,
# by alt name, several in one buffer, on a socket of another netns, with
# a target by fd, pid or netns id), netdev.rename, and a real client that
# sends them: podman with netavark (the CNI plugins are cni.bats's). Every
# field is checked against ip -j link and the namespaces' inodes.

bats_require_minimum_version 1.5.0
load helpers

RTNL=$BATS_TEST_DIRNAME/../tools/rtnl.py

setup() {
	need_root
	setup_netns nsq
	VC=nsqc$$
	VD=nsqd$$
	NEW=nsqn$$
}

teardown() {
	teardown_nstrace
	for d in "$VA" "$VC" "$NEW" nsqe$$ nsqg$$; do
		ip link del "$d" 2>/dev/null || true
	done
	del_owned
	kill_bg ${BG:-}
	[ -z "${CTR:-}" ] || podman rm -f -t 0 "$CTR" >/dev/null 2>&1 || true
	[ -z "${PNET:-}" ] || podman network rm -f "$PNET" >/dev/null 2>&1 || true
}

# rtnl ARGS...: the raw tool; every request must be acked with 0.
rtnl() {
	run python3 "$RTNL" "$@"
	[ "$status" -eq 0 ] || {
		echo "rtnl.py $*: $output" >&2
		return 1
	}
}

# assert_by EVENT IFNAME COMM SYSCALL: who sent the request, and how.
assert_by() {
	local e
	e=$(one ".event == \"$1\" and .ifname == \"$2\"")
	assert_eq "$(jq -r .comm <<<"$e")" "$3" "$2 comm"
	assert_eq "$(jq -r .syscall <<<"$e")" "$4" "$2 syscall"
	assert_eq "$(jq -r .cause <<<"$e")" request "$2 cause"
}

@test "DELLINK by IFLA_IFNAME: netdev.delete of the device and its peer" {
	ip link add "$VA" type veth peer name "$VB" netns "$A"
	ia=$(ifindex "" "$VA")
	ib=$(ifindex "$A" "$VB")
	start_nstrace -e netdev.delete
	rtnl "del:name=$VA"
	stop_nstrace
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth request
	assert_life netdev.delete "$(netns_ino "$A")" "$VB" "$ib" veth request
	assert_by netdev.delete "$VA" python3 sendto
	run ! ip link show "$VA"
}

@test "DELLINK by IFLA_ALT_IFNAME: the device that has that alt name" {
	ip link add "$VA" type veth peer name "$VB"
	alt=nstrace-alternative-name-$$
	ip link property add dev "$VA" altname "$alt"
	# A device whose own name is the alt name's first 15 bytes stays.
	ip link add "${alt:0:15}" type veth peer name nsqe$$
	ia=$(ifindex "" "$VA")
	ib=$(ifindex "" "$VB")
	start_nstrace -e netdev.delete
	rtnl --sendmsg "del:alt=$alt"
	stop_nstrace
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth request
	assert_life netdev.delete "$HOST" "$VB" "$ib" veth request
	assert_by netdev.delete "$VA" python3 sendmsg
	assert_eq "$(count '.event == "netdev.delete" and .comm == "python3"')" 2 deletes
	ip link del "${alt:0:15}"
}

@test "DELLINK by IFLA_ALT_IFNAME naming a device's own name" {
	ip link add "$VA" type veth peer name "$VB"
	ia=$(ifindex "" "$VA")
	start_nstrace -e netdev.delete
	rtnl "del:alt=$VA"
	stop_nstrace
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth request
}

@test "SETLINK by name with IFLA_NET_NS_FD: netdev.move" {
	ip link add "$VA" type veth peer name "$VB"
	before=$(ifindex "" "$VA")
	start_nstrace -e netdev.move,netdev.rename
	rtnl "set:name=$VA,nsfd=/run/netns/$A"
	stop_nstrace
	e=$(one ".event == \"netdev.move\" and .ifname == \"$VA\"")
	assert_eq "$(jq -r .from_netns <<<"$e")" "$HOST" from_netns
	assert_eq "$(jq -r .to_netns <<<"$e")" "$(netns_ino "$A")" to_netns
	assert_eq "$(jq -r .ifindex <<<"$e")" "$before" ifindex
	assert_eq "$(jq -r .new_ifname <<<"$e")" "$VA" new_ifname
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$(ifindex "$A" "$VA")" new_ifindex
	assert_by netdev.move "$VA" python3 sendto
	assert_eq "$(count '.event == "netdev.rename"')" 0 renames
}

@test "two DELLINKs in one buffer: both seen, each with its peer" {
	ip link add "$VA" type veth peer name "$VB"
	ip link add "$VC" type veth peer name "$VD" netns "$A"
	ia=$(ifindex "" "$VA")
	ib=$(ifindex "" "$VB")
	ic=$(ifindex "" "$VC")
	id=$(ifindex "$A" "$VD")
	start_nstrace -e netdev.delete
	rtnl "del:name=$VA" "del:index=$ic"
	stop_nstrace
	assert_eq "$output" "$(printf '0\n0')" answers
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth request
	assert_life netdev.delete "$HOST" "$VB" "$ib" veth request
	assert_life netdev.delete "$HOST" "$VC" "$ic" veth request
	assert_life netdev.delete "$(netns_ino "$A")" "$VD" "$id" veth request
}

@test "a batch where a later request fails: only what the kernel did" {
	ip link add "$VA" type veth peer name "$VB"
	ia=$(ifindex "" "$VA")
	start_nstrace -e netdev.delete
	# Deleting VA deletes VB: the second request finds nothing.
	run python3 "$RTNL" "del:name=$VA" "del:name=$VB"
	stop_nstrace
	assert_eq "$output" "$(printf '0\n-19')" answers
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth request
	assert_eq "$(count ".event == \"netdev.delete\" and .ifname == \"$VB\"")" 1 "deletes of $VB"
}

@test "a socket opened in another netns: the name is looked up there" {
	# The same name on both sides: only the one in A goes.
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	ip link add "$VA" type veth peer name "$VC"
	ia=$(ifindex "$A" "$VA")
	ib=$(ifindex "$A" "$VB")
	start_nstrace -e netdev.delete
	rtnl --netns "/run/netns/$A" "del:name=$VA"
	stop_nstrace
	assert_life netdev.delete "$(netns_ino "$A")" "$VA" "$ia" veth request
	assert_life netdev.delete "$(netns_ino "$A")" "$VB" "$ib" veth request
	ip link show "$VA" >/dev/null
	# The caller itself stayed in the host's netns.
	assert_eq "$(one ".ifname == \"$VA\"" | jq -r .comm)" python3 comm
}

@test "IFLA_TARGET_NETNSID: DELLINK by name and by index in the netns of that id" {
	ip netns set "$A" 17
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	ip -n "$A" link add "$VC" type veth peer name "$VD"
	ia=$(ifindex "$A" "$VA")
	ib=$(ifindex "$A" "$VB")
	ic=$(ifindex "$A" "$VC")
	id=$(ifindex "$A" "$VD")
	start_nstrace -e netdev.delete
	rtnl "del:name=$VA,nsid=17"
	rtnl "del:index=$ic,nsid=17"
	stop_nstrace
	ino=$(netns_ino "$A")
	assert_life netdev.delete "$ino" "$VA" "$ia" veth request
	assert_life netdev.delete "$ino" "$VB" "$ib" veth request
	assert_life netdev.delete "$ino" "$VC" "$ic" veth request
	assert_life netdev.delete "$ino" "$VD" "$id" veth request
}

@test "moves to a netns named by pid and by netns id" {
	unshare -n sleep 60 &
	BG=$!
	wait_for comm_is $BG sleep
	ip netns set "$B" 18
	ip link add "$VA" type veth peer name "$VB"
	ip link add "$VC" type veth peer name "$VD"
	start_nstrace -e netdev.move
	rtnl "set:index=$(ifindex "" "$VA"),nspid=$BG"
	rtnl "set:name=$VC,nsid=18"
	stop_nstrace
	e=$(one ".event == \"netdev.move\" and .ifname == \"$VA\"")
	assert_eq "$(jq -r .to_netns <<<"$e")" "$(ns_inode $BG net)" "to_netns by pid"
	assert_cookie "$e" to_netns "$(netns_cookie $BG)"
	assert_eq "$(jq -r .new_ifindex <<<"$e")" \
		"$(nsenter -t $BG -n ip -j link show "$VA" | jq '.[0].ifindex')" new_ifindex
	e=$(one ".event == \"netdev.move\" and .ifname == \"$VC\"")
	assert_eq "$(jq -r .to_netns <<<"$e")" "$(netns_ino "$B")" "to_netns by id"
	assert_cookie "$e" to_netns "$(netns_cookie "$B")"
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$(ifindex "$B" "$VC")" new_ifindex
}

@test "a move refused on a target named by netns id: to_netns says where" {
	ip netns set "$B" 19
	ip -n "$B" link add "$VA" type veth peer name "$VB"
	ip link add "$VA" type veth peer name "$VC"
	start_nstrace -e netdev.move
	run python3 "$RTNL" "set:name=$VA,nsid=19"
	stop_nstrace
	assert_eq "$output" -17 answer
	e=$(one ".event == \"netdev.move\" and .ifname == \"$VA\"")
	assert_eq "$(jq -r .to_netns <<<"$e")" "$(netns_ino "$B")" to_netns
	assert_cookie "$e" to_netns "$(netns_cookie "$B")"
	assert_eq "$(jq -r .error <<<"$e")" "EEXIST: File exists" error
}

@test "ip link add X netns PID: netdev.create in that netns" {
	unshare -n sleep 60 &
	BG=$!
	wait_for comm_is $BG sleep
	start_nstrace -e netdev.create
	ip link add "$VA" netns $BG type veth peer name "$VB"
	stop_nstrace
	assert_life netdev.create "$(ns_inode $BG net)" "$VA" \
		"$(nsenter -t $BG -n ip -j link show "$VA" | jq '.[0].ifindex')" veth request
	assert_life netdev.create "$HOST" "$VB" "$(ifindex "" "$VB")" veth request
	ip link del "$VB"
}

@test "NEWLINK with IFLA_TARGET_NETNSID: created in that netns, not the moved-in ones" {
	ip netns set "$A" 20
	# A device moved into A earlier keeps its high ifindex: not new.
	ip link add "$VC" type veth peer name "$VD"
	ip link set "$VC" netns "$A"
	start_nstrace -e netdev.create
	rtnl "new:name=$VA,kind=veth,nsid=20"
	stop_nstrace
	assert_life netdev.create "$(netns_ino "$A")" "$VA" "$(ifindex "$A" "$VA")" veth request
	assert_by netdev.create "$VA" python3 sendto
	assert_eq "$(count ".ifname == \"$VC\" or .ifname == \"$VD\"")" 0 "events of $VC"
	# The veth's other end, named by the kernel, in the sender's netns
	# (it dies with A at teardown).
	e=$(one ".event == \"netdev.create\" and .comm == \"python3\" and .ifname != \"$VA\"")
	assert_eq "$(jq -r .netns <<<"$e")" "$HOST" "peer netns"
	assert_eq "$(jq -r .ifindex <<<"$e")" "$(ifindex "" "$(jq -r .ifname <<<"$e")")" "peer ifindex"
}

@test "ip link set A name B: netdev.rename" {
	ip link add "$VA" type veth peer name "$VB"
	idx=$(ifindex "" "$VA")
	start_nstrace -e netdev.rename,netdev.move
	ip link set "$VA" name "$VC"
	stop_nstrace
	assert_eq "$(ifindex "" "$VC")" "$idx" "ifindex after"
	assert_rename "$HOST" "$VA" "$VC" "$idx" ip sendmsg "$(netns_cookie)"
	assert_eq "$(count '.event == "netdev.move"')" 0 moves
}

@test "ip -n X link set A name B: netdev.rename in X" {
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	idx=$(ifindex "$A" "$VA")
	start_nstrace -e netdev.rename
	ip -n "$A" link set "$VA" name "$VC"
	stop_nstrace
	assert_eq "$(ifindex "$A" "$VC")" "$idx" "ifindex after"
	assert_rename "$(netns_ino "$A")" "$VA" "$VC" "$idx" ip sendmsg "$(netns_cookie "$A")"
}

@test "a rename by sendto on a socket in another netns" {
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	idx=$(ifindex "$A" "$VA")
	start_nstrace -e netdev.rename
	rtnl --netns "/run/netns/$A" "set:index=$idx,name=$VC"
	stop_nstrace
	assert_eq "$(ifindex "$A" "$VC")" "$idx" "ifindex after"
	assert_rename "$(netns_ino "$A")" "$VA" "$VC" "$idx" python3 sendto "$(netns_cookie "$A")"
}

@test "a rename to a pattern: new_ifname is the name the kernel chose" {
	ip link add "$VA" type veth peer name "$VB"
	idx=$(ifindex "" "$VA")
	start_nstrace -e netdev.rename
	ip link set "$VA" name "nsqp$$%d"
	stop_nstrace
	name=$(ip -j link show | jq -r ".[] | select(.ifindex == $idx) | .ifname")
	[[ $name == nsqp$$[0-9]* ]]
	assert_rename "$HOST" "$VA" "$name" "$idx" ip sendmsg
	ip link del "$name"
}

@test "a rename the kernel refuses, and a rename to the same name: no event" {
	ip link add "$VA" type veth peer name "$VB"
	start_nstrace -e netdev.rename
	run ip link set "$VA" name "$VB"
	[ "$status" -ne 0 ]
	ip link set "$VA" name "$VA"
	stop_nstrace
	assert_eq "$(count ".ifname == \"$VA\"")" 0 "renames of $VA"
	ip link show "$VA" >/dev/null
}

@test "ip link set A netns X name B: one netdev.move with new_ifname, no rename" {
	ip link add "$VA" type veth peer name "$VB"
	before=$(ifindex "" "$VA")
	start_nstrace -e netdev.move,netdev.rename
	ip link set "$VA" netns "$A" name "$VC"
	stop_nstrace
	e=$(one ".event == \"netdev.move\" and .ifname == \"$VA\"")
	assert_eq "$(jq -r .new_ifname <<<"$e")" "$VC" new_ifname
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$(ifindex "$A" "$VC")" new_ifindex
	assert_eq "$(jq -r .ifindex <<<"$e")" "$before" ifindex
	assert_eq "$(count '.event == "netdev.rename"')" 0 renames
}

# bats test_tags=host-userland
@test "podman rm: netavark's deletes by name, the container's eth0 and the host veth" {
	PNET=nst$$
	CTR=nst$$
	podman_run "$CTR" "$PNET" 10.199.3.0/24
	pid=$(podman inspect -f '{{.State.Pid}}' "$CTR")
	ino=$(ns_inode "$pid" net)
	eth0=$(nsenter -t "$pid" -n ip -j link show eth0)
	peer=$(jq '.[0].link_index' <<<"$eth0")
	host=$(ip -j link | jq -r ".[] | select(.ifindex == $peer) | .ifname")
	start_nstrace -e netdev.delete
	podman rm -f -t 0 "$CTR" >/dev/null
	CTR=
	stop_nstrace
	assert_life netdev.delete "$ino" eth0 "$(jq '.[0].ifindex' <<<"$eth0")" veth request
	assert_life netdev.delete "$HOST" "$host" "$peer" veth request
	e=$(one ".event == \"netdev.delete\" and .ifname == \"eth0\" and .netns == $ino")
	assert_eq "$(jq -r .comm <<<"$e")" netavark comm
}
