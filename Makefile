# bootchain's entry points. Each target runs scripts/setup first (quiet and quick once done).
#   make build   configure and build into build/
#   make run     boot the chain under QEMU (./bootchain run with its defaults)
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

run: setup
	./bootchain run

check: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(NPROC)

bench: build
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/disk/bench.py
	PYTHONPATH=$(CURDIR)/tools BOOTCHAIN_BUILD_DIR=$(CURDIR)/$(BUILD) python3 tests/fs/bench.py

clean:
	rm -rf $(BUILD)
