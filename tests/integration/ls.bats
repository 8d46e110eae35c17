#!/usr/bin/env bats
# nstrace ls, identify, pids and where against real namespaces: named,
# unnamed with a process, held only by an fd or a socket of another
# process, and veth pairs across namespaces; cross-checked with ip, lsns
# and /proc. Other suites may create and destroy namespaces meanwhile, so
# the assertions are about this file's own namespaces.

load helpers

setup() {
	need_root
	own_names ls
	BG=()
	OUT=$BATS_TEST_TMPDIR/ls.json
}

teardown() {
	local pid
	for pid in "${BG[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	del_owned
}

# ls_json [ARGS...]: runs nstrace ls --json into $OUT; fails unless the
# exit code is 0 and the output is one JSON document of schema 1.
ls_json() {
	"$NSTRACE" ls --json "$@" >"$OUT"
	assert_eq "$(jq -s 'length' "$OUT")" 1 "documents"
	assert_eq "$(jq .schema "$OUT")" 1 schema
}

# netns INODE: its object in $OUT, compact, or nothing.
netns() {
	jq -c --argjson i "$1" '.netns[] | select(.inode == $i)' "$OUT"
}

netns_ino() { # NAME
	stat -L -c %i "/run/netns/$1"
}

# bg CMD...: runs CMD in the background, remembered for teardown.
bg() {
	"$@" &
	BG+=($!)
}

