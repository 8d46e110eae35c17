#!/usr/bin/env bats
# nstrace --snapshot and the commands that read its log back: the
# snapshot against nstrace ls and ip, seq without gaps, a loss followed by
# a fresh snapshot, replay at several moments against nstrace ls taken at
# those moments, history of an interface moved and renamed, and logs with
# bad lines. Other suites create and destroy namespaces meanwhile: the
# assertions are about this file's own (snx-*), by inode and name.

load helpers

NSTOOL=$BATS_TEST_DIRNAME/../../build/tools/nstool

setup() {
	need_root
	A=snx-a$$
	B=snx-b$$
	C=snx-c$$
	BG=
}

teardown() {
	teardown_nstrace
	local ns
	# shellcheck disable=SC2086 # a list of pids
	kill_bg $BG
	for ns in $(ip netns list | awk '{print $1}' | grep "^snx-.$$\$"); do
		ip netns del "$ns"
	done
}

ino() { # NAME: the inode of netns NAME
	stat -L -c %i "/run/netns/$1"
}

now() {
	date -u +%Y-%m-%dT%H:%M:%S.%NZ
}

# The interfaces of netns INODES (a JSON array), from an ls document on
# stdin, as replay must rebuild them: names, indexes, kinds, veth peers.
IFACES='[.netns[] | select(.inode as $i | $inodes | index($i))
	| {inode, interfaces: ([.interfaces[]
		| {name, ifindex, kind, peer_netns, peer_ifindex, peer_name}]
		| sort_by(.ifindex))}] | sort_by(.inode)'

mine() { # INODES_JSON < ls document
	jq -cS --argjson inodes "$1" "$IFACES"
}

# The snapshot records of number N in $TRACE_OUT for netns INODE.
snap_devs() { # N INODE
	jq -cS --argjson n "$1" --argjson i "$2" \
		'select(.event == "snapshot.netdev" and .snapshot == $n and .netns == $i)
		| {ifname, ifindex, mtu, mac, operstate, peer_ifindex, peer_netns}' \
		"$TRACE_OUT" | jq -cs 'sort_by(.ifindex)'
}

ls_devs() { # LS_JSON INODE: the same fields from nstrace ls --json
	jq -cS --argjson i "$2" '[.netns[] | select(.inode == $i) | .interfaces[]
		| {ifname: .name, ifindex, mtu, mac, operstate, peer_ifindex, peer_netns}]
		| sort_by(.ifindex)' "$1"
}

ip_devs() { # NETNS: ifname, ifindex, mtu, mac from ip -j link
	ip -n "$1" -j link | jq -cS '[.[] | {ifname, ifindex, mtu, mac: .address}]
		| sort_by(.ifindex)'
}

