#!/bin/sh
# /init of the Linux peer's initramfs (tests/bench/initramfs.py): the modules that reach the disk,
# the benchmark disk's ext2 partition mounted on /mnt, then busybox's prompt on the console. The
# host times QEMU's start to that prompt, then types `sh /rows.sh` (or a test's commands).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /modules/order); do
  insmod "/modules/$module.ko" || echo "linux-peer: insmod $module failed"
done
# The disk shows up once the controller's driver has probed it: wait, but not for ever (10 s).
tries=0
while [ ! -b /dev/sda1 ] && [ $tries -lt 200 ]; do
  usleep 50000
  tries=$((tries + 1))
done
if mount -t ext2 /dev/sda1 /mnt; then
  echo "linux-peer: /dev/sda1 mounted on /mnt"
else
  echo "linux-peer: mounting /dev/sda1 failed"
fi
cd /mnt
export PS1='linux:\w# '
exec setsid cttyhack sh
