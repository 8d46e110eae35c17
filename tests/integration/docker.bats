#!/usr/bin/env bats
# Docker 20.10 (dockerd with its own containerd and runc) doing its real
# work on private roots, checked field by field against what docker
# inspect, ip -j and /proc say. What dockerd does to a bridged
# container's network: a veth pair made in the host netns, one end moved
# into the container's netns (runc made it) and renamed eth0 there, the
# netns bind-mounted at EXEC_ROOT/netns/ID; on rm, eth0 renamed back,
# moved out, the pair deleted, the mount gone, then the netns dies.

# bats file_tags=host-userland

load helpers

# Debian's client (another docker may come first on PATH). A wedged
# dockerd fails the test that asked, rather than hanging it.
dk() {
	timeout 120 "$DOCKER" -H "unix://$DKROOT/sock" "$@" || {
		local rc=$?
		[ $rc -ne 124 ] || echo "docker $1 still running after 120 s; dockerd's log: $(tail -5 "$DKROOT/log")" >&2
		return $rc
	}
}

setup_file() {
	DOCKER=/usr/bin/docker
	[ -x "$DOCKER" ] || DOCKER=$(command -v docker) || DOCKER=
	export DOCKER
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
	# The cookie of this file's netns, the host's for its containers.
	HOST_COOKIE=$(netns_cookie)
	export HOST_COOKIE
	[ -n "$DOCKER" ] && command -v dockerd >/dev/null &&
		command -v busybox >/dev/null || skip_or_fail "no docker.io"
	# Short: the daemon's socket path must fit a sockaddr_un.
	DKROOT=$(mktemp -d /tmp/nstdk.XXXXXX)
	export DKROOT
	ip link show docker0 >/dev/null 2>&1 && DOCKER0_THEIRS=1
	export DOCKER0_THEIRS
	dockerd --data-root "$DKROOT/data" --exec-root "$DKROOT/exec" \
		--pidfile "$DKROOT/pid" -H "unix://$DKROOT/sock" \
		--iptables=false --ip6tables=false --bip 10.199.31.1/24 \
		>"$DKROOT/log" 2>&1 3>&- &
	DOCKERD_PID=$!
	export DOCKERD_PID
	for _ in $(seq 150); do
		dk version >/dev/null 2>&1 && break
		gone "$DOCKERD_PID" && break
		sleep 0.2
	done
	dk version >/dev/null 2>&1 ||
		skip_or_fail "dockerd did not start: $(tail -3 "$DKROOT/log")"
	# An image without a registry (docs: real-clients).
	local root=$DKROOT/rootfs
	mkdir -p "$root/bin"
	cp "$(command -v busybox)" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	ln -s busybox "$root/bin/sleep"
	tar -C "$root" -c . | dk import - nstrace-busybox:test >/dev/null
}

