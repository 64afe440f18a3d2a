# bootchain's entry points. Each target runs scripts/setup first (quiet and quick once done).
#   make build   configure and build into build/
#   make run     boot the chain under QEMU on a disk made from rootfs/ and the programs
#   make check   build, then run every test with CTest
#   make bench   the benchmarks beside Linux: a table printed, nothing asserted
#   make fuzz    the fuzzers, for as long as asked (below)
#   make powercut  power cuts and failing writes, more of them than make check runs (below)
#   make lint    clang-format and clang-tidy (the root .clang-tidy) over the whole tree
#   make clean   remove build/
NPROC := $(shell nproc)
BUILD := build

.PHONY: setup build run check lint bench fuzz powercut clean

setup:
	scripts/setup

build: setup
	cmake -S . -B $(BUILD)
	cmake --build $(BUILD) -j $(NPROC)

# The disk: the programs and rootfs/ (./bootchain image). With a terminal on stdin the kernel's
# command line says bootchain.interactive=1, and init runs the shell on the console after
# /etc/rc (no timeout worth the name; Ctrl-C cancels the shell's line, Ctrl-] stops the run);
# without one, init powers off with /etc/rc's status.
run: setup
	@mkdir -p $(BUILD)/run
	./bootchain image --out $(BUILD)/run/disk.img
	@if [ -t 0 ]; then \
	  ./bootchain run --disk $(BUILD)/run/disk.img --append=bootchain.interactive=1 --timeout 86400 --keys-to-guest; \
	else \
	  ./bootchain run --disk $(BUILD)/run/disk.img; \
	fi

check: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(NPROC)

lint: build
	ctest --test-dir $(BUILD) --output-on-failure -R '^lint\.'

# The benchmarks (tests/bench/bench.py): the chain and Linux (Debian 12's kernel, fetched by
# scripts/setup) booted in alternating rounds on the same QEMU command line and disk image, on
# q35 (AHCI) and pc (IDE); one table of medians and ratios, also in build/bench/results.json.
#   make bench   make bench BENCH_ROUNDS=5   make bench BENCH_MACHINES=q35
BENCH_ROUNDS ?= 3
BENCH_MACHINES ?= q35,pc
bench: build
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/bench/bench.py \
	  --rounds $(BENCH_ROUNDS) --machines $(BENCH_MACHINES)

# The fuzzers, for longer than make check runs them: the message fuzzer in QEMU
# (tests/security/msgfuzz_run.py: FUZZ_SECONDS of messages, or FUZZ_MESSAGES of them when given;
# FUZZ_SEED, default random, printed), then each libFuzzer target of tests/fuzz/ for
# FUZZ_SECONDS. Every fuzzer runs even when one before it found something; the status says
# whether any did.   make fuzz FUZZ_SECONDS=600   make fuzz FUZZ_MESSAGES=100000 FUZZ_SEED=7
FUZZ_SECONDS ?= 300
FUZZ_MESSAGES ?=
FUZZ_SEED ?=
fuzz: build
	@status=0; \
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/security/msgfuzz_run.py \
	  $(if $(FUZZ_MESSAGES),--messages $(FUZZ_MESSAGES),--seconds $(FUZZ_SECONDS)) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
	  || status=1; \
	cd $(BUILD)/fuzz || exit 1; \
	for target in partition elf ext2 bootscript; do \
	  python3 $(CURDIR)/tests/fuzz/fuzz.py $$target $(FUZZ_SECONDS) || status=1; \
	done; \
	python3 $(CURDIR)/tests/fuzz/fuzz.py ext2_fsck $(FUZZ_SECONDS) -timeout=60 || status=1; \
	exit $$status

# Power cuts (tests/powercut/powercut_run.py): QEMU killed with SIGKILL at POWERCUT_COUNT seeded
# points of a write-heavy /etc/rc (q35 and pc in turn; the disk a qcow2 overlay with
# cache=writeback, where an unflushed write is lost), each image checked with e2fsck -fy, then
# e2fsck -fn and every synced file's hash; then QEMU's blkdebug failing writes in the middle of a
# script, on q35 and pc. POWERCUT_SEED (default random) is printed and repeats a run.
#   make powercut   make powercut POWERCUT_COUNT=50   make powercut POWERCUT_SEED=7
POWERCUT_COUNT ?= 10
POWERCUT_SEED ?=
powercut: build
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/powercut/powercut_run.py \
	  --count $(POWERCUT_COUNT) $(if $(POWERCUT_SEED),--seed $(POWERCUT_SEED))

clean:
	rm -rf $(BUILD)
