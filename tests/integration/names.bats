#!/usr/bin/env bats
# Names, processes and containers on every event, and the ns.name events,
# against real `ip netns`, bind mounts, processes and cgroups. Every
# namespace is told apart by its inode and its name: inodes of dead
# namespaces come back at once, and other tests run at the same time.

load helpers

setup() {
	need_root
	P=nmx-$$
	A=$P-a
	B=$P-b
	VA=nmx$$a0
	VB=nmx$$a1
	ALIAS=$BATS_TEST_TMPDIR/alias
}

teardown() {
	teardown_nstrace
	[ -z "${BG:-}" ] || { kill $BG 2>/dev/null; wait $BG 2>/dev/null; } || true
	ip link del "$VA" 2>/dev/null || true
	umount "$ALIAS" 2>/dev/null || true
	# A glob, not ip netns list: names may hold blanks and control bytes.
	for f in /run/netns/"$P"*; do
		[ -e "$f" ] && ip netns del "${f#/run/netns/}"
	done
	[ -z "${CG:-}" ] || rmdir "$CG" 2>/dev/null || true
	[ -z "${CTR:-}" ] || podman rm -f -t 0 "$CTR" >/dev/null 2>&1 || true
	[ -z "${PNET:-}" ] || podman network rm -f "$PNET" >/dev/null 2>&1 || true
	true
}

netns_ino() { # NAME
	stat -L -c %i "/run/netns/$1"
}

# dev_event KIND IFNAME NETNS: the filter of netdev.KIND of IFNAME there.
dev_event() {
	echo ".event==\"netdev.$1\" and .ifname==\"$2\" and .netns==$3"
}

# name_order LOG INODE NAME: ns.create of the netns, then its ns.name add,
# its remove, then its ns.destroy, by line. (Another test's namespace may
# have had the inode before, or have it after.)
name_order() {
	python3 - "$@" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
ino, name = int(sys.argv[2]), sys.argv[3]
at = lambda f: [i for i, e in enumerate(ev) if f(e)]
add = at(lambda e: e["event"] == "ns.name" and e["name"] == name and e["op"] == "add")[0]
rm = at(lambda e: e["event"] == "ns.name" and e["name"] == name and e["op"] == "remove")[0]
created = at(lambda e: e["event"] == "ns.create" and e.get("ns") == ino and e["ns_type"] == "net")
assert [i for i in created if i < add], "no ns.create before the name"
assert add < rm, (add, rm)
died = [i for i in at(lambda e: e["event"] == "ns.destroy" and e["ns"] == ino and e["ns_type"] == "net") if i > add]
assert died, "no ns.destroy after the name"
assert rm < died[0], ("the remove comes after the ns.destroy", rm, died[0])
EOF
}

# assert_name EVENT_JSON OP INODE PATH: the fields of an ns.name.
assert_name() {
	assert_eq "$(jq -r .op <<<"$1")" "$2" "$2: op"
	assert_eq "$(jq -r .ns <<<"$1")" "$3" "$2: ns"
	assert_eq "$(jq -r .ns_type <<<"$1")" net "$2: ns_type"
	assert_eq "$(jq -r .path <<<"$1")" "$4" "$2: path"
	assert_eq "$(jq -r .name <<<"$1")" "${4##*/}" "$2: name"
}

# named_by OP PATH INODE COMM PPID [PID]: the one ns.name OP at PATH, by
# COMM (PID when given), a child of PPID, in $e.
named_by() {
	e=$(one ".event==\"ns.name\" and .path==\"$2\" and .op==\"$1\"")
	assert_name "$e" "$1" "$3" "$2"
	assert_task "$e" "${6:-$(jq -r .pid <<<"$e")}" "$4" "$5"
}

# ip_names NAME INODE: the one add and one remove of /run/netns/NAME, each
# by an ip (the shell's child: ip names the netns itself), in $add, $rm.
ip_names() {
	named_by add "/run/netns/$1" "$2" ip "$BASHPID"
	add=$e
	named_by remove "/run/netns/$1" "$2" ip "$BASHPID"
	rm=$e
	[[ $(jq -r .pid <<<"$rm") != $(jq -r .pid <<<"$add") ]]
}

