#!/usr/bin/env bats
# netdev.move, netdev.create, netdev.delete and ns.destroy against real
# veth pairs and namespaces, each field checked against ip -j and /proc.

load helpers

setup() {
	need_root
	setup_netns nst
}

teardown() {
	teardown_nstrace
	del_owned
	[ -z "${BG:-}" ] || kill $BG 2>/dev/null || true
}

# Re-read each time: a $(...) argument of wait_for would be read once.
in_other_netns() { # PID
	[ "$(ns_inode "$1" net)" != "$HOST" ]
}

# assert_move FILTER FROM TO IFNAME IFINDEX NEW_IFNAME NEW_IFINDEX
# FROM_COOKIE TO_COOKIE
assert_move() {
	local e
	e=$(one "$1")
	assert_eq "$(jq -r .event <<<"$e")" netdev.move event
	assert_eq "$(jq -r .ns_type <<<"$e")" net ns_type
	assert_eq "$(jq -r .from_netns <<<"$e")" "$2" from_netns
	assert_eq "$(jq -r .to_netns <<<"$e")" "$3" to_netns
	assert_eq "$(jq -r .ifname <<<"$e")" "$4" ifname
	assert_eq "$(jq -r .ifindex <<<"$e")" "$5" ifindex
	assert_eq "$(jq -r .new_ifname <<<"$e")" "$6" new_ifname
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$7" new_ifindex
	assert_eq "$(jq -r .cause <<<"$e")" request cause
	assert_eq "$(jq -r .syscall <<<"$e")" sendmsg syscall
	assert_eq "$(jq -r .comm <<<"$e")" ip comm
	assert_eq "$(jq -r 'has("error")' <<<"$e")" false "has error"
	assert_time "$(jq -r .time <<<"$e")"
	assert_cookie "$e" from_netns "$8"
	assert_cookie "$e" to_netns "$9"
}

@test "ip link set DEV netns NAME: netdev.move with both ifindexes" {
	ip link add "$VA" type veth peer name "$VB"
	before=$(ifindex "" "$VA")
	start_nstrace -e netdev.move
	ip link set "$VA" netns "$A"
	stop_nstrace
	after=$(ifindex "$A" "$VA")
	assert_move ".ifname == \"$VA\"" "$HOST" "$(netns_ino "$A")" \
		"$VA" "$before" "$VA" "$after" "$(netns_cookie)" "$(netns_cookie "$A")"
}

@test "ip link set DEV netns PID: to the netns of that process" {
	unshare -n sleep 30 &
	p=$!
	BG=$p
	wait_for comm_is $p sleep
	ip link add "$VA" type veth peer name "$VB"
	before=$(ifindex "" "$VA")
	start_nstrace -e netdev.move
	ip link set "$VA" netns $p
	after=$(nsenter -t $p -n ip -j link show "$VA" | jq '.[0].ifindex')
	stop_nstrace
	assert_move ".ifname == \"$VA\"" "$HOST" "$(ns_inode $p net)" \
		"$VA" "$before" "$VA" "$after" "$(netns_cookie)" "$(netns_cookie $p)"
}

@test "ip -n A link set DEV netns 1: back to the initial netns" {
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	before=$(ifindex "$A" "$VA")
	start_nstrace -e netdev.move
	ip -n "$A" link set "$VA" netns 1
	stop_nstrace
	after=$(ifindex "" "$VA")
	# PID 1 lives in the initial netns, as this shell does.
	assert_move ".ifname == \"$VA\"" "$(netns_ino "$A")" "$HOST" \
		"$VA" "$before" "$VA" "$after" "$(netns_cookie "$A")" "$(netns_cookie)"
}

@test "ip -n A link set DEV netns B name NEW: between two named netns, renamed" {
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	before=$(ifindex "$A" "$VA")
	start_nstrace -e netdev.move
	ip -n "$A" link set "$VA" netns "$B" name nstc$$
	stop_nstrace
	after=$(ifindex "$B" nstc$$)
	assert_move ".ifname == \"$VA\"" "$(netns_ino "$A")" "$(netns_ino "$B")" \
		"$VA" "$before" nstc$$ "$after" "$(netns_cookie "$A")" "$(netns_cookie "$B")"
}

