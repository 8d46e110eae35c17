#!/usr/bin/env bats
# In the test VM only: the CNI ipvlan and vlan plugins, which need the
# kernel's ipvlan and 802.1Q devices (CONFIG_IPVLAN, CONFIG_VLAN_8021Q),
# which the machine's own kernel lacks. Like macvlan
# (tests/integration/cni.bats, whose helpers are in cni.bash), they make
# the device from the host straight into the netns under a temporary
# name, and rename it there from a thread inside.

bats_require_minimum_version 1.5.0
load ../integration/helpers
load ../integration/cni

# need_kind KIND ARGS...: the kernel can make a KIND on M (in the VM,
# with the modules init loads, it must).
need_kind() {
	local k=$1
	shift
	ip link add link "$M" name nstck$$ type "$k" "$@" 2>/dev/null ||
		skip_or_fail "this kernel has no $k devices"
	ip link del nstck$$
}

ipvlan_conf() {
	echo '{"cniVersion":"1.0.0","name":"nst","type":"ipvlan","master":"'"$M"'",
	       "ipam":'"$(host_local 10.199.11.0/24)"'}'
}

@test "CNI ipvlan ADD, DEL: made in the netns under a temporary name, renamed, deleted" {
	need_cni ipvlan
	master
	need_kind ipvlan
	child_test ipvlan ipvlan "$(ipvlan_conf)"
}

@test "CNI ipvlan ADD, then ip netns del: the ipvlan dies with the netns" {
	need_cni ipvlan
	master
	need_kind ipvlan
	child_death ipvlan ipvlan "$(ipvlan_conf)"
}

vlan_conf() {
	echo '{"cniVersion":"1.0.0","name":"nst","type":"vlan","master":"'"$M"'","vlanId":42,
	       "ipam":{"type":"static","addresses":[{"address":"10.199.12.2/24"}]}}'
}

@test "CNI vlan ADD, DEL: made in the netns under a temporary name, renamed, deleted" {
	need_cni vlan
	master
	need_kind vlan id 42
	child_test vlan vlan "$(vlan_conf)"
}

@test "CNI vlan ADD, then ip netns del: the vlan dies with the netns" {
	need_cni vlan
	master
	need_kind vlan id 42
	child_death vlan vlan "$(vlan_conf)"
}
