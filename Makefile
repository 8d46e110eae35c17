# nstrace: build, test and install.
#   make            build build/nstrace
#   make ARCH=arm64 cross-build build/arm64/nstrace (make test-arm64 runs
#                   it on Debian's arm64 kernels under QEMU)
#   make run        set up (as root: apt-get what is missing), build, trace
#   make test       set up, build, run every test
#   make install    PREFIX=/usr/local DESTDIR= (the binary, the man page,
#                   the systemd unit and its options file, the bash
#                   completion: docs/deploy.md)

PREFIX ?= /usr/local
DESTDIR ?=
# The options file the unit reads: /etc/default/nstrace, whatever PREFIX.
SYSCONFDIR ?= /etc
# /usr/local/lib/systemd/system is on systemd's unit path, as /usr/lib's is.
UNITDIR ?= $(PREFIX)/lib/systemd/system

# The kernel's name for the CPU architecture (x86, arm64): which block of
# bpf/arch.bpf.h and which vmlinux/ARCH/vmlinux.h the BPF objects take.
# ARCH=arm64 on another machine cross-builds: the loader with Debian's
# cross compiler against the arm64 libraries of dpkg's multiarch (make
# deps ARCH=arm64 installs them), in a build folder of its own so that it
# never mixes with the machine's own build.
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
override ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
# Debian's name for it: its packages, its kernels (tests/vm/kernel.sh).
DEB_ARCH := $(patsubst x86,amd64,$(ARCH))
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_arm64 := aarch64-linux-gnu
CROSS := $(CROSS_$(ARCH))
ifeq ($(CROSS),)
$(error no cross toolchain known for ARCH=$(ARCH): arm64, or the machine's own $(HOST_ARCH))
endif
BUILD ?= build/$(ARCH)
ifeq ($(origin CC),default)
CC := $(CROSS)-gcc
endif
# The target's .pc files, not the machine's.
PKG_CONFIG ?= PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS)/pkgconfig:/usr/share/pkgconfig pkg-config
DEPS_SET := -$(ARCH)
endif
BUILD ?= build
PKG_CONFIG ?= pkg-config

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip

VMLINUX_DIR := vmlinux/$(ARCH)
BTF_FILE ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes
USER_CFLAGS := $(CFLAGS) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) -MMD -MP
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
	-Iinclude -Ibpf -I$(VMLINUX_DIR) -MMD -MP
# What a vmlinux.h needs of the compiler beyond that, written beside it by
# make vmlinux: a kernel from 6.19 on, built with -fms-extensions, embeds
# tagged structs unnamed ("struct ns_tree;" inside struct ns_common), and
# bpftool dumps them so.
BPF_CFLAGS += $(shell cat $(VMLINUX_DIR)/cflags 2>/dev/null)

# libbpf is linked statically so that the binary runs unchanged inside a
# VM or a container that lacks libbpf. jansson (reading JSON logs back:
# replay, history) is a shared library every Debian has; the test VM
# copies what ldd lists.
LIBBPF_A := $(shell $(CC) -print-file-name=libbpf.a)
# nstrace top draws with ncurses, wide-character build (UTF-8 names).
CURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
LDLIBS := $(LIBBPF_A) -lelf -lz -ljansson $(CURSES_LIBS)

