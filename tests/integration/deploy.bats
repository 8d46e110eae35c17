#!/usr/bin/env bats
# What deploy/ ships besides the systemd unit: the bash completion. It
# needs the host's own packages (bash-completion): not in the test VM.
# bats file_tags=host-userland

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

teardown() {
	[ -z "${HOLDER:-}" ] || kill_bg "$HOLDER"
	del_owned
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
	offers "--all --help --json --type" "$NSTRACE" ls --
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
	ip link add "$VA" type dummy
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
