#!/usr/bin/env python3
"""Runs the ext2 fuzzer for a bounded time from seed images that mke2fs makes here (tiny trees
with small and indirect files, directories, fast and slow links, hard links; 1, 2 and 4 KiB
blocks, revision 0, no filetype, a hashed directory), and fails on any finding, when the fuzzer
is missing, or when e2fsprogs is.

    ext2_run_fuzz.py FUZZER SECONDS [extra libFuzzer options]
"""
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


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    fuzzer, seconds, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not os.access(fuzzer, os.X_OK):
        print(f"fuzz: {fuzzer} was not built: clang++ (Debian package clang) with libFuzzer is needed",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ext2-fuzz-") as tmp:
        os.mkdir(os.path.join(tmp, "seeds"))
        corpus = os.path.join(tmp, "corpus")
        os.mkdir(corpus)
        count = len(seeds(tmp))
        command = [fuzzer, f"-max_total_time={seconds}", "-rss_limit_mb=1024", "-max_len=262144", "-timeout=10",
                   "-print_final_stats=1", f"-artifact_prefix={os.getcwd()}/{os.path.basename(fuzzer)}-", corpus,
                   os.path.join(tmp, "seeds")] + extra
        print("fuzz:", " ".join(command), flush=True)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "quarantine_size_mb=64")
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace", env=env)
    out = run.stdout
    done = re.search(r"Done (\d+) runs in (\d+) second", out)
    units = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    speed = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", out)
    rss = re.search(r"stat::peak_rss_mb:\s*(\d+)", out)
    if run.returncode != 0 or not done:
        print(out[-20000:])
        print(f"fuzz: the fuzzer failed (status {run.returncode}); a reproducer is in {os.getcwd()}/{os.path.basename(fuzzer)}-*",
              file=sys.stderr)
        return 1
    print(f"fuzz: {count} seeds; {units.group(1) if units else done.group(1)} executions in "
          f"{done.group(2)} s, {speed.group(1) if speed else '?'} per second; "
          f"coverage {cov[-1][0] if cov else '?'} edges, {cov[-1][1] if cov else '?'} features; "
          f"peak RSS {rss.group(1) if rss else '?'} MB; no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
