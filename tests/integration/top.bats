#!/usr/bin/env bats
# nstrace top, driven in a real terminal: tmux at 80x24 runs a shell that
# runs it, keys go in with send-keys, and what the screen shows comes back
# with capture-pane, while real namespaces are made, veths moved and
# namespaces deleted. Other suites run at the same time, so the view is
# filtered to this file's own namespaces (tpx-a, tpx-b), and they are
# named by inode and name.

load helpers

setup() {
	need_root
	command -v tmux >/dev/null || skip_or_fail "needs tmux"
	SOCK=tpx$$
	A=tpx-a
	B=tpx-b
	cleanup_netns
}

teardown() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	cleanup_netns
}

cleanup_netns() {
	local ns
	for ns in $A $B; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

T() {
	tmux -L "$SOCK" "$@"
}

screen() {
	T capture-pane -p -t top
}

# wait_screen REGEX [SECS]: until a line of the screen matches.
wait_screen() {
	local secs=${2:-10}
	for _ in $(seq $((secs * 10))); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never showed /$1/:" >&2
	screen >&2
	return 1
}

# wait_screen_not REGEX [SECS]: until no line matches.
wait_screen_not() {
	local secs=${2:-10}
	for _ in $(seq $((secs * 10))); do
		screen | grep -qE -- "$1" || return 0
		sleep 0.1
	done
	echo "the screen still shows /$1/:" >&2
	screen >&2
	return 1
}

# section INODE: the screen's lines from that netns to the next one.
section() {
	screen | awk -v ino="$1" '/^netns / { on = ($2 == ino) } on'
}

# A shell in an 80x24 terminal, running nstrace top ARGS, filtered to the
# test's namespaces.
start_top() {
	T new-session -d -s top -x 80 -y 24 "env PS1='tpx\$ ' bash --norc --noprofile"
	wait_screen '^tpx\$' 5
	T send-keys -t top -l "$NSTRACE top $*"
	T send-keys -t top Enter
	wait_screen '^sort inode .* netns' 10
	T send-keys -t top -l "/tpx-"
	T send-keys -t top Enter
	wait_screen '^filter tpx-  sort inode'
}

top_pid() {
	child_of "$(T display -p -t top '#{pane_pid}')"
}

ifindex() { # NETNS IFNAME
	ip -n "$1" -j link show "$2" | jq '.[0].ifindex'
}

make_pair() {
	ip netns add $A
	ip netns add $B
	ip -n $A link add tpxa0 type veth peer name tpxb0 netns $B
	INO_A=$(stat -L -c %i /run/netns/$A)
	INO_B=$(stat -L -c %i /run/netns/$B)
}

@test "top shows each netns with its name and its interfaces as ip does" {
	start_top
	make_pair
	IA=$(ifindex $A tpxa0)
	IB=$(ifindex $B tpxb0)
	wait_screen "^netns $INO_A (\+new )?$A \(0 procs, 2 ifs\)"
	wait_screen "^netns $INO_B (\+new )?$B \(0 procs, 2 ifs\)"
	# Names, peers and their namespaces come with the inventory's refresh.
	wait_screen "^  [+ ]  tpxa0 if$IA( new)? veth peer tpxb0 if$IB in $INO_B\$"
	wait_screen "^  [+ ]  tpxb0 if$IB( new)? veth peer tpxa0 if$IA in $INO_A\$"
	section "$INO_A" | grep -qE "^  [+ ]  lo if$(ifindex $A lo)( new)?\$"
	# A process that enters the netns is counted.
	ip netns exec $A sleep 30 &
	sleeper=$!
	wait_screen "^netns $INO_A (\+new )?$A \(1 proc, 2 ifs\)"
	kill "$sleeper"
	# The screen is the terminal's size: the header first, the keys last.
	assert_eq "$(screen | wc -l)" 24 lines
	screen | head -1 | grep -q '^filter tpx-  sort inode'
	screen | tail -1 | grep -q '^nstrace top (.*)  q quit'
}

@test "top marks a moving interface in both namespaces until the mark time" {
	start_top --mark 3
	make_pair
	ip -n $A link add tpxm0 type veth peer name tpxm1
	OLD=$(ifindex $A tpxm0)
	wait_screen "^     tpxm0 if$OLD veth peer tpxm1" 10
	ip -n $A link set tpxm0 netns $B
	moved=$(date +%s%N)
	NEW=$(ifindex $B tpxm0)
	wait_screen "^  -> tpxm0 if$OLD moved to $INO_B $B\$" 3
	wait_screen "^  <- tpxm0 if$NEW from $INO_A $A veth" 3
	# Each mark under its own netns.
	section "$INO_A" | grep -q "^  -> tpxm0 if$OLD moved to $INO_B"
	section "$INO_B" | grep -q "^  <- tpxm0 if$NEW from $INO_A"
	# The other end now says where its peer went.
	wait_screen "tpxm1 if[0-9]+ veth peer tpxm0 if$NEW in $INO_B\$" 5
	# The marks go after their 3 s, not before: the interface stays in B.
	wait_screen_not "tpxm0 if[0-9]+ (moved to|from)" 10
	gone=$(date +%s%N)
	[ $(((gone - moved) / 1000000)) -ge 2500 ] || {
		echo "marks went after $(((gone - moved) / 1000000)) ms" >&2
		return 1
	}
	section "$INO_B" | grep -q "^     tpxm0 if$NEW veth peer tpxm1"
	section "$INO_A" | lacks -E "^  .. tpxm0 if"
}

@test "top marks an interface renamed in place, and its peer names it anew" {
	start_top --mark 3
	make_pair
	IA=$(ifindex $A tpxa0)
	IB=$(ifindex $B tpxb0)
	wait_screen "^  [+ ]  tpxb0 if$IB( new)? veth peer tpxa0 if$IA in $INO_A\$"
	ip -n $A link set tpxa0 name tpxr0
	wait_screen "^  ~  tpxr0 if$IA renamed from tpxa0 veth peer tpxb0 if$IB in $INO_B\$" 3
	section "$INO_A" | grep -q "^  ~  tpxr0 if$IA renamed from tpxa0"
	# The other end's peer name follows, in the other netns.
	section "$INO_B" | grep -qE "tpxb0 if$IB( new)? veth peer tpxr0 if$IA in $INO_A\$"
	wait_screen_not "renamed from" 10
	section "$INO_A" | grep -q "^     tpxr0 if$IA veth peer tpxb0"
	screen | lacks -E "tpxa0 if$IA"
}

@test "top marks a new netns and a dying one, then lets the dead one go" {
	start_top --mark 3
	make_pair
	wait_screen "^netns $INO_B \+new $B \(" 3
	wait_screen "^netns $INO_B $B \(" 6
	ip netns del $B
	wait_screen "^netns $INO_B -gone $B\$" 5
	section "$INO_B" | grep -q "^  -  tpxb0 if[0-9]* deleted"
	# Its peer died with it.
	wait_screen "^  -  tpxa0 if[0-9]* deleted" 3
	wait_screen_not "^netns $INO_B " 8
	screen | grep -q "^netns $INO_A $A "
}

@test "top filters, sorts and pauses by keys" {
	start_top --mark 3
	make_pair
	ip -n $B link add tpxb1 type veth peer name tpxb2
	wait_screen "^netns $INO_A $A \(0 procs, 2 ifs\)" 8
	wait_screen "^netns $INO_B $B \(0 procs, 4 ifs\)" 8
	# Filter to B alone, by name; then by inode.
	T send-keys -t top -l "/$B"
	T send-keys -t top Enter
	wait_screen "^filter $B  sort"
	wait_screen_not "^netns $INO_A "
	assert_eq "$(screen | grep -c '^netns ')" 1 "netns shown"
	T send-keys -t top -l "/$INO_A"
	T send-keys -t top Enter
	wait_screen "^netns $INO_A $A "
	assert_eq "$(screen | grep -c '^netns ')" 1 "netns shown"
	T send-keys -t top -l "/tpx-"
	T send-keys -t top Enter
	# Sort by name: A first; by interfaces: B (4) before A (2).
	T send-keys -t top s
	wait_screen "^filter tpx-  sort name "
	assert_eq "$(screen | grep '^netns ' | awk '{print $3}' | tr '\n' ' ')" "$A $B " "by name"
	T send-keys -t top s
	wait_screen "^filter tpx-  sort interfaces "
	assert_eq "$(screen | grep '^netns ' | awk '{print $3}' | tr '\n' ' ')" "$B $A " "by interfaces"
	T send-keys -t top s
	wait_screen "^filter tpx-  sort inode "
	# Paused, a move is held back, and shown on resume.
	T send-keys -t top p
	# (other suites' namespace events are held too: not 0 queued, then)
	wait_screen "^PAUSED \([0-9]+ queued\)"
	ip -n $B link set tpxb1 netns $A
	wait_screen "^PAUSED \([1-9][0-9]* queued\)" 5
	sleep 1
	screen | lacks "tpxb1 if[0-9]* \(moved\|from\)"
	section "$INO_B" | grep -q "^     tpxb1 if"
	T send-keys -t top p
	wait_screen "^  <- tpxb1 if[0-9]+ from $INO_B $B" 3
	section "$INO_B" | grep -q "^  -> tpxb1 if[0-9]* moved to $INO_A $A"
	# Help, and any key closes it.
	T send-keys -t top '?'
	wait_screen "^  p +pause the picture"
	T send-keys -t top x
	wait_screen "^netns $INO_A "
}

@test "top redraws to the terminal's new size" {
	start_top
	make_pair
	wait_screen "^netns $INO_B "
	T resize-window -t top -x 50 -y 12
	wait_screen "^nstrace top .*q quit" 5
	for _ in $(seq 50); do
		[ "$(screen | wc -l)" = 12 ] && screen | tail -1 | grep -q '^nstrace top' && break
		sleep 0.1
	done
	assert_eq "$(screen | wc -l)" 12 lines
	screen | head -1 | grep -q '^filter tpx-  sort inode'
	screen | tail -1 | grep -q '^nstrace top'
	# Cut at the width, not wrapped: no line longer than 50 columns.
	assert_eq "$(screen | awk 'length > 50' | wc -l)" 0 "long lines"
	screen | grep -q "^netns $INO_A "
	T resize-window -t top -x 80 -y 24
	wait_screen "^nstrace top \(.*\)  q quit p pause / filter s sort \? help"
	assert_eq "$(screen | wc -l)" 24 lines
}

@test "top scrolls a tree longer than the screen" {
	start_top
	make_pair
	wait_screen "tpxb0 if[0-9]+ veth peer tpxa0"
	# Two netns of two interfaces each: 6 rows, 4 on a screen of 6 lines.
	T resize-window -t top -x 80 -y 6
	wait_screen "  1-4/6\$"
	screen | sed -n 2p | grep -q "^netns $INO_A "
	T send-keys -t top Down
	wait_screen "  2-5/6\$"
	screen | sed -n 2p | grep -q "lo if1"
	T send-keys -t top End
	wait_screen "  3-6/6\$"
	screen | sed -n 2p | grep -q "tpxa0 if"
	T send-keys -t top Home
	wait_screen "  1-4/6\$"
	T send-keys -t top NPage
	wait_screen "  3-6/6\$"
	screen | sed -n 6p | grep -q "^nstrace top"
	T send-keys -t top PPage
	wait_screen "  1-4/6\$"
}

@test "top leaves the terminal as it found it, after q and after SIGTERM" {
	start_top
	assert_eq "$(T display -p -t top '#{alternate_on}')" 1 "alternate screen"
	T send-keys -t top q
	wait_screen '^nstrace: [0-9]+ events, [0-9]+ lost$' 5
	wait_screen '^tpx\$ ?$' 5
	assert_eq "$(T display -p -t top '#{alternate_on}')" 0 "alternate screen"
	T send-keys -t top -l 'echo rc=$?; stty -a | grep -o " icanon\| echo "'
	T send-keys -t top Enter
	wait_screen '^rc=0$'
	wait_screen '^ icanon$'
	wait_screen '^ echo ?$'
	# Once more, ended by a signal this time.
	T send-keys -t top -l "clear; $NSTRACE top"
	T send-keys -t top Enter
	wait_screen '^sort inode .* netns'
	pid=$(top_pid)
	[ -n "$pid" ]
	# It kept what a refresh needs, CAP_BPF and CAP_PERFMON, and no more.
	assert_eq "$(awk '/^CapEff/ {print $2}' /proc/$pid/status)" 000000c000000000 CapEff
	assert_eq "$(awk '/^CapPrm/ {print $2}' /proc/$pid/status)" 000000c000000000 CapPrm
	assert_eq "$(awk '/^NoNewPrivs/ {print $2}' /proc/$pid/status)" 1 NoNewPrivs
	kill -TERM "$pid"
	wait_screen '^tpx\$ ?$' 5
	assert_eq "$(T display -p -t top '#{alternate_on}')" 0 "alternate screen"
	T send-keys -t top -l 'echo rc=$?'
	T send-keys -t top Enter
	wait_screen '^rc=0$'
}

@test "top shows hostile interface names escaped" {
	start_top
	ip netns add $A
	INO_A=$(stat -L -c %i /run/netns/$A)
	ip -n $A link add $'tpx\e[7m\a' type veth peer name tpxe1
	# Literally, backslash and hex: the terminal never got the bytes.
	wait_screen '^  [+ ]  tpx\\x1b\[7m\\x07 if[0-9]+( new)? veth peer tpxe1'
	[ "$(T display -p -t top '#{alternate_on}')" = 1 ]
}

@test "top refuses to run without a terminal, and bad options" {
	run "$NSTRACE" top </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: top needs a terminal: its standard output is not one" ]
	run "$NSTRACE" top --bogus
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "nstrace top: unknown option: '--bogus'" ]
	run "$NSTRACE" top --mark 0
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "nstrace top: mark time must be 1 to 3600 seconds: '0'" ]
	run "$NSTRACE" top extra
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "nstrace top: unexpected argument: 'extra'" ]
}
