#!/bin/sh
# Installs, with apt-get when run as root, the Debian packages that the VM
# harness (tests/vm/run.sh) needs on the host: the "vm" set of
# scripts/deps.sh.
set -eu
exec sh "$(dirname "$0")/../../scripts/deps.sh" vm