@test "ip netns add and del: ns.name add with the inode and ip, then remove before the ns.destroy" {
	start_nstrace
	ip netns add "$A"
	ino=$(netns_ino "$A")
	cookie=$(netns_cookie "$A")
	wait_events 1 ".event==\"ns.name\" and .name==\"$A\""
	ip netns del "$A"
	wait_events 2 ".event==\"ns.name\" and .name==\"$A\""
	wait_events 1 ".event==\"ns.destroy\" and .ns_cookie==$cookie"
	stop_nstrace

	ip_names "$A" "$ino"
	assert_cookie "$add" ns "$cookie"
	assert_cookie "$rm" ns "$cookie"
	assert_eq "$(jq -c .ns_names <<<"$add")" "[\"$A\"]" "add: ns_names"
	assert_eq "$(jq -r 'has("ns_names")' <<<"$rm")" false "remove: no name left"
	name_order "$TRACE_OUT" "$ino" "$A"
}

@test "ip netns attach: the name of a process's netns, by ip" {
	unshare -n sleep 1000 &
	BG=$!
	wait_for comm_is "$BG" sleep
	ino=$(ns_inode "$BG" net)
	start_nstrace
	ip netns attach "$A" "$BG"
	assert_eq "$(netns_ino "$A")" "$ino" "the mount's inode"
	ip netns del "$A"
	wait_events 2 ".event==\"ns.name\" and .name==\"$A\""
	stop_nstrace

	ip_names "$A" "$ino"
}

@test "a bind mount in another mount namespace: seen, with its process, told once" {
	X=$BATS_TEST_TMPDIR/other
	touch "$X"
	ino=$(ns_inode $$ net)
	start_nstrace
	# mount(8) and umount(8) are the children of the sh that unshare
	# becomes; the mount never shows in nstrace's own mount table.
	unshare -m --propagation private sh -c \
		'mount --bind /proc/self/ns/net "$1" && umount "$1"; sleep 1' \
		sh "$X" &
	sh=$!
	wait_events 2 ".event==\"ns.name\" and .path==\"$X\""
	wait "$sh"
	sleep 0.3
	stop_nstrace

	named_by add "$X" "$ino" mount "$sh"
	named_by remove "$X" "$ino" umount "$sh"
}

