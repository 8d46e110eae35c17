#!/usr/bin/env bats
# What makes a tracer safe to leave running: it leaves no BPF object
# behind however it ends, two of it don't disturb each other, a full disk
# never gets half a line, it stays flat over time, hostile names can't
# break its output, and it gives up its capabilities once attached.

load helpers

NSTOOL=$BATS_TEST_DIRNAME/../../build/tools/nstool
# The soak's length; `make soak` runs it longer.
SOAK_SECS=${SOAK_SECS:-60}

setup() {
	need_root
	BG=
}

teardown() {
	teardown_nstrace
	local ns
	# shellcheck disable=SC2086 # a list of pids
	kill_bg $BG
	if mountpoint -q "$BATS_TEST_TMPDIR/full" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/full"
	fi
	for ns in $(ip netns list | awk '{print $1}' | grep "^nst$$_"); do
		ip netns del "$ns"
	done
}

# bpf_ids PID: the BPF programs, maps and links PID holds, one
# "prog:ID" / "map:ID" / "link:ID" a line. IDs are never reused while the
# machine runs, so they tell nstrace's objects apart from those of any
# other BPF user, including another nstrace.
bpf_ids() {
	local f
	for f in /proc/$1/fdinfo/*; do
		awk '/^(prog|map|link)_id:/ { sub("_id:", ""); print $1 ":" $2 }' \
			"$f" 2>/dev/null
	done | sort -u
}

# live_ids: every BPF program, map and link the kernel has now.
live_ids() {
	{
		bpftool -j prog list | jq -r '.[] | "prog:\(.id)"'
		bpftool -j map list | jq -r '.[] | "map:\(.id)"'
		bpftool -j link list | jq -r '.[] | "link:\(.id)"'
	} | sort -u
}

# still_loaded FILE: those of the ids in FILE that the kernel still has.
still_loaded() {
	comm -12 "$1" <(live_ids)
}

none_left() { # FILE
	[ -z "$(still_loaded "$1")" ]
}

# save_ids PID FILE: what PID holds, checked to look like a whole nstrace.
save_ids() {
	bpf_ids "$1" >"$2"
	[ "$(grep -c "^prog:" "$2")" -ge 3 ] || {
		echo "nstrace $1 holds too few programs:" >&2
		cat "$2" >&2
		return 1
	}
	grep -q '^map:' "$2" && grep -q '^link:' "$2"
}

# assert_gone FILE: every id in FILE is gone (freeing is asynchronous
# after a SIGKILL, so give the kernel a moment).
assert_gone() {
	wait_for none_left "$1" || {
		echo "still loaded after nstrace ended:" >&2
		still_loaded "$1" >&2
		return 1
	}
}

# no_caps_left STATUSFILE: nothing in any set, or CAP_BPF alone in the
# effective and permitted sets on kernels whose bpf() wants it for every
# map read (before 6.5, with unprivileged BPF disabled).
no_caps_left() {
	local set v
	grep -E '^(Cap|NoNewPrivs)' "$1" >&2
	for set in CapInh CapAmb CapEff CapPrm; do
		v=$(awk -v s="$set:" '$1 == s { print $2 }' "$1")
		case "$set:$v" in
		*:0000000000000000 | CapEff:0000008000000000 | CapPrm:0000008000000000) ;;
		*)
			echo "$set: $v: capabilities left" >&2
			return 1
			;;
		esac
	done
	assert_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' "$1")" 1 NoNewPrivs
}

# end_with SIGNAL: starts nstrace, ends it with SIGNAL, expects RC, and
# checks that nothing of it is left in the kernel.
end_with() {
	local sig=$1 rc=$2 ids=$BATS_TEST_TMPDIR/ids
	start_nstrace
	save_ids "$TRACE_PID" "$ids"
	unshare -n true
	kill "-$sig" "$TRACE_PID"
	wait "$TRACE_PID" && TRACE_RC=0 || TRACE_RC=$?
	TRACE_PID=
	assert_eq "$TRACE_RC" "$rc" "exit status after SIG$sig"
	assert_gone "$ids"
}

@test "SIGINT: exit 0, no program, map or link of nstrace left" {
	end_with INT 0
	grep -Eq '^nstrace: [0-9]+ records written \([0-9]+ events, [0-9]+ ns\.name, 0 lost, 0 snapshot\), 0 events lost$' "$TRACE_ERR"
}

@test "SIGTERM: exit 0, no program, map or link of nstrace left" {
	end_with TERM 0
}

@test "SIGKILL: no program, map or link of nstrace left" {
	end_with KILL 137
}

@test "a reader that goes away: exit 0, no program, map or link left" {
	local fifo=$BATS_TEST_TMPDIR/pipe ids=$BATS_TEST_TMPDIR/ids
	TRACE_ERR=$BATS_TEST_TMPDIR/err
	mkfifo "$fifo"
	# The reader goes away only once the ids are saved: on a busy machine
	# the first event can come before, and nstrace would be gone already.
	{
		while [ ! -e "$BATS_TEST_TMPDIR/go" ]; do sleep 0.05; done
		head -1
	} <"$fifo" >"$BATS_TEST_TMPDIR/out" &
	BG=$!
	"$NSTRACE" --json >"$fifo" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR"
	save_ids "$TRACE_PID" "$ids"
	touch "$BATS_TEST_TMPDIR/go"
	# The closed pipe shows at the next write: keep events coming.
	for _ in $(seq 200); do
		kill -0 "$TRACE_PID" 2>/dev/null || break
		unshare -u true
		sleep 0.05
	done
	wait "$TRACE_PID" && TRACE_RC=0 || TRACE_RC=$?
	TRACE_PID=
	assert_eq "$TRACE_RC" 0 "exit status after a closed pipe"
	jq -e .event "$BATS_TEST_TMPDIR/out" >/dev/null
	assert_gone "$ids"
}

# netns_of_unshare: runs unshare -n -u once, prints the new netns inode.
netns_of_unshare() {
	unshare -n -u sh -c 'stat -L -c %i /proc/self/ns/net'
}

# has_creates FILE INODES...: FILE has an ns.create net for each inode,
# as many times as it is listed (a dead netns's inode is given again).
has_creates() {
	local f=$1 ino want got
	shift
	for ino in "$@"; do
		want=$(printf '%s\n' "$@" | grep -cx "$ino")
		got=$(jq -c "select(.event == \"ns.create\" and .ns_type == \"net\" and .ns == $ino)" "$f" | wc -l)
		[ "$got" -ge "$want" ] || {
			echo "$f: $got ns.create for netns $ino, $want made" >&2
			return 1
		}
	done
}

@test "two nstrace at once: both see every event; ending one leaves the other whole" {
	local d=$BATS_TEST_TMPDIR first second i
	"$NSTRACE" --json -e ns.create >"$d/a.json" 2>"$d/a.err" &
	local a=$!
	"$NSTRACE" --json -e ns.create >"$d/b.json" 2>"$d/b.err" &
	local b=$!
	BG="$a $b"
	wait_attached $a "$d/a.err"
	wait_attached $b "$d/b.err"
	save_ids $a "$d/a.ids"
	save_ids $b "$d/b.ids"
	# Each has objects of its own.
	assert_eq "$(comm -12 "$d/a.ids" "$d/b.ids" | wc -l)" 0 "shared objects"
	for i in 1 2 3 4 5; do first+=" $(netns_of_unshare)"; done
	kill -INT $a
	wait $a
	assert_gone "$d/a.ids"
	# The second is still attached, all of it, and still sees events.
	assert_eq "$(still_loaded "$d/b.ids" | wc -l)" "$(wc -l <"$d/b.ids")" \
		"objects of the second nstrace"
	for i in 1 2 3 4 5; do second+=" $(netns_of_unshare)"; done
	kill -INT $b
	wait $b
	BG=
	assert_gone "$d/b.ids"
	# shellcheck disable=SC2086
	has_creates "$d/a.json" $first
	# shellcheck disable=SC2086
	has_creates "$d/b.json" $first $second
	grep -Eq '^nstrace: [0-9]+ records written \([0-9]+ events, [0-9]+ ns\.name, 0 lost, 0 snapshot\), 0 events lost$' "$d/a.err"
	grep -Eq '^nstrace: [0-9]+ records written \([0-9]+ events, [0-9]+ ns\.name, 0 lost, 0 snapshot\), 0 events lost$' "$d/b.err"
}

@test "a full disk: one clear error, exit 1, and only whole JSON lines in the file" {
	local full=$BATS_TEST_TMPDIR/full a b
	a=$(tname fa)
	b=$(tname fb)
	mkdir "$full"
	mount -t tmpfs -o size=64k tmpfs "$full"
	ip netns add "$a"
	ip netns add "$b"
	mkfifo "$BATS_TEST_TMPDIR/go"
	"$NSTOOL" setns-loop "/run/netns/$a" "/run/netns/$b" 5000000 \
		<"$BATS_TEST_TMPDIR/go" &
	BG=$!
	exec 9>"$BATS_TEST_TMPDIR/go"
	TRACE_ERR=$BATS_TEST_TMPDIR/err
	"$NSTRACE" --json -p "$BG" -o "$full/events.json" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR"
	echo go >&9
	exec 9>&-
	# Never a hang: it must give up on its own once the disk is full.
	for _ in $(seq 400); do
		kill -0 "$TRACE_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$TRACE_PID" 2>/dev/null; then
		echo "nstrace still running 20 s after the disk filled" >&2
		return 1
	fi
	wait "$TRACE_PID" && TRACE_RC=0 || TRACE_RC=$?
	TRACE_PID=
	assert_eq "$TRACE_RC" 1 "exit status on a full disk"
	grep -qxF "nstrace: cannot write to $full/events.json: No space left on device" "$TRACE_ERR"
	# The disk did fill, and what is there is whole lines, each JSON.
	[ "$(stat -c %s "$full/events.json")" -gt 32768 ]
	python3 - "$full/events.json" <<'EOF'
import json, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "the file ends in the middle of a line"
for n, line in enumerate(data.split(b"\n")[:-1], 1):
    e = json.loads(line)
    assert e["event"] == "ns.setns", "line %d: %r" % (n, e)
EOF
	jq -e . "$full/events.json" >/dev/null
}

# sample PID: "RSS_KB ANON_KB FDS" of a running process.
sample() {
	local rss anon fds
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status")
	anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$1/status")
	fds=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)
	echo "$rss $anon $fds"
}

# churn NAME: namespaces and interfaces coming and going, until killed.
churn() {
	local keep=$1 i=0 ns
	while :; do
		ns=nst$$_s$((i % 4))
		ip netns add "$ns"
		ip -n "$ns" link add sa type veth peer name sb
		ip -n "$ns" link set sb netns "$keep"
		ip -n "$keep" link del sb
		ip netns exec "$ns" true
		unshare -n -u -i true
		ip netns del "$ns"
		i=$((i + 1))
	done
}

@test "soak: namespace and interface churn, RSS and open fds stay flat" {
	local keep samples=$BATS_TEST_TMPDIR/samples warm t
	keep=$(tname keep)
	ip netns add "$keep"
	start_nstrace
	churn "$keep" >/dev/null 2>&1 &
	BG=$!
	# Caches (the buffers, libc's arenas) settle in the first quarter.
	warm=$((SOAK_SECS / 4))
	for ((t = 0; t < SOAK_SECS; t += 2)); do
		sleep 2
		[ $t -lt $warm ] || sample "$TRACE_PID" >>"$samples"
	done
	kill "$BG"
	wait "$BG" 2>/dev/null || true
	BG=
	stop_nstrace
	cat "$samples" >&2
	# Flat: no sample after the warm-up above the first by more than
	# 256 KiB of memory, and not one fd more at the end than at the start.
	# A sample may catch a file the loader has open for a moment (a /proc
	# file it reads): the fewest fds of the first three samples and of the
	# last five are compared, which a leaked one would still raise.
	awk 'NR == 1 { r = $1; a = $2 }
	     { f[NR] = $3 }
	     $1 > r + 256 || $2 > a + 256 { bad = 1; print "grew: " $0 }
	     END {
		start = f[1]
		for (i = 2; i <= 3 && i <= NR; i++) if (f[i] < start) start = f[i]
		end = f[NR]
		for (i = NR - 4; i < NR; i++) if (i >= 1 && f[i] < end) end = f[i]
		if (end > start) { bad = 1; print "fds grew: " start " -> " end }
		exit bad
	     }' "$samples" >&2
	[ "$(wc -l <"$samples")" -ge 3 ]
	# The churn was seen, and nothing was lost.
	[ "$(count '.event == "netdev.move"')" -ge 1 ]
	[ "$(count '.event == "ns.destroy"')" -ge 1 ]
	grep -Eq '^nstrace: [0-9]+ records written \([0-9]+ events, [0-9]+ ns\.name, 0 lost, 0 snapshot\), 0 events lost$' "$TRACE_ERR"
}

# Process names as hex (nstool comm takes them so): quotes and
# backslashes, line breaks, terminal escapes, controls and DEL, invalid
# UTF-8 (a stray byte, an overlong form, a surrogate, a cut sequence),
# valid UTF-8, C1 controls, printf conversions.
COMMS=(
	225c225c5c22
	0a0d090b0c
	1b5b324a1b5d303b780761
	0102037f1f
	fffec0afeda080e282
	c3a9e282acf09f9880
	c285c29b2573256e
	202020202020202020202020202020
)

# Interface names the kernel may or may not accept (tried in turn).
IFNAMES=(
	'q"uote' 'back\sl' $'e\e[1m' 'utf-é€' 'pct%d' $'bad\xff\xfe'
	$'c\x01\x7f' "it's" '{$(id)}' 'col:on' 'sp ace' 'sl/ash'
)

@test "hostile process and interface names: every JSON line parses, text shows them escaped" {
	local d=$BATS_TEST_TMPDIR ns ns2 ino hex p i name real
	local manifest=$BATS_TEST_TMPDIR/manifest
	ns=$(tname h)
	ns2=$(tname h2)
	"$NSTRACE" --json >"$d/events.json" 2>"$d/json.err" &
	local j=$!
	"$NSTRACE" -o "$d/events.txt" 2>"$d/text.err" &
	local x=$!
	BG="$j $x"
	wait_attached $j "$d/json.err"
	wait_attached $x "$d/text.err"
	for hex in "${COMMS[@]}"; do
		p=$("$NSTOOL" comm "$hex" unshare net)
		printf 'comm\t%s\t%s\n' "$hex" "$p" >>"$manifest"
	done
	ip netns add "$ns"
	ip netns add "$ns2"
	ino=$(stat -L -c %i "/run/netns/$ns")
	i=0
	for name in "${IFNAMES[@]}"; do
		i=$((i + 1))
		if ! ip -n "$ns" link add "$name" type veth peer name "p$i" netns "$ns2" 2>/dev/null; then
			echo "# the kernel refuses the interface name $(printf %q "$name")" >&3
			continue
		fi
		# The kernel numbers a name with %d: pct%d is pct0 in a new netns.
		real=${name//\%d/0}
		hex=$(printf %s "$real" | od -An -tx1 | tr -d ' \n')
		printf 'ifname\t%s\t%s\n' "$hex" "$ino" >>"$manifest"
		# A move and a delete carry the name too; then it is made again,
		# for the dying netns to list.
		ip -n "$ns" link set "$real" netns "$ns2"
		ip -n "$ns2" link del "$real"
		ip -n "$ns" link add "$real" type veth peer name "p$i" netns "$ns2"
	done
	ip netns del "$ns"
	# Inodes come back at once: a netns of the comm checks above may have
	# died under this number too. Ours is the one with interfaces; its
	# cleanup runs later, and takes a while in a slow VM.
	for _ in $(seq 300); do
		jq -e --argjson ino "$ino" 'select(.event == "ns.destroy" and .ns == $ino and (.interfaces | length) > 1)' \
			"$d/events.json" >/dev/null 2>&1 && break
		sleep 0.1
	done
	kill -INT $j $x
	wait $j
	wait $x
	BG=
	[ "$(grep -c '^ifname' "$manifest")" -ge 5 ]
	jq -c . "$d/events.json" >/dev/null
	python3 - "$manifest" "$d/events.json" "$d/events.txt" <<'EOF'
import json, re, sys

manifest, jpath, tpath = sys.argv[1:4]


def utf8_len(b, i):
    """Length of the valid UTF-8 sequence at b[i], or 0."""
    c = b[i]
    if c < 0x80:
        return 1
    n = 2 if 0xC2 <= c <= 0xDF else 3 if 0xE0 <= c <= 0xEF else 4 if 0xF0 <= c <= 0xF4 else 0
    try:
        b[i:i + n].decode("utf-8")  # strict: no overlong form, surrogate, cut
        return n
    except UnicodeDecodeError:
        return 0


def as_json(b):
    """What the JSON string must decode to: bad bytes become U+FFFD."""
    out, i = [], 0
    while i < len(b):
        n = utf8_len(b, i)
        out.append(b[i:i + n].decode() if n else "\ufffd")
        i += n or 1
    return "".join(out)


def as_text(b):
    """What text mode must show: printable, else \\xNN per byte."""
    out, i = [], 0
    while i < len(b):
        c = b[i]
        n = utf8_len(b, i) if c >= 0x80 else 0
        if c == 0x5C:
            out.append("\\\\")
        elif 0x20 < c < 0x7F:
            out.append(chr(c))
        elif n and ord(b[i:i + n].decode()) >= 0xA0:
            out.append(b[i:i + n].decode())
            i += n
            continue
        else:
            out.append("\\x%02x" % c)
        i += 1
    return "".join(out)


raw = open(jpath, "rb").read()
assert raw.endswith(b"\n")
events = [json.loads(line.decode("utf-8")) for line in raw.split(b"\n")[:-1]]
text = open(tpath, "rb").read()
lines = text.decode("utf-8").split("\n")  # strict: valid UTF-8
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", text)
assert not bad, "raw control byte in text output at %d" % bad.start()

for kind, hx, key in (l.split("\t") for l in open(manifest).read().split("\n") if l):
    b = bytes.fromhex(hx)
    if kind == "comm":
        pid, b = int(key), b[:15]
        es = [e for e in events if e.get("pid") == pid and e["event"] == "ns.create"]
        assert len(es) == 1, (hx, es)
        assert es[0]["comm"] == as_json(b), (hx, es[0]["comm"], as_json(b))
        shown = [l for l in lines if re.search(r" ns\.create +%d " % pid, l)]
        assert len(shown) == 1 and as_text(b) in shown[0], (hx, shown, as_text(b))
        continue
    ino, name = int(key), as_json(b)
    def seen(ev, **kv):
        return any(e["event"] == ev and all(e.get(k) == v for k, v in kv.items())
                   for e in events)
    assert seen("netdev.create", netns=ino, ifname=name), (hx, "create")
    assert seen("netdev.move", from_netns=ino, ifname=name, new_ifname=name), (hx, "move")
    assert seen("netdev.delete", ifname=name), (hx, "delete")
    # Inodes of dead namespaces come back at once: an earlier netns of this
    # test may have died under the same number, so match its interface too.
    dead = [e for e in events if e["event"] == "ns.destroy" and e["ns"] == ino
            and name in [d["ifname"] for d in e["interfaces"]]]
    assert len(dead) == 1, (hx, ino, dead)
    want = "ifname=" + as_text(b) + " "
    assert any(want in l for l in lines if " netdev.create " in l), (hx, want)
print("checked %d names" % len(open(manifest).read().split("\n")[:-1]))
EOF
}

@test "least privilege: once attached, no capability left; still traces and detaches" {
	local ids=$BATS_TEST_TMPDIR/ids ino
	start_nstrace -e ns.create
	save_ids "$TRACE_PID" "$ids"
	no_caps_left "/proc/$TRACE_PID/status"
	# Nothing can come back through an execve either.
	assert_eq "$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$TRACE_PID/status")" \
		0000000000000000 CapBnd
	ino=$(netns_of_unshare)
	stop_nstrace
	has_creates "$TRACE_OUT" "$ino"
	assert_gone "$ids"
}

@test "least privilege: started with only CAP_BPF and CAP_PERFMON, it ends with none" {
	local ids=$BATS_TEST_TMPDIR/ids ino
	TRACE_OUT=$BATS_TEST_TMPDIR/events.json
	TRACE_ERR=$BATS_TEST_TMPDIR/err
	setpriv --bounding-set -all,+bpf,+perfmon --inh-caps -all \
		"$NSTRACE" --json -e ns.create >"$TRACE_OUT" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR"
	save_ids "$TRACE_PID" "$ids"
	no_caps_left "/proc/$TRACE_PID/status"
	ino=$(netns_of_unshare)
	stop_nstrace
	has_creates "$TRACE_OUT" "$ino"
	assert_gone "$ids"
}