@test "snapshot: every netns and interface as records, as nstrace ls and ip show them; seq has no gap" {
	local a ls=$BATS_TEST_TMPDIR/ls.json
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link add snxa0 type veth peer name snxb0 netns "$B"
	ip -n "$A" link set snxa0 up
	a=$(ino "$A")
	b=$(ino "$B")
	ca=$(netns_cookie "$A")
	cb=$(netns_cookie "$B")
	start_nstrace --snapshot -e netdev.move
	"$NSTRACE" ls --json >"$ls"
	stop_nstrace
	# Numbered from 1, one by one, on every line.
	assert_eq "$(jq -s '[.[].seq] == [range(1; length + 1)]' "$TRACE_OUT")" true seq
	assert_eq "$(jq -c 'select(.event == "snapshot.begin") | [.seq, .snapshot, .reason]' "$TRACE_OUT")" \
		'[1,1,"start"]' begin
	# Our netns, with its name, and the interfaces ls and ip see.
	assert_eq "$(jq -c --argjson i "$a" 'select(.event == "snapshot.netns" and .inode == $i) | .names' "$TRACE_OUT")" \
		"[\"$A\"]" names
	assert_eq "$(snap_devs 1 "$a")" "$(ls_devs "$ls" "$a")" "interfaces of $A"
	assert_eq "$(snap_devs 1 "$b")" "$(ls_devs "$ls" "$b")" "interfaces of $B"
	assert_eq "$(snap_devs 1 "$a" | jq -cS 'map(del(.operstate, .peer_ifindex, .peer_netns))')" \
		"$(ip_devs "$A")" "ip -n $A"
	assert_eq "$(jq -c --argjson i "$a" 'select(.event == "snapshot.netdev" and .ifname == "snxa0" and .netns == $i)
		| [.kind, .peer_netns, .peer_name, .flags[0]]' "$TRACE_OUT")" "[\"veth\",$b,\"snxb0\",\"UP\"]" veth
	# The kernel's cookies: of each netns, and beside each netns inode.
	assert_eq "$(jq -c --argjson i "$a" 'select(.event == "snapshot.netns" and .inode == $i) | .cookie' "$TRACE_OUT")" "$ca" "cookie of $A"
	assert_eq "$(jq -c --argjson i "$a" 'select(.event == "snapshot.netdev" and .ifname == "snxa0" and .netns == $i)
		| [.netns_cookie, .peer_netns_cookie]' "$TRACE_OUT")" "[$ca,$cb]" "cookies of snxa0"
	jq -s -e '(map(select(.event == "snapshot.netns") | {key: "\(.inode)", value: .cookie}) | from_entries) as $c
		| [.[] | select(.event == "snapshot.netdev")
		| .netns_cookie == $c["\(.netns)"]
			and ((has("peer_netns") | not) or .peer_netns_cookie == $c["\(.peer_netns)"])]
		| length > 0 and all' "$TRACE_OUT"
	# Each interface after its netns, and the end counts them.
	jq -s -e 'map(select(.event | startswith("snapshot.")))
		| . as $r | [range(1; length - 1) | select($r[.].event == "snapshot.netdev")
		| . as $k | [$r[:$k][] | select(.event == "snapshot.netns")] | last.inode == $r[$k].netns]
		| all' "$TRACE_OUT"
	assert_eq "$(jq -c 'select(.event == "snapshot.end") | [.netns, .netdevs, .truncated]' "$TRACE_OUT")" \
		"[$(count '.event == "snapshot.netns"'),$(count '.event == "snapshot.netdev"'),false]" end
}

@test "snapshot: once attached, only CAP_BPF and CAP_PERFMON are left, and only with --snapshot" {
	start_nstrace --snapshot -e ns.create
	assert_eq "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$TRACE_PID/status")" 000000c000000000 CapEff
	assert_eq "$(awk '$1 == "CapPrm:" { print $2 }' "/proc/$TRACE_PID/status")" 000000c000000000 CapPrm
	assert_eq "$(awk '$1 == "CapInh:" { print $2 }' "/proc/$TRACE_PID/status")" 0000000000000000 CapInh
	assert_eq "$(awk '$1 == "CapAmb:" { print $2 }' "/proc/$TRACE_PID/status")" 0000000000000000 CapAmb
	assert_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$TRACE_PID/status")" 1 NoNewPrivs
	stop_nstrace
	start_nstrace -e ns.create
	assert_eq "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$TRACE_PID/status")" 0000000000000000 "CapEff without --snapshot"
	stop_nstrace
}

@test "the inventory needs no more than the two capabilities --snapshot keeps" {
	local full=$BATS_TEST_TMPDIR/full.json part=$BATS_TEST_TMPDIR/part.json m
	ip netns add "$A"
	ip -n "$A" link add snxa0 type veth peer name snxa1
	# A name seen only from another mount namespace, by a process of it.
	m=$BATS_TEST_TMPDIR/m
	unshare -m --propagation private sh -c \
		"touch $m && mount --bind /run/netns/$A $m && touch $m.ready && exec sleep 30" &
	BG=$!
	wait_for test -e "$m.ready"
	"$NSTRACE" ls --json >"$full"
	setpriv --bounding-set -all,+bpf,+perfmon --inh-caps -all \
		"$NSTRACE" ls --json >"$part"
	# Ours: each run of ls reads our own mountinfo as itself, a new pid.
	local f='.netns[] | select(.inode == $i) | {names, mounts: [.mounts[].path],
		pids, holders: [.holders[] | del(.pid, .comm)], interfaces}'
	assert_eq "$(jq -cS --argjson i "$(ino "$A")" "$f" "$part")" \
		"$(jq -cS --argjson i "$(ino "$A")" "$f" "$full")" "ls with CAP_BPF and CAP_PERFMON only"
	# Other processes are seen as well (other suites change the rest).
	jq -e '.netns[] | select(.init) | .pids | length > 10' "$part"
	jq -e --arg m "$m" '[.netns[].mounts[].path] | index($m)' "$part"
}

