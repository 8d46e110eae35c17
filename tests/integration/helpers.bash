# Shared by the integration tests: start nstrace, wait until it is attached,
# stop it, and read what it wrote.
# shellcheck shell=bash

: "${NSTRACE:=$BATS_TEST_DIRNAME/../../build/nstrace}"

# run ! and run --separate-stderr, in every suite. (Not when bench/run.sh
# sources this file for wait_attached: it is no bats test.)
[ -z "${BATS_VERSION:-}" ] || bats_require_minimum_version 1.5.0

# Lacking root or kernel support is a skip on a laptop, a failure in CI.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "required in CI: $*" >&2
		return 1
	fi
	skip "$*"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
}

# Names that this test file owns, so that parallel runs don't collide.
tname() {
	echo "nst$$_$1"
}

# own_names P: A and B, two netns, and VA and VB, two interfaces, named
# after P, for a test file that wants a pair of each.
own_names() {
	A=$(tname "$1"a)
	B=$(tname "$1"b)
	VA=$1a$$
	VB=$1b$$
}

# del_owned: every netns of this test file (tname), and the link VA.
del_owned() {
	local ns
	ip link del "$VA" 2>/dev/null || true
	for ns in $(ip netns list | awk '{print $1}' | grep "^nst$$_"); do
		ip netns del "$ns"
	done
}

# wait_attached PID ERRFILE [SECS]: until that nstrace says "tracing" in
# ERRFILE, for SECS (10) at most; fails, showing ERRFILE, if it ends first
# or the time runs out. (bench/run.sh uses it too.)
wait_attached() {
	for _ in $(seq $((${3:-10} * 20))); do
		grep -q '^nstrace: tracing' "$2" && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	echo "nstrace $1 did not start:" >&2
	cat "$2" >&2
	return 1
}

# start_nstrace [ARGS...]: runs nstrace --json in the background into
# $TRACE_OUT, stderr into $TRACE_ERR, and waits for its "tracing" line
# (NSTRACE_ATTACH_SECS, 10 s, at most).
start_nstrace() {
	TRACE_OUT=$BATS_TEST_TMPDIR/events.json
	TRACE_ERR=$BATS_TEST_TMPDIR/stderr
	# NSTRACE_BACKEND_ARGS (the test VM's --backend X) comes first, so
	# that a test's own --backend has the last word.
	# shellcheck disable=SC2086
	"$NSTRACE" --json ${NSTRACE_BACKEND_ARGS:-} "$@" >"$TRACE_OUT" 2>"$TRACE_ERR" 3>&- &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR" "${NSTRACE_ATTACH_SECS:-10}"
}

# stop_nstrace: SIGINT, then wait; nstrace drains its ring buffer on the way
# out, so every event of the workload is in $TRACE_OUT afterwards.
stop_nstrace() {
	kill -INT "$TRACE_PID"
	# Within 30 s, or it is said where it hangs (its threads' kernel
	# stacks), and killed.
	wait_secs 30 gone "$TRACE_PID" || {
		echo "nstrace $TRACE_PID did not exit within 30 s of SIGINT; its threads:" >&2
		grep -H . /proc/"$TRACE_PID"/task/*/stack /proc/"$TRACE_PID"/task/*/wchan >&2 2>/dev/null
		cat "$TRACE_ERR" >&2
		teardown_nstrace
		TRACE_PID=
		return 1
	}
	wait "$TRACE_PID"
	TRACE_RC=$?
	TRACE_PID=
	[ "$TRACE_RC" -eq 0 ] || {
		echo "nstrace exited with $TRACE_RC" >&2
		cat "$TRACE_ERR" >&2
		return 1
	}
}

# Kill a nstrace left running by a failed test.
teardown_nstrace() {
	if [ -n "${TRACE_PID:-}" ]; then
		kill -KILL "$TRACE_PID" 2>/dev/null || true
		wait "$TRACE_PID" 2>/dev/null || true
	fi
}

# gone PID: true once PID has exited (a zombie counts as gone).
gone() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ]
}

