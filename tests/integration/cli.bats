#!/usr/bin/env bats
# The command line: bad input, privileges, and the ways a stream ends.

load helpers

teardown() {
	teardown_nstrace
}

# usage_error ARGS...: exit 2, one message line naming the problem, usage.
usage_error() {
	run "$NSTRACE" "$@"
	assert_eq "$status" 2 "exit status of nstrace $*"
	[[ ${lines[0]} == "nstrace: "* ]]
	grep -q '^usage: nstrace' <<<"$output"
}

@test "unknown options and bad values: usage on stderr, exit 2" {
	usage_error --bogus
	[[ ${lines[0]} == *"unknown option: '--bogus'"* ]]
	usage_error -x
	[[ ${lines[0]} == *"'-x'"* ]]
	usage_error -t net,bogus
	[[ ${lines[0]} == *"unknown namespace type: 'bogus'"* ]]
	usage_error -e ns.create,nope
	[[ ${lines[0]} == *"unknown event: 'nope'"* ]]
	usage_error -p abc
	usage_error -p 0
	usage_error -p -5
	usage_error --buffer-size 3000
	usage_error -o
	usage_error stray
	# Nothing of it on stdout.
	run --separate-stderr "$NSTRACE" --bogus
	assert_eq "$output" "" stdout
}

@test "a bad argument with terminal escapes: quoted escaped, no raw control byte" {
	local esc=$'\e[2J\a' cmd
	for cmd in "" doctor ls pids where history replay top; do
		# shellcheck disable=SC2086 # $cmd is one word or none
		run --separate-stderr "$NSTRACE" $cmd "--bo${esc}gus"
		[ "$status" -eq 2 ] || [ "$status" -eq 1 ] || {
			echo "nstrace $cmd: exit $status" >&2
			return 1
		}
		[[ ${stderr_lines[0]} == *'--bo\x1b[2J\x07gus'* ]] || {
			echo "nstrace $cmd: ${stderr_lines[0]}" >&2
			return 1
		}
		! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$stderr" || {
			echo "nstrace $cmd: a raw control byte on stderr" >&2
			return 1
		}
	done
	run --separate-stderr "$NSTRACE" ls -t "${esc}"
	assert_eq "$status" 2 "ls -t exit"
	[[ $stderr == *'\x1b[2J\x07'* ]]
}

@test "a netns that is not there, named with terminal escapes: quoted escaped" {
	# The lookup runs after the inventory, which needs the privileges.
	need_root
	run --separate-stderr "$NSTRACE" pids "x"$'\e[2J\a'
	assert_eq "$status" 1 "pids exit"
	[[ $stderr == *'x\x1b[2J\x07'* ]]
}

@test "--help and --version: stdout, exit 0" {
	run "$NSTRACE" --help
	assert_eq "$status" 0
	[[ ${lines[0]} == "usage: nstrace"* ]]
	run "$NSTRACE" --version
	assert_eq "$status" 0
	[[ $output == "nstrace "*"(JSON schema 1)" ]]
}

# Every command nstrace has; --help must list each one.
COMMANDS="doctor help history identify ls pids replay top where"

@test "--help: the stream's options, then every command with its summary" {
	run --separate-stderr "$NSTRACE" --help
	assert_eq "$status" 0
	assert_eq "$stderr" "" stderr
	[[ ${lines[0]} == "usage: nstrace [OPTIONS]" ]]
	local cmd opts_end list_start
	for cmd in $COMMANDS; do
		grep -Eq "^  $cmd +[a-z]" <<<"$output" || {
			echo "--help lists no $cmd" >&2
			return 1
		}
	done
	grep -qx '  top        the network namespaces, live, full screen' <<<"$output"
	# The commands come after the last option.
	opts_end=$(grep -n -- '--help  ' <<<"$output" | cut -d: -f1)
	list_start=$(grep -n '^  doctor ' <<<"$output" | cut -d: -f1)
	[ "$opts_end" -lt "$list_start" ]
	# No more commands than nstrace has.
	assert_eq "$(sed -n "${list_start},\$p" <<<"$output" | wc -l)" \
		"$(wc -w <<<"$COMMANDS")" "command lines"
	help=$output
	run --separate-stderr "$NSTRACE" help
	assert_eq "$status" 0
	assert_eq "$output" "$help" "nstrace help"
}

