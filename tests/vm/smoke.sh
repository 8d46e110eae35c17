#!/usr/bin/env bash
# The VM's own end-to-end check, independent of the bats suite: nstrace
# loads and attaches on the guest kernel, sees "unshare -n true" as one
# ns.create of type net, and exits cleanly on SIGINT. Prints TAP. On a
# failure to start it reruns nstrace with -v, so that libbpf's log (which
# program or relocation the kernel refused) reaches the host's console.
set -euo pipefail
cd "$(dirname "$0")/../.."
NSTRACE=${NSTRACE:-$PWD/build/nstrace}
# Word-split on purpose: "--backend fentry" is two arguments.
# shellcheck disable=SC2206
backend=(${NSTRACE_BACKEND_ARGS:-})

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/events.json err=$dir/stderr

echo "# vm smoke: $NSTRACE ${backend[*]} --json, then unshare -n true"
echo "1..1"
fail() {
	echo "not ok 1 - nstrace sees unshare -n as ns.create net"
	sed 's/^/# /' "$err"
	echo "# $*"
	exit 1
}

"$NSTRACE" "${backend[@]}" --json >"$out" 2>"$err" &
pid=$!
# Loading and verifying BPF under emulation takes seconds, not the
# fraction of a second it takes on hardware.
started=
for _ in $(seq 600); do
	if grep -q '^nstrace: tracing' "$err"; then
		started=1
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$started" ]; then
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "# nstrace did not start; its output with -v (libbpf log):"
	timeout 60 "$NSTRACE" "${backend[@]}" -v --json </dev/null >/dev/null 2>"$dir/verbose" &
	vpid=$!
	# It either fails at once or (flaky start) gets to its tracing line.
	for _ in $(seq 600); do
		kill -0 "$vpid" 2>/dev/null || break
		grep -q '^nstrace: tracing' "$dir/verbose" && break
		sleep 0.1
	done
	kill -INT "$vpid" 2>/dev/null || true
	wait "$vpid" 2>/dev/null || true
	# The verifier's log of every program can run to thousands of lines:
	# show libbpf's own complaints, and the last lines of each program log
	# that ended in a failure (where the verifier says why).
	awk '
		/^libbpf: .*(fail|error|rror|nvalid|not found|unknown|cannot|-E[A-Z]+)/ { print; next }
		/-- BEGIN PROG LOAD LOG --/ { n = 0; inlog = 1; next }
		/-- END PROG LOAD LOG --/ {
			for (i = (n > 40 ? n - 40 : 0); i < n; i++) print buf[i % 40]
			print; inlog = 0; next
		}
		inlog { buf[n % 40] = $0; n++; next }
		/^nstrace:/ { print }
	' "$dir/verbose" | sed 's/^/# -v: /'
	# What nstrace itself finds missing on this kernel, where it can say.
	timeout 60 "$NSTRACE" doctor 2>&1 | sed 's/^/# doctor: /' || true
	fail "nstrace did not start"
fi

unshare -n true
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "nstrace exited with $rc after SIGINT"

n=$(jq -c 'select(.event == "ns.create" and .ns_type == "net" and .comm == "unshare")' "$out" | wc -l)
if [ "$n" -ne 1 ]; then
	sed 's/^/# event: /' "$out"
	fail "expected 1 ns.create net event from unshare, got $n"
fi
echo "ok 1 - nstrace sees unshare -n as ns.create net"