@test "a move the kernel refuses: netdev.move with the errno, nothing after" {
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	ip link add "$VA" type veth peer name nstd$$
	before=$(ifindex "" "$VA")
	start_nstrace -e netdev.move
	run ip link set "$VA" netns "$A"
	[ "$status" -ne 0 ]
	stop_nstrace
	e=$(one ".ifname == \"$VA\"")
	assert_eq "$(jq -r .error <<<"$e")" "EEXIST: File exists" error
	assert_eq "$(jq -r .from_netns <<<"$e")" "$HOST" from_netns
	assert_eq "$(jq -r .to_netns <<<"$e")" "$(netns_ino "$A")" to_netns
	# The target it was refused: its cookie too.
	assert_cookie "$e" from_netns "$(netns_cookie)"
	assert_cookie "$e" to_netns "$(netns_cookie "$A")"
	assert_eq "$(jq -r .ifindex <<<"$e")" "$before" ifindex
	assert_eq "$(jq -r 'has("new_ifname") or has("new_ifindex")' <<<"$e")" false "has new_*"
	# It is still where it was.
	assert_eq "$(ifindex "" "$VA")" "$before" "ifindex after the refusal"
}

@test "ip link add veth: netdev.create for both ends" {
	start_nstrace -e netdev.create
	ip link add "$VA" type veth peer name "$VB"
	stop_nstrace
	assert_life netdev.create "$HOST" "$VA" "$(ifindex "" "$VA")" veth request "$(netns_cookie)"
	assert_life netdev.create "$HOST" "$VB" "$(ifindex "" "$VB")" veth request "$(netns_cookie)"
	assert_eq "$(count ".comm != \"ip\"")" 0 "events not from ip"
}

@test "ip link add veth peer netns X: the peer created in X" {
	start_nstrace -e netdev.create
	ip link add "$VA" type veth peer name "$VB" netns "$A"
	stop_nstrace
	assert_life netdev.create "$HOST" "$VA" "$(ifindex "" "$VA")" veth request "$(netns_cookie)"
	assert_life netdev.create "$(netns_ino "$A")" "$VB" "$(ifindex "$A" "$VB")" veth request "$(netns_cookie "$A")"
}

@test "ip link del: netdev.delete for the device and its veth peer" {
	ip link add "$VA" type veth peer name "$VB" netns "$A"
	ia=$(ifindex "" "$VA")
	ib=$(ifindex "$A" "$VB")
	start_nstrace -e netdev.delete
	ip link del "$VA"
	stop_nstrace
	assert_life netdev.delete "$HOST" "$VA" "$ia" veth request "$(netns_cookie)"
	assert_life netdev.delete "$(netns_ino "$A")" "$VB" "$ib" veth request "$(netns_cookie "$A")"
}

@test "ip netns del: ns.destroy with its interfaces, each deleted with it" {
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	ip link add nste$$ type veth peer name nstf$$ netns "$A"
	ino=$(netns_ino "$A")
	ia=$(ifindex "$A" "$VA")
	ib=$(ifindex "$A" "$VB")
	iff=$(ifindex "$A" nstf$$)
	ie=$(ifindex "" nste$$)
	ca=$(netns_cookie "$A")
	start_nstrace -e ns.destroy,netdev.delete
	ip netns del "$A"
	wait_events 1 ".event == \"ns.destroy\" and .ns == $ino"
	stop_nstrace
	# Other netns may die meanwhile, and a dead netns's inode is soon
	# given to a new one: ours is the one that held $VA.
	e=$(one ".event == \"ns.destroy\" and .ns == $ino and any(.interfaces[]; .ifname == \"$VA\")")
	assert_eq "$(jq -r .ns_type <<<"$e")" net ns_type
	assert_eq "$(jq -c '.interfaces | sort_by(.ifindex)' <<<"$e")" \
		"$(jq -nc --arg a "$VA" --arg b "$VB" --arg f nstf$$ \
			--argjson ia "$ia" --argjson ib "$ib" --argjson ic "$iff" \
			'[{ifname:"lo",ifindex:1,fate:"deleted"},
			  {ifname:$a,ifindex:$ia,fate:"deleted"},
			  {ifname:$b,ifindex:$ib,fate:"deleted"},
			  {ifname:$f,ifindex:$ic,fate:"deleted"}] | sort_by(.ifindex)')" interfaces
	assert_eq "$(jq -r .last_ref_comm <<<"$e")" ip last_ref_comm
	# Read before it died, the cookie is the one it had while it lived.
	assert_cookie "$e" ns "$ca"
	assert_life netdev.delete "$ino" "$VA" "$ia" veth netns-exit "$ca"
	assert_life netdev.delete "$ino" "$VB" "$ib" veth netns-exit "$ca"
	assert_life netdev.delete "$ino" nstf$$ "$iff" veth netns-exit "$ca"
	assert_life netdev.delete "$ino" lo 1 "" netns-exit "$ca"
	# The peer outside dies too, in the netns it was in.
	assert_life netdev.delete "$HOST" nste$$ "$ie" veth netns-exit "$(netns_cookie)"
	assert_eq "$(events ".ifname == \"nste$$\"" | jq -r .peer_netns)" "$ino" "peer_netns of nste$$"
	assert_cookie "$(events ".ifname == \"nste$$\"")" peer_netns "$ca"
	assert_eq "$(count "has(\"peer_netns\") and .ifname != \"nste$$\"")" 0 "peer_netns on the dying netns's own"
	run ! ip link show "nste$$"
}

