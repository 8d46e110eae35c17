#!/usr/bin/env bats
# nstrace's rotating JSON file read by real log pipelines, with the
# recipes of deploy/pipelines: rsyslog and syslog-ng, each run as an
# instance of its own (own config, pid file and state under the test's
# directory, in the foreground), never the system's logger. What they
# write out must be every record nstrace wrote, once, unchanged.

load helpers

# scripts/deps.sh unpacks the two daemons here (they conflict as
# packages); one installed as a package is used from the system.
LOGGERS_ROOT=${NSTRACE_LOGGERS_ROOT:-/opt/nstrace-test}
RECIPES=$BATS_TEST_DIRNAME/../../deploy/pipelines

teardown() {
	teardown_nstrace
	kill_bg ${DAEMON_PID:-}
	del_owned
}

# recipe NAME: deploy/pipelines/NAME/nstrace.conf with its paths
# (/var/log/nstrace) moved into $D.
recipe() {
	sed "s|/var/log/nstrace|$D|g" "$RECIPES/$1/nstrace.conf"
}

# start_daemon OUT CMD...: CMD in the background, its output into OUT.
start_daemon() {
	local out=$1
	shift
	"$@" >"$out" 2>&1 &
	DAEMON_PID=$!
}

# stop_daemon: SIGTERM, and its exit.
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || true
	DAEMON_PID=
}

# written: nstrace's files, oldest first.
written() {
	ls "$D" | sed -n 's/^nstrace\.json\.\([0-9]*\)$/\1/p' | sort -rn |
		sed "s|^|$D/nstrace.json.|"
	echo "$D/nstrace.json"
}

# lines FILES...: how many lines they hold together (0 when none is
# there yet).
lines() {
	cat "$@" 2>/dev/null | wc -l
}

# caught_up OUT: whether OUT has as many lines as nstrace's files.
caught_up() {
	local -a files
	mapfile -t files < <(written)
	[ "$(lines "$1")" -ge "$(lines "${files[@]}")" ]
}

# wait_caught_up OUT: until caught_up, for 30 s at most.
wait_caught_up() {
	for _ in $(seq 300); do
		caught_up "$1" && return 0
		sleep 0.1
	done
	echo "$1: $(lines "$1") lines, nstrace wrote $(written | xargs cat | wc -l)" >&2
	return 1
}

# churn_round OUT TAG: two netns, each with a veth made in the host and
# moved in, then deleted; then until the pipeline has read it all. Two
# write less than the test's SIZE: at most one rotation a round, so that
# a rotated file is never renamed away before the reader opened it
# (docs/pipelines.md: what each reader needs).
churn_round() {
	local i n
	for i in 1 2; do
		n=$(tname "$2$i")
		ip netns add "$n"
		ip link add "$VA" type veth peer name "$VB"
		ip link set "$VB" netns "$n"
		ip link del "$VA"
		ip netns del "$n"
	done
	wait_caught_up "$1"
}

# run_pipeline OUT CMD...: nstrace into $D/nstrace.json, rotating at 8K,
# CMD (the daemon) reading it into OUT; churn in rounds, nstrace
# stopped, then until OUT has every line. Then the daemon is stopped.
run_pipeline() {
	local out=$1 r
	shift
	TRACE_ERR=$D/stderr
	# shellcheck disable=SC2086
	"$NSTRACE" --json ${NSTRACE_BACKEND_ARGS:-} -o "$D/nstrace.json" \
		--max-size 8K --max-files 50 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR"
	start_daemon "$D/daemon.out" "$@"
	for r in $(seq 10); do
		churn_round "$out" "p$r" || {
			cat "$D/daemon.out" >&2
			return 1
		}
	done
	stop_nstrace
	wait_caught_up "$out" || {
		cat "$D/daemon.out" >&2
		return 1
	}
	stop_daemon
}

