"""Seeds of the ext2 fuzzers: images mke2fs makes (tiny trees with small and indirect files,
directories, fast and slow links, hard links; 1, 2 and 4 KiB blocks, revision 0, no filetype, a
hashed directory)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def tool(name):
    for d in ("/sbin", "/usr/sbin", "/usr/bin", "/bin"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def make_tree(root, many=0):
    os.makedirs(os.path.join(root, "d", "e", "f"))
    with open(os.path.join(root, "d", "small"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(root, "big"), "wb") as f:
        f.write(bytes((i * 7) & 0xFF for i in range(30000)))  # indirect blocks with 1 KiB blocks
    with open(os.path.join(root, "sparse"), "wb") as f:
        f.seek(300000)
        f.write(b"end")
    os.symlink("d/small", os.path.join(root, "fast"))
    os.symlink("x" * 100, os.path.join(root, "slow"))
    os.link(os.path.join(root, "d", "small"), os.path.join(root, "d", "e", "hard"))
    for i in range(many):
        with open(os.path.join(root, "d", "e", "entry-%03d" % i), "w") as f:
            f.write(str(i))


def seeds(tmp):
    mke2fs, e2fsck = tool("mke2fs"), tool("e2fsck")
    if not mke2fs or not e2fsck:
        sys.exit("fuzz: mke2fs and e2fsck are needed to make the seed images (apt-get install e2fsprogs)")
    plain, many = os.path.join(tmp, "tree"), os.path.join(tmp, "tree-many")
    make_tree(plain)
    make_tree(many, 120)
    cases = [
        ("1k", ["-b", "1024", "-N", "32"], plain, 128),
        ("1k-small", ["-b", "1024", "-N", "24"], plain, 64),
        ("2k", ["-b", "2048", "-N", "32"], plain, 128),
        ("4k", ["-b", "4096", "-N", "32"], plain, 256),
        ("rev0", ["-b", "1024", "-r", "0", "-N", "16"], None, 64),
        ("nofiletype", ["-b", "1024", "-N", "32", "-O", "^filetype"], plain, 128),
        ("metabg", ["-b", "1024", "-N", "32", "-O", "meta_bg,^resize_inode"], plain, 128),
        ("hashed", ["-b", "1024", "-N", "160", "-O", "dir_index"], many, 256),
        ("128-inodes", ["-b", "1024", "-N", "32", "-I", "128"], plain, 128),
    ]
    out = []
    for name, options, tree, kib in cases:
        image = os.path.join(tmp, "seeds", name)
        cmd = [mke2fs, "-q", "-F", "-t", "ext2", "-m", "0"] + options
        if tree:
            cmd += ["-d", tree]
        made = subprocess.run(cmd + [image, "%dk" % kib], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        if made.returncode != 0:
            sys.exit(f"fuzz: mke2fs could not make the seed {name}: {made.stdout}")
        if name == "hashed":
            subprocess.run([e2fsck, "-fyD", image], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(image)
    return out


def make_seeds(seed_dir, tmp):
    """Writes the seeds into seed_dir (which is tmp/seeds); their names."""
    assert os.path.abspath(seed_dir) == os.path.abspath(os.path.join(tmp, "seeds"))
    return [os.path.basename(p) for p in seeds(tmp)]
