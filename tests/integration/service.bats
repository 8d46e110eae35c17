#!/usr/bin/env bats
# nstrace as a service: a file that rotates, SIGHUP for logrotate, the
# readiness systemd waits for, and the unit shipped in deploy/.

load helpers

teardown() {
	teardown_nstrace
	# Prometheus, and the silent clients of --metrics.
	kill_bg ${PROM_PID:-} "${IDLE_PIDS[@]}"
	del_owned
}

# start_file ARGS...: nstrace --json ARGS in the background, stderr into
# $TRACE_ERR, nothing on stdout; waits until it is attached.
start_file() {
	TRACE_OUT=/dev/null
	TRACE_ERR=$BATS_TEST_TMPDIR/stderr
	# shellcheck disable=SC2086
	"$NSTRACE" --json ${NSTRACE_BACKEND_ARGS:-} "$@" >"$BATS_TEST_TMPDIR/stdout" \
		2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR"
}

# churn N TAG: N netns made and deleted, each event named by the test.
churn() {
	local i n
	for i in $(seq "$1"); do
		n=$(tname "$2$i")
		ip netns add "$n"
		ip -n "$n" link add "n$$a" type veth peer name "n$$b"
		ip netns del "$n"
	done
}

# created FILES...: how many netns (by cookie: inodes are reused at once)
# churn gave its veth, in FILES. Not by ns.name: a name mounted and gone
# between two reads of the mount table is not seen.
created() {
	cat "$@" | jq -r "select(.event == \"netdev.create\" and .ifname == \"n$$a\") | .netns_cookie" |
		sort -u | wc -l
}

# has_created N FILES...: whether created says N.
has_created() {
	local n=$1
	shift
	[ "$(created "$@")" -eq "$n" ]
}

# records FILE: the number the summary line on FILE says were written.
records() {
	sed -n 's/^nstrace: \([0-9]*\) records written .*/\1/p' "$1"
}

# assert_seqs: the JSON lines of the files on stdin, concatenated in that
# order: each line JSON, seq 1, 2, 3, ... with no gap or duplicate, as
# many as the summary counts.
assert_seqs() {
	local files n
	mapfile -t files
	# jq -e fails on a line that is not JSON.
	cat "${files[@]}" | jq -e -c '.seq' >"$BATS_TEST_TMPDIR/seqs"
	n=$(records "$TRACE_ERR")
	[ "${n:-0}" -gt 0 ]
	assert_eq "$(wc -l <"$BATS_TEST_TMPDIR/seqs")" "$n" "lines in ${files[*]}"
	seq "$n" | diff - "$BATS_TEST_TMPDIR/seqs" >&2
}

# rotated DIR: DIR/log.N ... DIR/log.1 DIR/log, oldest first.
rotated() {
	ls "$1" | sed -n 's/^log\.\([0-9]*\)$/\1/p' | sort -rn | sed "s|^|$1/log.|"
	echo "$1/log"
}

@test "rotation: whole JSON lines, seq with no gap, each file within SIZE" {
	need_root
	own_names rot
	d=$BATS_TEST_TMPDIR/logs
	mkdir "$d"
	start_file -o "$d/log" --max-size 4K --max-files 999
	churn 30 r
	stop_nstrace
	files=$(rotated "$d")
	echo "$files" >&2
	# 30 netns of several records each (ns.create, ns.name, netdev...):
	# many files.
	[ "$(wc -l <<<"$files")" -ge 5 ]
	assert_seqs <<<"$files"
	for f in $files; do
		size=$(stat -c %s "$f")
		# Over SIZE only as one line longer than SIZE alone.
		[ "$size" -le 4096 ] || [ "$(wc -l <"$f")" -eq 1 ] || {
			echo "$f: $size bytes" >&2
			return 1
		}
		# Every file ends with a whole line.
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ]
		assert_eq "$(stat -c %a "$f")" 600 "mode of $f"
	done
	# The churn is all there: every netns made and destroyed.
	# shellcheck disable=SC2086 # one file a word
	assert_eq "$(created $files)" 30 "netns of the churn"
}