@test "a loss: the lost record is followed by a fresh snapshot that matches nstrace ls and ip" {
	local a b ls=$BATS_TEST_TMPDIR/ls.json fifo=$BATS_TEST_TMPDIR/go p n s
	ip netns add "$A"
	ip netns add "$B"
	a=$(ino "$A")
	b=$(ino "$B")
	mkfifo "$fifo"
	"$NSTOOL" setns-loop "/run/netns/$A" "/run/netns/$B" 200000 <"$fifo" &
	p=$!
	BG=$p
	exec 9>"$fifo"
	start_nstrace --snapshot -p $p -e ns.setns --buffer-size 4K
	# Made after the first snapshot: only a resync snapshot has them.
	ip -n "$A" link add snxa0 type veth peer name snxb0 netns "$B"
	ip -n "$A" link add snxa1 type veth peer name snxb1
	echo go >&9
	exec 9>&-
	wait $p
	BG=
	stop_nstrace
	"$NSTRACE" ls --json >"$ls"
	[ "$(count '.event == "lost"')" -gt 0 ]
	assert_eq "$(jq -s '[.[].seq] == [range(1; length + 1)]' "$TRACE_OUT")" true seq
	# A snapshot right after every lost record, but those of the end
	# (when nstrace was stopped, a snapshot is no use).
	n=$(jq -s '. as $r | [range(0; length) | select($r[.].event == "lost")
		| select($r[. + 1] | . != null and (.event != "snapshot.begin" or .reason != "lost"))
		| select(any($r[(. + 1):][]; .event == "snapshot.begin"))] | length' "$TRACE_OUT")
	[ "$n" -eq 0 ] || {
		jq -c 'select(.event != "ns.setns")' "$TRACE_OUT" | cut -c1-120 >&2
		cat "$TRACE_ERR" >&2
	}
	assert_eq "$n" 0 "lost records not followed by a snapshot"
	s=$(jq -s '[.[] | select(.event == "snapshot.end")] | last | .snapshot' "$TRACE_OUT")
	[ "$s" -gt 1 ]
	assert_eq "$(jq -s --argjson s "$s" '[.[] | select(.event == "snapshot.begin" and .snapshot == $s)][0].reason' "$TRACE_OUT")" '"lost"' reason
	assert_eq "$(snap_devs "$s" "$a")" "$(ls_devs "$ls" "$a")" "interfaces of $A"
	assert_eq "$(snap_devs "$s" "$b")" "$(ls_devs "$ls" "$b")" "interfaces of $B"
	assert_eq "$(snap_devs "$s" "$a" | jq -cS 'map(del(.operstate, .peer_ifindex, .peer_netns))')" \
		"$(ip_devs "$A")" "ip -n $A"
	[ "$(snap_devs "$s" "$a" | jq length)" -eq 4 ]
}

