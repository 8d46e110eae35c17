#!/bin/sh
# pod_root.sh ROOT NSTRACE PROPAGATION [ARGS...]: runs NSTRACE ARGS in
# a root of its own, built as a container runtime builds a pod's: a
# tmpfs with the host's /usr, /etc, /proc, /sys and /dev bound in, the
# host's /run/netns bound at /run/netns with PROPAGATION (rslave is
# Kubernetes' HostToContainer, rprivate its None), then pivot_root, so
# that none of the host's other mounts is left in the mount table. Run it
# in a mount namespace of its own: unshare --mount --propagation slave.
set -e
r=$1 bin=$2 prop=$3
shift 3
mount -t tmpfs tmpfs "$r"
for d in usr etc proc sys dev; do
	mkdir "$r/$d"
	mount --rbind "/$d" "$r/$d"
done
# /bin, /lib, ...: links into /usr where the host has them so.
for l in bin sbin lib lib64; do
	if [ -L "/$l" ]; then ln -s "$(readlink "/$l")" "$r/$l"; fi
done
mkdir -p "$r/run/netns" "$r/nstrace" "$r/old"
mount --rbind /run/netns "$r/run/netns"
mount "--make-$prop" "$r/run/netns"
mount --bind "$(dirname "$bin")" "$r/nstrace"
cd "$r"
pivot_root . old
umount -l /old
exec "/nstrace/$(basename "$bin")" "$@"