@test "a netns that dies with its last process: ns.destroy" {
	unshare -n sh -c "ip link add nstg$$ type veth peer name nsth$$; exec sleep 30" &
	p=$!
	wait_for in_other_netns $p
	ino=$(ns_inode $p net)
	wait_for comm_is $p sleep
	cookie=$(netns_cookie $p)
	start_nstrace -e ns.destroy
	kill $p
	wait $p || true
	wait_events 1 ".ns == $ino"
	stop_nstrace
	e=$(one ".ns == $ino and any(.interfaces[]; .ifname == \"nstg$$\")")
	assert_eq "$(jq -r '[.interfaces[].ifname] | sort | join(",")' <<<"$e")" \
		"$(printf '%s\n' lo nstg$$ nsth$$ | sort | paste -sd,)" interfaces
	assert_cookie "$e" ns "$cookie"
}

@test "storm: 500 moves among 10 namespaces, 500 events in order" {
	local -a ns ino
	for i in $(seq 0 9); do
		ns[i]=$(tname s$i)
		ip netns add "${ns[i]}"
		ino[i]=$(netns_ino "${ns[i]}")
	done
	ip -n "${ns[0]}" link add "$VA" type veth peer name "$VB"
	start_nstrace -e netdev.move
	for m in $(seq 0 499); do
		ip -n "${ns[m % 10]}" link set "$VA" netns "${ns[(m + 1) % 10]}"
	done
	stop_nstrace
	assert_eq "$(count ".ifname == \"$VA\"")" 500 "moves of $VA"
	jq -r "select(.ifname == \"$VA\") | \"\(.from_netns) \(.to_netns)\"" \
		"$TRACE_OUT" >"$BATS_TEST_TMPDIR/seen"
	for m in $(seq 0 499); do
		echo "${ino[m % 10]} ${ino[(m + 1) % 10]}"
	done >"$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/seen"
	assert_eq "$(count 'has("error")')" 0 "refused moves"
}

@test "deleting 100 namespaces in a row: 100 ns.destroy, each with its interfaces" {
	local -A want
	for i in $(seq 100); do
		n=$(tname d$i)
		ip netns add "$n"
		ip -n "$n" link add nstx$i type veth peer name nsty$i
		want[$(netns_ino "$n")]=$i
	done
	start_nstrace -e ns.destroy
	for i in $(seq 100); do
		ip netns del "$(tname d$i)"
	done
	# Ours only: other namespaces of the machine may die meanwhile, and
	# inodes are reused, so an inode of ours must come with its veth.
	map=$(for ino in "${!want[@]}"; do echo "\"$ino\":${want[$ino]}"; done | paste -sd,)
	filter="{$map} as \$w | .event == \"ns.destroy\" and (\$w[.ns | tostring] as \$i | \$i != null and any(.interfaces[]; .ifname == \"nstx\(\$i)\"))"
	wait_events 100 "$filter" || {
		# Which of ours, and what the stream said of its inode.
		for ino in "${!want[@]}"; do
			i=${want[$ino]}
			[ "$(count ".event == \"ns.destroy\" and .ns == $ino and any(.interfaces[]; .ifname == \"nstx$i\")")" = 1 ] ||
				echo "ns $i ($ino): $(events ".ns == $ino or .netns == $ino" | paste -sd' ')" >&2
		done
		cat "$TRACE_ERR" >&2
		# Late, or never: the kernel's cleanup may lag under load.
		sleep 60
		echo "after 60 s more: $(count "$filter") of 100" >&2
		return 1
	}
	stop_nstrace
	assert_eq "$(count "$filter")" 100 "ns.destroy of ours"
	for ino in "${!want[@]}"; do
		i=${want[$ino]}
		e=$(one ".event == \"ns.destroy\" and .ns == $ino and any(.interfaces[]; .ifname == \"nstx$i\")")
		assert_eq "$(jq -r '[.interfaces[].ifname] | sort | join(",")' <<<"$e")" \
			"lo,nstx$i,nsty$i" "interfaces of ns $i"
	done
}