@test "rotation: the oldest files go; a log from the run before is kept" {
	need_root
	own_names old
	d=$BATS_TEST_TMPDIR/logs
	mkdir "$d"
	echo '{"before":true}' >"$d/log"
	start_file -o "$d/log" --max-size 8K --max-files 2
	# The last run's log is the first rotated file, not truncated.
	assert_eq "$(cat "$d/log.1")" '{"before":true}' "the run before's log"
	churn 40 o
	stop_nstrace
	assert_eq "$(ls "$d" | sort | tr '\n' ' ')" "log log.1 log.2 " "files kept"
	# The newest lines, in order, up to the last one the summary counts.
	cat "$d/log.2" "$d/log.1" "$d/log" | jq -e -c .seq >"$BATS_TEST_TMPDIR/seqs"
	first=$(head -1 "$BATS_TEST_TMPDIR/seqs")
	[ "$first" -gt 1 ]
	seq "$first" "$(records "$TRACE_ERR")" | diff - "$BATS_TEST_TMPDIR/seqs" >&2
}

@test "SIGHUP after logrotate's mv: new lines in a new FILE, none lost" {
	need_root
	own_names hup
	d=$BATS_TEST_TMPDIR/logs
	mkdir "$d"
	start_file -o "$d/log"
	churn 5 a
	# Until the churn is written, so that log.moved has some of it.
	wait_for has_created 5 "$d/log"
	mv "$d/log" "$d/log.moved"
	kill -HUP "$TRACE_PID"
	wait_for test -e "$d/log"
	churn 5 b
	wait_for has_created 5 "$d/log"
	stop_nstrace
	printf '%s\n' "$d/log.moved" "$d/log" | assert_seqs
	assert_eq "$(created "$d/log.moved")" 5 "netns before the SIGHUP"
	assert_eq "$(stat -c %a "$d/log")" 600 "mode of the new file"
	# A SIGHUP with no file to reopen changes nothing.
	start_nstrace
	kill -HUP "$TRACE_PID"
	sleep 0.2
	kill -0 "$TRACE_PID"
	stop_nstrace
}

@test "text output: each rotated file starts with the column header" {
	need_root
	own_names txt
	d=$BATS_TEST_TMPDIR/logs
	mkdir "$d"
	"$NSTRACE" -o "$d/log" --max-size 2K --max-files 999 2>"$BATS_TEST_TMPDIR/err" &
	TRACE_PID=$!
	TRACE_ERR=$BATS_TEST_TMPDIR/err
	wait_attached "$TRACE_PID" "$TRACE_ERR"
	churn 10 t
	stop_nstrace
	header=$(head -1 "$d/log.1")
	[[ $header == TIME* ]]
	n=0
	for f in $(rotated "$d"); do
		assert_eq "$(head -1 "$f")" "$header" "first line of $f"
		n=$((n + $(wc -l <"$f") - 1))
	done
	assert_eq "$n" "$(records "$TRACE_ERR")" "lines under the headers"
}

# usage_error WHAT ARGS...: exit 2, WHAT the first line, the usage after.
usage_error() {
	local what=$1
	shift
	run --separate-stderr "$NSTRACE" "$@"
	assert_eq "$status" 2 "exit status of nstrace $*"
	assert_eq "${stderr_lines[0]}" "$what" "nstrace $*"
	[[ ${stderr_lines[1]} == "usage: nstrace [OPTIONS]" ]]
	assert_eq "$output" "" "stdout of nstrace $*"
}

@test "bad rotation values: one sentence, exit 2" {
	local bad='nstrace: max size must be 1K to 4096M bytes'
	usage_error "$bad: '0'" -o f --max-size 0
	usage_error "$bad: '-4K'" -o f --max-size -4K
	usage_error "$bad: '12Q'" -o f --max-size 12Q
	usage_error "$bad: ''" -o f --max-size ''
	usage_error "nstrace: max files must be 1 to 999: '0'" -o f --max-size 1M --max-files 0
	usage_error "nstrace: max files must be 1 to 999: '-2'" -o f --max-size 1M --max-files -2
	usage_error "nstrace: --max-files needs --max-size" -o f --max-files 3
	usage_error "nstrace: --max-files needs --max-size" --max-files 3
	usage_error "nstrace: --max-size needs -o FILE" --max-size 1M
	usage_error "nstrace: --max-size needs -o FILE" -o - --max-size 1M
}

@test "a FILE that cannot be written: one sentence, exit 1, nothing attached" {
	need_root
	d=$BATS_TEST_TMPDIR/logs
	mkdir "$d"
	run --separate-stderr "$NSTRACE" --json -o "$d/no/such/log" --max-size 1M
	assert_eq "$status" 1 "exit status"
	assert_eq "$stderr" "nstrace: cannot open $d/no/such/log: No such file or directory"
	run --separate-stderr "$NSTRACE" --json -o "$d"
	assert_eq "$status" 1 "exit status"
	assert_eq "$stderr" "nstrace: cannot open $d: Is a directory"
}

