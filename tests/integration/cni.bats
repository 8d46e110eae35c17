#!/usr/bin/env bats
# The CNI plugins (Debian's containernetworking-plugins) called as a
# container runtime calls them: CNI_* in the environment, the network's
# configuration on stdin, the pod's netns a bind mount in /run/netns.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_root
	own_names c
	ip netns add "$A"
	HOST=$(ns_inode $$ net)
}

teardown() {
	teardown_nstrace
	del_owned
}

need_cni() {
	[ -x /usr/lib/cni/"$1" ] || skip_or_fail "no CNI plugin $1 (containernetworking-plugins)"
}

# cni PLUGIN COMMAND IFNAME CONF: one call, as a container runtime makes it.
cni() {
	CNI_COMMAND=$2 CNI_CONTAINERID=nst$$ CNI_NETNS=/run/netns/$A \
		CNI_IFNAME=$3 CNI_PATH=/usr/lib/cni "/usr/lib/cni/$1" <<<"$4" >/dev/null
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