# The live stream's BPF objects, linked into one skeleton (nstrace.skel.h)
# so that they share the ring buffer and the filters. Every other
# bpf/X.bpf.c is a program of its own, with a light skeleton X.lskel.h;
# the inventory is also built for the netns view alone (inventory_net).
TRACE_BPF := common ns nsswitch netdev netns move destroy life mount
BPF_SRCS := $(wildcard bpf/*.bpf.c)
OTHER_BPF := $(filter-out $(TRACE_BPF),$(patsubst bpf/%.bpf.c,%,$(BPF_SRCS))) \
	inventory_net
BPF_OBJS := $(patsubst %,$(BUILD)/bpf/%.bpf.o,$(TRACE_BPF) $(OTHER_BPF))
TRACE_BPF_OBJS := $(patsubst %,$(BUILD)/bpf/%.bpf.o,$(TRACE_BPF))
SKELS := $(BUILD)/nstrace.skel.h $(BUILD)/nstrace_nocast.skel.h $(patsubst %,$(BUILD)/%.lskel.h,$(OTHER_BPF))
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))

TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
# Programs the integration tests drive (raw clone3, setns by pidfd, ...).
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

# Keep the BPF objects between runs: as intermediates, make would delete
# them and then rebuild everything that includes a skeleton.
.SECONDARY:

.PHONY: all deps test-deps run test unit integration install uninstall clean vmlinux format

all: $(BUILD)/nstrace

$(BUILD)/bpf $(BUILD)/tests $(BUILD)/tools:
	mkdir -p $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The netns view's inventory: the same program without the types that
# view does not show, so that its kernel types fall in distinct slots of
# the kernel's CO-RE cache (see bpf/inventory.bpf.c and docs/ls.md).
$(BUILD)/bpf/inventory_net.bpf.o: bpf/inventory.bpf.c | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -DINVENTORY_NETNS_ONLY -c $< -o $@

# The per-concern objects become one, so that they share the ring buffer
# and the filters through one skeleton.
$(BUILD)/nstrace.bpf.o: $(TRACE_BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/nstrace.skel.h: $(BUILD)/nstrace.bpf.o
	$(BPFTOOL) gen skeleton $< name nstrace_bpf > $@.tmp && mv $@.tmp $@

# The same object for kernels without bpf_rdonly_cast() (before 6.2),
# where it must not name the kfunc (bpf/netdev.bpf.c): the loader opens
# the skeleton above on its bytes instead, same maps, programs, layout.
$(BUILD)/bpf/netdev_nocast.bpf.o: bpf/netdev.bpf.c | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -DNST_NO_RDONLY_CAST -c $< -o $@

$(BUILD)/nstrace_nocast.bpf.o: $(subst /netdev.bpf.o,/netdev_nocast.bpf.o,$(TRACE_BPF_OBJS))
	$(BPFTOOL) gen object $@ $^

$(BUILD)/nstrace_nocast.skel.h: $(BUILD)/nstrace_nocast.bpf.o $(BUILD)/nstrace.skel.h
	$(BPFTOOL) gen skeleton $< name nstrace_nocast_bpf > $@.tmp
	sed -n '/^struct nstrace_bpf {/,/^};/p' $(BUILD)/nstrace.skel.h > $@.cast
	sed -n '/^struct nstrace_nocast_bpf {/,/^};/{s/nstrace_nocast_bpf/nstrace_bpf/;p;}' $@.tmp > $@.nocast
	cmp -s $@.cast $@.nocast || { echo "nstrace_nocast.bpf.o differs from nstrace.bpf.o in its maps, programs or globals" >&2; exit 1; }
	rm -f $@.cast $@.nocast && mv $@.tmp $@

# The inventory (nstrace ls) is loaded for one short command: as a light
# skeleton, the kernel relocates it against its own BTF, and nstrace need
# not parse the kernel's 5 MB of BTF each time.
$(BUILD)/%.lskel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton -L $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(USER_OBJS): $(SKELS)

$(BUILD)/user/%.o: user/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/nstrace: $(USER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(USER_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

$(BUILD)/tools/%: tests/tools/%.c | $(BUILD)/tools
	$(CC) $(CFLAGS) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -Iinclude -o $@ $< -lpthread

# A fault the integration tests inject (tests/fault): the kernel's netns
# cleanup work stalled as it starts, with a loader of its own.
FAULT_BINS := $(BUILD)/fault/slow_cleanup $(BUILD)/fault/slow_cleanup.bpf.o

$(BUILD)/fault/slow_cleanup.bpf.o: tests/fault/slow_cleanup.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/fault/slow_cleanup: tests/fault/slow_cleanup.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARNINGS) -std=gnu11 -o $@ $< $(LIBBPF_A) -lelf -lz

# Regenerate the committed vmlinux.h from this machine's kernel. For
# another ARCH, from the BTF inside the image of Debian sid's cloud kernel
# for it (tests/vm/kernel.sh fetches it through apt, into
# $(BUILD)/vm/kernels/sid) or of VMLINUZ=.../vmlinuz-VERSION:
# vmlinux/arm64 was made so, by make vmlinux ARCH=arm64. Not bookworm's
# 6.1, which make test-arm64 boots: the objects name fields of kernels
# as new as the x86 header's and reach older layouts through CO-RE.
ifneq ($(ARCH),$(HOST_ARCH))
VMLINUX_KDIR := $(BUILD)/vm/kernels/sid
VMLINUZ ?= $(VMLINUX_KDIR)/kernel/boot/vmlinuz-$(shell VM_ARCH=$(DEB_ARCH) VM_KERNEL=sid VM_DIR=$(VMLINUX_KDIR) bash tests/vm/kernel.sh)
endif
# (Shell tests, not make's: VMLINUZ may fetch a kernel, only when asked.)
vmlinux:
	@if [ -z "$(VMLINUZ)" ]; then \
		$(BPFTOOL) btf dump file $(BTF_FILE) format c > $(VMLINUX_DIR)/vmlinux_new.h && \
		v=$$(uname -r | cut -d. -f1-2) && from=$(BTF_FILE); \
	else \
		mkdir -p $(VMLINUX_DIR) && \
		python3 scripts/btf-from-image.py $(VMLINUZ) $(VMLINUX_DIR)/vmlinux.btf && \
		$(BPFTOOL) btf dump file $(VMLINUX_DIR)/vmlinux.btf format c > $(VMLINUX_DIR)/vmlinux_new.h && \
		rm -f $(VMLINUX_DIR)/vmlinux.btf && \
		v=$$(basename $(VMLINUZ) | sed 's/^vmlinuz-//' | cut -d. -f1-2) && from=$(VMLINUZ); \
	fi && \
	if grep -qE '^	+(struct|union) [A-Za-z_0-9]+;$$' $(VMLINUX_DIR)/vmlinux_new.h; then \
		echo '-fms-extensions -Wno-microsoft-anon-tag' > $(VMLINUX_DIR)/cflags; \
	else rm -f $(VMLINUX_DIR)/cflags; fi && \
	mv $(VMLINUX_DIR)/vmlinux_new.h $(VMLINUX_DIR)/vmlinux_$$v.h && \
	ln -sf vmlinux_$$v.h $(VMLINUX_DIR)/vmlinux.h && \
	echo "$(VMLINUX_DIR)/vmlinux.h -> vmlinux_$$v.h (from $$from)"

deps:
	@sh scripts/deps.sh build$(DEPS_SET)

test-deps:
	@sh scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/nstrace $(ARGS)

# The suites that run on the second kernel too (tests/vm): the backends
# compared there, fentry and kprobe included, the NIC handed back by a
# dying netns, least privilege where perf events are refused,
# no program run by a UDP loop on the function hooks (cost.bats), the
# CNI ipvlan and vlan plugins (devices the first kernel lacks),
# ns.create/ns.setns, netns deaths and rtnetlink requests (auto: fentry);
# then the ns, deaths and requests suites again under kprobes (the
# tracepoint backend on 6.1 is covered by the first two). VM_TESTS=
# leaves the VM out.
VM_TESTS ?= backend tests/vm/nic.bats tests/vm/privs.bats tests/vm/cost.bats tests/vm/cni.bats ns deaths requests
VM_BACKENDS ?= kprobe
VM_BACKEND_TESTS ?= ns deaths requests
# Then make test-kernels's event smoke on the newer kernels users run,
# every backend each allows: 6.1's suites ran in full above, and on 5.10
# nstrace does not load (docs/kernels.md). SMOKE_KERNELS= leaves it out.
SMOKE_KERNELS ?= 6.12 sid

test: test-deps
	@$(MAKE) --no-print-directory all $(TEST_BINS) $(TOOL_BINS) $(FAULT_BINS)
	@BUILD=$(BUILD) VM_TESTS="$(VM_TESTS)" VM_BACKENDS="$(VM_BACKENDS)" \
		VM_BACKEND_TESTS="$(VM_BACKEND_TESTS)" SMOKE_KERNELS="$(SMOKE_KERNELS)" \
		bash tests/run.sh

UNIT := $(DESTDIR)$(UNITDIR)/nstrace.service
DEFAULTS := $(DESTDIR)$(SYSCONFDIR)/default/nstrace
LOGROTATE := $(DESTDIR)$(PREFIX)/share/nstrace/logrotate/nstrace
# Where bash-completion loads a command's completion from, on first use.
COMPLETION := $(DESTDIR)$(PREFIX)/share/bash-completion/completions/nstrace

# The options file is the administrator's once installed: never replaced.
install: $(BUILD)/nstrace
	install -D -m 0755 $(BUILD)/nstrace $(DESTDIR)$(PREFIX)/sbin/nstrace
	install -D -m 0644 docs/nstrace.8 $(DESTDIR)$(PREFIX)/share/man/man8/nstrace.8
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		deploy/systemd/nstrace.service >$(UNIT)
	chmod 0644 $(UNIT)
	[ -e $(DEFAULTS) ] || install -D -m 0644 deploy/systemd/nstrace.default $(DEFAULTS)
	install -D -m 0644 deploy/logrotate/nstrace $(LOGROTATE)
	install -D -m 0644 deploy/completion/nstrace $(COMPLETION)

# An options file that was edited stays.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/nstrace $(DESTDIR)$(PREFIX)/share/man/man8/nstrace.8
	rm -f $(UNIT) $(LOGROTATE) $(COMPLETION)
	! cmp -s deploy/systemd/nstrace.default $(DEFAULTS) || rm -f $(DEFAULTS)

format:
	clang-format -i bpf/*.c bpf/*.h user/*.c user/*/*.[ch] include/*.h tests/unit/*.c tests/fault/*.c

clean:
	rm -rf $(BUILD)

-include $(BPF_OBJS:.o=.d) $(USER_OBJS:.o=.d)

# The integration suite on a second kernel: Debian's 6.1 under QEMU, which
# has fentry, kprobes and modules (tests/vm/run.sh; VM_ARGS="--backend X").
.PHONY: vm-test
vm-test: deps
	@$(MAKE) --no-print-directory all $(TOOL_BINS)
	@BUILD=$(BUILD) bash tests/vm/run.sh --no-build $(VM_ARGS)

# The event smoke on each kernel users run, Debian's 5.10, 6.1, 6.12 and
# sid's newest, under QEMU one after the other (tests/vm/kernels.sh; the
# packages are fetched once, into $(BUILD)/vm/kernels/SUITE). make test
# runs it on SMOKE_KERNELS.
KERNELS ?= 5.10 6.1 6.12 sid
.PHONY: test-kernels
test-kernels: deps
	@$(MAKE) --no-print-directory all $(TOOL_BINS)
	@BUILD=$(BUILD) KERNELS="$(KERNELS)" bash tests/vm/kernels.sh

# The same event smoke on Debian's arm64 kernels (ARM64_KERNELS: bookworm's
# 6.1, which has no BPF trampolines on arm64, and sid's newest, which has)
# under qemu-system-aarch64, TCG: nstrace cross-built
# (make ARCH=arm64, into $(ARM64_BUILD)), an arm64 userland from Debian's
# packages (tests/vm/rootfs.sh). Kernels, packages and the unpacked
# userland are kept in $(ARM64_BUILD)/vm between runs. Not part of make
# test.
ARM64_KERNELS ?= 6.1 sid
ARM64_BUILD := $(if $(filter arm64,$(ARCH)),$(BUILD),$(BUILD)/arm64)
.PHONY: test-arm64
test-arm64:
	@sh scripts/deps.sh build-arm64
	@$(MAKE) --no-print-directory ARCH=arm64 BUILD=$(ARM64_BUILD) all \
		$(patsubst tests/tools/%.c,$(ARM64_BUILD)/tools/%,$(TOOL_SRCS))
	@BUILD=$(ARM64_BUILD) VM_ARCH=arm64 KERNELS="$(ARM64_KERNELS)" bash tests/vm/kernels.sh

# Benchmarks: load generators in bench/*.c, the driver bench/run.sh (as
# root; BENCHES="cost churn" picks some). docs/performance.md reads them.
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -o $@ $< -lpthread

# The cost, ping-pong and per-program benches inside the test VM, where
# nstrace runs on fentry hooks and attaches no syscall tracepoint (then
# the per-program one again under kprobes): bare and nstrace only (no
# bpftrace there). TCG is slow and the host's load shows through: many
# rounds.
.PHONY: bench-vm
bench-vm: deps $(BENCH_BINS)
	@BUILD=$(BUILD) bash tests/vm/run.sh --shell-cmd \
		'BENCHES=$${BENCHES:-cost pingpong progstats} ANCHOR=none ROUNDS=$${ROUNDS:-9} STEP_SECS=$${STEP_SECS:-5} SENDMSG_N=$${SENDMSG_N:-20000} GETPPID_N=$${GETPPID_N:-200000} bash bench/run.sh && BENCHES=progstats ANCHOR=none NSTRACE_ARGS="--backend kprobe" bash bench/run.sh'

.PHONY: bench
bench: deps
	@sh bench/deps.sh
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@BUILD=$(BUILD) bash bench/run.sh

# Fuzzing: libFuzzer targets in tests/fuzz/ (clang, ASan and UBSan) over
# the code that reads untrusted bytes, with the loader's sources built
# again instrumented. make test runs each for a few seconds
# (tests/integration/fuzz.bats); make fuzz for FUZZ_SECS each.
FUZZ_SECS ?= 300
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
	-Iinclude -Iuser -I$(BUILD) -MMD -MP
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_LIB_OBJS := $(patsubst user/%.c,$(BUILD)/fuzz/obj/%.o,$(filter-out user/main.c,$(USER_SRCS)))

$(BUILD)/fuzz/obj/%.o: user/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/json_check.h $(FUZZ_LIB_OBJS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(LDLIBS)

# make test builds the targets too, for its short run.
test: $(FUZZ_BINS)

.PHONY: fuzz
fuzz: test-deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@BUILD=$(BUILD) FUZZ_SECS=$(FUZZ_SECS) bash tests/fuzz/run.sh

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d)

# The soak of tests/integration/reliability.bats, longer than make test's.
SOAK_SECS ?= 600
.PHONY: soak
soak: test-deps
	@$(MAKE) --no-print-directory all $(TOOL_BINS)
	@SOAK_SECS=$(SOAK_SECS) NSTRACE=$(CURDIR)/$(BUILD)/nstrace \
		bats --tap -f soak tests/integration/reliability.bats
