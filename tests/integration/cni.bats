#!/usr/bin/env bats
# The CNI plugins (Debian's containernetworking-plugins) called as a
# container runtime calls them: CNI_* in the environment, the network's
# configuration on stdin, the pod's netns a bind mount in /run/netns.
# Each ADD and DEL is checked field by field against ip -j link and the
# netns's inode and cookie, and so is what the kernel does when the netns
# is deleted with no DEL. What the plugins do, seen here: bridge and ptp
# make the veth pair from a thread inside the netns, the other end
# straight in the host's (no move, no rename); macvlan makes its device
# from the host straight into the netns under a temporary name, and
# renames it there (ipvlan and vlan share that code, and are tested in
# the test VM, whose kernel has them: tests/vm/cni.bats); host-device
# moves a host device in and renames it, and back on DEL. The plugins
# lock their main goroutine to the main thread, and each step inside the
# netns to a thread that setns'd there: the tid of every event is one or
# the other. The helpers are in cni.bash.

bats_require_minimum_version 1.5.0
load helpers
load cni

# IFNAME of LINKS, into PEER and PEER_INDEX.
host_peer() {
	PEER_INDEX=$(jq -e --arg n "$1" '.[] | select(.ifname == $n) | .link_index' <<<"$LINKS")
	PEER=$(ip -j link show | jq -er ".[] | select(.ifindex == $PEER_INDEX) | .ifname")
}

# steps PID: what that plugin did, in order, one line per netdev event:
# the same worker with A: netns-exit, peer_netns A.
assert_peer_death() {
	local e k
	k=$(one ".event == \"ns.destroy\" and .ns_cookie == $ACK" | jq .pid)
	e=$(one ".event == \"netdev.delete\" and .ifname == \"$1\"")
	assert_json "$e" "$(jq -nc --argjson k "$k" --arg c "$(jq -r .comm <<<"$e")" --argjson ns "$HOST" \
		--argjson hc "$HCK" --argjson a "$ANS" --argjson ac "$ACK" --arg n "$1" --argjson i "$2" \
		'{schema: 1, event: "netdev.delete", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c, ns_type: "net",
		  netns: $ns, netns_cookie: $hc, ifname: $n, ifindex: $i, kind: "veth", cause: "netns-exit",
		  peer_netns: $a, peer_netns_cookie: $ac}')" netns_pids
	pids_ok "$e"
}

# veth_add PLUGIN CONF: ADD of a plugin that makes a veth pair (bridge,
# ptp), traced; the pair is then A's eth0 (IDX) and the host's PEER
# (PEER_INDEX), as ip -j link says, each with its one netdev.create.
veth_add() {
	PLUGIN=$1
	need_cni "$PLUGIN"
	trace_start
	cni "$PLUGIN" ADD eth0 "$2"
	ADD_PID=$CNI_PID
	links
	IDX=$(link_index eth0)
	host_peer eth0
	assert_eq "$(ip -j link show "$PEER" | jq '.[0].link_index')" "$IDX" "$PEER's peer"
}

# assert_veth_add [STEP...]: the ADD's events: STEPs first (the bridge's
# own), then the pair, both ends by the thread inside A.
assert_veth_add() {
	local pid=$CNI_PID
	CNI_PID=$ADD_PID
	assert_steps "$ADD_PID" "$@" \
		"netdev.create eth0 A netns" "netdev.create $PEER host netns"
	assert_life_by netdev.create A eth0 "$IDX"
	assert_life_by netdev.create host "$PEER" "$PEER_INDEX"
	assert_setns_by
	CNI_PID=$pid
}

# assert_veth_names: no event names the pair but the ones expected.
assert_veth_names() {
	assert_eq "$(count ".ifname == \"eth0\" and ($(about_a))")" "$1" "events of A's eth0"
	assert_eq "$(count ".ifname == \"$PEER\"")" "$1" "events of $PEER"
}

bridge_conf() {
	echo '{"cniVersion":"1.0.0","name":"nst","type":"bridge","bridge":"'"$BR"'",
	       "ipam":'"$(host_local 10.199.8.0/24)"'}'
}