@test "replay at several moments gives what nstrace ls showed then" {
	local log=$BATS_TEST_TMPDIR/log.json p=$BATS_TEST_TMPDIR/p a b c i
	# One netns from before the recording: the snapshot has it.
	ip netns add "$A"
	a=$(ino "$A")
	start_nstrace --snapshot
	log=$TRACE_OUT

	ip netns add "$B"
	b=$(ino "$B")
	ip -n "$A" link add snxa0 type veth peer name snxb0 netns "$B"
	t[1]=$(now)
	"$NSTRACE" ls --json >"$p.1"

	ip -n "$A" link set snxa0 netns "$B" name snxa1
	ip -n "$B" link add snxv0 type veth peer name snxv1
	t[2]=$(now)
	"$NSTRACE" ls --json >"$p.2"

	ip netns add "$C"
	c=$(ino "$C")
	ip -n "$B" link set snxv1 netns "$C"
	ip -n "$B" link set snxa1 netns "$A" name snxa0
	t[3]=$(now)
	"$NSTRACE" ls --json >"$p.3"

	ip netns del "$C"
	wait_events 1 "(.event == \"ns.destroy\" and .ns == $c and (.interfaces | map(.ifname) | index(\"snxv1\")))"
	t[4]=$(now)
	"$NSTRACE" ls --json >"$p.4"
	stop_nstrace

	for i in 1 2 3 4; do
		"$NSTRACE" replay -j --at "${t[$i]}" "$log" >"$p.r$i"
		assert_eq "$(jq .partial "$p.r$i")" false "partial at ${t[$i]}"
	done
	# Each moment: our netns and their interfaces, peers included.
	assert_eq "$(mine "[$a,$b]" <"$p.r1")" "$(mine "[$a,$b]" <"$p.1")" "at ${t[1]}"
	assert_eq "$(mine "[$a,$b]" <"$p.r2")" "$(mine "[$a,$b]" <"$p.2")" "at ${t[2]}"
	assert_eq "$(mine "[$a,$b,$c]" <"$p.r3")" "$(mine "[$a,$b,$c]" <"$p.3")" "at ${t[3]}"
	assert_eq "$(mine "[$a,$b]" <"$p.r4")" "$(mine "[$a,$b]" <"$p.4")" "at ${t[4]}"
	# They are not all alike: the test would not see a replay stuck at one.
	[ "$(mine "[$a,$b]" <"$p.r1")" != "$(mine "[$a,$b]" <"$p.r2")" ]
	# The netns that died is gone with the interface it held.
	assert_eq "$(jq --argjson c "$c" '[.netns[] | select(.inode == $c) | .interfaces[] | select(.name == "snxv1")] | length' "$p.r4")" 0 "$C at ${t[4]}"
	# Names from the snapshot; the text is that of ls.
	assert_eq "$(jq -c --argjson a "$a" '.netns[] | select(.inode == $a) | .names' "$p.r1")" "[\"$A\"]" names
	"$NSTRACE" replay --at "${t[2]}" "$log" >"$p.text"
	grep -q "^net:\[$a\] $A\$" "$p.text"
	grep -Eq "^ +[0-9]+ snxa1@if[0-9]+ +veth " "$p.text"
	# seq:N: the moment of the line with that seq.
	i=$(jq -s --argjson b "$b" '[.[] | select(.event == "netdev.move" and .to_netns == $b)][0].seq' "$log")
	"$NSTRACE" replay -j --at "seq:$((i - 1))" "$log" | mine "[$b]" | grep -q snxb0
	"$NSTRACE" replay -j --at "seq:$((i - 1))" "$log" | mine "[$b]" | lacks snxa1
	"$NSTRACE" replay -j --at "seq:$i" "$log" | mine "[$b]" | grep -q snxa1
}

@test "replay of a log without a snapshot: what the events tell, said to be partial" {
	local log a
	start_nstrace
	log=$TRACE_OUT
	ip netns add "$A"
	a=$(ino "$A")
	ip -n "$A" link add snxa0 type veth peer name snxa1
	stop_nstrace
	run --separate-stderr "$NSTRACE" replay -j "$log"
	[ "$status" -eq 0 ]
	grep -q "picture is partial" <<<"$stderr"
	assert_eq "$(jq .partial <<<"$output")" true partial
	assert_eq "$(jq -c --argjson a "$a" '[.netns[] | select(.inode == $a) | .interfaces[] | [.name, .ifindex, .peer_name]] | sort_by(.[1])' <<<"$output")" \
		"$(ip -n "$A" -j link | jq -c '[.[] | [.ifname, .ifindex, (if .ifname == "lo" then null elif .ifname == "snxa0" then "snxa1" else "snxa0" end)]] | sort_by(.[1])')" interfaces
}

@test "replay of a log that lost a netns's death: its inode's next netns is another, by cookie" {
	local log cut a=
	start_nstrace -t net
	log=$TRACE_OUT
	# A netns with two veths dies, and the next one made gets its inode
	# (and, with one veth, the ifindexes of the first).
	for _ in $(seq 100); do
		ip netns add "$A"
		a=$(ino "$A")
		ip -n "$A" link add snxa0 type veth peer name snxa1
		ip -n "$A" link add snxa2 type veth peer name snxa3
		ip netns del "$A"
		# The kernel frees the inode once it has cleaned the netns up.
		sleep 0.2
		ip netns add "$B"
		[ "$(ino "$B")" = "$a" ] && break
		ip netns del "$B"
		a=
	done
	[ -n "$a" ] || {
		echo "no netns got the inode of the one before, in 100" >&2
		return 1
	}
	ip -n "$B" link add snxb0 type veth peer name snxb1
	wait_events 1 ".event == \"ns.destroy\" and .ns == $a"
	stop_nstrace
	# As if the records of its death had been lost: by inode alone, the
	# two would be one netns, still holding snxa2 and snxa3.
	cut=$BATS_TEST_TMPDIR/cut.json
	jq -c --argjson a "$a" 'select(((.event == "ns.destroy" and .ns == $a) or
		(.event == "netdev.delete" and .cause == "netns-exit" and .netns == $a)) | not)' \
		"$log" >"$cut"
	[ "$(wc -l <"$cut")" -lt "$(wc -l <"$log")" ]
	run --separate-stderr "$NSTRACE" replay -j "$cut"
	[ "$status" -eq 0 ]
	assert_eq "$(jq -c --argjson a "$a" '[.netns[] | select(.inode == $a) | [([.interfaces[].name] | sort), .names]]' <<<"$output")" \
		"[[[\"lo\",\"snxb0\",\"snxb1\"],[\"$B\"]]]" "netns of inode $a"
}

