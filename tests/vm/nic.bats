#!/usr/bin/env bats
# In the test VM only: a NIC without rtnl dellink (the guest's virtio
# eth0), moved into a netns, comes back to the initial netns when that
# netns dies, reported as netdev.move with cause netns-exit, under every
# backend; and, where fentry or kprobes exist, ns.destroy for all eight
# namespace types.

load ../integration/helpers

NIC=${NSTRACE_SPARE_NIC:-eth0}

setup() {
	need_root
	ip link show "$NIC" >/dev/null 2>&1 || skip_or_fail "no spare NIC $NIC"
	A=$(tname a)
}

teardown() {
	teardown_nstrace
	ip netns del "$A" 2>/dev/null || true
}

backends() {
	"$NSTRACE" doctor --json |
		jq -r '.checks[] | select((.name == "fentry" or .name == "kprobe") and .ok) | .name'
	echo tracepoint
}

@test "a NIC comes back from a dying netns: netdev.move netns-exit, every backend" {
	host=$(ns_inode $$ net)
	[ "$(backends | wc -l)" -ge 1 ]
	for b in $(backends); do
		idx=$(ip -j link show "$NIC" | jq '.[0].ifindex')
		ip netns add "$A"
		ino=$(stat -L -c %i "/run/netns/$A")
		start_nstrace --backend "$b" -e netdev.move,ns.destroy
		ip link set "$NIC" netns "$A"
		ip netns del "$A"
		wait_events 1 ".event == \"netdev.move\" and .cause == \"netns-exit\""
		wait_for ip link show "$NIC"
		stop_nstrace
		e=$(one ".event == \"netdev.move\" and .cause == \"request\"")
		assert_eq "$(jq -r .to_netns <<<"$e")" "$ino" "$b: request to_netns"
		e=$(one ".event == \"netdev.move\" and .cause == \"netns-exit\"")
		assert_eq "$(jq -r .from_netns <<<"$e")" "$ino" "$b: from_netns"
		assert_eq "$(jq -r .to_netns <<<"$e")" "$host" "$b: to_netns"
		assert_eq "$(jq -r .ifname <<<"$e")" "$NIC" "$b: ifname"
		assert_eq "$(jq -r .new_ifname <<<"$e")" "$(ip -j link show "$NIC" | jq -r '.[0].ifname')" "$b: new_ifname"
		assert_eq "$(jq -r .new_ifindex <<<"$e")" "$(ip -j link show "$NIC" | jq '.[0].ifindex')" "$b: new_ifindex"
		assert_eq "$(jq -r 'has("syscall")' <<<"$e")" false "$b: syscall"
		e=$(one ".event == \"ns.destroy\" and .ns == $ino")
		assert_eq "$(jq -c "[.interfaces[] | select(.ifname == \"$NIC\") | .fate]" <<<"$e")" '["returned"]' "$b: fate"
		[ "$idx" -gt 0 ]
	done
}

@test "ns.destroy of all eight types where fentry or kprobes exist, net only else" {
	for b in $(backends); do
		start_nstrace --backend "$b" -e ns.create,ns.destroy
		unshare -n -m -u -i -C -T -U -p -f true
		if [ "$b" = tracepoint ]; then want=1; else want=8; fi
		# pid and user namespaces go by RCU and a work item: give them time.
		wait_events $want '.event == "ns.destroy" and .comm != "ip"' || true
		stop_nstrace
		for t in net mnt uts ipc pid user cgroup time; do
			ino=$(jq -r "select(.event == \"ns.create\" and .ns_type == \"$t\" and .comm == \"unshare\") | .ns" "$TRACE_OUT")
			[ -n "$ino" ] || { echo "$b: no ns.create of $t" >&2; return 1; }
			n=$(count ".event == \"ns.destroy\" and .ns_type == \"$t\" and .ns == $ino")
			if [ "$b" = tracepoint ] && [ "$t" != net ]; then
				assert_eq "$n" 0 "$b: ns.destroy of $t"
			else
				assert_eq "$n" 1 "$b: ns.destroy of $t"
			fi
		done
	done
}