# listen SOCKET OUT ERRFILE: a datagram socket at SOCKET ('@' first: an
# abstract name) in the background; the first datagram goes to OUT, with
# whether ERRFILE said "nstrace: tracing" when it came.
listen() {
	python3 -c '
import socket, sys
path, out, err = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path[0] == "@" else path)
open(out + ".bound", "w").close()
s.settimeout(30)
msg = s.recv(4096).decode()
attached = any(l.startswith("nstrace: tracing") for l in open(err))
with open(out, "w") as f:
    f.write("%s %s\n" % (msg, "after-attach" if attached else "BEFORE-ATTACH"))
' "$1" "$2" "$3" &
	LISTEN_PID=$!
	wait_for test -e "$2.bound"
}

@test "NOTIFY_SOCKET: READY=1 once attached, to a path or an abstract name" {
	need_root
	local sock
	for sock in "$BATS_TEST_TMPDIR/notify" "@nstrace-test-$$"; do
		got=$BATS_TEST_TMPDIR/got
		rm -f "$got" "$got.bound"
		listen "$sock" "$got" "$BATS_TEST_TMPDIR/stderr"
		NOTIFY_SOCKET=$sock start_file
		wait_for test -s "$got"
		assert_eq "$(cat "$got")" "READY=1 after-attach" "datagram on $sock"
		stop_nstrace
		wait "$LISTEN_PID"
	done
	# A socket nobody listens on: said, exit 1.
	run --separate-stderr env NOTIFY_SOCKET="$BATS_TEST_TMPDIR/none" "$NSTRACE" --json
	assert_eq "$status" 1 "exit with no listener"
	grep -qx "nstrace: cannot tell $BATS_TEST_TMPDIR/none that nstrace is ready: No such file or directory" <<<"$stderr"
}

# The repository, for make install.
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# install_to DIR TARGET: make TARGET with every path under DIR.
install_to() {
	make -s -C "$REPO" BUILD="${BUILD:-build}" PREFIX="$1/usr" SYSCONFDIR="$1/etc" "$2"
}

@test "make install: a unit that systemd-analyze verify accepts; uninstall removes it" {
	command -v systemd-analyze >/dev/null || skip_or_fail "needs systemd-analyze"
	d=$BATS_TEST_TMPDIR/root
	install_to "$d" install
	unit=$d/usr/lib/systemd/system/nstrace.service
	# Its ExecStart is the binary installed, its options file installed.
	grep -qx "ExecStart=$d/usr/sbin/nstrace \$NSTRACE_OPTS" "$unit"
	grep -qx "EnvironmentFile=-$d/etc/default/nstrace" "$unit"
	grep -qx "Type=notify" "$unit"
	grep -q '^NSTRACE_OPTS="--json -o /var/log/nstrace/' "$d/etc/default/nstrace"
	[ -x "$d/usr/sbin/nstrace" ]
	# verify also runs man for Documentation=: the page installed.
	run env MANPATH="$d/usr/share/man" systemd-analyze verify "$unit"
	echo "$output" >&2
	assert_eq "$status" 0 "systemd-analyze verify"
	assert_eq "$output" "" "what verify says"
	# The default options parse: nstrace takes them as the unit passes them.
	# shellcheck disable=SC1091
	. "$d/etc/default/nstrace"
	# shellcheck disable=SC2086 # split as systemd splits $NSTRACE_OPTS
	run "$NSTRACE" $NSTRACE_OPTS --help
	assert_eq "$status" 0 "nstrace \$NSTRACE_OPTS"
	# An edited options file stays; the rest goes.
	echo 'NSTRACE_OPTS="--json"' >"$d/etc/default/nstrace"
	install_to "$d" install
	assert_eq "$(cat "$d/etc/default/nstrace")" 'NSTRACE_OPTS="--json"' "kept by install"
	install_to "$d" uninstall
	assert_eq "$(cd "$d" && find . -type f)" "./etc/default/nstrace" "left after uninstall"
	rm "$d/etc/default/nstrace"
	install_to "$d" install
	install_to "$d" uninstall
	assert_eq "$(cd "$d" && find . -type f)" "" "left after uninstall"
}

# metric NAME FILE: the value of the sample NAME (labels included) in FILE.
metric() {
	awk -v n="$1" '$1 == n { print $2 }' "$2"
}

