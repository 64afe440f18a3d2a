"""End to end, from the seed's grub.cfg: a disk made from a varied tree (sizes around block
boundaries, indirect and double-indirect blocks with 1 KiB blocks, a directory of many
entries, deep paths, odd names, symlinks, a hard link). Its /etc/rc prints the manifest of
the whole disk, which must be the host's own manifest of the tree, then creates, renames,
appends, copies, links, truncates and deletes, prints the manifest of /data again and ends;
init powers off with rc's status. The host then finds the filesystem clean (e2fsck -fn) and
exactly the expected tree in it (debugfs rdump)."""
import os
import re
import random
import shutil
import unittest
from pathlib import Path

from bootchain import image
from support import UserlandTest, between, host_manifest

# What a line of `manifest` looks like (see support.host_manifest).
_MANIFEST_LINE = re.compile(r"(dir \S.*|link \S.* -> .*|file \S.* \d+ [0-9a-f]{64})")


def _well_formed(line: str) -> bool:
    # Two lines run together (a lost newline) hold a second " /" where one line has one
    # (a link line has two: its path and an absolute target).
    return bool(_MANIFEST_LINE.fullmatch(line)) and line.count(" /") <= (2 if line.startswith("link ") else 1)

RC = r"""# the end-to-end test's /etc/rc
echo manifest-begin
manifest /
echo "manifest-end status=$?"
mkdir /data/new && echo created > /data/new/created.txt
mv /data/a.txt /data/new/renamed.txt && echo appended >> /data/new/renamed.txt
rm /data/delete-me.txt
rmdir /data/empty-dir
cp /data/big.bin /data/new/big-copy.bin
ln -s ../one /data/new/link-to-one
ln /data/one /data/new/hard-one
truncate -s 10000 /data/new/sparse
truncate -s 100 /data/block-4097
rm -r /data/deep
mv /data/many /data/many-renamed
rm /data/many-renamed/file-007 /data/many-renamed/file-150
echo "line one" > "/data/name with spaces.txt"
echo "line two" >> "/data/name with spaces.txt"
sync
echo after-begin
manifest /data
echo "after-end status=$?"
echo rc-done
"""


class EndToEnd(UserlandTest):
    def make_tree(self):
        rng = random.Random(5)
        blob = lambda n: bytes(rng.getrandbits(8) for _ in range(n))  # noqa: E731
        self.write("etc/rc", RC)
        self.write("data/empty", b"")
        self.write("data/one", b"1")
        for size in (4095, 4096, 4097, 1023, 1024, 1025):
            self.write(f"data/block-{size}", blob(size))
        self.write("data/big.bin", blob(1536 * 1024 + 77))  # double-indirect with 1 KiB blocks
        self.write("data/a.txt", "the file to rename\n")
        self.write("data/delete-me.txt", "gone soon\n")
        self.write("data/name with spaces.txt", "spaces\n")
        self.write("data/ünïcödé.txt", "utf-8 name\n")
        self.write("data/.hidden", "a dot file\n")
        self.write("data/deep/a/b/c/d/e/f/g/leaf.txt", "deep\n")
        for i in range(200):
            self.write(f"data/many/file-{i:03d}", f"entry {i}\n" * (i % 7))
        (self.tree / "data/empty-dir").mkdir()
        (self.tree / "data/links").mkdir()
        os.symlink("../one", self.tree / "data/links/relative")
        os.symlink("/data/one", self.tree / "data/links/absolute")
        os.symlink("nowhere", self.tree / "data/links/dangling")
        os.link(self.tree / "data/block-1024", self.tree / "data/hard-1024")

    def expected_after(self, data: Path):
        """The same changes as RC's, made on the host's copy of /data."""
        (data / "new").mkdir()
        (data / "new/created.txt").write_text("created\n")
        shutil.move(data / "a.txt", data / "new/renamed.txt")
        with open(data / "new/renamed.txt", "a") as f:
            f.write("appended\n")
        (data / "delete-me.txt").unlink()
        (data / "empty-dir").rmdir()
        shutil.copyfile(data / "big.bin", data / "new/big-copy.bin")
        os.symlink("../one", data / "new/link-to-one")
        shutil.copyfile(data / "one", data / "new/hard-one")
        (data / "new/sparse").write_bytes(bytes(10000))
        with open(data / "block-4097", "r+b") as f:
            f.truncate(100)
        shutil.rmtree(data / "deep")
        shutil.move(data / "many", data / "many-renamed")
        (data / "many-renamed/file-007").unlink()
        (data / "many-renamed/file-150").unlink()
        (data / "name with spaces.txt").write_text("line one\nline two\n")

    def test_manifest_changes_and_fsck(self):
        self.make_tree()
        # The serial console can lose bytes when the host is very loaded; a manifest line that
        # no manifest could print is such a loss, not a finding about the system: the boot is
        # made again once, on a fresh disk. Any other difference fails at once.
        for attempt in range(2):
            disk = self.system_disk(size_mib=48, block_size=1024)
            with self.machine(disk) as m:
                m.expect(r"^rc-done$")
                status = m.wait()
                out = m.output
            lines = between(out, "manifest-begin", "manifest-end") + between(out, "after-begin", "after-end")
            if all(_well_formed(line) for line in lines):
                break
        self.assertEqual(status, 0, out[-3000:])
        self.assertIn("init: /etc/rc ended with status 0", out)
        self.assertIn("boot: power-off by exec with status 0", out)

        # The whole disk as the guest reads it: the host's tree, and mke2fs's lost+found.
        (self.staged / "lost+found").mkdir()
        guest = between(out, "manifest-begin", "manifest-end")
        self.assertEqual(guest, host_manifest(self.staged))
        self.assertIn("manifest-end status=0", out)
        self.assertGreater(len(guest), 230, "the manifest covers the whole tree")

        # After the changes, as the guest saw them.
        after = self.dir / "after"
        shutil.copytree(self.staged, after, symlinks=True)
        self.expected_after(after / "data")
        self.assertEqual(between(out, "after-begin", "after-end"), host_manifest(after / "data", "/data"))
        self.assertIn("after-end status=0", out)

        # And on the disk, as the host reads it once the guest has powered off.
        status, report = image.fsck(disk)
        self.assertEqual(status, 0, report)
        dumped = self.dir / "dumped"
        dumped.mkdir()
        image.debugfs(disk, f"rdump / {dumped}")
        on_disk = host_manifest(dumped / "")
        self.assertEqual(on_disk, host_manifest(after))


if __name__ == "__main__":
    unittest.main()
