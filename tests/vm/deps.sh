#!/bin/sh
# Installs, with apt-get when run as root, the Debian packages that the VM
# harness (tests/vm/run.sh) needs on the host: the "vm" set of
# scripts/deps.sh, or "vm-arm64" for VM_ARCH=arm64.
set -eu
case "${VM_ARCH:-amd64}" in
amd64) set_name=vm ;;
*) set_name=vm-$VM_ARCH ;;
esac
exec sh "$(dirname "$0")/../../scripts/deps.sh" "$set_name"
