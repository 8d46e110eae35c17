#!/usr/bin/env bats
# What deploy/ ships besides the systemd unit: the Kubernetes DaemonSet
# and its image, checked offline (no cluster here), and the bash
# completion. The host's own packages (python3-kubernetes, bash-completion):
# not in the test VM.
# bats file_tags=host-userland

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
K8S=$REPO/deploy/kubernetes

teardown() {
	teardown_nstrace
	[ -z "${HOLDER:-}" ] || kill_bg "$HOLDER"
	del_owned
}

# manifests: every object of deploy/kubernetes, as one JSON list, once
# the API's models took each of them (tests/tools/k8s_check.py).
manifests() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/../tools/k8s_check.py" "$K8S"/*.yaml
}

# ds JQ: JQ on the DaemonSet's pod spec.
ds() {
	manifests | jq -r ".[] | select(.kind == \"DaemonSet\") | .spec.template.spec | $1"
}

@test "kubernetes: every manifest is a valid object of the API" {
	/usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null ||
		skip_or_fail "needs python3-kubernetes"
	run --separate-stderr manifests
	echo "$stderr" >&2
	assert_eq "$status" 0 "k8s_check"
	assert_eq "$(jq -r '[.[] | .kind] | sort | join(" ")' <<<"$output")" \
		"DaemonSet Namespace ServiceAccount" "kinds"
	assert_eq "$(jq -r '[.[] | .metadata.namespace // .metadata.name] | unique | join(" ")' <<<"$output")" \
		"nstrace" "all in the nstrace namespace"
	# A fault is found: a field misspelt, a number that is not one.
	sed 's/mountPropagation/mountPropogation/' "$K8S/daemonset.yaml" >"$BATS_TEST_TMPDIR/bad.yaml"
	run --separate-stderr /usr/bin/python3 "$BATS_TEST_DIRNAME/../tools/k8s_check.py" "$BATS_TEST_TMPDIR/bad.yaml"
	assert_eq "$status" 1 "misspelt field"
	[[ $stderr == *"volumeMounts[2].mountPropogation: not a field of the API"* ]]
	sed 's/periodSeconds: 30/periodSeconds: soon/' "$K8S/daemonset.yaml" >"$BATS_TEST_TMPDIR/bad.yaml"
	run --separate-stderr /usr/bin/python3 "$BATS_TEST_DIRNAME/../tools/k8s_check.py" "$BATS_TEST_TMPDIR/bad.yaml"
	assert_eq "$status" 1 "a string for a number"
}

