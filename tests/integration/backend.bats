#!/usr/bin/env bats
# Hook flavours: nstrace doctor says what this kernel allows, --backend
# forces a flavour, and every flavour reports the same events.

load helpers

setup() {
	need_root
	own_names nst
}

teardown() {
	teardown_nstrace
	del_owned
}

@test "doctor: exit 0, every check in text and JSON, a backend per event" {
	run "$NSTRACE" doctor
	assert_eq "$status" 0 "exit status"
	[[ ${lines[0]} == "kernel $(uname -r)" ]]
	grep -q '^nstrace can run here.$' <<<"$output"
	run "$NSTRACE" doctor --json
	assert_eq "$status" 0
	assert_eq "$(jq -r .can_run <<<"$output")" true can_run
	assert_eq "$(jq -r '[.checks[].name] | join(",")' <<<"$output")" \
		"privileges,btf,tracefs,ring buffer,bpf helpers,tp_btf,fentry,perf events,kprobe,backend" checks
	assert_eq "$(jq -r '[.events[].event] | join(",")' <<<"$output")" \
		"ns.create,ns.setns,ns.destroy,netdev.move,netdev.create,netdev.delete,netdev.rename,ns.name" events
	[ "$(jq '[.checks[] | select(.required and (.ok | not))] | length' <<<"$output")" -eq 0 ]
}

@test "doctor without privileges: exit 1 and the reason" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NSTRACE" doctor
	assert_eq "$status" 1
	[[ $output == *"nstrace: cannot run here: privileges: missing CAP_BPF and CAP_PERFMON"* ]]
}

@test "doctor: bad options exit 2" {
	run "$NSTRACE" doctor --bogus
	assert_eq "$status" 2
	run "$NSTRACE" --backend nope
	assert_eq "$status" 2
}

# tracefs_state ARGS...: in a mount namespace of its own (the machine's
# mounts stay as they are) with tracefs unmounted, start nstrace ARGS and
# print "mounted" or "absent", as tracefs is once nstrace traces.
tracefs_state() {
	unshare -m bash -c '
		umount /sys/kernel/debug/tracing 2>/dev/null
		umount /sys/kernel/tracing 2>/dev/null
		tracefs() { grep -q "^[^ ]* [^ ]* tracefs " /proc/self/mounts; }
		if tracefs; then echo "tracefs is still mounted"; exit 1; fi
		err=$1
		shift
		# Emptied first: a "tracing" line left by the call before
		# would pass for this one, and the SIGINT come too early.
		: >"$err"
		"$@" >/dev/null 2>"$err" &
		pid=$!
		for _ in $(seq 1200); do
			grep -q "^nstrace: tracing" "$err" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if ! grep -q "^nstrace: tracing" "$err"; then cat "$err"; exit 1; fi
		if tracefs; then echo mounted; else echo absent; fi
		kill -INT "$pid"
		wait "$pid"' _ "$BATS_TEST_TMPDIR/stderr" "$NSTRACE" "$@"
}

@test "tracefs: mounted for the syscall tracepoints, left alone without them" {
	# BTF tracepoints and raw tracepoints attach without tracefs. The
	# names on events come from the mount syscalls' tracepoints whatever
	# -e writes: --no-names leaves those out.
	run tracefs_state --no-names -e ns.destroy
	assert_eq "$status" 0 "exit status"
	assert_eq "$output" absent "tracefs with --no-names -e ns.destroy"
	run tracefs_state -e ns.destroy
	assert_eq "$status" 0 "exit status"
	assert_eq "$output" mounted "tracefs for the names, with -e ns.destroy"
	run tracefs_state --backend tracepoint -e ns.setns
	assert_eq "$status" 0 "exit status"
	assert_eq "$output" mounted "tracefs with the setns tracepoints"
	# doctor says whether the automatic choice needs it, as nstrace does.
	needed=$("$NSTRACE" doctor --json | jq -r '.checks[] | select(.name == "tracefs") | .required')
	run tracefs_state
	assert_eq "$status" 0 "exit status"
	if [[ $needed == true ]]; then
		assert_eq "$output" mounted "tracefs, required by doctor"
	else
		assert_eq "$output" absent "tracefs, not required by doctor"
	fi
}

# The flavours doctor says work here, best first; tracepoint always.
available() {
	"$NSTRACE" doctor --json |
		jq -r '.checks[] | select((.name == "fentry" or .name == "kprobe") and .ok) | .name'
	echo tracepoint
}