@test "the mount syscall's own forms: a relative target, /proc/PID/task/TID, an nsfs fd; told once" {
	ip netns add "$A"
	ia=$(netns_ino "$A")
	unshare -n sleep 1000 &
	BG=$!
	wait_for comm_is "$BG" sleep
	ib=$(ns_inode "$BG" net)
	dir=$(realpath "$BATS_TEST_TMPDIR")
	mkdir "$dir/d"
	touch "$dir/d/rel" "$dir/task" "$dir/fd"
	start_nstrace
	# mount(2) itself: mount(8) would make the paths absolute first.
	(cd "$dir/d" && exec python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def bind(src, dst):
    if libc.mount(src.encode(), dst.encode(), b"none", 4096, None):
        sys.exit("mount %s: %s" % (src, os.strerror(ctypes.get_errno())))
    if libc.umount2(dst.encode(), 0):
        sys.exit("umount %s: %s" % (dst, os.strerror(ctypes.get_errno())))
print(os.getpid(), flush=True)
bind("/proc/self/ns/net", "rel")
bind("/proc/%s/task/%s/ns/net" % (sys.argv[1], sys.argv[1]), "./../task")
fd = os.open("/run/netns/" + sys.argv[2], os.O_RDONLY)
bind("/proc/self/fd/%d" % fd, sys.argv[3] + "/fd")
' "$BG" "$A" "$dir" >"$dir/pid")
	py=$(cat "$dir/pid")
	wait_events 6 ".event==\"ns.name\" and .pid==$py"
	sleep 0.3
	stop_nstrace
	# The mount table's reads saw some of them, and tell none again.
	assert_eq "$(count '.event=="ns.name"')" 6 "ns.name events"

	for op in add remove; do
		# Relative: from the cwd, as the kernel walked it.
		named_by $op "$dir/d/rel" "$(ns_inode $$ net)" python3 "$BASHPID" "$py"
		named_by $op "$dir/task" "$ib" python3 "$BASHPID" "$py"
		named_by $op "$dir/fd" "$ia" python3 "$BASHPID" "$py"
	done
}

# bats test_tags=host-userland
@test "podman: netavark's netns, named by podman, its remove before its ns.destroy" {
	PNET=nsn$$
	CTR=nsn$$
	start_nstrace
	podman_run "$CTR" "$PNET" 10.199.4.0/24
	pid=$(podman inspect -f '{{.State.Pid}}' "$CTR")
	key=$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' "$CTR")
	ino=$(ns_inode "$pid" net)
	assert_eq "$(stat -L -c %i "$key")" "$ino" "the sandbox key's inode"
	podman rm -f -t 0 "$CTR" >/dev/null
	CTR=
	wait_events 2 ".event==\"ns.name\" and .path==\"$key\""
	wait_events 1 ".event==\"ns.destroy\" and .ns==$ino"
	stop_nstrace

	add=$(one ".event==\"ns.name\" and .path==\"$key\" and .op==\"add\"")
	assert_name "$add" add "$ino" "$key"
	assert_eq "$(jq -r .comm <<<"$add")" podman "add: comm"
	assert_eq "$(jq -r .uid <<<"$add")" 0 "add: uid"
	rm=$(one ".event==\"ns.name\" and .path==\"$key\" and .op==\"remove\"")
	assert_name "$rm" remove "$ino" "$key"
	assert_eq "$(jq -r .comm <<<"$rm")" podman "remove: comm"
	name_order "$TRACE_OUT" "$ino" "${key##*/}"
}

@test "the mount table, for what the syscalls cannot resolve; a name from before the start, removed by ip" {
	ip netns add "$A"
	ino=$(netns_ino "$A")
	touch "$ALIAS"
	start_nstrace
	# A bind of an nsfs mount's own path: only the mount table tells it.
	mount --bind "/run/netns/$A" "$ALIAS"
	wait_events 1 ".event==\"ns.name\" and .path==\"$ALIAS\""
	umount "$ALIAS"
	ip netns del "$A"
	wait_events 1 ".event==\"ns.name\" and .name==\"$A\""
	wait_events 2 ".event==\"ns.name\" and .path==\"$ALIAS\""
	sleep 0.3
	stop_nstrace

	e=$(one ".event==\"ns.name\" and .path==\"$ALIAS\" and .op==\"add\"")
	assert_name "$e" add "$ino" "$ALIAS"
	assert_eq "$(jq -r 'has("pid")' <<<"$e")" false "table: no process"
	named_by remove "$ALIAS" "$ino" umount "$BASHPID"
	assert_eq "$(count ".event==\"ns.name\" and .name==\"$A\"")" 1 "$A: one"
	named_by remove "/run/netns/$A" "$ino" ip "$BASHPID"
}