@test "kubernetes: least privilege, host views, probes and resources" {
	/usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null ||
		skip_or_fail "needs python3-kubernetes"
	local c='.containers[0]'
	assert_eq "$(ds '.hostPID')" true "hostPID"
	assert_eq "$(ds '.hostNetwork // false')" false "no hostNetwork"
	assert_eq "$(ds '.serviceAccountName')" nstrace "service account"
	assert_eq "$(manifests | jq -r '.[] | select(.kind == "ServiceAccount") | .automountServiceAccountToken')" \
		false "no token"
	assert_eq "$(ds '.automountServiceAccountToken')" false "no token in the pod"
	assert_eq "$(ds '[.tolerations[] | .operator] | join(" ")')" Exists "every node"
	assert_eq "$(ds '.containers | length')" 1 "one container"
	assert_eq "$(ds "$c.securityContext.privileged")" false "not privileged"
	assert_eq "$(ds "$c.securityContext.capabilities.drop | join(\" \")")" ALL "drop"
	assert_eq "$(ds "$c.securityContext.capabilities.add | sort | join(\" \")")" \
		"BPF PERFMON SYS_ADMIN" "add"
	assert_eq "$(ds "$c.securityContext.readOnlyRootFilesystem")" true "read-only root"
	assert_eq "$(ds "$c.securityContext.seccompProfile.type")" RuntimeDefault "seccomp"
	# The image is the one the Containerfile's comment builds.
	image=$(ds "$c.image")
	grep -q -- "-t $image \.\$" "$K8S/Containerfile"
	# JSON on stdout, the metrics file where the probes read it.
	assert_eq "$(ds "$c.args[0]")" --json "args"
	assert_eq "$(ds "$c.args | map(select(startswith(\"--metrics-file=\"))) | length")" 1 "metrics file"
	assert_eq "$(ds "[$c.args[] | select(startswith(\"--metrics=\"))] | join(\" \")")" \
		--metrics=0.0.0.0:9464 "metrics over HTTP"
	assert_eq "$(ds "$c.ports[] | select(.name == \"metrics\") | .containerPort")" 9464 "metrics port"
	# Mounts: each of a volume; the host's, read-only; /run/netns following
	# the host's mounts.
	assert_eq "$(ds "[$c.volumeMounts[] | .name] - [.volumes[] | .name] | length")" 0 "volumes"
	assert_eq "$(ds "$c.volumeMounts[] | select(.mountPath == \"/run/netns\") | .mountPropagation")" \
		HostToContainer "/run/netns propagation"
	assert_eq "$(ds "[$c.volumeMounts[] | select(.readOnly | not) | .mountPath] | join(\" \")")" \
		/run/nstrace "writable mounts"
	assert_eq "$(ds '[.volumes[] | .hostPath.path // empty] | sort | join(" ")')" \
		"/run/containerd /run/containers /run/netns /sys/fs/cgroup /sys/kernel/btf /sys/kernel/tracing /var/lib/docker/containers /var/log/pods" \
		"host paths"
	# --host-root=/host: each host path but the kernel's mounted under it
	# at its own path.
	assert_eq "$(ds "[$c.args[] | select(startswith(\"--host-root=\"))] | join(\" \")")" --host-root=/host "host root"
	assert_eq "$(ds "[$c.volumeMounts[] | select(.mountPath | startswith(\"/host/\")) | .mountPath[5:]] | sort | join(\" \")")" \
		"/run/containerd /run/containers /sys/fs/cgroup /var/lib/docker/containers /var/log/pods" "mounts under /host"
	assert_eq "$(ds "$c.resources | [.requests.cpu, .requests.memory, .limits.cpu, .limits.memory] | map(select(. != null)) | length")" \
		4 "requests and limits"
	assert_eq "$(ds "$c.livenessProbe.exec.command[0]")" sh "liveness"
	assert_eq "$(ds "$c.startupProbe.exec.command | join(\" \")")" \
		"test -s /run/nstrace/nstrace.prom" "startup"
}

# probe WHICH DIR: the DaemonSet's probe WHICH (startupProbe, livenessProbe)
# run here, /run/nstrace read as DIR.
probe() {
	local -a cmd
	mapfile -t cmd < <(ds ".containers[0].$1.exec.command[]" | sed "s|/run/nstrace|$2|g")
	"${cmd[@]}"
}

@test "kubernetes: nstrace takes the DaemonSet's args, and its probes tell" {
	need_root
	/usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null ||
		skip_or_fail "needs python3-kubernetes"
	d=$BATS_TEST_TMPDIR/run
	mkdir "$d"
	mapfile -t args < <(ds '.containers[0].args[]' | sed -e "s|/run/nstrace|$d|g" -e "s|=/host\$|=/|")
	run ! probe startupProbe "$d"
	start_nstrace "${args[@]:1}"
	wait_for probe startupProbe "$d"
	probe livenessProbe "$d"
	# A file the loop stopped writing: the liveness probe fails.
	touch -d '-90 seconds' "$d/nstrace.prom"
	run ! probe livenessProbe "$d"
	stop_nstrace
	grep -q '^nstrace_records_written_total ' "$d/nstrace.prom"
}

# pod_nstrace PROPAGATION: nstrace --json -e ns.name in the background,
# in a root built as a pod's (tests/tools/pod_root.sh), its /run/netns the
# host's with PROPAGATION; waits until it is attached.
pod_nstrace() {
	local root=$BATS_TEST_TMPDIR/root.$1
	mkdir "$root"
	TRACE_OUT=$BATS_TEST_TMPDIR/events.$1.json
	TRACE_ERR=$BATS_TEST_TMPDIR/stderr.$1
	unshare --mount --propagation slave sh "$BATS_TEST_DIRNAME/../tools/pod_root.sh" \
		"$root" "$NSTRACE" "$1" --json -e ns.name >"$TRACE_OUT" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	wait_attached "$TRACE_PID" "$TRACE_ERR"
}

# mounted NAME: whether /run/netns/NAME is in nstrace's mount table.
mounted() {
	grep -q " /run/netns/$1 " "/proc/$TRACE_PID/mountinfo"
}

@test "kubernetes: /run/netns mounted as the kubelet does shows names added later" {
	need_root
	own_names prop
	# HostToContainer: the mount reaches nstrace's mount table (the
	# syscall's event alone would come from BPF whatever that table
	# shows), and so does the umount.
	pod_nstrace rslave
	ip netns add "$A"
	wait_for mounted "$A"
	wait_for grep -q "\"name\":\"$A\"" "$TRACE_OUT"
	ip netns del "$A"
	wait_for eval "! mounted $A"
	wait_for grep -q '"op":"remove"' "$TRACE_OUT"
	stop_nstrace
	# The mount table's add is the syscall's: one name, as on the host.
	assert_eq "$(jq -r "select(.name == \"$A\") | .op" "$TRACE_OUT" | paste -sd' ')" "add remove" "ns.name"
	assert_eq "$(jq -r "select(.op == \"add\") | .ns_names | join(\" \")" "$TRACE_OUT")" "$A" "ns_names"
	# Without propagation (None) the mount never shows there.
	pod_nstrace rprivate
	ip netns add "$B"
	sleep 1
	run ! mounted "$B"
	stop_nstrace
}

@test "kubernetes: the image's runtime packages are what the binary links to" {
	command -v dpkg >/dev/null || skip_or_fail "needs dpkg"
	f=$K8S/Containerfile
	# The build stage uses the project's own deps and make.
	grep -q '^RUN sh /src/scripts/deps.sh build' "$f"
	grep -q '^RUN make -C /src .* all$' "$f"
	installed=$(sed -n '/^FROM ${DEBIAN}$/,$p' "$f" | grep -o 'install -y --no-install-recommends .*' |
		sed 's/install -y --no-install-recommends //; s/ \\$//; s/ &&.*//')
	[ -n "$installed" ]
	local lib pkg
	for lib in $(ldd "$NSTRACE" | awk '$3 ~ /^\// { print $3 }'); do
		pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$lib" | head -1 | cut -d: -f1)
		case $pkg in libc6) continue ;; esac
		[[ " $installed " == *" $pkg "* ]] || {
			echo "$lib ($pkg) is not installed by $f: $installed" >&2
			return 1
		}
	done
}

# complete WORDS...: what the completion offers for the last word, one
# candidate per line, sorted.
complete_words() {
	# shellcheck disable=SC1091
	bash -c '. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_nstrace
		printf "%s\n" "${COMPREPLY[@]}"' "$REPO/deploy/completion/nstrace" "$@" | sort
}

# offers EXPECTED WORDS...: the candidates, blank-separated, are EXPECTED.
offers() {
	local want=$1
	shift
	assert_eq "$(complete_words "$@" | paste -sd' ')" "$want" "$*"
}

@test "completion: commands, options, their arguments and operands" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip_or_fail "needs bash-completion"
	offers "doctor help history identify ls pids replay top where" "$NSTRACE" ""
	offers "identify" "$NSTRACE" id
	offers "--max-files --max-size" "$NSTRACE" --max-
	offers "--all --help --host-root --json --type" "$NSTRACE" ls --
	offers "--at --help --json" "$NSTRACE" replay --
	offers "ns.create ns.destroy ns.name ns.setns" "$NSTRACE" -e ns.
	offers "ns.create ns.destroy ns.name ns.setns" "$NSTRACE" --event=ns.
	# A list: after a comma, the names not given yet.
	offers "ns.create,netdev.create ns.create,netdev.delete ns.create,netdev.move ns.create,netdev.rename" \
		"$NSTRACE" -j -e ns.create,net
	offers "cgroup ipc mnt net pid time user uts" "$NSTRACE" -t ""
	offers "cgroup ipc mnt net pid time user uts" "$NSTRACE" ls --type ""
	offers "auto fentry kprobe tracepoint" "$NSTRACE" --backend ""
	offers "auto fentry kprobe tracepoint" "$NSTRACE" top --backend ""
	offers "doctor help history identify ls pids replay top where" "$NSTRACE" help ""
	# The stream takes no operand; a command comes first or not at all.
	offers "" "$NSTRACE" -j ""
	offers "" "$NSTRACE" -o ls ""
	# Directories where it says DIR.
	mkdir "$BATS_TEST_TMPDIR/hostroot"
	offers "$BATS_TEST_TMPDIR/hostroot" "$NSTRACE" --host-root "$BATS_TEST_TMPDIR/hostr"
	# Files where the help says FILE or PATH.
	touch "$BATS_TEST_TMPDIR/log.json"
	offers "$BATS_TEST_TMPDIR/log.json" "$NSTRACE" -o "$BATS_TEST_TMPDIR/log"
	offers "$BATS_TEST_TMPDIR/log.json" "$NSTRACE" history eth0 "$BATS_TEST_TMPDIR/log"
	offers "$BATS_TEST_TMPDIR/log.json" "$NSTRACE" replay --at seq:3 "$BATS_TEST_TMPDIR/log"
	offers "" "$NSTRACE" replay "$BATS_TEST_TMPDIR/log.json" ""
	# Every option the help lists is offered, and no other.
	offers "$("$NSTRACE" --help | grep -oE '^  (-[A-Za-z], |    )--[a-z-]+' | grep -oE -- '-[-a-zA-Z]+' | sort | paste -sd' ')" \
		"$NSTRACE" -
}

@test "completion: netns names for pids, processes for identify, interfaces for where" {
	need_root
	[ -f /usr/share/bash-completion/bash_completion ] || skip_or_fail "needs bash-completion"
	own_names comp
	ip netns add "$A"
	ip netns add "$B"
	offers "$A $B" "$NSTRACE" pids "$(tname comp)"
	offers "$A" "$NSTRACE" pids -j "$A"
	offers "" "$NSTRACE" pids "$A" ""
	sleep 60 &
	HOLDER=$!
	complete_words "$NSTRACE" identify "$HOLDER" | grep -qx "$HOLDER"
	ip link add "$VA" type veth peer name "$VB"
	offers "$VA" "$NSTRACE" where "$VA"
	ip link del "$VA"
}

@test "completion: make install puts it where bash-completion looks; uninstall removes it" {
	d=$BATS_TEST_TMPDIR/root
	make -s -C "$REPO" BUILD="${BUILD:-build}" PREFIX="$d/usr" SYSCONFDIR="$d/etc" install
	cmp "$REPO/deploy/completion/nstrace" "$d/usr/share/bash-completion/completions/nstrace"
	make -s -C "$REPO" BUILD="${BUILD:-build}" PREFIX="$d/usr" SYSCONFDIR="$d/etc" uninstall
	[ ! -e "$d/usr/share/bash-completion/completions/nstrace" ]
}
