# The CNI plugins called as a container runtime calls them, and the
# checks of their events: tests/integration/cni.bats (the plugins the
# machine's kernel can serve) and tests/vm/cni.bats (ipvlan and vlan,
# which need the test VM's kernel) load it after helpers.bash.

# setup, teardown: the pod's netns A; the names of the devices the tests
# make (a bridge BR, a master M and its veth peer MP, VA); ip_forward as
# it was.
setup() {
	need_root
	own_names c
	ip netns add "$A"
	HOST=$(ns_inode $$ net)
	BR=nstcni$$
	M=nstcm$$
	MP=nstcp$$
	FWD=$(cat /proc/sys/net/ipv4/ip_forward)
}

teardown() {
	teardown_nstrace
	for d in "$BR" "$M" "$VA"; do
		ip link del "$d" 2>/dev/null || true
	done
	del_owned
	# ptp turns forwarding on for the addresses it gives.
	echo "$FWD" >/proc/sys/net/ipv4/ip_forward
}

need_cni() {
	[ -x /usr/lib/cni/"$1" ] || skip_or_fail "no CNI plugin $1 (containernetworking-plugins)"
}

# cni PLUGIN COMMAND IFNAME CONF: one call, as a container runtime makes
# it; CNI_PID is the plugin's pid, CNI_PPID its parent's.
cni() {
	CNI_COMMAND=$2 CNI_CONTAINERID=nst$$ CNI_NETNS=/run/netns/$A \
		CNI_IFNAME=$3 CNI_PATH=/usr/lib/cni "/usr/lib/cni/$1" \
		<<<"$4" >"$BATS_TEST_TMPDIR/cni.out" &
	CNI_PID=$!
	CNI_PPID=$BASHPID
	wait "$CNI_PID" || {
		echo "$1 $2 failed: $(cat "$BATS_TEST_TMPDIR/cni.out")" >&2
		return 1
	}
}

# host_local SUBNET: IPAM whose state stays in this test's own folder.
host_local() {
	echo '{"type":"host-local","subnet":"'"$1"'","dataDir":"'"$BATS_TEST_TMPDIR/ipam"'"}'
}

# master: M, a device for macvlan, ipvlan and vlan to hang off; a dummy
# where the kernel has them (built in or a module), else one end of a
# veth pair.
master() {
	modprobe dummy 2>/dev/null || true
	ip link add "$M" type dummy 2>/dev/null ||
		ip link add "$M" type veth peer name "$MP"
	ip link set "$M" up
}

# trace_start: nstrace on the events a plugin gives, and the setns of its
# threads; the cookies are read first (reading one enters the netns).
trace_start() {
	ACK=$(netns_cookie "$A")
	HCK=$(netns_cookie)
	ANS=$(netns_ino "$A")
	start_nstrace -e netdev.create,netdev.delete,netdev.rename,netdev.move,ns.setns,ns.destroy
}

# links: the netns's links, once (an ip -n is one ns.setns into it, by
# ip), into LINKS; LINK_IP_PID is that ip's pid.
links() {
	ip -j -n "$A" link show >"$BATS_TEST_TMPDIR/links" &
	LINK_IP_PID=$!
	wait "$LINK_IP_PID"
	LINKS=$(cat "$BATS_TEST_TMPDIR/links")
}

link_index() { # IFNAME: its ifindex in LINKS
	jq -e --arg n "$1" '.[] | select(.ifname == $n) | .ifindex' <<<"$LINKS"
}