@test "netdev.move between two named netns carries both names; two names show both" {
	ip netns add "$A"
	ip netns add "$B"
	ia=$(netns_ino "$A")
	ib=$(netns_ino "$B")
	start_nstrace
	# A second name for B: a bind mount of its own.
	touch "$ALIAS"
	mount --bind "/run/netns/$B" "$ALIAS"
	wait_events 1 ".event==\"ns.name\" and .path==\"$ALIAS\""
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$A"
	ip -n "$A" link set "$VA" netns "$B"
	umount "$ALIAS"
	wait_events 1 ".event==\"ns.name\" and .path==\"$ALIAS\" and .op==\"remove\""
	ip -n "$B" link set "$VA" netns "$A"
	stop_nstrace

	e=$(one ".event==\"ns.name\" and .path==\"$ALIAS\" and .op==\"add\"")
	assert_eq "$(jq -r .ns <<<"$e")" "$ib" "alias: ns"
	assert_eq "$(jq -r .name <<<"$e")" alias "alias: name"
	assert_eq "$(jq -c .ns_names <<<"$e")" "[\"$B\",\"alias\"]" "alias: ns_names"

	e=$(one ".event==\"netdev.move\" and .ifname==\"$VA\" and .from_netns==$ia")
	assert_eq "$(jq -r .to_netns <<<"$e")" "$ib" to_netns
	assert_eq "$(jq -c .from_netns_names <<<"$e")" "[\"$A\"]" from_netns_names
	assert_eq "$(jq -c .to_netns_names <<<"$e")" "[\"$B\",\"alias\"]" to_netns_names
	# The alias is gone: B has one name again.
	e=$(one ".event==\"netdev.move\" and .ifname==\"$VA\" and .from_netns==$ib")
	assert_eq "$(jq -c .from_netns_names <<<"$e")" "[\"$B\"]" "after umount"
	assert_eq "$(jq -c .to_netns_names <<<"$e")" "[\"$A\"]" "back to A"
}

@test "text output: the names go into DETAILS" {
	ip netns add "$A"
	ip netns add "$B"
	"$NSTRACE" -o "$BATS_TEST_TMPDIR/out.txt" 2>"$BATS_TEST_TMPDIR/err" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$BATS_TEST_TMPDIR/err"
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$A"
	ip -n "$A" link set "$VA" netns "$B"
	sleep 0.3
	kill -INT "$TRACE_PID"
	wait "$TRACE_PID"
	TRACE_PID=
	grep -E "^[0-9:.]+ netdev.move .* ifname=$VA .*from_netns_names=$A( .*)? to_netns_names=$B( |$)" "$BATS_TEST_TMPDIR/out.txt"
}

@test "a process in a netns shows in its pids; once killed it drops out" {
	ip netns add "$A"
	ia=$(netns_ino "$A")
	start_nstrace
	ip netns exec "$A" sleep 1000 &
	BG=$!
	wait_for comm_is "$BG" sleep
	[ "$(ns_inode "$BG" net)" = "$ia" ]
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	wait_events 1 "$(dev_event create "$VA" "$ia")"
	kill "$BG"
	wait "$BG" || true
	ip -n "$A" link del "$VA"
	wait_events 1 "$(dev_event delete "$VA" "$ia")"
	stop_nstrace

	# The setns of ip netns exec put it there.
	e=$(one ".event==\"ns.setns\" and .pid==$BG and .ns_type==\"net\"")
	assert_eq "$(jq -r .to_ns <<<"$e")" "$ia" to_ns
	assert_eq "$(jq -c .to_ns_names <<<"$e")" "[\"$A\"]" to_ns_names
	jq -e ".to_ns_pids | index($BG)" <<<"$e"
	e=$(one "$(dev_event create "$VA" "$ia")")
	jq -e ".netns_pids | index($BG)" <<<"$e"
	assert_eq "$(jq -c .netns_names <<<"$e")" "[\"$A\"]" netns_names
	e=$(one "$(dev_event delete "$VA" "$ia")")
	assert_eq "$(jq -c ".netns_pids // [] | index($BG)" <<<"$e")" null "dead pid dropped"
	assert_eq "$(jq -c .netns_names <<<"$e")" "[\"$A\"]" "netns_names after"
}

@test "a netns its last process's exit kills: no process listed on its death" {
	start_nstrace -t net
	# The kernel worker may clean the netns up before the killed
	# process is a zombie: it was seen listed about one time in five.
	for _ in $(seq 20); do
		unshare -n sleep 1000 &
		BG=$!
		wait_events 1 ".event==\"ns.create\" and .pid==$BG"
		# By its cookie: the inode comes back at once.
		c=$(one ".event==\"ns.create\" and .pid==$BG" | jq .ns_cookie)
		kill -KILL "$BG"
		wait "$BG" || true
		wait_events 1 ".event==\"ns.destroy\" and .ns_cookie==$c"
		echo "$c" >>"$BATS_TEST_TMPDIR/cookies"
	done
	BG=
	stop_nstrace
	while read -r c; do
		e=$(one ".event==\"ns.destroy\" and .ns_cookie==$c")
		assert_eq "$(jq -c .ns_pids <<<"$e")" null "ns_pids of the dead $c"
		e=$(one ".event==\"netdev.delete\" and .netns_cookie==$c")
		assert_eq "$(jq -c .ifname <<<"$e")" '"lo"' "the dead $c's device"
		assert_eq "$(jq -c .netns_pids <<<"$e")" null "netns_pids of the dead $c's lo"
	done <"$BATS_TEST_TMPDIR/cookies"
}

