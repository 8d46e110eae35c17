#!/usr/bin/env bats
# systemd-nspawn --private-network --network-veth doing its real work,
# checked field by field against ip -j, nsenter and /proc. What nspawn
# does: its outer child (a process of its own, in a mount namespace of
# its own) clones the leader into new mnt, uts, ipc and pid namespaces;
# the leader unshares its netns and its cgroup namespace; nspawn itself
# makes the veth pair with one end in each netns (ve-NAME here, host0
# there: no move, no rename). When the leader exits, the netns dies with
# host0, and ve-NAME goes with its peer.

# bats file_tags=host-userland

load helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
	command -v systemd-nspawn >/dev/null && command -v busybox >/dev/null ||
		skip_or_fail "no systemd-nspawn"
	NSROOT=$(mktemp -d /tmp/nstns.XXXXXX)
	export NSROOT
	local root=$NSROOT/root a
	mkdir -p "$root/bin" "$root/usr/lib" "$root/etc" "$root/proc" \
		"$root/sys" "$root/dev" "$root/tmp" "$root/run"
	cp "$(command -v busybox)" "$root/bin/busybox"
	for a in sh sleep; do ln -s busybox "$root/bin/$a"; done
	# nspawn wants an OS tree: os-release says it is one.
	echo ID=busybox >"$root/usr/lib/os-release"
}

teardown_file() {
	[ -z "${NSROOT:-}" ] || rm -rf "$NSROOT"
}

setup() {
	# ve-NAME must fit IFNAMSIZ, and a machine name is a host name (no
	# underscore): tname's names would not do.
	M=nst$$
	SPAWN=
	rm -f "$NSROOT/root/stop"
}

teardown() {
	teardown_nstrace
	ip netns del "$(tname race)" 2>/dev/null || true
	ip link del "ra$$" 2>/dev/null || true
	if [ -n "$SPAWN" ]; then
		touch "$NSROOT/root/stop"
		for _ in $(seq 50); do
			kill -0 "$SPAWN" 2>/dev/null || break
			sleep 0.1
		done
		[ -z "${LEADER:-}" ] || kill_bg "$LEADER"
		kill_bg "$SPAWN"
	fi
	ip link del "ve-$M" 2>/dev/null || true
	rmdir "/run/systemd/nspawn/propagate/$M" 2>/dev/null || true
}

# leader: the container's first process, nspawn's child that runs sh.
leader() {
	local c
	for c in $(cat "/proc/$SPAWN/task/$SPAWN/children" 2>/dev/null); do
		comm_is "$c" sh && echo "$c" && return 0
	done
	return 1
}

# spawn: the container started; SPAWN (and SPAWN_PID, which stays when
# SPAWN is reaped), LEADER, its namespaces (INO) and
# those it does not share with this shell (TYPES), the host side's and
# host0's ifindex, and the kernel's cookies of its netns (NET_COOKIE,
# asked while it lives) and of this shell's (HOST_COOKIE).
spawn() {
	local t
	systemd-nspawn --register=no --keep-unit -q -D "$NSROOT/root" -M "$M" \
		--private-network --network-veth \
		/bin/sh -c 'while [ ! -e /stop ]; do sleep 0.1; done' \
		</dev/null >"$BATS_TEST_TMPDIR/nspawn.log" 2>&1 3>&- &
	SPAWN=$!
	SPAWN_PID=$SPAWN
	wait_for leader >/dev/null
	LEADER=$(leader)
	wait_for nsenter -t "$LEADER" -n ip link show host0 >/dev/null
	declare -gA INO=()
	TYPES=
	for t in mnt uts ipc pid net cgroup user time; do
		INO[$t]=$(ns_inode "$LEADER" "$t")
		[ "${INO[$t]}" = "$(ns_inode $$ "$t")" ] || TYPES="$TYPES $t"
	done
	NET=${INO[net]}
	NET_COOKIE=$(netns_cookie "$LEADER")
	HOST_COOKIE=$(netns_cookie)
	VE=$(ifindex "" "ve-$M")
	HOST0=$(nsenter -t "$LEADER" -n ip -j link show host0 | jq '.[0].ifindex')
	assert_eq "$(ip -j link show "ve-$M" | jq '.[0].link_index')" "$HOST0" "ve-$M's peer"
}

# by_spawn PID PPID: the fields common to an event of that nspawn
# process, as a jq object.
by_spawn() {
	jq -nc --argjson p "$1" --argjson pp "$2" \
		'{schema: 1, pid: $p, tid: $p, ppid: $pp, uid: 0, comm: "systemd-nspawn"}'
}

