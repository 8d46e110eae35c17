#!/usr/bin/env bats
# In the test VM only: a NIC without rtnl dellink (the guest's virtio
# eth0), moved into a netns, comes back to the initial netns when that
# netns dies, reported as netdev.move with cause netns-exit, under every
# backend; nstrace replay and history follow it there and back from a
# --snapshot log; and, where fentry or kprobes exist, ns.destroy for all
# eight namespace types.

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

@test "replay and history follow a NIC handed back by its dying netns" {
	local host log h=$BATS_TEST_TMPDIR/h.json ino t1
	host=$(ns_inode $$ net)
	ip netns add "$A"
	ino=$(stat -L -c %i "/run/netns/$A")
	start_nstrace --snapshot
	log=$TRACE_OUT
	ip link set "$NIC" netns "$A"
	t1=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
	ip netns del "$A"
	wait_events 1 ".event == \"netdev.move\" and .cause == \"netns-exit\""
	wait_for ip link show "$NIC"
	stop_nstrace
	"$NSTRACE" history -j "$NIC" "$log" >"$h"
	assert_eq "$(jq -c '[.history[].action]' "$h")" '["seen","moved","returned"]' actions
	assert_eq "$(jq -c '.history[0] | [.netns, .netns_names]' "$h")" "[$host,\"init\"]" seen
	assert_eq "$(jq -c '.history[1] | [.from_netns, .to_netns, .cause, .comm]' "$h")" \
		"[$host,$ino,\"request\",\"ip\"]" moved
	assert_eq "$(jq -c '.history[2] | [.from_netns, .to_netns, .to_netns_names, .cause, .new_ifindex]' "$h")" \
		"[$ino,$host,\"init\",\"netns-exit\",$(ip -j link show "$NIC" | jq '.[0].ifindex')]" returned
	# In the netns at t1, back home at the end, as ip shows it now.
	"$NSTRACE" replay -j --at "$t1" "$log" |
		jq -e --argjson i "$ino" --arg n "$NIC" '.netns[] | select(.inode == $i) | .interfaces | map(.name) | index($n)'
	assert_eq "$("$NSTRACE" replay -j "$log" | jq -c --argjson i "$host" --arg n "$NIC" \
		'[.netns[] | select(.inode == $i) | .interfaces[] | select(.name == $n) | .ifindex]')" \
		"[$(ip -j link show "$NIC" | jq '.[0].ifindex')]" "replay at the end"
}