# assert_delivered OUT REJECTED: OUT holds every record nstrace wrote,
# each once and unchanged as JSON; nothing in REJECTED.
assert_delivered() {
	local out=$1 n files
	files=$(written)
	echo "$files" >&2
	# 10 rounds of 2 netns, about 3 KB each: several rotations.
	[ "$(wc -l <<<"$files")" -ge 5 ]
	n=$(sed -n 's/^nstrace: \([0-9]*\) records written .*/\1/p' "$TRACE_ERR")
	[ "${n:-0}" -gt 0 ]
	# Every seq once: 1 to the summary's count, none lost or twice.
	jq -e .seq "$out" | sort -n >"$D/seqs"
	seq "$n" | diff - "$D/seqs" >&2
	# Each record as nstrace wrote it, field for field.
	# shellcheck disable=SC2086 # one file a word
	cat $files | jq -c -S . | sort >"$D/expected"
	jq -c -S . "$out" | sort >"$D/arrived"
	assert_eq "$(wc -l <"$D/expected")" "$n" "lines nstrace wrote"
	diff "$D/expected" "$D/arrived" >&2
	[ ! -s "$2" ] || {
		echo "rejected by the parser:" >&2
		cat "$2" >&2
		return 1
	}
	# The churn is in it: every netns's veth, by its cookie.
	assert_eq "$(jq -r "select(.event == \"netdev.move\" and .ifname == \"$VB\") |
		.to_netns_cookie" "$out" | sort -u | wc -l)" 20 "netns the veth moved into"
}

# bats test_tags=host-userland
@test "rsyslog: imfile and mmjsonparse carry every record across rotations" {
	need_root
	own_names rs
	local root=$LOGGERS_ROOT/rsyslog rsyslogd=rsyslogd mods=()
	if [ -x "$root/usr/sbin/rsyslogd" ]; then
		rsyslogd=$root/usr/sbin/rsyslogd
		mods=(-M "$(echo "$root"/usr/lib/*/rsyslog)")
	fi
	command -v "$rsyslogd" >/dev/null ||
		skip_or_fail "no rsyslogd (sh scripts/deps.sh test)"
	D=$BATS_TEST_TMPDIR/rsyslog
	mkdir -p "$D/work"
	{
		# Its state files (how far imfile has read) in the test's
		# directory, not in the system's.
		echo "global(workDirectory=\"$D/work\")"
		recipe rsyslog
	} >"$D/rsyslog.conf"
	"$rsyslogd" "${mods[@]}" -N1 -f "$D/rsyslog.conf" >&2
	run_pipeline "$D/rsyslog.json" "$rsyslogd" "${mods[@]}" -n \
		-f "$D/rsyslog.conf" -i "$D/rsyslogd.pid"
	assert_delivered "$D/rsyslog.json" "$D/rsyslog-rejected.log"
}

# bats test_tags=host-userland
@test "syslog-ng: file() and json-parser() carry every record across rotations" {
	need_root
	own_names sn
	local root=$LOGGERS_ROOT/syslog-ng-core bin=syslog-ng env=() mods=()
	if [ -x "$root/usr/sbin/syslog-ng" ]; then
		# Unpacked, not installed: its library and modules are not
		# where it was built to look.
		bin=$root/usr/sbin/syslog-ng
		env=("LD_LIBRARY_PATH=$root/usr/lib/syslog-ng")
		mods=("--module-path=$(echo "$root"/usr/lib/syslog-ng/3.*)")
	fi
	command -v "$bin" >/dev/null ||
		skip_or_fail "no syslog-ng (sh scripts/deps.sh test)"
	local sng=(env "${env[@]}" "$bin" "${mods[@]}")
	D=$BATS_TEST_TMPDIR/syslog-ng
	mkdir -p "$D"
	recipe syslog-ng >"$D/syslog-ng.conf"
	"${sng[@]}" -s -f "$D/syslog-ng.conf"
	# -F: the foreground; -e: its own messages on stderr; the pid file,
	# persist file (how far it has read) and control socket its own.
	run_pipeline "$D/syslog-ng.json" "${sng[@]}" -F -e -f "$D/syslog-ng.conf" \
		-p "$D/syslog-ng.pid" -R "$D/syslog-ng.persist" -c "$D/syslog-ng.ctl"
	assert_delivered "$D/syslog-ng.json" "$D/syslog-ng-rejected.log"
}