@test "history: an interface moved a -> b renamed -> a, then dying with its netns" {
	local a b log h=$BATS_TEST_TMPDIR/h.json
	ip netns add "$A"
	ip netns add "$B"
	a=$(ino "$A")
	b=$(ino "$B")
	ip -n "$A" link add snxh0 type veth peer name snxh9
	start_nstrace --snapshot
	log=$TRACE_OUT
	ip -n "$A" link set snxh0 netns "$B" name snxh1
	ip -n "$B" link set snxh1 netns "$A" name snxh0
	ip -n "$A" link set snxh0 netns "$B" name snxh2
	ip netns del "$B"
	wait_events 1 ".event == \"ns.destroy\" and .ns == $b"
	stop_nstrace
	"$NSTRACE" history -j snxh0 "$log" >"$h"
	assert_eq "$(jq -c '[.history[] | .action]' "$h")" '["seen","moved","moved","moved","deleted"]' actions
	assert_eq "$(jq -c '.history[0] | [.netns, .netns_names, .snapshot]' "$h")" "[$a,\"$A\",1]" seen
	assert_eq "$(jq -c '.history[1] | [.from_netns, .from_netns_names, .to_netns, .to_netns_names, .ifname, .new_ifname, .comm, .cause]' "$h")" \
		"[$a,\"$A\",$b,\"$B\",\"snxh0\",\"snxh1\",\"ip\",\"request\"]" "first move"
	assert_eq "$(jq -c '.history[2] | [.from_netns, .to_netns, .ifname, .new_ifname]' "$h")" \
		"[$b,$a,\"snxh1\",\"snxh0\"]" "move back"
	# Under another name, it is still followed.
	assert_eq "$(jq -c '.history[3] | [.new_ifname]' "$h")" '["snxh2"]' "renamed"
	assert_eq "$(jq -c '.history[4] | [.netns, .ifname, .cause]' "$h")" "[$b,\"snxh2\",\"netns-exit\"]" "died"
	# Every step's pid did it: the ip processes, then the kernel's worker.
	[ "$(jq '.history[1].pid' "$h")" -gt 0 ]
	# Text: one line per step, time first.
	"$NSTRACE" history snxh0 "$log" >"$h.txt"
	assert_eq "$(wc -l <"$h.txt")" 5 lines
	grep -Eq "^[0-9T:.-]+Z moved +snxh0\([0-9]+\) $a \($A\) -> $b \($B\) as snxh1\([0-9]+\) by ip\([0-9]+\), request\$" "$h.txt"
}