# bg_in WRAPPER...: a sleeping sh started by WRAPPER (unshare -n, ip netns
# exec NAME, ...), remembered for teardown; its pid in PID once it runs.
bg_in() {
	local ready=$BATS_TEST_TMPDIR/ready.${#BG[@]}
	bg "$@" sh -c "echo >$ready; exec sleep 60"
	wait_for "$ready"
	PID=${BG[-1]}
}

# wait_for FILE: until FILE has a line (a background helper is ready).
wait_for() {
	for _ in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

@test "ls: a named netns, with its inode, name, mount and interfaces as ip sees them" {
	ip netns add "$A"
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	ip -n "$A" link set "$VA" up
	ino=$(netns_ino "$A")
	ls_json
	n=$(netns "$ino")
	[ -n "$n" ]
	assert_eq "$(jq -c .names <<<"$n")" "[\"$A\"]" names
	assert_eq "$(jq -r '.mounts[0].path' <<<"$n")" "/run/netns/$A" mount
	assert_eq "$(jq -r '.holders[0].kind' <<<"$n")" mount holder
	assert_eq "$(jq -c .pids <<<"$n")" "[]" pids
	# Every interface ip shows, with the same ifindex, and nothing else.
	want=$(ip -n "$A" -j link | jq -c '[.[] | {name: .ifname, ifindex}] | sort')
	got=$(jq -c '[.interfaces[] | {name, ifindex}] | sort' <<<"$n")
	assert_eq "$got" "$want" interfaces
	assert_eq "$(jq -r --arg d "$VA" '.interfaces[] | select(.name == $d) | .kind' <<<"$n")" veth kind
	assert_eq "$(jq -r --arg d "$VA" '.interfaces[] | select(.name == $d) | .operstate' <<<"$n")" \
		"$(ip -n "$A" -j link show "$VA" | jq -r '.[0].operstate')" operstate
	assert_eq "$(jq -r --arg d "$VA" '.interfaces[] | select(.name == $d) | .mac' <<<"$n")" \
		"$(ip -n "$A" -j link show "$VA" | jq -r '.[0].address')" mac
	assert_eq "$(jq -r '.interfaces[] | select(.name == "lo") | .kind' <<<"$n")" null "lo kind"
}

@test "ls: a veth whose peer is in another netns names the peer's netns and ifindex" {
	ip netns add "$A"
	ip netns add "$B"
	ip link add "$VA" netns "$A" type veth peer name "$VB" netns "$B"
	ino_a=$(netns_ino "$A")
	ino_b=$(netns_ino "$B")
	ls_json
	for side in "$A $VA $ino_a $B $ino_b" "$B $VB $ino_b $A $ino_a"; do
		read -r ns dev ino peer_ns peer_ino <<<"$side"
		link=$(ip -n "$ns" -j link show "$dev" | jq -c '.[0]')
		dev_json=$(netns "$ino" | jq -c --arg d "$dev" '.interfaces[] | select(.name == $d)')
		assert_eq "$(jq .ifindex <<<"$dev_json")" "$(jq .ifindex <<<"$link")" ifindex
		assert_eq "$(jq .peer_ifindex <<<"$dev_json")" "$(jq .link_index <<<"$link")" peer_ifindex
		assert_eq "$(jq .peer_netns <<<"$dev_json")" "$peer_ino" peer_netns
		peer_name=$(ip -n "$peer_ns" -j link | jq -r --argjson i "$(jq .link_index <<<"$link")" \
			'.[] | select(.ifindex == $i) | .ifname')
		assert_eq "$(jq -r .peer_name <<<"$dev_json")" "$peer_name" peer_name
	done
	# The text tree shows the pair as ip does, dev@ifPEER.
	run "$NSTRACE" ls
	[ "$status" -eq 0 ]
	[[ "$output" == *"$VA@if"* ]]
	[[ "$output" == *"in $ino_b"* ]]
}

@test "ls: an unnamed netns with a process, found by identify and pids" {
	bg_in unshare -n
	pid=$PID
	ino=$(ns_inode "$pid" net)
	ls_json
	n=$(netns "$ino")
	[ -n "$n" ]
	assert_eq "$(jq -c .names <<<"$n")" "[]" names
	assert_eq "$(jq -c .pids <<<"$n")" "[$pid]" pids
	assert_eq "$(jq -r '.processes[0].comm' <<<"$n")" sleep comm
	assert_eq "$(jq -c '[.interfaces[].name]' <<<"$n")" '["lo"]' interfaces

	run "$NSTRACE" identify "$pid"
	[ "$status" -eq 0 ]
	assert_eq "$output" "$ino" identify
	run "$NSTRACE" identify --json "$pid"
	[ "$status" -eq 0 ]
	assert_eq "$(jq .netns.inode <<<"$output")" "$ino" "identify --json"

	for arg in "$ino" "net:[$ino]" "/proc/$pid/ns/net"; do
		run "$NSTRACE" pids "$arg"
		[ "$status" -eq 0 ]
		assert_eq "$output" "$pid" "pids $arg"
	done
}

@test "ls: a netns held only by another process's fd names that fd" {
	bg_in unshare -n
	owner=$PID
	ino=$(ns_inode "$owner" net)
	# The holder opens the namespace, then its only process goes away.
	bg sh -c "exec 7</proc/$owner/ns/net; exec sleep 60"
	holder=${BG[1]}
	for _ in $(seq 100); do
		[ "$(stat -L -c %i "/proc/$holder/fd/7" 2>/dev/null)" = "$ino" ] && break
		sleep 0.05
	done
	kill "$owner"
	wait "$owner" || true
	ls_json
	n=$(netns "$ino")
	[ -n "$n" ]
	assert_eq "$(jq -c .pids <<<"$n")" "[]" pids
	assert_eq "$(jq -c '[.holders[] | {kind, pid, fd}]' <<<"$n")" \
		"[{\"kind\":\"fd\",\"pid\":$holder,\"fd\":7}]" holders
	run "$NSTRACE" ls
	[[ "$output" == *"held by fd 7 of sleep($holder)"* ]]
}

@test "ls: a netns held only by a socket of a process outside it names that socket" {
	ready=$BATS_TEST_TMPDIR/ready
	# unshare, open a socket, setns back home: only the socket is left in.
	bg python3 -c '
import ctypes, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)
if libc.unshare(0x40000000):
    sys.exit("unshare: %s" % os.strerror(ctypes.get_errno()))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ino = os.stat("/proc/thread-self/ns/net").st_ino
if libc.setns(home, 0x40000000):
    sys.exit("setns: %s" % os.strerror(ctypes.get_errno()))
with open(sys.argv[1], "w") as f:
    f.write("%d %d\n" % (ino, s.fileno()))
time.sleep(60)
' "$ready"
	pid=${BG[0]}
	wait_for "$ready"
	read -r ino fd <"$ready"
	ls_json
	n=$(netns "$ino")
	[ -n "$n" ]
	assert_eq "$(jq -c .pids <<<"$n")" "[]" pids
	assert_eq "$(jq -c '[.holders[] | {kind, pid, fd, family}]' <<<"$n")" \
		"[{\"kind\":\"socket\",\"pid\":$pid,\"fd\":$fd,\"family\":\"inet\"}]" holders
}

@test "ls: every netns that lsns and ip netns list show, and that is still there" {
	ip netns add "$A"
	lsns=$(lsns -t net -J -o NS,PID)
	names=$(ip netns list | awk '{print $1}')
	ls_json
	for row in $(jq -r '.namespaces[] | "\(.ns):\(.pid)"' <<<"$lsns"); do
		ino=${row%%:*} pid=${row##*:}
		# Only if it outlived the scan: another suite may have ended it.
		[ "$(ns_inode "$pid" net 2>/dev/null)" = "$ino" ] || continue
		[ -n "$(netns "$ino")" ] || {
			echo "netns $ino of pid $pid (lsns) missing" >&2
			return 1
		}
	done
	for name in $names; do
		ino=$(netns_ino "$name" 2>/dev/null) || continue
		got=$(netns "$ino" | jq -r --arg n "$name" '.names | index($n)')
		[ "$got" != null ] && [ -n "$got" ] || {
			echo "ip netns $name ($ino) missing" >&2
			return 1
		}
	done
	# Exactly one init netns, and it is ours.
	assert_eq "$(jq '[.netns[] | select(.init)] | length' "$OUT")" 1 "init netns"
	assert_eq "$(jq '.netns[] | select(.init) | .inode' "$OUT")" "$(ns_inode $$ net)" "init inode"
}

@test "ls -t and --all: the other types, with processes, owners and parents" {
	bg_in unshare -u -i
	pid=$PID
	ls_json -t uts,ipc
	for type in uts ipc; do
		ino=$(ns_inode "$pid" "$type")
		ns=$(jq -c --argjson i "$ino" '.namespaces[] | select(.inode == $i)' "$OUT")
		assert_eq "$(jq -r .type <<<"$ns")" "$type" type
		assert_eq "$(jq -c .pids <<<"$ns")" "[$pid]" pids
		assert_eq "$(jq .owner <<<"$ns")" "$(ns_inode $$ user)" owner
	done
	assert_eq "$(jq '[.namespaces[].type] | unique' -c "$OUT")" '["ipc","uts"]' types
	ls_json --all
	assert_eq "$(jq -c '[.namespaces[].type] | unique' "$OUT")" \
		'["cgroup","ipc","mnt","net","pid","time","user","uts"]' "all types"
	assert_eq "$(jq --argjson i "$(ns_inode $$ user)" \
		'.namespaces[] | select(.inode == $i) | .init' "$OUT")" true "init user ns"
	run "$NSTRACE" ls -t uts
	[ "$status" -eq 0 ]
	[[ "$output" == *"$(ns_inode "$pid" uts) uts"* ]]
}

@test "where: the netns that has an interface of that name, with its ifindex" {
	ip netns add "$A"
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	ino=$(netns_ino "$A")
	idx=$(ip -n "$A" -j link show "$VA" | jq .[0].ifindex)
	idb=$(ip -n "$A" -j link show "$VB" | jq .[0].ifindex)
	run "$NSTRACE" where "$VA"
	[ "$status" -eq 0 ]
	assert_eq "$output" "$ino $idx $A
  peer $VB $idb in $ino $A" where
	run "$NSTRACE" where --json "$VB"
	[ "$status" -eq 0 ]
	assert_eq "$(jq -c '.netns' <<<"$output")" \
		"[{\"inode\":$ino,\"ifindex\":$idb,\"ifname\":\"$VB\",\"names\":[\"$A\"],\"peer\":{\"ifname\":\"$VA\",\"ifindex\":$idx,\"netns\":$ino,\"netns_names\":[\"$A\"]}}]" \
		"where --json"
	# By ifindex in a netns given by name, inode or path.
	for n in "$A" "$ino" "net:[$ino]" "/run/netns/$A"; do
		run "$NSTRACE" where --netns "$n" "$idb"
		[ "$status" -eq 0 ]
		assert_eq "$output" "$ino $idb $A
  peer $VA $idx in $ino $A" "where --netns $n"
	done
	run "$NSTRACE" where --netns "$A" 999999
	[ "$status" -eq 1 ]
	assert_eq "$output" "nstrace where: no interface of index 999999 in network namespace '$A'" "an ifindex it has not"
	run "$NSTRACE" where --netns "nst$$_nosuch" 1
	[ "$status" -eq 1 ]
	assert_eq "$output" "nstrace where: no network namespace 'nst$$_nosuch'" "a netns there is not"
	run "$NSTRACE" where --netns "$A" "$VA"
	[ "$status" -eq 2 ]
	assert_eq "${lines[0]}" "nstrace where: not an ifindex (with --netns): '$VA'" "a name with --netns"
}

@test "pids NAME: the processes ip netns exec runs in it" {
	ip netns add "$A"
	bg_in ip netns exec "$A"
	pid=$PID
	run "$NSTRACE" pids "$A"
	[ "$status" -eq 0 ]
	assert_eq "$output" "$pid" pids
	run "$NSTRACE" pids --json "$A"
	assert_eq "$(jq -c .pids <<<"$output")" "[$pid]" "pids --json"
	run "$NSTRACE" identify "$pid"
	assert_eq "$output" "$(netns_ino "$A") $A" identify
}

@test "bad input: unknown pid, name or interface is one line and exit 1; bad usage exit 2" {
	run "$NSTRACE" identify 4194000
	[ "$status" -eq 1 ]
	assert_eq "$output" "nstrace identify: no process with pid 4194000" identify
	run "$NSTRACE" pids "nst$$_nosuch"
	[ "$status" -eq 1 ]
	assert_eq "$output" "nstrace pids: no network namespace 'nst$$_nosuch'" pids
	run "$NSTRACE" where "nosuch$$"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$NSTRACE" pids 1
	[ "$status" -eq 1 ]
	run "$NSTRACE" identify abc
	[ "$status" -eq 2 ]
	run "$NSTRACE" identify
	[ "$status" -eq 2 ]
	run "$NSTRACE" ls -t bogus
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "nstrace ls: unknown namespace type: 'bogus'" ]]
	run "$NSTRACE" ls extra
	[ "$status" -eq 2 ]
	run "$NSTRACE" where "waytoolonginterfacename"
	[ "$status" -eq 2 ]
}

