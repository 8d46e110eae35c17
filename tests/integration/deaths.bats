#!/usr/bin/env bats
# Network namespaces dying one after another, as container stacks make
# them die: a new netns often gets the inode, and the kernel memory, of
# the one that just died. Each death must come as exactly one ns.destroy
# with the inode the namespace had while it lived (what stat said of it
# then), and last_ref_* only when they name the process that killed that
# very namespace.

load helpers

setup_file() {
	PODMAN_NET=nstdeaths$$
	export PODMAN_NET
}

teardown_file() {
	if command -v podman >/dev/null 2>&1; then
		podman network rm -f "$PODMAN_NET" >/dev/null 2>&1 || true
	fi
}

setup() {
	need_root
	N=$(tname x)
	LIVED=$BATS_TEST_TMPDIR/lived
	: >"$LIVED"
}

teardown() {
	teardown_nstrace
	[ -z "${VA:-}" ] || del_owned
	ip netns del "$N" 2>/dev/null || true
	[ -z "${BYSTANDERS:-}" ] || kill $BYSTANDERS 2>/dev/null || true
}

# netns_loop COUNT SLEEP: ip netns add, then del, COUNT times; each
# netns's inode and the pid of the ip netns del that killed it go to LIVED.
netns_loop() {
	local ino p
	for _ in $(seq "$1"); do
		ip netns add "$N"
		ino=$(stat -L -c %i "/run/netns/$N")
		ip netns del "$N" &
		p=$!
		wait $p
		echo "$ino $p" >>"$LIVED"
		[ "$2" = 0 ] || sleep "$2"
	done
}

# unshare_loop COUNT: unshare -n, COUNT times; the process (stat, run by
# unshare in the new netns) says the inode, and its exit kills the netns.
unshare_loop() {
	local out=$BATS_TEST_TMPDIR/ino p
	for _ in $(seq "$1"); do
		unshare -n stat -L -c %i /proc/self/ns/net >"$out" &
		p=$!
		wait $p
		echo "$(cat "$out") $p" >>"$LIVED"
	done
}