# A netns whose last reference goes just as the kernel's cleanup work
# starts joins a batch the work's first walk did not see; nstrace finds
# it at the work's first notifier call, when the veth peer pointers are
# cleared already. When every device of that batch is down, that call
# comes once the devices are off the netns's own list; when one is up
# (a container's loopback), it comes before, with them still listed.
# The fault of tests/fault stalls the work there, after nstrace's walk,
# while four loops delete 200 namespaces: some of them die in that
# window.
# die_as_cleanup_starts [up]: those 200, each holding one end of a veth
# whose other end is here; with "up", each one's loopback is up.
die_as_cleanup_starts() {
	local fault i n ino cookie host_cookie k loops=()
	fault=$(dirname "$NSTRACE")/fault/slow_cleanup
	[ -x "$fault" ] || skip_or_fail "no $fault: make test builds it"
	host_cookie=$(netns_cookie)
	: >"$BATS_TEST_TMPDIR/want_destroy"
	: >"$BATS_TEST_TMPDIR/want_delete"
	for i in $(seq 200); do
		n=$(tname l$i)
		ip netns add "$n"
		ip link add nsth$i type veth peer name nstc$i netns "$n"
		[ "${1:-}" != up ] || ip -n "$n" link set lo up
		ino=$(netns_ino "$n")
		cookie=$(netns_cookie "$n")
		echo "net $ino $cookie lo:1:deleted,nstc$i:$(ifindex "$n" nstc$i):deleted kworker ip" >>"$BATS_TEST_TMPDIR/want_destroy"
		echo "net nsth$i $(ifindex "" nsth$i) $HOST $host_cookie veth netns-exit $ino $cookie kworker" >>"$BATS_TEST_TMPDIR/want_delete"
	done
	cookies=$(cut -d' ' -f3 "$BATS_TEST_TMPDIR/want_destroy" | paste -sd,)
	start_nstrace -e ns.destroy,netdev.delete
	# Attached after nstrace's own program on the tracepoint: runs after it.
	coproc FAULT { exec "$fault" "$fault.bpf.o"; }
	BG=$FAULT_PID
	read -r line <&"${FAULT[0]}"
	assert_eq "$line" attached "slow_cleanup"
	for k in 1 2 3 4; do
		(for i in $(seq $k 4 200); do ip netns del "$(tname l$i)"; done) &
		loops+=($!)
	done
	wait "${loops[@]}"
	ours="[$cookies] as \$c | .event == \"ns.destroy\" and (.ns_cookie as \$k | \$c | index([\$k]) != null)"
	peers=".event == \"netdev.delete\" and (.ifname | startswith(\"nsth\"))"
	wait_events 200 "$ours"
	wait_events 200 "$peers" || {
		# Which ones, their netns's ns.destroy, and the loader's summary.
		kill_bg "$FAULT_PID"
		BG=
		stop_nstrace
		for i in $(comm -23 <(seq 200 | sort) <(jq -r "select($peers) | .ifname[4:]" "$TRACE_OUT" | sort)); do
			ino=$(sed -n "${i}p" "$BATS_TEST_TMPDIR/want_destroy" | cut -d' ' -f2)
			echo "no netdev.delete of nsth$i; its netns's events:" >&2
			jq -c "select(.ns == $ino or .netns == $ino)" "$TRACE_OUT" >&2
		done
		cat "$TRACE_ERR" >&2
		return 1
	}
	kill_bg "$FAULT_PID"
	BG=
	stop_nstrace
	# The kernel's worker acts for both, a kworker of the host (ppid 2);
	# a killer named is one of the loops' ip.
	worker='(if .ppid == 2 and .uid == 0 and (.comm | startswith("kworker/")) and .pid == .tid then "kworker" else "\(.pid)/\(.ppid)/\(.comm)" end)'
	jq -r "select($ours) | \"\\(.ns_type) \\(.ns) \\(.ns_cookie) \\([.interfaces[] | \"\\(.ifname):\\(.ifindex):\\(.fate)\"] | sort | join(\",\")) \\($worker) \\(if .last_ref_pid then .last_ref_comm else \"ip\" end)\"" \
		"$TRACE_OUT" | sort >"$BATS_TEST_TMPDIR/got_destroy"
	jq -r "select($peers) | \"\\(.ns_type) \\(.ifname) \\(.ifindex) \\(.netns) \\(.netns_cookie) \\(.kind) \\(.cause) \\(.peer_netns) \\(.peer_netns_cookie) \\($worker)\"" \
		"$TRACE_OUT" | sort >"$BATS_TEST_TMPDIR/got_delete"
	sort -o "$BATS_TEST_TMPDIR/want_destroy" "$BATS_TEST_TMPDIR/want_destroy"
	sort -o "$BATS_TEST_TMPDIR/want_delete" "$BATS_TEST_TMPDIR/want_delete"
	diff "$BATS_TEST_TMPDIR/want_destroy" "$BATS_TEST_TMPDIR/got_destroy" >&2 || {
		echo "ns.destroy: want (<) and got (>) differ" >&2
		return 1
	}
	diff "$BATS_TEST_TMPDIR/want_delete" "$BATS_TEST_TMPDIR/got_delete" >&2 || {
		echo "netdev.delete of the host peers: want (<) and got (>) differ" >&2
		return 1
	}
}

