#!/usr/bin/env bats
# ns.create and ns.setns against namespaces made by unshare, ip netns,
# nsenter and raw clone/clone3/setns, each inode checked against /proc.

load helpers

NSTOOL=${NSTOOL:-$BATS_TEST_DIRNAME/../../build/tools/nstool}

setup() {
	need_root
	NETNS=$(tname ns)
}

# assert_setns_from_ours PID COMM TARGET TYPE...: one ns.setns of PID (a
# child of ours) per TYPE, from our namespace of that type to TARGET's,
# and no other event of PID.
assert_setns_from_ours() {
	local p=$1 comm=$2 t=$3 type e
	shift 3
	for type in "$@"; do
		e=$(one ".pid == $p and .ns_type == \"$type\"")
		assert_task "$e" "$p" "$comm" "$BASHPID"
		assert_eq "$(jq -r .from_ns <<<"$e")" "$(ns_inode $$ "$type")" "$type from"
		assert_eq "$(jq -r .to_ns <<<"$e")" "$(ns_inode "$t" "$type")" "$type to"
	done
	assert_eq "$(count ".pid == $p")" $# "events of $comm"
}

teardown() {
	teardown_nstrace
	ip netns del "$NETNS" 2>/dev/null || true
	[ -z "${BG:-}" ] || kill $BG 2>/dev/null || true
}

# unshare_case OPT TYPE FORK: unshare OPT sleep, check the one event.
unshare_case() {
	local opt=$1 type=$2 fork=$3 p c ino e
	start_nstrace -e ns.create -t "$type"
	if [ "$fork" = fork ]; then
		unshare "$opt" -f sleep 30 &
		p=$!
		BG=$p
		wait_for child_of $p
		c=$(child_of $p)
		wait_for comm_is "$c" sleep
	else
		unshare "$opt" sleep 30 &
		p=$!
		BG=$p
		wait_for comm_is $p sleep
		c=$p
	fi
	ino=$(ns_inode "$c" "$type")
	[ "$ino" != "$(ns_inode $$ "$type")" ]
	stop_nstrace
	e=$(one ".ns == $ino")
	assert_task "$e" $p unshare "$BASHPID"
	assert_eq "$(jq -r .event <<<"$e")" ns.create event
	assert_eq "$(jq -r .ns_type <<<"$e")" "$type" ns_type
	assert_eq "$(jq -r .syscall <<<"$e")" unshare syscall
	# -t TYPE: nothing of another type gets through.
	assert_eq "$(count ".ns_type != \"$type\"")" 0 "events of other types"
	# A cookie is the kernel's netns cookie, and a netns's alone.
	if [ "$type" = net ]; then
		assert_cookie "$e" ns "$(netns_cookie "$c")"
	else
		assert_eq "$(jq -r 'has("ns_cookie")' <<<"$e")" false "ns_cookie of $type"
	fi
}

@test "unshare -n: ns.create net with the new netns inode" {
	unshare_case -n net nofork
}

@test "unshare -m: ns.create mnt" {
	unshare_case -m mnt nofork
}

@test "unshare -u: ns.create uts" {
	unshare_case -u uts nofork
}

@test "unshare -i: ns.create ipc" {
	unshare_case -i ipc nofork
}

@test "unshare -p -f: ns.create pid, the inode the child lives in" {
	unshare_case -p pid fork
}

@test "unshare -U: ns.create user" {
	unshare_case -U user nofork
}

@test "unshare -C: ns.create cgroup" {
	unshare_case -C cgroup nofork
}

@test "unshare -T -f: ns.create time, the inode the child lives in" {
	unshare_case -T time fork
}

