#!/bin/sh
# What the benchmarks need beyond the tests: bpftrace, the anchor they
# are measured against. Installed with apt-get when run as root.
set -eu
if command -v bpftrace >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "bench: bpftrace is missing: sudo apt-get install bpftrace" >&2
	exit 1
fi
echo "bench: installing bpftrace"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends bpftrace >/dev/null