@test "namespaces dying as the cleanup work starts, all down: each ns.destroy with its interfaces, each host peer deleted" {
	die_as_cleanup_starts
}

@test "namespaces dying as the cleanup work starts, loopbacks up: each ns.destroy with its interfaces, each host peer deleted" {
	die_as_cleanup_starts up
}

@test "a move sent with sendto(2), as netlink libraries do: syscall sendto" {
	ip link add "$VA" type veth peer name "$VB"
	before=$(ifindex "" "$VA")
	start_nstrace -e netdev.move
	run python3 "$BATS_TEST_DIRNAME/../tools/rtnl.py" "set:index=$before,nsfd=/run/netns/$A"
	assert_eq "$output" 0 "kernel's answer"
	stop_nstrace
	e=$(one ".ifname == \"$VA\"")
	assert_eq "$(jq -r .syscall <<<"$e")" sendto syscall
	assert_eq "$(jq -r .comm <<<"$e")" python3 comm
	assert_eq "$(jq -r .from_netns <<<"$e")" "$HOST" from_netns
	assert_eq "$(jq -r .to_netns <<<"$e")" "$(netns_ino "$A")" to_netns
	assert_eq "$(jq -r .new_ifindex <<<"$e")" "$(ifindex "$A" "$VA")" new_ifindex
}

@test "-p PID: no events of the kernel's netns cleanup" {
	fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	(read -r _ <"$fifo"; exec ip link add "$VA" type veth peer name "$VB") &
	p=$!
	ino=$(netns_ino "$A")
	# A second, unfiltered nstrace tells when the cleanup has run.
	all=$BATS_TEST_TMPDIR/all.json
	"$NSTRACE" --json -e ns.destroy >"$all" 2>"$BATS_TEST_TMPDIR/all.err" &
	BG=$!
	wait_for grep -q '^nstrace: tracing' "$BATS_TEST_TMPDIR/all.err"
	start_nstrace -p $p
	ip netns del "$A"
	echo go >"$fifo"
	wait $p
	wait_for grep -q "\"ns\":$ino" "$all"
	stop_nstrace
	assert_eq "$(count ".pid == $p and .event == \"netdev.create\"")" 2 "creates by the pid"
	assert_eq "$(count ".pid != $p")" 0 "events of others"
}