@test "--metrics-file: Prometheus text that counts what the stream wrote" {
	need_root
	own_names met
	d=$BATS_TEST_TMPDIR/metrics
	mkdir "$d"
	m=$d/nstrace.prom
	before=$(date +%s)
	start_nstrace --snapshot --metrics-file "$m" --metrics-interval 1
	# Written once attached (just after the "tracing" line), then every
	# second while it runs.
	wait_for test -f "$m"
	churn 5 m
	wait_for has_created 5 "$TRACE_OUT"
	sleep 1.2
	[ "$(metric nstrace_records_written_total "$m")" -gt 10 ]
	stop_nstrace
	after=$(date +%s)
	cat "$m" >&2
	# At exit: the summary's counts, and the stream's lines by event.
	n=$(records "$TRACE_ERR")
	assert_eq "$(metric nstrace_records_written_total "$m")" "$n" "records"
	assert_eq "$(wc -l <"$TRACE_OUT")" "$n" "lines"
	lost=$(sed -n 's/.*, \([0-9]*\) events lost$/\1/p' "$TRACE_ERR")
	assert_eq "$(metric nstrace_lost_events_total "$m")" "$lost" "lost events"
	jq -r .event "$TRACE_OUT" | sort | uniq -c | awk '{ print $2, $1 }' | sort >"$d/stream"
	sed -n 's/^nstrace_events_total{event="\([^"]*\)"} \([0-9]*\)$/\1 \2/p' "$m" |
		sort >"$d/metrics"
	diff "$d/stream" "$d/metrics" >&2
	grep -q '^snapshot.netns ' "$d/metrics"
	grep -q '^ns.create ' "$d/metrics"
	# Each family typed; build_info and the start time.
	for f in events_total lost_events_total records_written_total; do
		grep -qx "# TYPE nstrace_$f counter" "$m"
	done
	version=$("$NSTRACE" --version | awk '{ print $2 }')
	grep -Eqx "nstrace_build_info\{version=\"$version\",backend=\"(fentry|kprobe|tracepoint)(\+(kprobe|tracepoint))*\",kernel=\"$(uname -r)\"\} 1" "$m"
	start=$(metric nstrace_start_time_seconds "$m")
	start=${start%.*}
	[ "$start" -ge "$before" ] && [ "$start" -le "$after" ] || {
		echo "start time $start not in [$before, $after]" >&2
		return 1
	}
	# Readable by node_exporter; the file written beside it is gone.
	assert_eq "$(stat -c %a "$m")" 644 "mode"
	assert_eq "$(ls "$d" | grep -c tmp)" 0 "files left beside it"
}

@test "--metrics-file: bad values exit 2, a path that cannot be written 1" {
	usage_error "nstrace: metrics interval must be 1 to 3600 seconds: '0'" \
		--metrics-file m --metrics-interval 0
	usage_error "nstrace: metrics interval must be 1 to 3600 seconds: 'x'" \
		--metrics-file m --metrics-interval x
	usage_error "nstrace: --metrics-interval needs --metrics-file" --metrics-interval 5
	usage_error "nstrace: empty metrics file name: ''" --metrics-file ''
	need_root
	run --separate-stderr "$NSTRACE" --json --metrics-file "$BATS_TEST_TMPDIR/no/m.prom"
	assert_eq "$status" 1 "exit status"
	grep -qx "nstrace: cannot write metrics to $BATS_TEST_TMPDIR/no/m.prom: No such file or directory" <<<"$stderr"
}

