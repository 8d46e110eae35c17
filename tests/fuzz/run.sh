#!/usr/bin/env bash
# Runs every libFuzzer target in $BUILD/fuzz for FUZZ_SECS seconds each
# (default 5), from the seeds in tests/fuzz/seeds/NAME plus what earlier
# runs found ($BUILD/fuzz/corpus/NAME), and prints TAP: one line per
# target. A crash leaves its input in $BUILD/fuzz/crash-NAME-*; rerun it
# with $BUILD/fuzz/NAME FILE.
#
#   FUZZ_SECS=300 bash tests/fuzz/run.sh        FUZZ=fuzz_record ...
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SECS=${FUZZ_SECS:-5}
targets=${FUZZ:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
n=0 failed=0

echo "1..$(wc -w <<<"$targets")"
for t in $targets; do
	n=$((n + 1))
	bin=$BUILD/fuzz/$t
	corpus=$BUILD/fuzz/corpus/$t
	log=$BUILD/fuzz/$t.log
	mkdir -p "$corpus"
	if [ ! -x "$bin" ]; then
		echo "not ok $n - $t: no $bin (make fuzz builds it)"
		failed=$((failed + 1))
		continue
	fi
	# -rss_limit_mb: the targets allocate little; a leak shows quickly.
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/crash-$t-" \
		"$corpus" "tests/fuzz/seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -eq 0 ]; then
		echo "ok $n - $t: ${runs:-?} inputs in ${SECS} s, no crash"
	else
		echo "not ok $n - $t: exit $rc after ${runs:-?} inputs"
		grep -E 'ERROR|fuzz check failed|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