teardown_file() {
	[ -n "${DKROOT:-}" ] || return 0
	local ids m
	if [ -n "${DOCKERD_PID:-}" ] && ! gone "$DOCKERD_PID"; then
		ids=$(dk ps -aq 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1 || true
		kill -TERM "$DOCKERD_PID" 2>/dev/null || true
		for _ in $(seq 100); do
			gone "$DOCKERD_PID" && break
			sleep 0.2
		done
		kill_bg "$DOCKERD_PID"
	fi
	# Its containerd goes with it, unless dockerd was killed.
	m=$(cat "$DKROOT/exec/containerd/containerd.pid" 2>/dev/null) &&
		[ -n "$m" ] && ! gone "$m" && kill -KILL "$m" 2>/dev/null
	# What dockerd leaves mounted (the host netns's "default" name),
	# deepest first.
	awk '{print $5}' /proc/self/mountinfo | grep "^$DKROOT/" | sort -r |
		while read -r m; do umount -l "$m" || true; done
	[ -n "${DOCKER0_THEIRS:-}" ] || ip link del docker0 2>/dev/null || true
	rm -rf "$DKROOT"
}

setup() {
	CTR=
	SPIN_PIDS=()
}

teardown() {
	kill_bg "${SPIN_PIDS[@]}"
	teardown_nstrace
	[ -z "$CTR" ] || dk rm -f "$CTR" >/dev/null 2>&1 || true
}

# run_ctr NETWORK: a busybox sleep started with docker run -d; sets ID,
# PID (State.Pid), KEY (SandboxKey), NET (its netns's inode) and NAME
# (the mount's last component), and NET_COOKIE, the kernel's cookie of
# that netns, asked while it lives.
run_ctr() {
	CTR=$(tname "$1")
	ID=$(dk run -d --network "$1" --name "$CTR" nstrace-busybox:test /bin/sleep 600)
	PID=$(dk inspect -f '{{.State.Pid}}' "$CTR")
	KEY=$(dk inspect -f '{{.NetworkSettings.SandboxKey}}' "$CTR")
	NET=$(ns_inode "$PID" net)
	NAME=${KEY##*/}
	NET_COOKIE=$(netns_cookie "$PID")
	assert_eq "$(stat -L -c %i "$KEY")" "$NET" "the netns at SandboxKey $KEY"
	# The namespaces it does not share with this shell (--network host
	# shares the netns; on cgroup v1, docker keeps the host's cgroup ns).
	declare -gA INO=()
	TYPES=
	local t
	for t in net mnt uts ipc pid cgroup; do
		INO[$t]=$(ns_inode "$PID" "$t")
		[ "${INO[$t]}" = "$(ns_inode $$ "$t")" ] || TYPES="$TYPES $t"
	done
}

# assert_runc_creates: one ns.create per type of TYPES, all by one
# runc:[1:CHILD] with unshare, each of the inode the container's
# State.Pid had (INO); no other ns.create by runc. The creator soon exits, so
# that the names, processes and container of its namespaces are there
# only when it still lived as the event was written.
assert_runc_creates() {
	local t e p n=0
	for t in $TYPES; do n=$((n + 1)); done
	assert_eq "$(count '.event == "ns.create" and (.comm | startswith("runc"))')" $n "ns.create by runc"
	p=$(events '.event == "ns.create" and .comm == "runc:[1:CHILD]"' | jq -s '.[0].pid')
	for t in $TYPES; do
		e=$(one ".event == \"ns.create\" and .comm == \"runc:[1:CHILD]\" and .ns_type == \"$t\"")
		assert_json "$e" "$(jq -nc --arg t "$t" --argjson ns "${INO[$t]}" --argjson p "$p" --argjson c "$NET_COOKIE" \
			'{schema: 1, event: "ns.create", pid: $p, tid: $p, uid: 0, comm: "runc:[1:CHILD]",
			  ns_type: $t, ns: $ns, syscall: "unshare"} + (if $t == "net" then {ns_cookie: $c} else {} end)')" \
			ppid ns_pids ns_container
		# Its parent is runc:[0:PARENT], gone too: one parent for all.
		assert_eq "$(jq .ppid <<<"$e")" "$(events '.event == "ns.create" and .comm == "runc:[1:CHILD]"' | jq -s '.[0].ppid')" "$t ppid"
		jq -e --argjson p "$p" '(.ns_pids // [$p]) == [$p]' <<<"$e" >/dev/null ||
			{ echo "$t ns_pids: $e" >&2; return 1; }
		jq -e --arg id "$ID" '(.ns_container // {runtime: "docker", id: $id}) == {runtime: "docker", id: $id}' <<<"$e" >/dev/null ||
			{ echo "$t ns_container: $e" >&2; return 1; }
	done
}

# by_dockerd E: the common fields of an event dockerd sent, as a jq
# object to add to: its pid, its parent, and a tid that is one of its
# threads.
by_dockerd() {
	local tid
	tid=$(jq .tid <<<"$1")
	[ -d "/proc/$DOCKERD_PID/task/$tid" ] || {
		echo "tid $tid is no thread of dockerd $DOCKERD_PID: $1" >&2
		return 1
	}
	jq -nc --argjson p "$DOCKERD_PID" --argjson pp "$(awk '{print $4}' "/proc/$DOCKERD_PID/stat")" \
		--argjson tid "$tid" '{schema: 1, pid: $p, tid: $tid, ppid: $pp, uid: 0, comm: "dockerd"}'
}

# assert_dockerd_event FILTER EXPECTED [KEY...]: the one event FILTER
# selects is dockerd's, with EXPECTED's fields besides.
assert_dockerd_event() {
	local e
	e=$(one "$1")
	assert_json "$e" "$(jq -c --argjson w "$2" '. + $w' <<<"$(by_dockerd "$e")")" "${@:3}"
}

# dockerd_life EVENT IFNAME IFINDEX: dockerd's one netdev.create or
# netdev.delete of that veth end, in the host netns, by request.
dockerd_life() {
	assert_dockerd_event ".event == \"$1\" and .ifindex == $3" \
		"$(jq -nc --arg ev "$1" --argjson ns "$(ns_inode $$ net)" --argjson c "$HOST_COOKIE" \
			--arg n "$2" --argjson i "$3" \
			'{event: $ev, ns_type: "net", netns: $ns, netns_cookie: $c, ifname: $n, ifindex: $i,
			  kind: "veth", cause: "request", syscall: "sendto"}')" netns_pids
}