@test "history and replay: renames in place, by the old name and by the new" {
	local a b log h=$BATS_TEST_TMPDIR/h.json r=$BATS_TEST_TMPDIR/r.json i0 i9
	ip netns add "$A"
	ip netns add "$B"
	a=$(ino "$A")
	b=$(ino "$B")
	ip -n "$A" link add snxr0 type veth peer name snxr9
	i0=$(ip -n "$A" -j link show snxr0 | jq '.[0].ifindex')
	i9=$(ip -n "$A" -j link show snxr9 | jq '.[0].ifindex')
	start_nstrace --snapshot
	log=$TRACE_OUT
	# snxr0 becomes snxr1, then its peer takes the name snxr0.
	ip -n "$A" link set snxr0 name snxr1
	ip -n "$A" link set snxr9 name snxr0
	ip -n "$A" link set snxr1 netns "$B"
	wait_events 1 ".event == \"netdev.move\" and .to_netns == $b"
	stop_nstrace
	assert_eq "$(count '.event == "netdev.rename" and .netns == '"$a")" 2 renames
	# By the old name: both interfaces that had it.
	"$NSTRACE" history -j snxr0 "$log" >"$h"
	assert_eq "$(jq -c '[.history[] | .action]' "$h")" '["seen","renamed","renamed","moved"]' actions
	assert_eq "$(jq -c '.history[1] | [.event, .netns, .netns_names, .ifname, .ifindex, .new_ifname, .comm, .cause]' "$h")" \
		"[\"netdev.rename\",$a,\"$A\",\"snxr0\",$i0,\"snxr1\",\"ip\",\"request\"]" "first rename"
	assert_eq "$(jq -c '.history[2] | [.ifname, .ifindex, .new_ifname]' "$h")" \
		"[\"snxr9\",$i9,\"snxr0\"]" "the peer takes the name"
	assert_eq "$(jq -c '.history[3] | [.ifname, .from_netns, .to_netns]' "$h")" \
		"[\"snxr1\",$a,$b]" "moved under its new name"
	# By the new name: from the rename that gave it, not the snapshot.
	"$NSTRACE" history -j snxr1 "$log" >"$h"
	assert_eq "$(jq -c '[.history[] | [.action, .ifname]]' "$h")" '[["renamed","snxr0"],["moved","snxr1"]]' "by the new name"
	"$NSTRACE" history snxr1 "$log" >"$h.txt"
	grep -Eq "^[0-9T:.-]+Z renamed +snxr0\($i0\) in $a \($A\) as snxr1 by ip\([0-9]+\), request\$" "$h.txt"
	# replay at the end has the names ip has.
	"$NSTRACE" replay -j "$log" >"$r"
	assert_eq "$(mine "[$a,$b]" <"$r")" \
		"$("$NSTRACE" ls --json | mine "[$a,$b]")" "replay against ls"
	assert_eq "$(jq -c --argjson i "$a" '[.netns[] | select(.inode == $i) | .interfaces[] | select(.ifindex == '"$i9"') | .name]' "$r")" '["snxr0"]' "the peer's new name"
}

@test "history without --snapshot: netns names from ns.name and from the move's own records" {
	local a b log h=$BATS_TEST_TMPDIR/h.json
	# A is named before the log begins: only the move's from_netns_names
	# can tell its name. B is named within it: ns.name, and to_netns_names.
	ip netns add "$A"
	a=$(ino "$A")
	ip -n "$A" link add snxn0 type veth peer name snxn9
	start_nstrace
	log=$TRACE_OUT
	ip netns add "$B"
	b=$(ino "$B")
	ip -n "$A" link set snxn0 netns "$B" name snxn1
	wait_events 1 "(.event == \"netdev.move\" and .to_netns == $b)"
	stop_nstrace
	[ "$(count ".event == \"ns.name\" and .ns == $b and .op == \"add\"")" -eq 1 ]
	"$NSTRACE" history -j snxn0 "$log" >"$h"
	assert_eq "$(jq -c '[.history[] | .action]' "$h")" '["moved"]' actions
	assert_eq "$(jq -c '.history[0] | [.from_netns, .from_netns_names, .to_netns, .to_netns_names, .new_ifname]' "$h")" \
		"[$a,\"$A\",$b,\"$B\",\"snxn1\"]" "names of the move"
	"$NSTRACE" history snxn0 "$log" >"$h.txt"
	grep -Eq "^[0-9T:.-]+Z moved +snxn0\([0-9]+\) $a \($A\) -> $b \($B\) as snxn1\([0-9]+\) by ip\([0-9]+\), request\$" "$h.txt"
}