# free_port: a TCP port on 127.0.0.1 that nobody listens on now.
free_port() {
	python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Prometheus starts slowly on a loaded machine, and scrapes once a
# second: what waits for it waits this long.
PROM_WAIT=60

# start_prometheus TARGET: Debian's Prometheus on 127.0.0.1:$PROM_PORT,
# scraping TARGET every second into a TSDB of the test's own.
start_prometheus() {
	local d=$BATS_TEST_TMPDIR/prometheus
	mkdir -p "$d/data"
	cat >"$d/prometheus.yml" <<-YML
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		scrape_configs:
		  - job_name: nstrace
		    static_configs:
		      - targets: ["$1"]
	YML
	PROM_PORT=$(free_port)
	prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" >"$d/log" 2>&1 &
	PROM_PID=$!
}

# promql QUERY: the instant vector QUERY gives, one "LABEL VALUE" line per
# series (LABEL: its event label, or its name), sorted.
promql() {
	curl -sf --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		jq -er '.data.result[] | "\(.metric.event // .metric.__name__) \(.value[1])"' |
		sort
}

# scraped_up: Prometheus has scraped nstrace, and it answered.
scraped_up() {
	[ "$(promql 'up{job="nstrace"}' 2>/dev/null)" = "up 1" ]
}

# stream_counts: the stream's lines by event, "EVENT COUNT", sorted.
stream_counts() {
	jq -r .event "$TRACE_OUT" | sort | uniq -c | awk '{ print $2, $1 }' | sort
}

# scraped_is_stream: the last scrape counted every line of the stream,
# by event, and the stream has no line it did not count.
scraped_is_stream() {
	local got want
	got=$(promql nstrace_events_total) || return 1
	want=$(stream_counts) || return 1
	[ "$got" = "$want" ]
}

@test "--metrics: Prometheus scrapes the counts of the stream's lines" {
	need_root
	command -v prometheus >/dev/null || skip_or_fail "needs prometheus"
	own_names prom
	port=$(free_port)
	start_nstrace --metrics "127.0.0.1:$port"
	start_prometheus "127.0.0.1:$port"
	wait_secs $PROM_WAIT scraped_up || {
		cat "$BATS_TEST_TMPDIR/prometheus/log" >&2
		return 1
	}
	churn 5 p
	wait_secs $PROM_WAIT has_created 5 "$TRACE_OUT"
	# Once the churn is over: a scrape after it sees exactly the lines.
	wait_secs $PROM_WAIT scraped_is_stream || {
		diff <(stream_counts) <(promql nstrace_events_total) >&2
		return 1
	}
	got=$(promql nstrace_events_total)
	echo "$got" >&2
	# The churn is in what Prometheus holds, not only the rest.
	[ "$(awk '$1 == "netdev.create" { print $2 }' <<<"$got")" -ge 5 ]
	[ "$(awk '$1 == "ns.create" { print $2 }' <<<"$got")" -ge 5 ]
	# The other families, as Prometheus took them.
	[[ $(promql nstrace_ring_buffer_size_bytes) == "nstrace_ring_buffer_size_bytes 4194304" ]]
	[[ $(promql nstrace_names_cache_entries) =~ ^nstrace_names_cache_entries\ [1-9][0-9]*$ ]]
	[[ $(promql nstrace_lost_events_total) =~ ^nstrace_lost_events_total\ [0-9]+$ ]]
	version=$("$NSTRACE" --version | awk '{ print $2 }')
	info=$(curl -sf --get "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode 'query=nstrace_build_info' |
		jq -r '.data.result[0].metric | "\(.version) \(.kernel) \(.job)"')
	assert_eq "$info" "$version $(uname -r) nstrace" "build_info labels"
	kill_bg "$PROM_PID"
	PROM_PID=
	stop_nstrace
}

# status_of ARGS...: the HTTP status curl ARGS gets.
status_of() {
	curl -s -o /dev/null -w '%{http_code}' "$@"
}

@test "--metrics: 404 and 405, HEAD, whole answers, IPv6 and localhost" {
	need_root
	port=$(free_port)
	url=http://127.0.0.1:$port
	start_nstrace --metrics "localhost:$port"
	assert_eq "$(status_of "$url/metrics")" 200 "GET /metrics"
	assert_eq "$(status_of "$url/")" 404 "GET /"
	assert_eq "$(status_of "$url/metrics/x")" 404 "GET /metrics/x"
	assert_eq "$(status_of -X POST "$url/metrics")" 405 "POST /metrics"
	assert_eq "$(status_of -X DELETE "$url/metrics")" 405 "DELETE /metrics"
	curl -s -D "$BATS_TEST_TMPDIR/h" -o /dev/null -X PUT "$url/metrics"
	grep -qx $'Allow: GET, HEAD\r' "$BATS_TEST_TMPDIR/h"
	# The body is what Content-Length says, its families typed.
	curl -sf -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/body" -H 'Connection: close' "$url/metrics"
	len=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$BATS_TEST_TMPDIR/h")
	assert_eq "$(stat -c %s "$BATS_TEST_TMPDIR/body")" "$len" "body length"
	grep -qx $'Connection: close\r' "$BATS_TEST_TMPDIR/h"
	grep -qx $'Content-Type: text/plain; version=0.0.4; charset=utf-8\r' "$BATS_TEST_TMPDIR/h"
	grep -qx '# TYPE nstrace_events_total counter' "$BATS_TEST_TMPDIR/body"
	grep -q '^nstrace_build_info{' "$BATS_TEST_TMPDIR/body"
	# HEAD: the same headers, no body.
	curl -sf -I "$url/metrics" >"$BATS_TEST_TMPDIR/head"
	grep -q '^HTTP/1.1 200 OK' "$BATS_TEST_TMPDIR/head"
	grep -q '^Content-Length: [1-9]' "$BATS_TEST_TMPDIR/head"
	# Two requests on one connection: keep-alive.
	curl -sf -o /dev/null -o /dev/null -w '%{num_connects}\n' "$url/metrics" "$url/metrics" >"$BATS_TEST_TMPDIR/conns"
	assert_eq "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/conns")" "1 0 " "connections for two requests"
	stop_nstrace
	# IPv6, in brackets.
	if ip -6 addr show dev lo | grep -q 'inet6 ::1/'; then
		start_nstrace --metrics "[::1]:$port"
		assert_eq "$(status_of -g "http://[::1]:$port/metrics")" 200 "GET over IPv6"
		stop_nstrace
	fi
}