# A cgroup v2 hierarchy this machine lets us write to.
cgroup2_root() {
	awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

# docker_cgroup SEED: a docker-like container's cgroup CG, of id ID, made
# from SEED; teardown removes it.
docker_cgroup() {
	local root
	root=$(cgroup2_root)
	[ -n "$root" ] || skip_or_fail "no cgroup v2 hierarchy mounted"
	id=$(printf '%s' "$1$$" | sha256sum | cut -c1-64)
	mkdir -p "$root/system.slice"
	CG=$root/system.slice/docker-$id.scope
	mkdir "$CG"
}

@test "a process in a docker-like cgroup: the netns has its container" {
	docker_cgroup nmx
	ip netns add "$A"
	ia=$(netns_ino "$A")
	start_nstrace
	# In the cgroup before it enters the netns, as a container's process.
	sh -c "echo \$\$ > '$CG/cgroup.procs' && exec ip netns exec '$A' sleep 1000" &
	BG=$!
	wait_for comm_is "$BG" sleep
	grep -q "docker-$id.scope" "/proc/$BG/cgroup"
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	wait_events 1 "$(dev_event create "$VA" "$ia")"
	stop_nstrace

	e=$(one "$(dev_event create "$VA" "$ia")")
	assert_eq "$(jq -c .netns_container <<<"$e")" "{\"runtime\":\"docker\",\"id\":\"$id\"}" netns_container
	jq -e ".netns_pids | index($BG)" <<<"$e"
	kill "$BG"
	wait "$BG" || true
	BG=
	rmdir "$CG"
	CG=
}

@test "--host-root: a docker-like container's name from its state, kept by its netns to its death" {
	docker_cgroup nmh
	# The runtime's state, under a host root as a DaemonSet mounts it; a
	# name with an escape sequence and a quote in it.
	host=$BATS_TEST_TMPDIR/host
	mkdir -p "$host/var/lib/docker/containers/$id"
	printf '{"ID":"%s","Name":"/web\\u001b[31m\\"x","NetworkSettings":{"SandboxKey":"/var/run/docker/netns/0123abcd"}}\n' \
		"$id" >"$host/var/lib/docker/containers/$id/config.v2.json"
	name=$(printf 'web\033[31m"x')
	ctr=$(jq -nc --arg id "$id" --arg n "$name" '{runtime: "docker", id: $id, name: $n}')
	ip netns add "$A"
	ia=$(netns_ino "$A")
	start_nstrace --host-root "$host"
	sh -c "echo \$\$ > '$CG/cgroup.procs' && exec ip netns exec '$A' sleep 1000" &
	BG=$!
	wait_for comm_is "$BG" sleep
	ip -n "$A" link add "$VA" type veth peer name "$VB"
	wait_events 1 "$(dev_event create "$VA" "$ia")"
	# Its last process gone, the netns (held by its name) stays the
	# container's: as a runtime's bind mount holds it after a stop.
	kill "$BG"
	wait "$BG" || true
	BG=
	ip -n "$A" link del "$VA"
	wait_events 1 "$(dev_event delete "$VA" "$ia")"
	ip netns del "$A"
	wait_events 1 ".event == \"ns.destroy\" and .ns == $ia"
	stop_nstrace

	e=$(one "$(dev_event create "$VA" "$ia")")
	assert_eq "$(jq -c .netns_container <<<"$e")" "$ctr" "netns_container at the creation"
	e=$(one "$(dev_event delete "$VA" "$ia") and .ifindex > 0 and (.peer_netns | not)")
	assert_eq "$(jq -c .netns_pids <<<"$e")" null "netns_pids once its process is gone"
	assert_eq "$(jq -c .netns_container <<<"$e")" "$ctr" "netns_container with no process left"
	e=$(one ".event == \"ns.destroy\" and .ns == $ia")
	assert_eq "$(jq -c .ns_container <<<"$e")" "$ctr" "ns_container of its ns.destroy"
	# No other netns claimed: the host's least of all.
	assert_eq "$(count ".ns_type == \"net\" and (.from_ns_container != null or
		((.netns_container // .ns_container // .to_ns_container) != null and (.netns // .ns // .to_ns) != $ia))")" \
		0 "events of other network namespaces with the container"
	rmdir "$CG"
	CG=
}

@test "--host-root that is not a directory: one line, exit 2" {
	run "$NSTRACE" --host-root "$BATS_TEST_TMPDIR/nosuch"
	[ "$status" -eq 2 ]
	assert_eq "${lines[0]}" "nstrace: host root is not a directory: '$BATS_TEST_TMPDIR/nosuch'" "the refusal"
	run "$NSTRACE" ls --host-root /etc/hostname
	[ "$status" -eq 2 ]
	assert_eq "${lines[0]}" "nstrace ls: host root is not a directory: '/etc/hostname'" "ls's refusal"
}

@test "churn: every name added and removed comes out once, in order" {
	start_nstrace
	declare -A ino
	n=40
	for i in $(seq 1 $n); do
		ip netns add "$P-c$i"
		ino[$i]=$(netns_ino "$P-c$i")
		# Each name lives while five more come.
		if [ "$i" -gt 5 ]; then
			ip netns del "$P-c$((i - 5))"
		fi
	done
	for i in $(seq $((n - 4)) $n); do
		ip netns del "$P-c$i"
	done
	wait_events $((2 * n)) ".event==\"ns.name\" and (.name | startswith(\"$P-c\"))"
	stop_nstrace

	for i in $(seq 1 $n); do
		ops=$(jq -r "select(.event==\"ns.name\" and .name==\"$P-c$i\") | .op + \":\" + (.ns | tostring)" "$TRACE_OUT" | tr '\n' ' ')
		assert_eq "$ops" "add:${ino[$i]} remove:${ino[$i]} " "$P-c$i"
	done
}

@test "a name with hostile bytes: JSON parses, text is escaped" {
	bad=$(printf '%s-\033[31m\t"\\\xff\001x' "$P")
	start_nstrace
	ip netns add "$bad"
	ino=$(stat -L -c %i "/run/netns/$bad")
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$bad"
	wait_events 1 ".event==\"netdev.move\" and .ifname==\"$VA\""
	ip netns del "$bad"
	wait_events 1 ".event==\"ns.name\" and .op==\"remove\" and .ns==$ino and (.name | startswith(\"$P-\"))"
	stop_nstrace

	python3 -c '
import json, sys
want = sys.argv[2].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
found = 0
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    # Inodes come back at once: another namespace may get ours.
    if e.get("event") == "ns.name" and e["ns"] == int(sys.argv[3]) and e["name"].startswith(sys.argv[4]):
        assert e["name"] == want, (e["name"], want)
        found += 1
    if e.get("event") == "netdev.move" and e.get("ifname") == sys.argv[5]:
        assert e["to_netns"] == int(sys.argv[3]), e
        assert e["to_netns_names"] == [want], e
        found += 1
assert found == 3, found
' "$TRACE_OUT" "$bad" "$ino" "$P-" "$VA"

	"$NSTRACE" -o "$BATS_TEST_TMPDIR/out.txt" 2>"$BATS_TEST_TMPDIR/err" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$BATS_TEST_TMPDIR/err"
	ip netns add "$bad"
	sleep 0.3
	ip netns del "$bad"
	sleep 0.3
	kill -INT "$TRACE_PID"
	wait "$TRACE_PID"
	TRACE_PID=
	grep -F "name=$P-\\x1b[31m\\x09\"\\\\\\xff\\x01x path=" "$BATS_TEST_TMPDIR/out.txt"
	lacks $'\033' <"$BATS_TEST_TMPDIR/out.txt"
}

@test "--no-names: no names, pids or containers, and no ns.name" {
	ip netns add "$A"
	ia=$(netns_ino "$A")
	start_nstrace --no-names
	ip netns add "$B"
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$A"
	wait_events 1 ".event==\"netdev.move\" and .ifname==\"$VA\""
	ip netns del "$B"
	sleep 0.3
	stop_nstrace

	assert_eq "$(count '.event=="ns.name"')" 0 "ns.name events"
	assert_eq "$(count 'to_entries | map(select(.key | test("_(names|pids|container)$"))) | length > 0')" 0 "enriched events"
	e=$(one ".event==\"netdev.move\" and .ifname==\"$VA\"")
	assert_eq "$(jq -r .to_netns <<<"$e")" "$ia" to_netns
}

@test "filters: -e ns.name alone, -t, and -p (another's ns.name are not its)" {
	start_nstrace -e ns.name
	ip netns add "$A"
	wait_events 1 ".event==\"ns.name\" and .name==\"$A\""
	stop_nstrace
	assert_eq "$(count '.event!="ns.name"')" 0 "other events"

	start_nstrace -t uts
	ip netns add "$B"
	sleep 0.3
	stop_nstrace
	assert_eq "$(count ".event==\"ns.name\" and .name==\"$B\"")" 0 "-t uts"

	sleep 1000 &
	BG=$!
	start_nstrace -p "$BG"
	ip netns del "$B"
	sleep 0.3
	stop_nstrace
	assert_eq "$(count '.event=="ns.name"')" 0 "-p"

	# The process of -p itself mounts: that ns.name is its.
	X=$BATS_TEST_TMPDIR/mine
	touch "$X"
	mkfifo "$BATS_TEST_TMPDIR/go"
	unshare -m --propagation private sh -c \
		'read _ <"$1" && exec mount --bind /proc/self/ns/net "$2"' \
		sh "$BATS_TEST_TMPDIR/go" "$X" &
	mnt=$!
	start_nstrace -p "$mnt"
	echo >"$BATS_TEST_TMPDIR/go"
	wait "$mnt"
	wait_events 1 '.event=="ns.name"'
	stop_nstrace
	e=$(one '.event=="ns.name"')
	assert_name "$e" add "$(ns_inode $$ net)" "$X"
	assert_task "$e" "$mnt" mount "$BASHPID"
}

@test "after the drop of every capability, names and pids still come" {
	command -v setpriv >/dev/null || skip_or_fail "no setpriv"
	ip netns add "$A"
	ia=$(netns_ino "$A")
	TRACE_OUT=$BATS_TEST_TMPDIR/events.json
	TRACE_ERR=$BATS_TEST_TMPDIR/stderr
	setpriv --bounding-set -all,+bpf,+perfmon --inh-caps -all \
		"$NSTRACE" --json >"$TRACE_OUT" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_for grep -q '^nstrace: tracing' "$TRACE_ERR"
	assert_eq "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$TRACE_PID/status")" 0000000000000000 CapEff
	ip netns add "$B"
	ip netns exec "$A" sleep 1000 &
	BG=$!
	wait_for comm_is "$BG" sleep
	ip -n "$A" link add "$VA" type veth peer name "$VB" netns "$B"
	wait_events 1 ".event==\"netdev.create\" and .ifname==\"$VB\""
	stop_nstrace
	e=$(one "$(dev_event create "$VA" "$ia")")
	assert_eq "$(jq -c .netns_names <<<"$e")" "[\"$A\"]" netns_names
	jq -e ".netns_pids | index($BG)" <<<"$e"
	one ".event==\"ns.name\" and .name==\"$B\" and .op==\"add\""
	e=$(one ".event==\"netdev.create\" and .ifname==\"$VB\"")
	assert_eq "$(jq -c .netns_names <<<"$e")" "[\"$B\"]" "peer's netns_names"
}