@test "a log with a garbage line and a cut-short last line: line numbers on stderr, the rest used" {
	local log bad=$BATS_TEST_TMPDIR/bad.json a n
	ip netns add "$A"
	a=$(ino "$A")
	start_nstrace --snapshot
	log=$TRACE_OUT
	ip -n "$A" link add snxa0 type veth peer name snxa1
	stop_nstrace
	n=$(wc -l <"$log")
	{
		head -n 2 "$log"
		echo 'not json at all {'
		tail -n +3 "$log"
		head -c 40 "$log"
	} >"$bad"
	run --separate-stderr "$NSTRACE" replay -j "$bad"
	[ "$status" -eq 0 ]
	grep -qx "nstrace: $bad:3: not valid JSON (column [0-9]*: .*)" <<<"$stderr"
	grep -qx "nstrace: $bad:$((n + 2)): the last line is cut short" <<<"$stderr"
	assert_eq "$(grep -c "^nstrace: $bad:" <<<"$stderr")" 2 "bad lines said"
	assert_eq "$(mine "[$a]" <<<"$output")" "$("$NSTRACE" replay -j "$log" | mine "[$a]")" "same as the clean log"
	mine "[$a]" <<<"$output" | grep -q snxa1
	run --separate-stderr "$NSTRACE" history snxa0 "$bad"
	[ "$status" -eq 0 ]
	grep -q "created *snxa0" <<<"$output"
}

@test "replay and history: bad input gets one line and the right exit code" {
	local empty=$BATS_TEST_TMPDIR/empty
	: >"$empty"
	run --separate-stderr "$NSTRACE" replay "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 1 ]
	assert_eq "$stderr" "nstrace: cannot read $BATS_TEST_TMPDIR/missing: No such file or directory"
	run --separate-stderr "$NSTRACE" replay "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	assert_eq "$stderr" "nstrace: cannot read $BATS_TEST_TMPDIR: Is a directory"
	run --separate-stderr "$NSTRACE" replay "$empty"
	[ "$status" -eq 1 ]
	assert_eq "$stderr" "nstrace replay: $empty holds no nstrace record"
	run --separate-stderr "$NSTRACE" replay --at yesterday "$empty"
	[ "$status" -eq 2 ]
	assert_eq "$(head -1 <<<"$stderr")" "nstrace replay: not an RFC 3339 time nor seq:N: 'yesterday'"
	run --separate-stderr "$NSTRACE" replay --at seq:x "$empty"
	[ "$status" -eq 2 ]
	run --separate-stderr "$NSTRACE" replay --frobnicate "$empty"
	[ "$status" -eq 2 ]
	assert_eq "$(head -1 <<<"$stderr")" "nstrace replay: unknown option: '--frobnicate'"
	run --separate-stderr "$NSTRACE" replay
	[ "$status" -eq 2 ]
	assert_eq "$(head -1 <<<"$stderr")" "nstrace replay: missing the log file"
	run --separate-stderr "$NSTRACE" history snxa0
	[ "$status" -eq 2 ]
	run --separate-stderr "$NSTRACE" history -x snxa0 "$empty"
	[ "$status" -eq 2 ]
	run --separate-stderr "$NSTRACE" history "$(printf 'x%.0s' {1..20})" "$empty"
	[ "$status" -eq 2 ]
	run --separate-stderr "$NSTRACE" history snxa0 "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 1 ]
	# What a bad line quotes reaches the terminal escaped.
	printf '{"time":"x","event":"e\\u001b[31m"}\n\033[2J{\n' >"$empty"
	run --separate-stderr "$NSTRACE" replay "$empty"
	[ "$status" -eq 1 ]
	grep -qF 'e\x1b[31m without a valid "time"' <<<"$stderr"
	lacks $'\e' <<<"$stderr"
}

@test "replay: a hostile interface kind from a log reaches the terminal escaped" {
	local log=$BATS_TEST_TMPDIR/kind.log
	printf '%s\n' \
		'{"schema":1,"seq":1,"time":"2026-12-01T11:32:37Z","event":"snapshot.begin","snapshot":1}' \
		'{"schema":1,"seq":2,"time":"2026-12-01T11:32:37Z","event":"snapshot.netns","snapshot":1,"ns_type":"net","inode":4026531833,"init":true,"names":[]}' \
		'{"schema":1,"seq":3,"time":"2026-12-01T11:32:37Z","event":"snapshot.netdev","snapshot":1,"ns_type":"net","netns":4026531833,"ifname":"lo","ifindex":1,"kind":"\u001b[2J"}' \
		'{"schema":1,"seq":4,"time":"2026-12-01T11:32:37Z","event":"snapshot.end","snapshot":1,"netns":1,"netdevs":1,"truncated":false}' \
		>"$log"
	run "$NSTRACE" replay "$log"
	[ "$status" -eq 0 ]
	[[ $output == *'lo               \x1b[2J'* ]]
	[[ $output != *$'\e'* ]]
}