@test "--metrics: clients that send nothing never hold the stream" {
	need_root
	own_names idle
	port=$(free_port)
	start_nstrace --metrics "127.0.0.1:$port"
	# One more than the cap, connected and silent.
	IDLE_PIDS=()
	for i in $(seq 9); do
		python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").close()
t = time.time()
s.settimeout(30)
data = s.recv(1)
with open(sys.argv[2], "w") as f:
    f.write("%s %.1f\n" % ("closed" if not data else "data", time.time() - t))
' "$port" "$BATS_TEST_TMPDIR/idle$i" &
		IDLE_PIDS+=($!)
	done
	for i in $(seq 9); do
		wait_for test -e "$BATS_TEST_TMPDIR/idle$i"
	done
	# Meanwhile the stream goes on: the churn is written while they hang.
	churn 3 i
	wait_for has_created 3 "$TRACE_OUT"
	for i in $(seq 8); do
		assert_eq "$(cat "$BATS_TEST_TMPDIR/idle$i")" "" "client $i, still connected"
	done
	# A scrape waits for a free place, and gets one when the time is up.
	assert_eq "$(status_of --max-time 20 "http://127.0.0.1:$port/metrics")" 200 "scrape past silent clients"
	# Each silent client is closed by nstrace after its 5 s, none earlier.
	for i in $(seq 9); do
		wait_secs $PROM_WAIT test -s "$BATS_TEST_TMPDIR/idle$i"
		read -r how secs <"$BATS_TEST_TMPDIR/idle$i"
		assert_eq "$how" closed "client $i"
		[ "${secs%.*}" -ge 4 ] && [ "${secs%.*}" -lt 15 ] || {
			echo "client $i closed after $secs s" >&2
			return 1
		}
	done
	kill_bg "${IDLE_PIDS[@]}"
	# And events still come after them.
	churn 2 j
	wait_for has_created 5 "$TRACE_OUT"
	stop_nstrace
}

@test "--metrics: bad values exit 2, an address in use or not here 1" {
	local bad="nstrace: metrics address must be ADDR:PORT, ADDR an IPv4 address, [IPv6] or localhost and PORT 1 to 65535"
	local v
	for v in 127.0.0.1 127.0.0.1: 127.0.0.1:0 127.0.0.1:65536 localhost:99999 \
		:9477 ::1:9477 '[::1]' 999.1.1.1:9477 example.com:80 ''; do
		usage_error "$bad: '$v'" --metrics "$v"
	done
	need_root
	port=$(free_port)
	start_nstrace --metrics "127.0.0.1:$port"
	# Bound before anything is attached: no "tracing" line, exit 1.
	run --separate-stderr "$NSTRACE" --json --metrics "127.0.0.1:$port"
	assert_eq "$status" 1 "exit status with the port in use"
	assert_eq "$stderr" "nstrace: cannot listen on 127.0.0.1:$port: Address already in use"
	assert_eq "$output" "" "stdout with the port in use"
	stop_nstrace
	# 192.0.2.1 (TEST-NET-1) is no address of this machine.
	run --separate-stderr "$NSTRACE" --json --metrics "192.0.2.1:$port"
	assert_eq "$status" 1 "exit status with an address not here"
	assert_eq "$stderr" "nstrace: cannot listen on 192.0.2.1:$port: Cannot assign requested address"
}