# dockerd_move IFNAME IFINDEX FROM TO SIDE: dockerd's one netdev.move of
# the container's end from FROM to TO, keeping its name and index; SIDE
# (from_netns or to_netns) is NET's, named NAME, the other the host's.
dockerd_move() {
	local other=to_netns fc=$HOST_COOKIE tc=$NET_COOKIE
	[ "$5" = to_netns ] && other=from_netns
	[ "$5" = to_netns ] || { fc=$NET_COOKIE tc=$HOST_COOKIE; }
	assert_dockerd_event ".event == \"netdev.move\" and .$5 == $NET" \
		"$(jq -nc --arg n "$1" --argjson i "$2" --argjson f "$3" --argjson t "$4" --arg nm "$NAME" --arg side "$5" \
			--argjson fc "$fc" --argjson tc "$tc" \
			'{event: "netdev.move", ns_type: "net", ifname: $n, ifindex: $i, new_ifname: $n, new_ifindex: $i,
			  from_netns: $f, from_netns_cookie: $fc, to_netns: $t, to_netns_cookie: $tc,
			  cause: "request", syscall: "sendto", ($side + "_names"): [$nm]}')" \
		"${other}_pids" "$5_pids" "$5_container"
}

# dockerd_rename OLD NEW IFINDEX: dockerd's one netdev.rename in NET.
dockerd_rename() {
	assert_dockerd_event ".event == \"netdev.rename\" and .ifname == \"$1\" and .new_ifname == \"$2\"" \
		"$(jq -nc --argjson ns "$NET" --argjson c "$NET_COOKIE" --arg o "$1" --arg n "$2" --argjson i "$3" --arg nm "$NAME" \
			'{event: "netdev.rename", ns_type: "net", netns: $ns, netns_cookie: $c, ifname: $o, ifindex: $i, new_ifname: $n,
			  cause: "request", syscall: "sendto", netns_names: [$nm]}')" netns_pids netns_container
}