# host_peer IFNAME: the name and ifindex, in the host, of the veth peer of
# EVENT IFNAME[>NEW_IFNAME] WHERE BY, WHERE A or host (FROM>TO for a
# move), BY main (the main thread) or netns (a thread that was inside A
# by its ns.setns then). Each ns.setns must go from the host into A or
# back, by a thread that was out or in; any other is a line of its own,
# and so is a thread left inside at the end.
steps() {
	jq -rs --argjson p "$1" --argjson a "$ANS" --argjson h "$HOST" '
		def at($n): if $n == $a then "A" elif $n == $h then "host" else "\($n)" end;
		reduce (.[] | select(.pid == $p)) as $e ({in: [], out: []};
			. as $s
			| if $e.event == "ns.setns" then
				if $e.from_ns == $h and $e.to_ns == $a and ($s.in | index([$e.tid]) | not) then
					.in += [$e.tid]
				elif $e.from_ns == $a and $e.to_ns == $h and ($s.in | index([$e.tid])) then
					.in -= [$e.tid]
				else .out += ["stray setns \($e | tojson)"] end
			else
				.out += ["\($e.event) \($e.ifname)\(if $e.event == "netdev.rename" or $e.event == "netdev.move" then ">" + $e.new_ifname else "" end) \(if $e.event == "netdev.move" then at($e.from_netns) + ">" + at($e.to_netns) else at($e.netns) end) \(if $e.tid == $p then "main" elif ($s.in | index([$e.tid])) then "netns" else "tid \($e.tid)" end)"]
			end)
		| .out[], (if .in != [] then "left inside A: \(.in)" else empty end)' "$TRACE_OUT"
}

# assert_steps PID STEP...: steps PID are these, and nothing else.
assert_steps() {
	local p=$1
	shift
	assert_eq "$(steps "$p")" "$(printf '%s\n' "$@")" "steps of $p"
}

# pids_ok EVENT: each X_pids of EVENT lists what nstrace could know: for
# A, threads that had entered it by an ns.setns of this stream (nothing
# else of the host ever lives there); for the host, 1 to 4 processes.
pids_ok() {
	jq -e --argjson a "$ANS" --argjson ins "$(jq -s "[.[] | select(.event == \"ns.setns\" and .to_ns == $ANS) | .tid]" "$TRACE_OUT")" '
		[to_entries[] | select(.key | endswith("_pids"))
		 | (.value | type == "array" and length >= 1 and length <= 4 and all(.[]; type == "number" and . > 0))
		   and (if $ARGS.named.e[.key | rtrimstr("_pids")] == $a then all(.value[]; . as $t | $ins | index([$t])) else true end)]
		| all' --argjson e "$1" <<<"$1" >/dev/null || {
		echo "_pids that nstrace cannot know: $1" >&2
		return 1
	}
}

# by_plugin FILTER FIELDS: the one event FILTER selects is the plugin's
# (CNI_PID, its parent, comm PLUGIN, uid 0; tid as steps checks it), and
# has FIELDS besides, exactly; its _pids are checked by pids_ok.
by_plugin() {
	local e
	e=$(one "$1")
	# shellcheck disable=SC2046
	assert_json "$e" "$(jq -c --argjson p "$CNI_PID" --argjson pp "$CNI_PPID" --arg c "$PLUGIN" \
		'{schema: 1, pid: $p, ppid: $pp, uid: 0, comm: $c} + .' <<<"$2")" \
		tid $(jq -r 'keys[] | select(endswith("_pids"))' <<<"$e")
	pids_ok "$e"
}

# dev WHERE IFNAME IFINDEX [KIND]: the fields of a netdev.create or
# netdev.delete by request in A or the host, less the event's name.
dev() {
	local ns=$HOST c=$HCK names='{}'
	[ "$1" = A ] && { ns=$ANS c=$ACK names='{"netns_names":["'"$A"'"]}'; }
	jq -nc --argjson ns "$ns" --argjson c "$c" --arg n "$2" --argjson i "$3" --arg k "${4:-veth}" \
		--argjson names "$names" \
		'{ns_type: "net", netns: $ns, netns_cookie: $c, ifname: $n, ifindex: $i, kind: $k,
		  cause: "request", syscall: "sendto"} + $names'
}

# assert_life_by EVENT WHERE IFNAME IFINDEX [KIND]: the plugin's one
# EVENT (netdev.create or netdev.delete) of IFNAME there.
assert_life_by() {
	by_plugin ".event == \"$1\" and .ifname == \"$3\" and .pid == $CNI_PID" \
		"$(dev "$2" "$3" "$4" "${5:-}" | jq -c --arg ev "$1" '{event: $ev} + .')"
}

# assert_rename_by OLD NEW IFINDEX: the plugin's one rename in A.
assert_rename_by() {
	by_plugin ".event == \"netdev.rename\" and .pid == $CNI_PID" \
		"$(jq -nc --argjson ns "$ANS" --argjson c "$ACK" --arg o "$1" --arg n "$2" --argjson i "$3" --arg nm "$A" \
			'{event: "netdev.rename", ns_type: "net", netns: $ns, netns_cookie: $c, ifname: $o, ifindex: $i,
			  new_ifname: $n, cause: "request", syscall: "sendto", netns_names: [$nm]}')"
}