# bats test_tags=host-userland
@test "CNI bridge ADD, DEL: the bridge, the veth pair across, its deletion" {
	conf=$(bridge_conf)
	veth_add bridge "$conf"
	bridx=$(ifindex "" "$BR")
	cni bridge DEL eth0 "$conf"
	stop_nstrace
	del_pid=$CNI_PID
	assert_veth_add "netdev.create $BR host main"
	CNI_PID=$ADD_PID assert_life_by netdev.create host "$BR" "$bridx" bridge
	# DEL deletes A's end from inside; its peer goes with it. The
	# bridge stays (the plugin leaves it to the next pod).
	assert_steps "$del_pid" "netdev.delete eth0 A netns" "netdev.delete $PEER host netns"
	assert_life_by netdev.delete A eth0 "$IDX"
	assert_life_by netdev.delete host "$PEER" "$PEER_INDEX"
	assert_setns_by
	assert_veth_names 2
	assert_eq "$(count ".ifname == \"$BR\"")" 1 "events of $BR"
	assert_only_a "$ADD_PID" "$del_pid"
	run ! ip link show "$PEER"
	ip link show "$BR" >/dev/null
}

# bats test_tags=host-userland
@test "CNI bridge ADD, then ip netns del: both ends die with the netns" {
	veth_add bridge "$(bridge_conf)"
	bridx=$(ifindex "" "$BR")
	netns_del
	wait_events 1 ".event == \"netdev.delete\" and .ifname == \"$PEER\""
	stop_nstrace
	assert_veth_add "netdev.create $BR host main"
	CNI_PID=$ADD_PID assert_life_by netdev.create host "$BR" "$bridx" bridge
	assert_death "eth0=$IDX:veth"
	assert_peer_death "$PEER" "$PEER_INDEX"
	assert_veth_names 2
	assert_eq "$(count ".ifname == \"$BR\"")" 1 "events of $BR"
	assert_only_a "$ADD_PID"
	run ! ip link show "$PEER"
	ip link show "$BR" >/dev/null
}

ptp_conf() {
	echo '{"cniVersion":"1.0.0","name":"nst","type":"ptp","ipam":'"$(host_local 10.199.10.0/24)"'}'
}

# bats test_tags=host-userland
@test "CNI ptp ADD, DEL: the veth pair across, its deletion" {
	conf=$(ptp_conf)
	veth_add ptp "$conf"
	cni ptp DEL eth0 "$conf"
	stop_nstrace
	del_pid=$CNI_PID
	assert_veth_add
	assert_steps "$del_pid" "netdev.delete eth0 A netns" "netdev.delete $PEER host netns"
	assert_life_by netdev.delete A eth0 "$IDX"
	assert_life_by netdev.delete host "$PEER" "$PEER_INDEX"
	assert_setns_by
	assert_veth_names 2
	assert_only_a "$ADD_PID" "$del_pid"
	run ! ip link show "$PEER"
}

# bats test_tags=host-userland
@test "CNI ptp ADD, then ip netns del: both ends die with the netns" {
	veth_add ptp "$(ptp_conf)"
	netns_del
	wait_events 1 ".event == \"netdev.delete\" and .ifname == \"$PEER\""
	stop_nstrace
	assert_veth_add
	assert_death "eth0=$IDX:veth"
	assert_peer_death "$PEER" "$PEER_INDEX"
	assert_veth_names 2
	assert_only_a "$ADD_PID"
	run ! ip link show "$PEER"
}
macvlan_conf() {
	echo '{"cniVersion":"1.0.0","name":"nst","type":"macvlan","master":"'"$M"'",
	       "ipam":'"$(host_local 10.199.7.0/24)"'}'
}