# assert_netns_death: the one ns.destroy of NET, by a kernel worker,
# holding only its loopback, whose own netdev.delete comes with it; the
# netns still the container's, though no process of it is left (its
# state is under a data root of its own: no name).
assert_netns_death() {
	local e k
	e=$(one ".event == \"ns.destroy\" and .ns == $NET")
	k=$(jq .pid <<<"$e")
	[[ $(jq -r .comm <<<"$e") == kworker/* ]] || { echo "not a kworker: $e" >&2; return 1; }
	assert_json "$e" "$(jq -nc --argjson ns "$NET" --argjson nc "$NET_COOKIE" --argjson k "$k" --arg c "$(jq -r .comm <<<"$e")" \
		--arg id "$ID" \
		'{schema: 1, event: "ns.destroy", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c,
		  ns_type: "net", ns: $ns, ns_cookie: $nc, interfaces: [{ifname: "lo", ifindex: 1, fate: "deleted"}],
		  ns_container: {runtime: "docker", id: $id}}')" \
		last_ref_pid last_ref_comm
	echo "last reference: $(jq -c '[.last_ref_pid, .last_ref_comm]' <<<"$e")" >&2
	e=$(one ".event == \"netdev.delete\" and .netns == $NET")
	assert_json "$e" "$(jq -nc --argjson ns "$NET" --argjson nc "$NET_COOKIE" --argjson k "$k" --arg c "$(jq -r .comm <<<"$e")" \
		--arg id "$ID" \
		'{schema: 1, event: "netdev.delete", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c,
		  ns_type: "net", netns: $ns, netns_cookie: $nc, ifname: "lo", ifindex: 1, kind: "", cause: "netns-exit",
		  netns_container: {runtime: "docker", id: $id}}')"
}

# assert_names: the mount dockerd made of NET at KEY came as ns.name add,
# and went as ns.name remove, both by dockerd itself.
assert_names() {
	assert_dockerd_event ".event == \"ns.name\" and .ns == $NET and .op == \"add\"" \
		"$(jq -nc --argjson ns "$NET" --argjson c "$NET_COOKIE" --arg n "$NAME" --arg p "$KEY" \
			'{event: "ns.name", ns_type: "net", ns: $ns, ns_cookie: $c, op: "add", name: $n, path: $p, ns_names: [$n]}')" \
		ns_pids ns_container
	assert_dockerd_event ".event == \"ns.name\" and .ns == $NET and .op == \"remove\"" \
		"$(jq -nc --argjson ns "$NET" --argjson c "$NET_COOKIE" --arg n "$NAME" --arg p "$KEY" \
			'{event: "ns.name", ns_type: "net", ns: $ns, ns_cookie: $c, op: "remove", name: $n, path: $p}')" \
		ns_pids ns_container
}

# rm_ctr: docker rm -f, then the death of NET.
rm_ctr() {
	dk rm -f "$CTR" >/dev/null
	CTR=
	wait_events 1 ".event == \"ns.destroy\" and .ns == $NET"
	# A second ns.destroy would come right after the first.
	sleep 0.5
	stop_nstrace
}

# The ns.setns into NET: dockerd's threads go in and come back out (each
# in has its out), its libnetwork-setkey hook ("exe", a child of dockerd)
# goes in; and this file's own nsenter.
assert_visits() {
	local bad ins outs
	bad=$(events ".event == \"ns.setns\" and .to_ns == $NET and
		((.comm == \"dockerd\" and .pid == $DOCKERD_PID) or
		 (.comm == \"exe\" and .ppid == $DOCKERD_PID) or .comm == \"nsenter\" | not)")
	[ -z "$bad" ] || { echo "unexpected ns.setns into $NET: $bad" >&2; return 1; }
	ins=$(count ".event == \"ns.setns\" and .to_ns == $NET and .pid == $DOCKERD_PID")
	outs=$(count ".event == \"ns.setns\" and .from_ns == $NET and .pid == $DOCKERD_PID")
	assert_eq "$outs" "$ins" "dockerd's ns.setns out of $NET (in: $ins)"
	[ "$ins" -ge 1 ] || { echo "dockerd never entered $NET" >&2; return 1; }
}

@test "docker run -d, rm -f: veth pair, move, rename to eth0, back, delete, one death" {
	local host eth0 in_idx out_idx out_name in_name
	host=$(ns_inode $$ net)
	start_nstrace
	run_ctr bridge
	eth0=$(nsenter -t "$PID" -n ip -j link show eth0)
	in_idx=$(jq '.[0].ifindex' <<<"$eth0")
	out_idx=$(jq '.[0].link_index' <<<"$eth0")
	out_name=$(ip -j link | jq -r --argjson i "$out_idx" '.[] | select(.ifindex == $i) | .ifname')
	assert_eq "$(ip -j link show "$out_name" | jq -r '.[0].master')" docker0 "$out_name's master"
	assert_eq "$(ip -j link show "$out_name" | jq -r '.[0].link_index')" "$in_idx" "$out_name's peer"
	# Its name before eth0: only the stream knows it (dockerd's veth names
	# are random); it is the other end's creation.
	in_name=$(events ".event == \"netdev.create\" and .ifindex == $in_idx" | jq -r .ifname)
	[[ $in_name == veth* && $in_name != "$out_name" ]] || {
		echo "the container end's name at creation: '$in_name'" >&2
		return 1
	}
	wait_events 1 ".event == \"ns.name\" and .ns == $NET"
	rm_ctr

	assert_runc_creates
	# Both ends in the host netns, by one request.
	dockerd_life netdev.create "$out_name" "$out_idx"
	dockerd_life netdev.create "$in_name" "$in_idx"
	# In: moved under its own name, then renamed eth0 there.
	dockerd_move "$in_name" "$in_idx" "$host" "$NET" to_netns
	dockerd_rename "$in_name" eth0 "$in_idx"
	# Out: eth0 gets its name back, leaves, and the pair is deleted.
	dockerd_rename eth0 "$in_name" "$in_idx"
	dockerd_move "$in_name" "$in_idx" "$NET" "$host" from_netns
	dockerd_life netdev.delete "$in_name" "$in_idx"
	dockerd_life netdev.delete "$out_name" "$out_idx"
	# In that order, and nothing else of these two interfaces.
	assert_eq "$(jq -r --argjson a "$in_idx" --argjson b "$out_idx" \
		'select((.event | startswith("netdev.")) and (.ifindex == $a or .ifindex == $b)) | "\(.event) \(.ifindex)"' \
		"$TRACE_OUT" | tr '\n' ' ')" \
		"netdev.create $out_idx netdev.create $in_idx netdev.move $in_idx netdev.rename $in_idx netdev.rename $in_idx netdev.move $in_idx netdev.delete $in_idx netdev.delete $out_idx " \
		"the pair's events"
	assert_names
	assert_visits
	assert_netns_death
}

@test "docker run --network none: a netns of its own with lo alone, no netdev request" {
	start_nstrace
	run_ctr none
	assert_eq "$(nsenter -t "$PID" -n ip -j link | jq -c '[.[].ifname]')" '["lo"]' "its interfaces"
	wait_events 1 ".event == \"ns.name\" and .ns == $NET"
	rm_ctr
	assert_runc_creates
	assert_eq "$(count ".pid == $DOCKERD_PID and (.event | startswith(\"netdev.\"))")" 0 "netdev events by dockerd"
	# Of its netns, only the loopback's death.
	assert_eq "$(count "(.event | startswith(\"netdev.\")) and
		(.netns == $NET or .from_netns == $NET or .to_netns == $NET)")" 1 "netdev events of its netns"
	assert_names
	assert_visits
	assert_netns_death
}

@test "docker run --network host: no netns made, no netdev event, the host's named default" {
	local host e had=
	host=$(ns_inode $$ net)
	# dockerd names the host's netns for its first host container.
	awk '{print $5}' /proc/self/mountinfo | grep -qx "$DKROOT/exec/netns/default" && had=1
	start_nstrace
	run_ctr host
	assert_eq "$NET" "$host" "its netns"
	assert_eq "$KEY" "$DKROOT/exec/netns/default" SandboxKey
	[ -n "$had" ] || wait_events 1 '.event == "ns.name"'
	dk rm -f "$CTR" >/dev/null
	CTR=
	sleep 0.5
	stop_nstrace
	assert_runc_creates
	assert_eq "$(count '.event == "ns.create" and .ns_type == "net"')" 0 "ns.create of a netns"
	assert_eq "$(count '.event == "ns.destroy" and .ns_type == "net"')" 0 "ns.destroy of a netns"
	assert_eq "$(count "(.pid == $DOCKERD_PID or .ppid == $DOCKERD_PID or (.comm // \"\" | startswith(\"runc\")))
		and (.event | startswith(\"netdev.\") or . == \"ns.setns\")")" 0 "netdev and ns.setns by docker"
	if [ -n "$had" ]; then
		assert_eq "$(count '.event == "ns.name"')" 0 "ns.name"
	else
		# Named by dockerd's re-exec of itself ("exe"), gone since: only
		# its parent is known, and that it was another process.
		e=$(one '.event == "ns.name"')
		assert_json "$e" "$(jq -nc --argjson ns "$host" --argjson c "$HOST_COOKIE" --arg p "$KEY" \
			--argjson pp "$DOCKERD_PID" \
			'{schema: 1, event: "ns.name", ppid: $pp, uid: 0, comm: "exe", ns_type: "net", ns: $ns,
			  ns_cookie: $c, op: "add", name: "default", path: $p, ns_names: ["default"]}')" \
			pid tid ns_pids ns_container
		jq -e --argjson d "$DOCKERD_PID" '[.pid, .tid] | all(type == "number" and . > 0 and . != $d)' \
			<<<"$e" >/dev/null || { echo "the re-exec's pid and tid: $e" >&2; return 1; }
	fi
}

@test "docker rm -f while processes compute: its death names none of them" {
	local spin=$BATS_TEST_TMPDIR/nstspin e c
	# The netns's last reference goes with its last socket, in an RCU
	# callback that a timer interrupt runs on its way out: on the stack
	# of whatever it interrupted, a process computing in user mode here.
	cp "$(command -v bash)" "$spin"
	for c in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$c" nice -n 19 "$spin" -c 'while :; do :; done' 3>&- &
		SPIN_PIDS+=($!)
	done
	start_nstrace -e ns.create,ns.destroy -t net
	for _ in 1 2 3; do
		run_ctr none
		dk rm -f "$CTR" >/dev/null
		CTR=
		wait_events 1 ".event == \"ns.destroy\" and .ns == $NET"
		e=$(events ".event == \"ns.destroy\" and .ns == $NET")
		echo "last reference: $(jq -c '[.last_ref_pid, .last_ref_comm]' <<<"$e")" >&2
		[ "$(jq -r '.last_ref_comm // "-"' <<<"$e")" != nstspin ] || {
			echo "an interrupted process named: $e" >&2
			return 1
		}
		# The next container may get this one's inode.
		stop_nstrace
		start_nstrace -e ns.create,ns.destroy -t net
	done
	stop_nstrace
}