# a_kworker E: the pid of a kernel worker that E names.
a_kworker() {
	[[ $(jq -r .comm <<<"$1") == kworker/* && $(jq .ppid <<<"$1") == 2 ]] || {
		echo "not a kernel worker: $1" >&2
		return 1
	}
	jq .pid <<<"$1"
}

@test "systemd-nspawn --network-veth: its namespaces, the pair across, its death" {
	local host ppid outer e k t base want ns nc
	host=$(ns_inode $$ net)
	start_nstrace
	spawn
	ppid=$(awk '{print $4}' "/proc/$SPAWN/stat")
	touch "$NSROOT/root/stop"
	wait "$SPAWN" || { cat "$BATS_TEST_TMPDIR/nspawn.log" >&2; return 1; }
	SPAWN=
	wait_events 1 ".event == \"ns.destroy\" and .ns == $NET"
	sleep 0.5
	stop_nstrace

	# What it made: nothing but mnt, uts, ipc, pid, net and cgroup.
	assert_eq "$TYPES" " mnt uts ipc pid net cgroup" "the namespaces it does not share"
	# nspawn's outer child, in its own mount namespace (not the
	# container's).
	e=$(one ".event == \"ns.create\" and .pid == $SPAWN_PID")
	outer=$(jq .child_pid <<<"$e")
	assert_json "$e" "$(jq -c --argjson ns "$(jq .ns <<<"$e")" --argjson c "$outer" \
		'. + {event: "ns.create", ns_type: "mnt", ns: $ns, syscall: "clone", child_pid: $c}' \
		<<<"$(by_spawn "$SPAWN_PID" "$ppid")")" ns_pids
	[ "$(jq .ns <<<"$e")" != "${INO[mnt]}" ] || { echo "the outer child's mnt is the container's" >&2; return 1; }
	# It lives until it has cloned the leader: maybe not until shown.
	jq -e --argjson c "$outer" '(.ns_pids // [$c]) == [$c]' <<<"$e" >/dev/null ||
		{ echo "ns_pids: $e" >&2; return 1; }
	# The leader's: clone of the outer child, then its own unshares.
	for t in $TYPES; do
		case $t in
		net | cgroup) base=$(by_spawn "$LEADER" "$outer") want='{syscall: "unshare"}' ;;
		*) base=$(by_spawn "$outer" "$SPAWN_PID") want="{syscall: \"clone\", child_pid: $LEADER}" ;;
		esac
		[ "$t" = net ] && want="$want + {ns_cookie: $NET_COOKIE}"
		e=$(one ".event == \"ns.create\" and .ns_type == \"$t\" and .ns == ${INO[$t]}")
		assert_json "$e" \
			"$(jq -c --arg t "$t" --argjson ns "${INO[$t]}" --argjson l "$LEADER" \
				". + {event: \"ns.create\", ns_type: \$t, ns: \$ns, ns_pids: [\$l]} + $want | del(.ppid)" <<<"$base")" \
			ns_container ppid
		# The leader's parent is the outer child until that exits, then
		# nspawn (its subreaper).
		case $t:$(jq .ppid <<<"$e") in
		net:"$outer" | cgroup:"$outer" | net:"$SPAWN_PID" | cgroup:"$SPAWN_PID") ;;
		net:* | cgroup:*) echo "$t: the leader's parent is neither nspawn nor its outer child: $e" >&2; return 1 ;;
		*:"$SPAWN_PID") ;;
		*) echo "$t: the outer child's parent is not nspawn: $e" >&2; return 1 ;;
		esac
	done
	assert_eq "$(count '.event == "ns.create" and .comm == "systemd-nspawn"')" \
		$(($(wc -w <<<"$TYPES") + 1)) "ns.create by nspawn"
	# The pair: made by nspawn with its peer in the container's netns.
	assert_json "$(one ".event == \"netdev.create\" and .ifname == \"ve-$M\"")" \
		"$(jq -c --argjson ns "$host" --argjson c "$HOST_COOKIE" --arg n "ve-$M" --argjson i "$VE" \
			'. + {event: "netdev.create", ns_type: "net", netns: $ns, netns_cookie: $c, ifname: $n, ifindex: $i,
			      kind: "veth", cause: "request", syscall: "sendto"}' <<<"$(by_spawn "$SPAWN_PID" "$ppid")")" \
		netns_pids netns_container
	assert_json "$(one ".event == \"netdev.create\" and .netns == $NET")" \
		"$(jq -c --argjson ns "$NET" --argjson c "$NET_COOKIE" --argjson i "$HOST0" --argjson l "$LEADER" \
			'. + {event: "netdev.create", ns_type: "net", netns: $ns, netns_cookie: $c, ifname: "host0", ifindex: $i,
			      kind: "veth", cause: "request", syscall: "sendto", netns_pids: [$l]}' <<<"$(by_spawn "$SPAWN_PID" "$ppid")")" \
		netns_container
	# No move, no rename: each end was made where it stays.
	assert_eq "$(count ".event == \"netdev.move\" or .event == \"netdev.rename\"")" 0 "netdev.move and netdev.rename"
	# Who else went in: nspawn's own children (as it stops), and this
	# file's nsenter.
	assert_eq "$(events ".event == \"ns.setns\" and .to_ns == $NET and .comm != \"nsenter\" and
		(.comm != \"systemd-nspawn\" or .ppid != $SPAWN_PID or .from_ns != $host)")" "" "other ns.setns into its netns"

	# The death: host0 and lo with the netns, ve-NAME with its peer.
	e=$(one ".event == \"ns.destroy\" and .ns == $NET")
	k=$(a_kworker "$e")
	assert_json "$e" "$(jq -nc --argjson ns "$NET" --argjson nc "$NET_COOKIE" --argjson k "$k" --arg c "$(jq -r .comm <<<"$e")" --argjson i "$HOST0" \
		'{schema: 1, event: "ns.destroy", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c, ns_type: "net", ns: $ns, ns_cookie: $nc,
		  interfaces: [{ifname: "lo", ifindex: 1, fate: "deleted"}, {ifname: "host0", ifindex: $i, fate: "deleted"}]}')" \
		last_ref_pid last_ref_comm
	echo "last reference: $(jq -c '[.last_ref_pid, .last_ref_comm]' <<<"$e")" >&2
	# nspawn holds the netns to the end: its exit drops the last reference.
	jq -e --argjson p "$SPAWN_PID" '(.last_ref_pid // $p) == $p and (.last_ref_comm // "systemd-nspawn") == "systemd-nspawn"' \
		<<<"$e" >/dev/null || { echo "last reference: $e" >&2; return 1; }
	for want in "lo 1 $NET $NET_COOKIE" "host0 $HOST0 $NET $NET_COOKIE" "ve-$M $VE $host $HOST_COOKIE"; do
		read -r t base ns nc <<<"$want"
		e=$(one ".event == \"netdev.delete\" and .ifname == \"$t\" and .netns == $ns")
		assert_json "$e" "$(jq -nc --argjson ns "$ns" --argjson k "$(a_kworker "$e")" --arg c "$(jq -r .comm <<<"$e")" \
			--argjson nc "$nc" --arg n "$t" --argjson i "$base" --argjson net "$NET" --argjson netc "$NET_COOKIE" \
			'{schema: 1, event: "netdev.delete", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c, ns_type: "net",
			  netns: $ns, netns_cookie: $nc, ifname: $n, ifindex: $i, kind: (if $n == "lo" then "" else "veth" end),
			  cause: "netns-exit"} + (if $ns == $net then {} else {peer_netns: $net, peer_netns_cookie: $netc} end)')" \
			netns_pids netns_container
	done
	assert_eq "$(count ".event == \"netdev.delete\" and (.netns == $NET or .peer_netns == $NET)")" 3 "netdev.delete of its interfaces"
}

@test "a veth deleted as its peer's netns dies, as nspawn does: one netdev.delete an end" {
	local x a b i ino b_idx
	x=$(tname race)
	a=ra$$
	b=rb$$
	: >"$BATS_TEST_TMPDIR/lived"
	start_nstrace -e netdev.delete -t net
	# nspawn removes ve-NAME as its netns dies; one ip -batch makes the
	# request come before the kernel deletes the netns's devices, most
	# times.
	for i in $(seq 10); do
		ip netns add "$x"
		ip link add "$a" type veth peer name "$b" netns "$x"
		echo "$(netns_ino "$x") $(ifindex "" "$a") $(ifindex "$x" "$b")" >>"$BATS_TEST_TMPDIR/lived"
		printf 'netns del %s\nlink del %s\n' "$x" "$a" | ip -force -batch - 2>/dev/null || true
		ip link del "$a" 2>/dev/null || true
	done
	wait_events 10 ".event == \"netdev.delete\" and .ifname == \"$b\""
	sleep 0.5
	stop_nstrace
	# Each netns (its inode) and b's ifindex may be the last one's again:
	# a's ifindex, in the host, is not.
	while read -r ino i b_idx; do
		assert_eq "$(count ".ifname == \"$a\" and .ifindex == $i")" 1 "netdev.delete of $a ($i)"
		assert_eq "$(count ".ifname == \"$b\" and .ifindex == $b_idx and .netns == $ino")" \
			"$(awk -v k="$ino $b_idx" '$1 " " $3 == k' "$BATS_TEST_TMPDIR/lived" | wc -l)" \
			"netdev.delete of $b in $ino"
	done <"$BATS_TEST_TMPDIR/lived"
	assert_eq "$(count ".ifname == \"$b\"")" 10 "netdev.delete of $b"
	echo "causes: $(jq -r .cause "$TRACE_OUT" | sort | uniq -c | tr '\n' ' ')" >&2
}