# assert_setns_by: every ns.setns of the plugin, into A or out of it,
# field by field (steps checked their order).
assert_setns_by() {
	local e n=0
	while read -r e; do
		n=$((n + 1))
		if [ "$(jq .to_ns <<<"$e")" = "$ANS" ]; then
			by_plugin ".seq == $(jq .seq <<<"$e")" \
				"$(jq -nc --argjson h "$HOST" --argjson hc "$HCK" --argjson a "$ANS" --argjson ac "$ACK" --arg nm "$A" \
					'{event: "ns.setns", ns_type: "net", from_ns: $h, from_ns_cookie: $hc,
					  to_ns: $a, to_ns_cookie: $ac, to_ns_names: [$nm]}')"
		else
			by_plugin ".seq == $(jq .seq <<<"$e")" \
				"$(jq -nc --argjson h "$HOST" --argjson hc "$HCK" --argjson a "$ANS" --argjson ac "$ACK" --arg nm "$A" \
					'{event: "ns.setns", ns_type: "net", from_ns: $a, from_ns_cookie: $ac, from_ns_names: [$nm],
					  to_ns: $h, to_ns_cookie: $hc}')"
		fi
	done < <(events ".event == \"ns.setns\" and .pid == $CNI_PID")
	[ "$n" -ge 2 ] || { echo "$PLUGIN: $n ns.setns into A and out" >&2; return 1; }
}

# about_a: a jq filter for the events that name A (by its cookie: its
# inode may be another netns's after it died).
about_a() {
	echo "any(.netns_cookie, .ns_cookie, .from_ns_cookie, .to_ns_cookie, .from_netns_cookie,
		.to_netns_cookie, .peer_netns_cookie; . == $ACK)"
}

# assert_only_a PIDS...: every event that names A is by one of these
# plugin pids, or the one ns.setns of links' ip, or (after a netns
# death) the kernel worker's.
assert_only_a() {
	local p e sel=false
	for p in "$@"; do sel="$sel or .pid == $p"; done
	assert_eq "$(count "($(about_a)) and (($sel) | not) and .comm != \"ip\" and (.comm | startswith(\"kworker/\") | not)")" 0 \
		"other events of A"
	e=$(one "($(about_a)) and .comm == \"ip\"")
	assert_eq "$(jq -c '[.event, .pid, .to_ns, .to_ns_cookie]' <<<"$e")" \
		"[\"ns.setns\",$LINK_IP_PID,$ANS,$ACK]" "ip's ns.setns"
}

# netns_del: ip netns del A, and the wait for A's ns.destroy; DEL_PID is
# that ip's pid.
netns_del() {
	ip netns del "$A" &
	DEL_PID=$!
	wait "$DEL_PID"
	wait_events 1 ".event == \"ns.destroy\" and .ns_cookie == $ACK"
}

