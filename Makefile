# bootchain's entry points. Each target runs scripts/setup first (quiet and quick once done).
#   make build   configure and build into build/
#   make run     boot the chain under QEMU on a disk made from rootfs/ and the programs
#   make check   build, then run every test with CTest
#   make bench   the benchmarks: figures printed, nothing asserted
#   make clean   remove build/
NPROC := $(shell nproc)
BUILD := build

.PHONY: setup build run check bench clean

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

bench: build
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/disk/bench.py
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/fs/bench.py

clean:
	rm -rf $(BUILD)