@test "--backend: each flavour doctor allows starts, the others refuse with the reason" {
	ok=$(available)
	for b in fentry kprobe tracepoint; do
		if grep -qx "$b" <<<"$ok"; then
			start_nstrace --backend "$b" -e netdev.move
			grep -q "netdev.move by $b" "$TRACE_ERR"
			stop_nstrace
		else
			run "$NSTRACE" --backend "$b"
			assert_eq "$status" 1 "exit status of --backend $b"
			[[ $output == "nstrace: the $b backend is not available here: "* ]]
		fi
	done
	# auto takes the best one.
	start_nstrace -e netdev.move
	grep -q "netdev.move by $(head -1 <<<"$ok")" "$TRACE_ERR"
	stop_nstrace
}

# workload: moves by name, by pid, back, a rename, a refusal; then a
# netns death. The same for every flavour.
workload() {
	ip netns add "$A"
	ip netns add "$B"
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$A"
	ip -n "$A" link set "$VA" netns "$B" name nstc$$
	ip -n "$B" link set nstc$$ netns 1
	ip -n "$A" link add nstc$$ type veth peer name nstd$$
	ip link set nstc$$ netns "$A" 2>/dev/null || true # EEXIST
	ip link del nstc$$
	ip netns del "$A"
	ip netns del "$B"
}

# Everything but times, pids and inodes, which differ from run to run.
normalize() {
	jq -c 'select(.event == "netdev.move") |
		{ifname, new_ifname, cause, syscall, error,
		 same: (.from_netns == .to_netns)}' "$1"
}

@test "every flavour reports the same moves for the same workload" {
	local first=
	for b in $(available); do
		start_nstrace --backend "$b" -e netdev.move
		workload
		stop_nstrace
		normalize "$TRACE_OUT" >"$BATS_TEST_TMPDIR/$b"
		assert_eq "$(wc -l <"$BATS_TEST_TMPDIR/$b")" 4 "moves seen by $b"
		if [ -n "$first" ]; then
			diff "$BATS_TEST_TMPDIR/$first" "$BATS_TEST_TMPDIR/$b"
		fi
		first=${first:-$b}
	done
}

# renames: plain, in another netns, by a raw request; a move that renames
# (a netdev.move only), a move into the netns it is in (a rename only), a
# rename to the same name (nothing); a delete by name. The same for every
# flavour.
rename_workload() {
	ip netns add "$A"
	ip link add "$VA" type veth peer name nstb$$
	ip link set "$VA" name nstc$$
	ip link set nstc$$ netns "$A" name "$VA"
	ip -n "$A" link set "$VA" name nstd$$
	ip -n "$A" link set nstd$$ name nstd$$
	ip -n "$A" link set nstd$$ netns "$A" name nste$$
	ip netns exec "$A" python3 "$BATS_TEST_DIRNAME/../tools/rtnl.py" \
		"set:index=$(ip -n "$A" -j link show nste$$ | jq '.[0].ifindex'),name=nstf$$" >/dev/null
	python3 "$BATS_TEST_DIRNAME/../tools/rtnl.py" del:name=nstb$$ >/dev/null
	ip netns del "$A"
}

@test "every flavour reports the same renames, and the rename of a move once" {
	local first=
	want=$(
		cat <<-EOF
			netdev.rename $VA>nstc$$ request sendmsg
			netdev.move nstc$$>$VA request sendmsg
			netdev.rename $VA>nstd$$ request sendmsg
			netdev.rename nstd$$>nste$$ request sendmsg
			netdev.rename nste$$>nstf$$ request sendto
			netdev.delete nstb$$>null request sendto
			netdev.delete nstf$$>null request sendto
		EOF
	)
	for b in $(available); do
		start_nstrace --backend "$b" -e netdev.move,netdev.rename,netdev.delete
		rename_workload
		stop_nstrace
		jq -r 'select(.comm == "ip" or .comm == "python3") |
			"\(.event) \(.ifname)>\(.new_ifname) \(.cause) \(.syscall)"' \
			"$TRACE_OUT" >"$BATS_TEST_TMPDIR/$b"
		assert_eq "$(cat "$BATS_TEST_TMPDIR/$b")" "$want" "events seen by $b"
		if [ -n "$first" ]; then
			diff "$BATS_TEST_TMPDIR/$first" "$BATS_TEST_TMPDIR/$b"
		fi
		first=${first:-$b}
	done
}