@test "ls: processes and namespaces that come and go mid-scan never break the output" {
	stop=$BATS_TEST_TMPDIR/stop
	bg sh -c "while [ ! -e $stop ]; do unshare -n true; done"
	bg sh -c "i=0; while [ ! -e $stop ]; do ip netns add $A\$i && ip netns del $A\$i; i=\$((i+1)); done"
	for _ in $(seq 20); do
		ls_json
		"$NSTRACE" ls >/dev/null
	done
	touch "$stop"
}

@test "ls: the text tree fits 80 columns" {
	ip netns add "$A"
	ip netns add "$B"
	ip link add "$VA" netns "$A" type veth peer name "$VB" netns "$B"
	run "$NSTRACE" ls
	[ "$status" -eq 0 ]
	long=$(printf '%s\n' "$output" | awk 'length > 80')
	assert_eq "$long" "" "lines over 80 columns"
	[[ "$output" == *"net:[$(netns_ino "$A")] $A"* ]]
}

@test "ls: an fd of each type is named by --all, and the net one by the netns view" {
	bg_in unshare -U -n -u -i -m -C -p -T -f --kill-child
	owner=$PID
	# pid and time apply to the children: the *_for_children links.
	held=$BATS_TEST_TMPDIR/held
	bg bash -c "exec 3</proc/$owner/ns/net 4</proc/$owner/ns/uts \
		5</proc/$owner/ns/ipc 6</proc/$owner/ns/mnt \
		7</proc/$owner/ns/cgroup 8</proc/$owner/ns/user \
		9</proc/$owner/ns/pid_for_children \
		0</proc/$owner/ns/time_for_children; echo >$held; exec sleep 60"
	holder=${BG[1]}
	# A slow machine (the test VM) may take a while to open eight files.
	for _ in $(seq 600); do
		[ -s "$held" ] && break
		sleep 0.05
	done
	[ -s "$held" ] || {
		echo "the holder never opened its eight namespace files" >&2
		return 1
	}
	ls_json --all
	# fd 0 for the eighth: bash may close its fds above 9 on exec.
	for type_fd in net:3 uts:4 ipc:5 mnt:6 cgroup:7 user:8 pid:9 time:0; do
		type=${type_fd%:*} fd=${type_fd#*:}
		ino=$(stat -L -c %i "/proc/$holder/fd/$fd")
		ns=$(jq -c --argjson i "$ino" '.namespaces[] | select(.inode == $i)' "$OUT")
		assert_eq "$(jq -r .type <<<"$ns")" "$type" "type of fd $fd"
		assert_eq "$(jq -c --argjson p "$holder" \
			'[.holders[] | select(.kind == "fd" and .pid == $p) | .fd]' <<<"$ns")" \
			"[$fd]" "$type held by fd $fd"
	done
	ls_json
	n=$(netns "$(stat -L -c %i "/proc/$holder/fd/3")")
	[ -n "$n" ]
	assert_eq "$(jq -c --argjson p "$holder" \
		'[.holders[] | select(.kind == "fd" and .pid == $p) | .fd]' <<<"$n")" \
		"[3]" "netns held by fd 3"
	assert_eq "$(jq .owner <<<"$n")" "$(ns_inode "$owner" user)" owner
}

@test "ls: a walk too big for the first ring buffer is loaded again, whole" {
	# 1 MiB holds about 8000 devices: 4200 veth pairs need the 16 MiB.
	# One queue each: a veth has one per CPU by default, and the test VM
	# has 1 GiB.
	big=$(tname lfxbig)
	ip netns add "$big"
	for ((i = 0; i < 4200; i++)); do
		echo "link add a$i numtxqueues 1 numrxqueues 1 type veth" \
			"peer name b$i numtxqueues 1 numrxqueues 1"
	done | ip -n "$big" -batch -
	ls_json
	n=$(netns "$(netns_ino "$big")")
	assert_eq "$(jq '.interfaces | length' <<<"$n")" \
		"$(ip -n "$big" -j link show | jq length)" interfaces
	assert_eq "$(jq -c '[.interfaces[] | select(.name == "b4199") | .peer_name]' <<<"$n")" \
		'["a4199"]' "the last pair"
}