# clone_case SYSCALL TYPES: one event per type, with the child's inodes.
clone_case() {
	local sc=$1 types=${2//,/ } out p c e t cookie
	local -A ino
	start_nstrace -e ns.create
	out=$BATS_TEST_TMPDIR/child
	"$NSTOOL" "$sc" "$2" 5 >"$out" &
	p=$!
	BG=$p
	wait_for test -s "$out"
	c=$(cat "$out")
	for t in $types; do
		ino[$t]=$(ns_inode "$c" "$t")
	done
	# nsenter's setns is no ns.create: -e leaves it out.
	cookie=$(netns_cookie "$c")
	kill $p
	stop_nstrace
	for t in $types; do
		e=$(one ".pid == $p and .ns_type == \"$t\"")
		assert_task "$e" $p nstool "$BASHPID"
		assert_eq "$(jq -r .ns <<<"$e")" "${ino[$t]}" "$t inode"
		assert_eq "$(jq -r .syscall <<<"$e")" "$sc" syscall
		assert_eq "$(jq -r .child_pid <<<"$e")" "$c" child_pid
		if [ "$t" = net ]; then
			assert_cookie "$e" ns "$cookie"
		else
			assert_eq "$(jq -r 'has("ns_cookie")' <<<"$e")" false "ns_cookie of $t"
		fi
	done
	assert_eq "$(count ".pid == $p")" "$(wc -w <<<"$types")" "events of nstool"
}

@test "clone(2) with seven CLONE_NEW* flags: seven ns.create, syscall clone" {
	clone_case clone net,mnt,uts,ipc,pid,user,cgroup
}

@test "clone3(2) with all eight CLONE_NEW* flags: eight ns.create, syscall clone3" {
	clone_case clone3 net,mnt,uts,ipc,pid,user,cgroup,time
}

@test "clone without CLONE_NEW* flags gives no event" {
	start_nstrace -e ns.create
	"$NSTOOL" clone "" 0 >/dev/null
	p=$!
	stop_nstrace
	assert_eq "$(count '.comm == "nstool"')" 0 "events of nstool"
}

@test "ip netns add: ns.create net with the inode of /run/netns/NAME" {
	start_nstrace
	ip netns add "$NETNS"
	stop_nstrace
	ino=$(stat -L -c %i "/run/netns/$NETNS")
	e=$(one ".event == \"ns.create\" and .ns == $ino")
	assert_eq "$(jq -r .comm <<<"$e")" ip comm
	assert_eq "$(jq -r .ns_type <<<"$e")" net ns_type
	assert_eq "$(jq -r .syscall <<<"$e")" unshare syscall
	assert_time "$(jq -r .time <<<"$e")"
	assert_cookie "$e" ns "$(netns_cookie "$NETNS")"
}

@test "ip netns exec: ns.setns net into the named netns, and a new mount ns" {
	ip netns add "$NETNS"
	start_nstrace
	ip netns exec "$NETNS" sleep 300 &
	p=$!
	BG=$p
	wait_for comm_is $p sleep
	to=$(stat -L -c %i "/run/netns/$NETNS")
	assert_eq "$(ns_inode $p net)" "$to" "netns of the exec'd process"
	mnt=$(ns_inode $p mnt)
	kill $p
	stop_nstrace
	e=$(one ".event == \"ns.setns\" and .pid == $p and .ns_type == \"net\"")
	assert_task "$e" $p ip "$BASHPID"
	assert_eq "$(jq -r .from_ns <<<"$e")" "$(ns_inode $$ net)" from_ns
	assert_eq "$(jq -r .to_ns <<<"$e")" "$to" to_ns
	assert_cookie "$e" from_ns "$(netns_cookie)"
	assert_cookie "$e" to_ns "$(netns_cookie "$NETNS")"
	e=$(one ".event == \"ns.create\" and .pid == $p and .ns_type == \"mnt\"")
	assert_eq "$(jq -r .ns <<<"$e")" "$mnt" "mount ns of ip netns exec"
	assert_eq "$(jq -r 'has("from_ns_cookie") or has("ns_cookie")' <<<"$e")" false "cookie of a mnt event"
}

@test "nsenter -n -u: one ns.setns per type, from ours to the target's" {
	unshare -n -u sleep 300 &
	t=$!
	BG=$t
	wait_for comm_is $t sleep
	start_nstrace -e ns.setns
	nsenter -t $t -n -u sleep 300 &
	p=$!
	BG="$t $p"
	wait_for comm_is $p sleep
	kill $p
	stop_nstrace
	assert_setns_from_ours $p nsenter $t net uts
}

@test "setns with a pidfd switching three types: three ns.setns events" {
	unshare -n -u -i sleep 300 &
	t=$!
	BG=$t
	wait_for comm_is $t sleep
	start_nstrace -e ns.setns
	out=$BATS_TEST_TMPDIR/pid
	"$NSTOOL" setns-pidfd $t net,uts,ipc >"$out"
	p=$(cat "$out")
	stop_nstrace
	assert_setns_from_ours $p nstool $t net uts ipc
}

@test "-p PID: only that process's events" {
	fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	(read -r _ <"$fifo"; exec unshare -n -u true) &
	p=$!
	start_nstrace -p $p
	unshare -n true
	echo go >"$fifo"
	wait $p
	stop_nstrace
	# Backends with hooks also see its netns's lo and its dying uts ns.
	assert_eq "$(count ".pid == $p and .event == \"ns.create\"")" 2 "ns.create of the traced pid"
	assert_eq "$(count ".pid != $p")" 0 "events of others"
}

@test "-e ns.setns: no ns.create" {
	ip netns add "$NETNS"
	start_nstrace -e ns.setns
	ip netns exec "$NETNS" true
	unshare -n true
	stop_nstrace
	[ "$(count '.event == "ns.setns"')" -ge 1 ]
	assert_eq "$(count '.event != "ns.setns"')" 0 "other events"
}

@test "hostile process names: JSON stays valid, text shows them escaped" {
	# ESC [31m, a quote, a newline, a backslash, CR, DEL and a lone 0xff.
	hex=1b5b33316d220a5c0d7fff
	start_nstrace -e ns.create
	p=$("$NSTOOL" comm $hex unshare net)
	stop_nstrace
	e=$(one ".pid == $p")
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TRACE_OUT"
	# As nstrace wrote it: control bytes escaped, the stray 0xff as U+FFFD.
	grep -F '"comm":"\u001b[31m\"\n\\\r\u007f\ufffd"' "$TRACE_OUT"
	assert_eq "$(jq -r .comm <<<"$e")" $'\e[31m"\n\\\r\x7f\xef\xbf\xbd' "decoded comm"
	# The same in text mode.
	TRACE_OUT=$BATS_TEST_TMPDIR/text
	"$NSTRACE" -e ns.create >"$TRACE_OUT" 2>"$BATS_TEST_TMPDIR/err" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$BATS_TEST_TMPDIR/err"
	p=$("$NSTOOL" comm $hex unshare net)
	kill -INT $TRACE_PID
	wait $TRACE_PID
	TRACE_PID=
	grep -F '\x1b[31m"\x0a\\\x0d\x7f\xff' "$TRACE_OUT"
	lacks $'\x1b' <"$TRACE_OUT"
	lacks $'\r' <"$TRACE_OUT"
	head -1 "$TRACE_OUT" | grep -q '^TIME  *EVENT  *PID  *COMM  *TYPE  *NS  *DETAILS$'
}
