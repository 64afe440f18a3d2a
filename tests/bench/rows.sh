#!/bin/sh
# The Linux peer's rows (tests/bench/bench.py types `sh /rows.sh` at its prompt), in the order
# and with the sizes of the chain's: disk-client's raw reads of the whole disk, then fs-client's
# file rows on the mounted ext2 partition. Caches are dropped before every cold row; raw reads
# bypass them (O_DIRECT). Ends QEMU with status 0, or 1 at the first row that failed.
megabytes=${1:-64}
files=${2:-1000}
bytes=$((megabytes << 20))
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
run() { linux-bench "$@" || { echo "linux-peer: FAIL linux-bench $*"; linux-bench exit 1; }; }
run raw /dev/sda 4096 $bytes
run raw /dev/sda 65536 $bytes
run raw /dev/sda 1048576 $bytes
run random /dev/sda 2000 $bytes
drop
run read "file cold" /mnt/bench.bin
run read "file warm" /mnt/bench.bin
drop
run readfiles /mnt/small $files
drop
run stat /mnt/stat
run create /mnt/bench-files $files
run delete /mnt/bench-files $files
run write /mnt/bench-write.bin $bytes
rm -f /mnt/bench-write.bin
echo "linux-peer: rows done"
linux-bench exit 0
