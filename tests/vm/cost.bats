#!/usr/bin/env bats
# In the test VM only (Debian's 6.1, where fentry and kprobes exist): on
# the function hooks nstrace attaches no syscall tracepoint, so a process
# that only sends UDP datagrams runs none of its programs. The kernel's
# own counters say so (kernel.bpf_stats_enabled, run_cnt in each
# program's fdinfo); the tracepoint backend, which runs a program per
# sendmsg and sendto, shows that the counters do count.

load ../integration/helpers

SENDS=4000

setup() {
	need_root
	STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
}

teardown() {
	teardown_nstrace
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
}

# run_counts PID: "prog_id run_cnt" of every program that PID holds.
run_counts() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '$1 == "prog_id:" { id = $2 } $1 == "run_cnt:" { c = $2 }
			END { if (id != "" && c != "") print id, c }' "$f" 2>/dev/null
	done | sort -u
}

# most_runs BACKEND: the largest number of runs of any one nstrace
# program while SENDS datagrams go out with sendmsg and SENDS with sendto.
most_runs() {
	start_nstrace --backend "$1"
	run_counts "$TRACE_PID" >"$BATS_TEST_TMPDIR/before"
	[ -s "$BATS_TEST_TMPDIR/before" ]
	python3 - "$SENDS" <<'EOF'
import socket, sys
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
to = s.getsockname()
for _ in range(n):
    s.sendmsg([b"x"], [], 0, to)
    s.sendto(b"x", to)
EOF
	run_counts "$TRACE_PID" >"$BATS_TEST_TMPDIR/after"
	stop_nstrace
	join "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" |
		awk '{ d = $3 - $2; if (d > m) m = d } END { print m + 0 }'
}

@test "fentry: a UDP loop runs none of nstrace's programs" {
	n=$(most_runs fentry)
	echo "# most runs of one program: $n for $SENDS sendmsg and $SENDS sendto" >&3
	[ "$n" -lt $((SENDS / 10)) ]
}

@test "kprobe: a UDP loop runs none of nstrace's programs" {
	n=$(most_runs kprobe)
	echo "# most runs of one program: $n for $SENDS sendmsg and $SENDS sendto" >&3
	[ "$n" -lt $((SENDS / 10)) ]
}

@test "tracepoint: the same loop runs the sendmsg and sendto filters each time" {
	n=$(most_runs tracepoint)
	echo "# most runs of one program: $n for $SENDS sendmsg and $SENDS sendto" >&3
	[ "$n" -ge "$SENDS" ]
}