# bats test_tags=host-userland
@test "CNI macvlan: netdev.create under a temporary name, then netdev.rename" {
	need_cni macvlan
	ip link add "$VA" type veth peer name "$VB"
	conf='{"cniVersion":"1.0.0","name":"nst","type":"macvlan","master":"'$VA'",
	       "ipam":{"type":"host-local","subnet":"10.199.7.0/24","dataDir":"'$BATS_TEST_TMPDIR'"}}'
	start_nstrace -e netdev.create,netdev.rename,netdev.delete
	cni macvlan ADD eth1 "$conf"
	idx=$(ifindex "$A" eth1)
	cni macvlan DEL eth1 "$conf"
	stop_nstrace
	ino=$(netns_ino "$A")
	c=$(one ".event == \"netdev.create\" and .comm == \"macvlan\"")
	tmp=$(jq -r .ifname <<<"$c")
	[ "$tmp" != eth1 ]
	assert_eq "$(jq -r .netns <<<"$c")" "$ino" "create netns"
	assert_eq "$(jq -r .ifindex <<<"$c")" "$idx" "create ifindex"
	assert_eq "$(jq -r .kind <<<"$c")" macvlan kind
	assert_rename "$ino" "$tmp" eth1 "$idx" macvlan "$(jq -r .syscall <<<"$c")"
	# The create comes first.
	assert_eq "$(jq -r 'select(.comm == "macvlan") | .event' "$TRACE_OUT" | paste -sd,)" \
		netdev.create,netdev.rename,netdev.delete order
	assert_life netdev.delete "$ino" eth1 "$idx" macvlan request
}

# bats test_tags=host-userland
@test "CNI macvlan ADD, DEL: every field, and the actor of each step" {
	need_cni macvlan
	master
	child_test macvlan macvlan "$(macvlan_conf)"
	# The temporary name is the plugins' random veth name.
	[[ $TMP =~ ^veth[0-9a-f]{8}$ ]]
}

# bats test_tags=host-userland
@test "CNI macvlan ADD, then ip netns del: the macvlan dies with the netns" {
	need_cni macvlan
	master
	child_death macvlan macvlan "$(macvlan_conf)"
}

# bats test_tags=host-userland
@test "CNI host-device: moved in and renamed, and back on DEL" {
	need_cni host-device
	ip link add "$VA" type veth peer name "$VB"
	before=$(ifindex "" "$VA")
	conf='{"cniVersion":"1.0.0","name":"nst","type":"host-device","device":"'$VA'"}'
	start_nstrace -e netdev.move,netdev.rename
	cni host-device ADD net1 "$conf"
	inside=$(ifindex "$A" net1)
	cni host-device DEL net1 "$conf"
	stop_nstrace
	ino=$(netns_ino "$A")
	after=$(ifindex "" "$VA")
	# host-device moves, then renames inside: two requests, two events.
	assert_eq "$(jq -r 'select(.comm == "host-device") | "\(.event) \(.ifname)>\(.new_ifname)"' "$TRACE_OUT" | paste -sd,)" \
		"netdev.move $VA>$VA,netdev.rename $VA>net1,netdev.rename net1>$VA,netdev.move $VA>$VA" steps
	e=$(events ".event == \"netdev.move\" and .comm == \"host-device\"" | head -1)
	assert_eq "$(jq -r .from_netns <<<"$e")" "$HOST" "in: from_netns"
	assert_eq "$(jq -r .to_netns <<<"$e")" "$ino" "in: to_netns"
	assert_eq "$(jq -r .ifindex <<<"$e")" "$before" "in: ifindex"
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$inside" "in: new_ifindex"
	e=$(events ".event == \"netdev.rename\" and .comm == \"host-device\"" | head -1)
	assert_eq "$(jq -r .netns <<<"$e")" "$ino" "rename netns"
	assert_eq "$(jq -r .ifindex <<<"$e")" "$inside" "rename ifindex"
	e=$(events ".event == \"netdev.move\" and .comm == \"host-device\"" | tail -1)
	assert_eq "$(jq -r .from_netns <<<"$e")" "$ino" "out: from_netns"
	assert_eq "$(jq -r .to_netns <<<"$e")" "$HOST" "out: to_netns"
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$after" "out: new_ifindex"
}