# kill_bg PIDS...: kill and reap a test's background processes.
kill_bg() {
	local p
	for p in "$@"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# lacks GREP_ARGS...: fails, showing them, when lines of stdin match. A
# bare "! grep ..." would not do: bats fails a test on it only when it is
# the test's last line.
lacks() {
	local hits
	hits=$(grep "$@") || return 0
	echo "unexpected: grep ${*@Q} matched:" >&2
	printf '%s\n' "$hits" | cat -v >&2
	return 1
}

# events FILTER: the JSON lines that jq FILTER selects, compact.
events() {
	jq -c "select($1)" "$TRACE_OUT"
}

# count FILTER: how many lines FILTER selects.
count() {
	# jq fails on the line nstrace is still writing, so its exit status
	# cannot tell a bad filter: that is checked once, on no input, so
	# that a typo is an error rather than a count of 0.
	if [ -z "${COUNT_FILTER_OK[$1]:-}" ]; then
		jq -n "empty | select($1)" || {
			echo "count: jq refuses the filter: $1" >&2
			echo "error"
			return 1
		}
		COUNT_FILTER_OK[$1]=1
	fi
	jq -c "select($1)" "$TRACE_OUT" | wc -l
}
declare -gA COUNT_FILTER_OK

ns_inode() { # PID TYPE
	stat -L -c %i "/proc/$1/ns/$2"
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: expected '$2', got '$1'" >&2
		return 1
	fi
}

# wait_events N FILTER: until N events match (events that come
# after the command returns, such as cleanup_net's), for up to 30 s.
wait_events() {
	for _ in $(seq 300); do
		[ "$(count "$2")" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "only $(count "$2") of $1 events for $2" >&2
	return 1
}

# wait_secs SECS CMD...: retries CMD for up to SECS seconds.
wait_secs() {
	local secs=$1
	shift
	for _ in $(seq $((secs * 20))); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# wait_for CMD...: retries CMD for up to 5 s.
wait_for() {
	wait_secs 5 "$@"
}

comm_is() { # PID COMM
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

child_of() { # PID: its first child's pid
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	c=${c%% *}
	[ -n "$c" ] && echo "$c"
}

# assert_task EVENT_JSON PID COMM PPID: the fields every event carries.
assert_task() {
	local e=$1
	assert_eq "$(jq -r .schema <<<"$e")" 1 schema
	assert_eq "$(jq -r .pid <<<"$e")" "$2" pid
	assert_eq "$(jq -r .tid <<<"$e")" "$2" tid
	assert_eq "$(jq -r .comm <<<"$e")" "$3" comm
	[ -z "${4:-}" ] || assert_eq "$(jq -r .ppid <<<"$e")" "$4" ppid
	assert_eq "$(jq -r .uid <<<"$e")" "$(id -u)" uid
	assert_time "$(jq -r .time <<<"$e")"
}

# An RFC 3339 UTC time with nanoseconds, within five minutes of now.
assert_time() {
	local t=$1 secs now
	[[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$ ]] || {
		echo "time not RFC 3339 UTC with ns: $t" >&2
		return 1
	}
	secs=$(date -u -d "${t%.*}Z" +%s)
	now=$(date +%s)
	# Five minutes: a test VM under a loaded host can take a minute between
	# an event and this check; a clock or time zone error is hours.
	[ $((now - secs)) -lt 300 ] && [ $((secs - now)) -lt 300 ] || {
		echo "time $t is not now ($(date -u))" >&2
		return 1
	}
}

# one FILTER: the single event FILTER selects; fails unless exactly one.
one() {
	local n
	n=$(count "$1")
	if [ "$n" -ne 1 ]; then
		echo "expected 1 event for $1, got $n:" >&2
		cat "$TRACE_OUT" >&2
		return 1
	fi
	events "$1"
}

netns_ino() { # NAME: the inode of /run/netns/NAME
	stat -L -c %i "/run/netns/$1"
}

# netns_cookie [NAME|PID]: the kernel's cookie of the netns of
# /run/netns/NAME, of process PID, or (none) of this shell, as
# getsockopt(SO_NETNS_COOKIE) (71, a u64) gives it on a socket made in
# there. It enters the netns (an ns.setns of nsenter): ask before or after
# tracing.
netns_cookie() {
	local enter=()
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then
		enter=(nsenter -t "$1" -n)
	elif [ -n "${1:-}" ]; then
		enter=(nsenter "--net=/run/netns/$1")
	fi
	"${enter[@]}" python3 -c '
import socket, struct
s = socket.socket()
print(struct.unpack("<Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])'
}

# assert_cookie EVENT_JSON FIELD COOKIE: FIELD_cookie of the event is COOKIE.
assert_cookie() {
	assert_eq "$(jq -r ".${2}_cookie" <<<"$1")" "$3" "${2}_cookie"
}

ifindex() { # NETNS|"" DEV
	ip ${1:+-n "$1"} -j link show "$2" | jq '.[0].ifindex'
}

# assert_life EVENT NETNS IFNAME IFINDEX KIND CAUSE [COOKIE]: the one
# netdev.create or netdev.delete of IFNAME (and the cookie of its netns).
assert_life() {
	local e
	e=$(one ".event == \"$1\" and .ifname == \"$3\"")
	assert_eq "$(jq -r .netns <<<"$e")" "$2" "$3 netns"
	assert_eq "$(jq -r .ifindex <<<"$e")" "$4" "$3 ifindex"
	assert_eq "$(jq -r .kind <<<"$e")" "$5" "$3 kind"
	assert_eq "$(jq -r .cause <<<"$e")" "$6" "$3 cause"
	assert_eq "$(jq -r .ns_type <<<"$e")" net "$3 ns_type"
	assert_time "$(jq -r .time <<<"$e")"
	[ -z "${7:-}" ] || assert_cookie "$e" netns "$7"
}

# assert_rename NETNS IFNAME NEW_IFNAME IFINDEX COMM SYSCALL [COOKIE]
assert_rename() {
	local e
	e=$(one ".event == \"netdev.rename\" and .ifname == \"$2\"")
	assert_eq "$(jq -r .schema <<<"$e")" 1 schema
	assert_eq "$(jq -r .comm <<<"$e")" "$5" comm
	assert_eq "$(jq -r .uid <<<"$e")" "$(id -u)" uid
	assert_time "$(jq -r .time <<<"$e")"
	assert_eq "$(jq -r .ns_type <<<"$e")" net ns_type
	assert_eq "$(jq -r .netns <<<"$e")" "$1" netns
	assert_eq "$(jq -r .new_ifname <<<"$e")" "$3" new_ifname
	assert_eq "$(jq -r .ifindex <<<"$e")" "$4" ifindex
	assert_eq "$(jq -r .cause <<<"$e")" request cause
	assert_eq "$(jq -r .syscall <<<"$e")" "$6" syscall
	[ -z "${7:-}" ] || assert_cookie "$e" netns "$7"
}

# setup_netns P: own_names P, then $A and $B added, and $HOST the inode
# of this shell's netns.
setup_netns() {
	own_names "$1"
	ip netns add "$A"
	ip netns add "$B"
	HOST=$(ns_inode $$ net)
}

# assert_json EVENT EXPECTED [KEY...]: EVENT, less seq, time (which must
# be now) and each KEY (checked apart by the caller), is EXPECTED exactly:
# no field missing, none wrong, none more.
assert_json() {
	local e=$1 want=$2 got
	shift 2
	assert_time "$(jq -r .time <<<"$e")"
	got=$(jq -cS --args 'del(.seq, .time) | delpaths([$ARGS.positional[] | [.]])' "$@" <<<"$e")
	want=$(jq -cS . <<<"$want")
	[ "$got" = "$want" ] || {
		echo "event: $e" >&2
		echo "expected: $want" >&2
		echo "got:      $got" >&2
		return 1
	}
}

# The busybox image of every podman test, made without a registry (docs:
# real-clients): each applet a relative link, as busybox --install -s
# would make absolute ones to the host's copy.
PODMAN_IMAGE=localhost/nstrace-busybox:2

podman_image() {
	podman image exists "$PODMAN_IMAGE" && return 0
	local root=$BATS_TEST_TMPDIR/rootfs a
	mkdir -p "$root/bin"
	cp "$(command -v busybox)" "$root/bin/busybox" || return 1
	for a in sh sleep readlink; do
		ln -s busybox "$root/bin/$a"
	done
	tar -C "$root" -c . | podman import - "$PODMAN_IMAGE" >/dev/null
}

# need_podman: podman with netavark and runc, and the image; skips
# without them.
need_podman() {
	command -v podman >/dev/null && command -v runc >/dev/null &&
		command -v busybox >/dev/null && [ -x /usr/lib/podman/netavark ] ||
		skip_or_fail "no podman with netavark and runc"
	podman_image || skip_or_fail "podman import failed"
}

# podman run as it works here (docs: real-clients): crun refuses the
# hybrid cgroups, and rlimits may not go above the hard ones. An array,
# not a function: "${POD_RUN[@]}" ... & is podman itself.
POD_RUN=(podman --runtime runc run --ulimit nofile=20000:20000
	--ulimit nproc=4096:4096)

# podman_run CTR NET SUBNET: a busybox container CTR sleeping on its own
# network NET; skips without podman and netavark.
podman_run() {
	need_podman
	podman network create --internal --subnet "$3" "$2" >/dev/null
	"${POD_RUN[@]}" -d --name "$1" --network "$2" "$PODMAN_IMAGE" \
		/bin/sleep 600 >/dev/null
}