@test "help CMD and CMD --help: the same options of that command, exit 0" {
	local cmd own
	for cmd in $COMMANDS; do
		run --separate-stderr "$NSTRACE" help "$cmd"
		assert_eq "$status" 0 "exit of help $cmd"
		[[ ${lines[0]} == "usage: nstrace $cmd [OPTIONS]"* ]]
		grep -q -- '^  -h, --help ' <<<"$output"
		own=$output
		run --separate-stderr "$NSTRACE" "$cmd" --help
		assert_eq "$status" 0 "exit of $cmd --help"
		assert_eq "$output" "$own" "$cmd --help"
		assert_eq "$stderr" "" "stderr of $cmd --help"
	done
	run "$NSTRACE" help top
	grep -q -- '^  -m, --mark SECS ' <<<"$output"
	grep -q -- '^      --backend NAME ' <<<"$output"
	run "$NSTRACE" help ls
	grep -q -- '^  -a, --all ' <<<"$output"
	[[ $output != *--backend* ]]
}

@test "help nosuch: one sentence naming it, exit 2" {
	run --separate-stderr "$NSTRACE" help nosuch
	assert_eq "$status" 2
	assert_eq "$output" "" stdout
	assert_eq "${stderr_lines[0]}" "nstrace help: no such command: 'nosuch'"
	[[ ${stderr_lines[1]} == "usage: nstrace help [OPTIONS] [COMMAND]" ]]
	run --separate-stderr "$NSTRACE" help ls top
	assert_eq "$status" 2
	assert_eq "${stderr_lines[0]}" "nstrace help: unexpected argument: 'top'"
}

@test "without CAP_BPF/CAP_PERFMON: one sentence naming them, exit 1" {
	need_root
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NSTRACE"
	assert_eq "$status" 1
	assert_eq "${#lines[@]}" 1 "lines of output"
	[[ $output == *"needs CAP_BPF and CAP_PERFMON"* ]]
}

@test "a process that does not exist: exit 1 before attaching" {
	need_root
	run "$NSTRACE" -p 4194303
	assert_eq "$status" 1
	assert_eq "$output" "nstrace: no process with pid 4194303"
}

@test "an output file that cannot be opened: exit 1 before attaching" {
	need_root
	run "$NSTRACE" -o /nonexistent/dir/events.json
	assert_eq "$status" 1
	assert_eq "$output" "nstrace: cannot open /nonexistent/dir/events.json: No such file or directory"
}

@test "--btf with a missing file: exit 1, one sentence" {
	need_root
	run "$NSTRACE" --btf /nonexistent.btf
	assert_eq "$status" 1
	assert_eq "$output" "nstrace: cannot read BTF file /nonexistent.btf: No such file or directory"
}

@test "--btf with the kernel's own BTF file works" {
	need_root
	start_nstrace --btf /sys/kernel/btf/vmlinux -e ns.create
	unshare -n true
	stop_nstrace
	[ "$(count '.event == "ns.create" and .comm == "unshare"')" -ge 1 ]
}

@test "-o FILE: events go to the file, stdout stays empty" {
	need_root
	f=$BATS_TEST_TMPDIR/out.json
	start_nstrace -o "$f" -e ns.create
	unshare -u true
	stop_nstrace
	assert_eq "$(wc -c <"$TRACE_OUT")" 0 "bytes on stdout"
	[ "$(jq -c 'select(.comm == "unshare")' "$f" | wc -l)" -ge 1 ]
}

@test "SIGTERM: clean exit 0 with a summary line" {
	need_root
	start_nstrace
	unshare -n true
	kill -TERM "$TRACE_PID"
	wait "$TRACE_PID"
	rc=$?
	TRACE_PID=
	assert_eq "$rc" 0 "exit status"
	grep -Eq '^nstrace: [0-9]+ records written \([0-9]+ events, [0-9]+ ns\.name, 0 lost, 0 snapshot\), 0 events lost$' "$TRACE_ERR"
	[ "$(count '.event == "ns.create"')" -ge 1 ]
}

# assert_summary FILE ERR HEADER: ERR's summary counts FILE's records by
# kind, and they add up to its lines (HEADER lines aside).
assert_summary() {
	local lines names lost snap events
	lines=$(($(wc -l <"$1") - $3))
	if [ "$3" = 0 ]; then
		names=$(jq -c 'select(.event == "ns.name")' "$1" | wc -l)
		lost=$(jq -c 'select(.event == "lost")' "$1" | wc -l)
		snap=$(jq -c 'select(.event | startswith("snapshot."))' "$1" | wc -l)
	else
		names=$(awk '$2 == "ns.name"' "$1" | wc -l)
		lost=$(awk '$2 == "lost"' "$1" | wc -l)
		snap=$(awk '$2 ~ /^snapshot\./' "$1" | wc -l)
	fi
	events=$((lines - names - lost - snap))
	echo "$lines lines: $events events, $names ns.name, $lost lost, $snap snapshot" >&2
	[ "$names" -ge 2 ]
	[ "$snap" -ge 3 ]
	[ "$events" -ge 2 ]
	grep -q "^nstrace: $lines records written ($events events, $names ns.name, $lost lost, $snap snapshot), 0 events lost\$" "$2"
}