# assert_death IFNAME=IFINDEX:KIND...: A's one ns.destroy, by a kernel
# worker, by the last reference ip netns del dropped, held lo and these,
# each with its one netdev.delete of cause netns-exit in A (and nothing
# else: no peer_netns, no names, A's name went first).
assert_death() {
	local e k c d n i kind want
	e=$(one ".event == \"ns.destroy\" and .ns_cookie == $ACK")
	k=$(jq .pid <<<"$e")
	c=$(jq -r .comm <<<"$e")
	[[ $c == kworker/* ]] || { echo "not a kworker: $e" >&2; return 1; }
	want='[{"ifname":"lo","ifindex":1,"fate":"deleted"}]'
	for d in "$@"; do
		n=${d%%=*} i=${d#*=} kind=${i#*:} i=${i%%:*}
		want=$(jq -c --arg n "$n" --argjson i "$i" '. + [{ifname: $n, ifindex: $i, fate: "deleted"}]' <<<"$want")
	done
	assert_json "$e" "$(jq -nc --argjson k "$k" --arg c "$c" --argjson ns "$ANS" --argjson nc "$ACK" \
		--argjson lp "$DEL_PID" \
		'{schema: 1, event: "ns.destroy", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c, ns_type: "net",
		  ns: $ns, ns_cookie: $nc, last_ref_pid: $lp, last_ref_comm: "ip"}')" interfaces
	assert_eq "$(jq -c '.interfaces | sort_by(.ifindex)' <<<"$e")" "$(jq -c 'sort_by(.ifindex)' <<<"$want")" interfaces
	for d in lo=1: "$@"; do
		n=${d%%=*} i=${d#*=} kind=${i#*:} i=${i%%:*}
		e=$(one ".event == \"netdev.delete\" and .netns_cookie == $ACK and .ifname == \"$n\"")
		assert_json "$e" "$(jq -nc --argjson k "$k" --arg c "$c" --argjson ns "$ANS" --argjson nc "$ACK" \
			--arg n "$n" --argjson i "$i" --arg kind "$kind" \
			'{schema: 1, event: "netdev.delete", pid: $k, tid: $k, ppid: 2, uid: 0, comm: $c, ns_type: "net",
			  netns: $ns, netns_cookie: $nc, ifname: $n, ifindex: $i, kind: $kind, cause: "netns-exit"}')"
	done
	assert_eq "$(count ".event == \"netdev.delete\" and .netns_cookie == $ACK")" $(($# + 1)) "deletes in A"
}

# assert_peer_death IFNAME IFINDEX: the host end of A's veth, deleted by

# child_add PLUGIN IFNAME CONF: ADD of a plugin that makes a device on
# M (macvlan, ipvlan, vlan), traced; IDX its ifindex in A, TMP the
# name it had before the rename, from its netdev.create.
child_add() {
	PLUGIN=$1
	trace_start
	cni "$PLUGIN" ADD "$2" "$3"
	ADD_PID=$CNI_PID
	links
	IDX=$(link_index "$2")
	TMP=$(events ".event == \"netdev.create\" and .pid == $ADD_PID" | jq -r .ifname)
	[[ -n $TMP && $TMP != "$2" ]] || { echo "temporary name '$TMP'" >&2; return 1; }
}

# assert_child_add IFNAME KIND: made from the host straight into A under
# TMP, renamed IFNAME there by a thread inside, the ifindex ip shows.
assert_child_add() {
	local pid=$CNI_PID
	CNI_PID=$ADD_PID
	assert_steps "$ADD_PID" "netdev.create $TMP A main" "netdev.rename $TMP>$1 A netns"
	assert_life_by netdev.create A "$TMP" "$IDX" "$2"
	assert_rename_by "$TMP" "$1" "$IDX"
	assert_setns_by
	CNI_PID=$pid
}

# assert_child_names IFNAME N: TMP is named by its create and rename
# alone, IFNAME by N events; M, untouched, by none.
assert_child_names() {
	assert_eq "$(count ".ifname == \"$TMP\" or .new_ifname == \"$TMP\"")" 2 "events of $TMP"
	assert_eq "$(count "(.ifname == \"$1\" or .new_ifname == \"$1\") and ($(about_a))")" "$2" "events of $1"
	assert_eq "$(count ".ifname == \"$M\" or .ifname == \"$MP\"")" 0 "events of the master"
	ip link show "$M" >/dev/null
}

# child_test PLUGIN KIND CONF: ADD, DEL and all they gave.
child_test() {
	child_add "$1" eth0 "$3"
	cni "$1" DEL eth0 "$3"
	stop_nstrace
	del_pid=$CNI_PID
	assert_child_add eth0 "$2"
	assert_steps "$del_pid" "netdev.delete eth0 A netns"
	assert_life_by netdev.delete A eth0 "$IDX" "$2"
	assert_setns_by
	assert_child_names eth0 2
	assert_only_a "$ADD_PID" "$del_pid"
	run ! ip -n "$A" link show eth0
}

# child_death PLUGIN KIND CONF: ADD, then ip netns del: the device dies
# with A (the kernel deletes the devices on a master with their netns).
child_death() {
	child_add "$1" eth0 "$3"
	netns_del
	stop_nstrace
	assert_child_add eth0 "$2"
	assert_death "eth0=$IDX:$2"
	assert_child_names eth0 2
	assert_only_a "$ADD_PID"
}
