"""ext2fs end to end: the seed's chain mounts partition 1 of an MBR disk through rumpdisk, and a
test module (fs-client, in exec's place) reads and writes through the file protocol; the host
made the image with mke2fs -d and checks it afterwards with e2fsck -fn and debugfs."""
import re
import subprocess

import content
from fs_support import (BIG_SIZE, FsTest, debugfs, dump, e2fsck, extract_partition, inode_stat,
                        make_partition, state_clean, tool, write)

FAILED = r"boot: ext2fs failed: "


class ReadWrite(FsTest):
    """fs-client --test=ops: the tree reads back exactly; then every kind of change, sync and
    fsys_goaway; the host finds exactly those changes and a clean, consistent filesystem."""

    def check(self, machine: str, block_size: int):
        disk, partition = self.image(block_size=block_size)
        status, out = self.boot(disk, "--test=ops", machine=machine)
        self.assertRegex(out, rf"ext2fs: mounted wd0s1 \(ext2 rev 1, {block_size}-byte blocks, \d+ blocks, "
                              r"\d+ free; read-write\)")
        self.assertIn("boot: ext2fs uses bootstrap port for disk", out)
        self.assertIn("boot: fs-client uses bootstrap port for fs", out)
        self.assertIn("ext2fs: wd0s1 is clean; serving it read-only", out)
        self.assert_client_passed(status, out)
        # Every test of the client ran (a count that only grows when checks are added).
        checks = int(re.search(r"fs-client: (\d+) checks", out).group(1))
        self.assertGreaterEqual(checks, 780)

        extract_partition(disk, partition)
        code, report = e2fsck(partition)
        self.assertEqual(code, 0, f"e2fsck -fn found problems:\n{report}")
        self.assertTrue(state_clean(partition), "the filesystem is not marked clean after fsys_goaway")
        self.check_contents(partition)

    def check_contents(self, partition):
        def text(path):
            return dump(partition, path, self.dir)

        def st(path):
            s = inode_stat(partition, path)
            self.assertIsNotNone(s, f"{path} is missing")
            return s

        # What the client made and changed.
        self.assertEqual(text("/new/b.txt"), b"alpha\nbeta\n")
        b = st("/new/b.txt")
        self.assertEqual((b["type"], b["mode"] & 0o7777, b["links"], b["size"], b["mtime"]),
                         ("regular", 0o600, 2, 11, 1234567890))
        self.assertEqual(st("/new/hard")["ino"], b["ino"])
        self.assertEqual(st("/new")["mode"] & 0o7777, 0o755)
        self.assertEqual(st("/new/sub")["mode"] & 0o7777, 0o750)
        self.assertEqual(st("/new/sub")["type"], "directory")
        self.assertIn("b.txt", debugfs(partition, "stat /new/sym"))
        self.assertEqual(st("/new/sym")["type"], "symlink")
        self.assertEqual(text("/new/big-write.bin"), content.data(77, (3 << 20) + 1000))
        self.assertEqual(st("/new/big-write.bin")["mode"] & 0o7777, 0o644)
        self.assertEqual(text("/new/sub/nested.txt"), content.data(78, 10000))
        self.assertEqual(st("/new/sub/nested.txt")["mode"] & 0o7777, 0o600)
        self.assertEqual(text("/trunc.bin"), content.data(30, 5000) + bytes(15000))
        self.assertEqual(text("/new/moved.txt"), b"move me\n")
        self.assertEqual(text("/new/movedir/inner.txt"), b"inner\n")
        self.assertEqual(text("/over-dst.txt"), b"source\n")
        # Gone: unlinked, removed, renamed away; and the file unlinked while open was freed.
        for gone in ("/hello2.txt", "/new/gone", "/new/a.txt", "/data/moveme.txt", "/data/movedir",
                     "/over-src.txt", "/doomed.txt", "/after-goaway.txt"):
            self.assertIsNone(inode_stat(partition, gone), f"{gone} should not exist")
        # What the client made under other identities (fs.defs: identities) is theirs.
        mine = st("/perm/open/mine")
        self.assertEqual((mine["uid"], mine["gid"], mine["mode"] & 0o7777, mine["size"]), (1000, 1000, 0o600, 5))
        self.assertEqual(text("/perm/open/mine"), b"mine\n")
        self.assertEqual((st("/perm/open/mydir")["uid"], st("/perm/open/mydir")["gid"]), (1000, 1000))
        self.assertEqual((st("/perm")["uid"], st("/perm")["gid"]), (0, 0))
        self.assertEqual(st("/perm/sticky")["mode"] & 0o7777, 0o1777)
        self.assertEqual((st("/perm/secret")["uid"], st("/perm/secret")["mode"] & 0o7777), (1000, 0o100))
        for gone in ("/perm/mine", "/perm/sticky/theirs", "/perm/sticky/theirs2",
                     "/perm/sticky/mine", "/ro-victim.txt", "/ro-new.txt", "/ro-dir"):
            self.assertIsNone(inode_stat(partition, gone), f"{gone} should not exist")
        # What the client only read is as it was.
        self.assertEqual(text("/hello.txt"), b"hello, world\n")
        self.assertEqual(text("/big.bin"), content.data(20, BIG_SIZE))
        # The directories hold exactly the expected names.
        names = set(re.findall(r"\s(\S+)\s*$", debugfs(partition, "ls -l /new"), re.M))
        self.assertEqual(names, {".", "..", "b.txt", "big-write.bin", "sub", "moved.txt", "movedir", "sym",
                                 "hard"})

    def test_q35_4k_blocks(self):
        self.check("q35", 4096)

    def test_pc_1k_blocks(self):
        self.check("pc", 1024)


