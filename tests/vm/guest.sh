#!/usr/bin/env bash
# Runs inside the test VM, from /nstrace (init's job): either the command
# given with run.sh --shell-cmd, or the smoke check followed by the
# integration suite (tests/run.sh, TAP). Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

uptime_s() { cut -d' ' -f1 /proc/uptime; }

if [ "${VM_MODE:-suite}" = cmd ]; then
	# VM_CMD is one shell command line, as typed on the host.
	exec bash -c "$VM_CMD"
fi

rc=0
t0=$(uptime_s)
bash tests/vm/smoke.sh || rc=1

# Unit tests are left to the host: they don't touch the kernel, and their
# binaries are not in the guest, so tests/run.sh runs the bats suites only.
# So are the suites named in VM_SKIP_SUITES (default: fuzz, whose
# libFuzzer targets never reach the kernel and would crawl under emulation),
# unless TESTS names the suites to run. The VM's own suites (tests/vm/*.bats,
# which need what only the VM has, such as the spare NIC) run after the
# integration suites.
if [ -z "${TESTS:-}" ]; then
	for s in tests/integration/*.bats tests/vm/*.bats; do
		[ -f "$s" ] || continue
		n=${s##*/}
		n=${n%.bats}
		case " ${VM_SKIP_SUITES-fuzz} " in
		*" $n "*) echo "# vm: $s is left to the host" ;;
		*) TESTS="${TESTS:+$TESTS }$s" ;;
		esac
	done
	export TESTS
fi

# Tests tagged host-userland drive container runtimes and CNI plugins,
# which the guest's userland leaves out (tests/vm/mkinitramfs.sh copies
# only the plugins of tests/vm/cni.bats): the host's run has them.
export BATS_FILTER_TAGS='!host-userland'

t1=$(uptime_s)
if [ -n "${TESTS:-}" ]; then
	BUILD=build bash tests/run.sh &
	runner=$!
	# Before the host's timeout kills the whole VM, say where it hung:
	# tests/run.sh holds each file's TAP in a temporary file until the
	# file is done.
	watchdog=
	if [ "${VM_SUITE_TIMEOUT:-0}" -gt 0 ]; then
		(
			sleep "$VM_SUITE_TIMEOUT"
			echo "# vm: the suite is still running after $VM_SUITE_TIMEOUT s; processes:"
			ps -eo pid,ppid,stat,etime,args | sed 's/^/#   /'
			for f in /tmp/tmp.*; do
				[ -f "$f" ] && sed 's/^/# so far: /' "$f"
			done
			kill -TERM "$runner"
		) &
		watchdog=$!
	fi
	wait "$runner" || rc=1
	[ -z "$watchdog" ] || kill "$watchdog" 2>/dev/null || true
else
	echo "# vm: no integration suite to run: only the smoke check ran"
fi
t2=$(uptime_s)
echo "nstrace-vm: smoke took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s," \
	"suite took $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s"
exit $rc
