#!/usr/bin/env bats
# In the test VM only: Debian's kernel, with kernel.perf_event_paranoid at
# 3 (its default), refuses perf events to a task without CAP_SYS_ADMIN.
# Started with only CAP_BPF and CAP_PERFMON, nstrace must see that before
# loading, trace everything through fentry, and refuse the two backends
# that need perf events (kprobes, syscall tracepoints) with the reason.

load ../integration/helpers

# Only the capabilities a tracer should need; uid 0 is kept, as a unit
# with AmbientCapabilities=CAP_BPF CAP_PERFMON would run it.
LEAST=(setpriv --bounding-set -all,+bpf,+perfmon --inh-caps -all)

setup() {
	need_root
	[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -ge 3 ] ||
		skip_or_fail "perf_event_paranoid is below 3: not Debian's default"
	A=$(tname a)
	B=$(tname b)
}

teardown() {
	teardown_nstrace
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
}

@test "least privilege on Debian: doctor says perf events are refused, and why" {
	run "${LEAST[@]}" "$NSTRACE" doctor --json
	assert_eq "$status" 0 "exit status"
	assert_eq "$(jq -r .can_run <<<"$output")" true can_run
	assert_eq "$(jq -r '.checks[] | select(.name == "perf events") | .ok' <<<"$output")" false "perf events"
	jq -r '.checks[] | select(.name == "perf events") | .detail' <<<"$output" |
		grep -q 'perf_event_paranoid is [3-9]'
	assert_eq "$(jq -r '.checks[] | select(.name == "kprobe") | .ok' <<<"$output")" false kprobe
	assert_eq "$(jq -r '[.events[] | select(.event != "ns.name" and .backend != "fentry")] | length' <<<"$output")" 0 \
		"every event by fentry"
	# ns.name has no hook but the syscall tracepoints, which need perf.
	assert_eq "$(jq -c '.events[] | select(.event == "ns.name") | [.backend, .exact]' <<<"$output")" \
		'["mount table",false]' "ns.name"
}

@test "least privilege on Debian: every event kind by fentry, a move reported" {
	local out=$BATS_TEST_TMPDIR/events.json err=$BATS_TEST_TMPDIR/err ev
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link add nstpv0 type veth peer name nstpv1
	"${LEAST[@]}" "$NSTRACE" --json >"$out" 2>"$err" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$err"
	grep -q 'netdev.move by fentry, netdev.create/delete by fentry, unshare/setns by fentry, ns.destroy of 7 more types by fentry' "$err"
	ip -n "$A" link set nstpv0 netns "$B"
	TRACE_OUT=$out
	wait_events 1 '.event == "netdev.move" and .ifname == "nstpv0"'
	kill -INT "$TRACE_PID"
	wait "$TRACE_PID"
	TRACE_PID=
	ev=$(one '.event == "netdev.move" and .ifname == "nstpv0"')
	assert_eq "$(jq .from_netns <<<"$ev")" "$(stat -L -c %i "/run/netns/$A")" from_netns
	assert_eq "$(jq .to_netns <<<"$ev")" "$(stat -L -c %i "/run/netns/$B")" to_netns
	assert_eq "$(jq .new_ifindex <<<"$ev")" "$(ip -n "$B" -j link show nstpv0 | jq '.[0].ifindex')" new_ifindex
}

@test "least privilege on Debian: --backend kprobe and tracepoint refused, with the reason" {
	for b in kprobe tracepoint; do
		run "${LEAST[@]}" "$NSTRACE" --backend "$b" --json
		assert_eq "$status" 1 "exit status of --backend $b"
		assert_eq "${#lines[@]}" 1 "one line for --backend $b"
		[[ ${lines[0]} == nstrace:*"perf_event_paranoid is "[3-9]* ]] || {
			echo "--backend $b: ${lines[0]}" >&2
			return 1
		}
	done
}