class RootSpec(FsTest):
    """The root device in the Hurd's spellings, and the sentences of a bad one."""

    def read_hello(self, ext2fs_args: str, kernel_args: str = "", device: str = "wd0s1"):
        disk, _ = self.image(size_mib=8)
        status, out = self.boot(disk, "--test=read", ext2fs_args=ext2fs_args, kernel_args=kernel_args,
                                timeout=120)
        self.assertRegex(out, rf"ext2fs: mounted {device} ")
        self.assert_client_passed(status, out)

    def test_plain_device_name(self):
        self.read_hello("wd0s1")

    def test_device_prefix(self):
        self.read_hello("device:wd0s1")

    def test_multiboot_command_line(self):
        self.read_hello("--multiboot-command-line='${kernel-command-line}'", kernel_args="root=part:1:device:wd0")

    def refused(self, ext2fs_args: str, sentence: str, kernel_args: str = ""):
        disk, _ = self.image(size_mib=8)
        status, out = self.boot(disk, "--test=read", ext2fs_args=ext2fs_args, kernel_args=kernel_args,
                                timeout=120)
        self.assertIn(FAILED + sentence, out)
        self.assertEqual(status, 1)
        self.assertNotIn("fs-client: ", out.replace("boot: fs-client", ""))

    def test_bad_partition_number(self):
        self.refused("part:x:device:wd0",
                     "root device 'part:x:device:wd0': the partition number of a part:N:device:NAME spec "
                     "must be 1 to 255")

    def test_unknown_store_type(self):
        self.refused("file:/dev/wd0", "root device 'file:/dev/wd0': not a root spec")

    def test_missing_device(self):
        self.refused("part:2:device:wd0", "cannot open the root device wd0s2: opening the device: D_NO_SUCH_DEVICE")

    def test_no_root_at_all(self):
        self.refused("--readonly", "no root device")


class Refusals(FsTest):
    """Images ext2fs must not mount, or must mount read-only, or must serve around damage."""

    def test_unsupported_incompat_feature(self):
        disk, _ = self.image(size_mib=16, fs_type="ext4")
        status, out = self.boot(disk, "--test=read", timeout=120)
        self.assertRegex(out, FAILED + r"cannot mount wd0s1: unsupported INCOMPAT feature extent \(0x40\): "
                                       r"Unsupported")
        self.assertEqual(status, 1)

    def test_bad_superblock_magic(self):
        disk, partition = self.image(size_mib=8)
        with open(disk, "r+b") as f:
            f.seek(2048 * 512 + 1024 + 56)  # the partition's superblock, s_magic
            f.write(b"\0\0")
        status, out = self.boot(disk, "--test=read", timeout=120)
        self.assertIn(FAILED + "cannot mount wd0s1: no ext2 superblock (bad magic number): Corrupt", out)
        self.assertEqual(status, 1)

    def test_unknown_ro_compat_feature_mounts_read_only(self):
        disk, partition = self.image(size_mib=8, features="huge_file")
        before = disk.read_bytes()
        status, out = self.boot(disk, "--test=readonly", timeout=120)
        self.assertRegex(out, r"ext2fs: mounted wd0s1 \(.*; read-only\)")
        self.assertRegex(out, r"ext2fs: .*huge_file.*read-only")
        self.assert_client_passed(status, out)
        self.assertEqual(disk.read_bytes(), before, "a read-only mount changed the disk")

    def test_readonly_option(self):
        disk, _ = self.image(size_mib=8)
        before = disk.read_bytes()
        status, out = self.boot(disk, "--test=readonly", ext2fs_args="--readonly part:1:device:wd0", timeout=120)
        self.assertRegex(out, r"ext2fs: mounted wd0s1 \(.*; read-only\)")
        self.assert_client_passed(status, out)
        self.assertEqual(disk.read_bytes(), before, "a read-only mount changed the disk")

    def test_corrupt_directory_entry(self):
        def tree(root):
            from fs_support import make_ops_tree
            make_ops_tree(root)
            write(root / "bad/victim.txt", "victim\n")
            write(root / "bad/other.txt", "other\n")
        disk, partition = self.image(tree_maker=tree, size_mib=16, block_size=1024)
        # The first entry ('.') of /bad's first block gets rec_len 0.
        blocks = debugfs(partition, "blocks /bad").split()
        block = int(blocks[-1] if not blocks[0].isdigit() else blocks[0])
        with open(disk, "r+b") as f:
            f.seek(2048 * 512 + block * 1024 + 4)
            f.write(b"\0\0")
        status, out = self.boot(disk, "--test=corrupt", timeout=120)
        self.assert_client_passed(status, out)
        self.assertRegex(out, r"ext2fs: dir_lookup: the filesystem is corrupt: .*rec_len")
        # The rest was written as usual.
        extract_partition(disk, partition)
        self.assertEqual(dump(partition, "/after-corruption.txt", self.dir), b"fine\n")
        # e2fsck finds the damage in /bad only: nothing else was harmed.
        code, report = e2fsck(partition)
        self.assertNotEqual(code, 0)
        inode = re.search(r"Inode: (\d+)", debugfs(partition, "stat /bad")).group(1)
        for line in report.splitlines():
            if re.search(r"[Ii]node \d+", line):
                self.assertIn(f"inode {inode}", line.lower(), f"e2fsck found damage outside /bad: {line}")