# deaths: for each netns of LIVED, in order: its inode, the number of
# ns.destroy of that inode between its ns.create and the next ns.create of
# the same inode (the kernel gives the inode to no other netns before the
# death, so any ns.destroy there is this one's), and the last_ref_pid and
# last_ref_comm of each ("-" when absent).
deaths() {
	jq -rs --argjson lived "$(jq -Rsc 'split("\n") | map(select(. != "") | split(" ") | map(select(. != "") | tonumber))' "$LIVED")" '
		[.[] | select(.event == "ns.create" or .event == "ns.destroy")] as $ev
		| ($ev | length) as $n
		| reduce $lived[] as $l ({at: 0, out: []};
			$l[0] as $ino
			| ([range(.at; $n) | select($ev[.].event == "ns.create" and $ev[.].ns == $ino)] | first) as $c
			| if $c == null then .out += ["\($ino) no-ns.create"]
			  else ([range($c + 1; $n) | select($ev[.].event == "ns.create" and $ev[.].ns == $ino)] | first // $n) as $stop
			  | [range($c + 1; $stop) | $ev[.] | select(.event == "ns.destroy" and .ns == $ino)] as $d
			  | .out += ["\($ino) \($d | length) \([$d[] | "\(.last_ref_pid // "-") \(.last_ref_comm // "-")"] | join(" "))"]
			  | .at = $c + 1
			  end)
		| .out[]' "$TRACE_OUT"
}

# assert_each_once KILLER_COMM MIN_KNOWN: every netns of LIVED died once;
# a last_ref_* given names KILLER_COMM and, with a pid in LIVED, that pid;
# at least MIN_KNOWN deaths name one.
assert_each_once() {
	local comm=$1 min=$2 known=0 i=0 ino n kpid kcomm want lpid
	deaths >"$BATS_TEST_TMPDIR/deaths"
	assert_eq "$(wc -l <"$BATS_TEST_TMPDIR/deaths")" "$(wc -l <"$LIVED")" "namespaces checked"
	while read -r ino n kpid kcomm; do
		i=$((i + 1))
		read -r want lpid < <(sed -n "${i}p" "$LIVED")
		assert_eq "$ino" "$want" "inode of netns $i"
		assert_eq "$n" 1 "ns.destroy of netns $i ($ino)"
		[ "$kpid" = - ] && continue
		known=$((known + 1))
		assert_eq "$kcomm" "$comm" "last_ref_comm of netns $i"
		[ -z "$lpid" ] || assert_eq "$kpid" "$lpid" "last_ref_pid of netns $i"
	done <"$BATS_TEST_TMPDIR/deaths"
	echo "$i deaths, $known with the killer named" >&2
	[ "$known" -ge "$min" ] || {
		echo "only $known of $i deaths name their killer, want $min" >&2
		return 1
	}
}

# wait_deaths: until LIVED's last netns has its ns.destroy.
wait_deaths() {
	local last
	last=$(tail -1 "$LIVED" | cut -d' ' -f1)
	wait_events "$(grep -c "^$last " "$LIVED")" ".event == \"ns.destroy\" and .ns == $last"
}

@test "ip netns add, del x10, 0.4 s apart: ten ns.destroy, each named by its ip" {
	start_nstrace -e ns.create,ns.destroy -t net
	netns_loop 10 0.4
	wait_deaths
	stop_nstrace
	# One death per batch of the kernel's cleanup: each killer is known.
	assert_each_once ip 9
}

@test "ip netns add, del x20, 0.05 s apart: twenty ns.destroy" {
	start_nstrace -e ns.create,ns.destroy -t net
	netns_loop 20 0.05
	wait_deaths
	stop_nstrace
	assert_each_once ip 0
}

@test "ip netns add, del x20 back to back: twenty ns.destroy" {
	start_nstrace -e ns.create,ns.destroy -t net
	netns_loop 20 0
	wait_deaths
	stop_nstrace
	assert_each_once ip 0
}

@test "unshare -n x20 back to back: twenty ns.destroy, killer the exiting process" {
	start_nstrace -e ns.create,ns.destroy -t net
	unshare_loop 20
	wait_deaths
	stop_nstrace
	assert_each_once stat 0
}

@test "two netns in turn with one inode: two cookies, each the kernel's" {
	local -A cookie_of
	local ino c first= second= e
	start_nstrace -e ns.create,ns.destroy -t net
	# The kernel gives a freed inode to the next namespace: soon, a
	# netns gets the inode of one made before.
	for _ in $(seq 100); do
		ip netns add "$N"
		ino=$(netns_ino "$N")
		c=$(netns_cookie "$N")
		ip netns del "$N"
		if [ -n "${cookie_of[$ino]:-}" ]; then
			first=${cookie_of[$ino]}
			second=$c
			break
		fi
		cookie_of[$ino]=$c
		sleep 0.05
	done
	[ -n "$second" ] || {
		echo "no inode came twice in 100 netns" >&2
		return 1
	}
	[ "$first" != "$second" ]
	wait_events 2 ".event == \"ns.destroy\" and .ns == $ino and (.ns_cookie == $first or .ns_cookie == $second)"
	stop_nstrace
	# Each one's birth and death carry its own cookie, in that order.
	for c in "$first" "$second"; do
		e=$(one ".event == \"ns.create\" and .ns == $ino and .ns_cookie == $c")
		assert_eq "$(jq -r .comm <<<"$e")" ip "comm of the ns.create of $c"
		one ".event == \"ns.destroy\" and .ns == $ino and .ns_cookie == $c" >/dev/null
	done
	assert_eq "$(jq -r --argjson ino "$ino" 'select(.ns == $ino and (.ns_cookie == '"$first"' or .ns_cookie == '"$second"')) | "\(.event) \(.ns_cookie)"' "$TRACE_OUT" | paste -sd,)" \
		"ns.create $first,ns.destroy $first,ns.create $second,ns.destroy $second" "order of the two lives"
	# Every event that names a netns carries a cookie on this kernel.
	assert_eq "$(count 'has("ns_cookie") | not')" 0 "events without a cookie"
}

@test "a socket freed after the process: the interrupt's task is not named" {
	start_nstrace -e ns.create,ns.destroy -t net
	# ip's netlink socket goes after an RCU grace period, in a softirq,
	# on top of whatever task runs then: that put is the last. Processes
	# that compute in user mode on every CPU are what the interrupts
	# raising that softirq then land on.
	BYSTANDERS=
	for _ in $(seq "$(nproc)"); do
		bash -c 'while :; do :; done' &
		BYSTANDERS="$BYSTANDERS $!"
	done
	for _ in $(seq 5); do
		unshare -n sh -c 'stat -L -c %i /proc/self/ns/net; exec ip link show lo >/dev/null' >>"$BATS_TEST_TMPDIR/ino"
		sleep 0.3
	done
	sed 's/$/ /' "$BATS_TEST_TMPDIR/ino" >"$LIVED"
	wait_deaths
	kill $BYSTANDERS
	BYSTANDERS=
	stop_nstrace
	# Any name but these would be a bystander's.
	deaths >"$BATS_TEST_TMPDIR/deaths"
	while read -r ino n kpid kcomm; do
		assert_eq "$n" 1 "ns.destroy of $ino"
		[[ $kcomm == - || $kcomm == ip ]] || {
			echo "last_ref_comm $kcomm for $ino" >&2
			return 1
		}
	done <"$BATS_TEST_TMPDIR/deaths"
}

# bats test_tags=host-userland
@test "podman run --rm x10: ten ns.destroy, each with the inode it had" {
	need_podman
	podman network exists "$PODMAN_NET" ||
		podman network create --internal "$PODMAN_NET" >/dev/null ||
		skip_or_fail "podman network create failed"
	run_pod() {
		"${POD_RUN[@]}" --rm --network "$PODMAN_NET" "$PODMAN_IMAGE" \
			readlink /proc/self/ns/net 2>/dev/null
	}
	run_pod >/dev/null || skip_or_fail "podman cannot run a container here"
	start_nstrace -e ns.create,ns.destroy -t net
	for _ in $(seq 10); do
		run_pod | sed -n 's/^net:\[\([0-9]*\)\]$/\1 /p' >>"$LIVED"
	done
	assert_eq "$(wc -l <"$LIVED")" 10 "containers run"
	wait_deaths
	stop_nstrace
	assert_each_once podman 0
}

# A container's host end dies with its netns; which netns took it is
# known only as it is queued, right behind the container's end (the
# fentry and kprobe backends run this in the test VM).
@test "a veth whose peer's netns dies: netdev.delete with that netns as peer_netns" {
	setup_netns nstd
	ip link add "$VA" type veth peer name "$VB" netns "$A"
	ino=$(netns_ino "$A")
	ia=$(ifindex "" "$VA")
	ib=$(ifindex "$A" "$VB")
	ca=$(netns_cookie "$A")
	start_nstrace -e ns.destroy,netdev.delete
	ip netns del "$A"
	wait_events 1 ".event == \"netdev.delete\" and .ifname == \"$VA\""
	stop_nstrace
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth netns-exit
	assert_eq "$(events ".ifname == \"$VA\"" | jq -r .peer_netns)" "$ino" "peer_netns of $VA"
	assert_cookie "$(events ".ifname == \"$VA\"")" peer_netns "$ca"
	# Its peer died in the dying netns itself: nothing to point at.
	assert_life netdev.delete "$ino" "$VB" "$ib" veth netns-exit
	assert_eq "$(events ".ifname == \"$VB\"" | jq -r 'has("peer_netns") or has("peer_netns_cookie")')" false "peer_netns of $VB"
	one ".event == \"ns.destroy\" and .ns == $ino and any(.interfaces[]; .ifname == \"$VB\")" >/dev/null
}