@test "the summary counts every record written: events, ns.name, snapshot" {
	need_root
	n=$(tname sum)
	start_nstrace --snapshot
	ip netns add "$n"
	ino=$(stat -L -c %i "/run/netns/$n")
	wait_events 1 ".event == \"ns.name\" and .ns == $ino and .op == \"add\""
	ip netns del "$n"
	wait_events 1 ".event == \"ns.destroy\" and .ns == $ino"
	stop_nstrace
	assert_summary "$TRACE_OUT" "$TRACE_ERR" 0
	# The text output says the same, under its header.
	out=$BATS_TEST_TMPDIR/text
	err=$BATS_TEST_TMPDIR/text.err
	"$NSTRACE" --snapshot >"$out" 2>"$err" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$err"
	ip netns add "$n"
	ino=$(stat -L -c %i "/run/netns/$n")
	wait_for grep -q " ns\.name .* $ino .*op=add" "$out"
	ip netns del "$n"
	stop_nstrace
	assert_summary "$out" "$err" 1
}

@test "nstrace --json | head -1: exits 0 when the reader goes away" {
	need_root
	err=$BATS_TEST_TMPDIR/err
	out=$BATS_TEST_TMPDIR/out
	( "$NSTRACE" --json 2>"$err"; echo $? >"$BATS_TEST_TMPDIR/rc" ) | head -1 >"$out" &
	pipeline=$!
	wait_for grep -q '^nstrace: tracing' "$err"
	# nstrace sees the closed pipe at its next write: keep events coming.
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/rc" ] && break
		unshare -u true
		sleep 0.05
	done
	wait $pipeline
	assert_eq "$(cat "$BATS_TEST_TMPDIR/rc")" 0 "exit status of nstrace"
	assert_eq "$(wc -l <"$out")" 1 "lines read"
	jq -e .event "$out" >/dev/null
	grep -Eq '^nstrace: [0-9]+ records written \([0-9]+ events, [0-9]+ ns\.name, 0 lost, 0 snapshot\), 0 events lost$' "$err"
}

@test "text mode: a header, then aligned columns" {
	need_root
	TRACE_OUT=$BATS_TEST_TMPDIR/text
	TRACE_ERR=$BATS_TEST_TMPDIR/err
	"$NSTRACE" -e ns.create >"$TRACE_OUT" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$TRACE_ERR"
	unshare -n sleep 1 &
	p=$!
	wait_for comm_is $p sleep
	ino=$(ns_inode $p net)
	wait $p
	stop_nstrace
	head -1 "$TRACE_OUT" | grep -q '^TIME  *EVENT  *PID  *COMM  *TYPE  *NS  *DETAILS$'
	# The new netns's one process follows, from the names cache.
	grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} ns\.create +$p unshare +net +$ino +syscall=unshare ns_pids=$p\$" "$TRACE_OUT"
	# Colour only on a terminal.
	lacks $'\e' <"$TRACE_OUT"
}

@test "a ring buffer too small for a burst: lost records, delivered + lost = generated" {
	need_root
	a=$(tname la)
	b=$(tname lb)
	ip netns add "$a"
	ip netns add "$b"
	fifo=$BATS_TEST_TMPDIR/go
	mkfifo "$fifo"
	n=200000
	NSTOOL=$BATS_TEST_DIRNAME/../../build/tools/nstool
	"$NSTOOL" setns-loop "/run/netns/$a" "/run/netns/$b" $n <"$fifo" &
	p=$!
	exec 9>"$fifo"
	start_nstrace -p $p -e ns.setns --buffer-size 4K
	# Stopped, nstrace reads nothing: the buffer fills after some 50
	# records whatever the machine's speed, and the rest are counted
	# lost, then told once it reads again.
	kill -STOP "$TRACE_PID"
	echo go >&9
	exec 9>&-
	wait $p
	kill -CONT "$TRACE_PID"
	stop_nstrace
	ip netns del "$a"
	ip netns del "$b"
	delivered=$(count '.event == "ns.setns"')
	nlost=$(count '.event == "lost"')
	lost=$(jq -s '[.[] | select(.event == "lost") | .count] | add // 0' "$TRACE_OUT")
	total=$(jq -s '[.[] | select(.event == "lost")] | last | .total // 0' "$TRACE_OUT")
	echo "delivered $delivered, lost $lost of $n" >&2
	[ "$lost" -gt 0 ]
	assert_eq $((delivered + lost)) $n "delivered + lost"
	assert_eq "$total" "$lost" "last total"
	assert_eq "$(wc -l <"$TRACE_OUT")" $((delivered + nlost)) "lines written"
	grep -q "^nstrace: $((delivered + nlost)) records written ($delivered events, 0 ns.name, $nlost lost, 0 snapshot), $lost events lost\$" "$TRACE_ERR"
}
