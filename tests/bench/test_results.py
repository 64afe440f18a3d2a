"""Unit tests of the benchmark's table (results.py) and of the initramfs's pieces that need no
QEMU (the cpio format, the modules' load order), on made-up figures and files."""
import json
import stat
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import initramfs  # noqa: E402
import results  # noqa: E402
from results import Measure  # noqa: E402


def spec(key: str) -> results.Spec:
    return next(s for s in results.SPECS if s.key == key)


class Values(unittest.TestCase):
    def test_units(self):
        one_second = 1_000_000_000
        self.assertAlmostEqual(spec("raw seq 1 MiB").value(Measure(one_second, 64_000_000, 61)), 64.0)
        self.assertAlmostEqual(spec("random 4 KiB").value(Measure(one_second // 2, 0, 2000)), 4000.0)
        self.assertAlmostEqual(spec("null RPC to ext2fs").value(Measure(5_000_000, 0, 1000)), 5.0)
        self.assertAlmostEqual(spec("to prompt").value(results.seconds(2.5)), 2.5)
        self.assertAlmostEqual(spec("resident rumpdisk").value(results.kib(300)), 300.0)

    def test_parse_reads_every_row_line_and_nothing_else(self):
        text = ("bench: seq 1 MiB  250.00  238\n"
                "bench-row: raw seq 1 MiB ns=1000 bytes=2000 count=3\n"
                "noise bench-row: fake ns=1 bytes=1 count=1\n"
                "bench-row: file cold ns=7 bytes=8 count=9\r\n")
        self.assertEqual(results.parse(text), {"raw seq 1 MiB": Measure(1000, 2000, 3), "file cold": Measure(7, 8, 9)})


class Aggregation(unittest.TestCase):
    def test_median_and_spread(self):
        self.assertEqual(results.median([3.0, 1.0, 2.0]), 2.0)
        self.assertEqual(results.median([1.0, 2.0, 3.0, 10.0]), 2.5)
        self.assertIsNone(results.median([]))
        self.assertAlmostEqual(results.spread([90.0, 100.0, 110.0]), 0.2)
        self.assertEqual(results.spread([5.0]), 0.0)

    def test_ratio_above_one_means_the_chain_is_better(self):
        rate, time = spec("raw seq 1 MiB"), spec("to prompt")
        self.assertAlmostEqual(results.ratio(rate, 300.0, 600.0), 0.5)   # half Linux's throughput
        self.assertAlmostEqual(results.ratio(time, 0.5, 2.0), 4.0)       # a quarter of Linux's time
        self.assertAlmostEqual(results.ratio(time, 4.0, 2.0), 0.5)
        self.assertIsNone(results.ratio(rate, 300.0, None))

    def test_rows_from_rounds(self):
        chain = [{"raw seq 1 MiB": Measure(10**9, 200 * 10**6, 1), "to prompt": results.seconds(1.0)},
                 {"raw seq 1 MiB": Measure(10**9, 300 * 10**6, 1), "to prompt": results.seconds(3.0)},
                 {"raw seq 1 MiB": Measure(10**9, 250 * 10**6, 1), "to prompt": results.seconds(2.0)}]
        linux = [{"raw seq 1 MiB": Measure(10**9, 500 * 10**6, 1), "to prompt": results.seconds(8.0),
                  "null RPC to ext2fs": Measure(1000, 0, 1)}]
        rows = {r.spec.key: r.as_dict() for r in results.collect("q35", chain, linux)}
        raw = rows["raw seq 1 MiB"]
        self.assertEqual((raw["chain"], raw["linux"], raw["machine"], raw["unit"]), (250.0, 500.0, "q35", "MB/s"))
        self.assertAlmostEqual(raw["ratio"], 0.5)
        self.assertAlmostEqual(raw["spread"], 0.4)   # (300 - 200) / 250, Linux's single round 0
        self.assertAlmostEqual(rows["to prompt"]["ratio"], 4.0)
        # A row that is the chain's alone never takes Linux's figure, even one a round printed.
        self.assertIsNone(rows["null RPC to ext2fs"]["linux"])
        self.assertIsNone(rows["null RPC to ext2fs"]["ratio"])
        self.assertEqual(rows["file cold"]["chain"], None)

    def test_json_and_table(self):
        rows = results.collect("pc", [{"stat": Measure(10**9, 0, 2000)}], [{"stat": Measure(10**9, 0, 1000)}])
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "bench/results.json"
            results.write_json(rows, out, {"date": "today"})
            document = json.loads(out.read_text())
        stat_row = next(r for r in document["rows"] if r["name"].startswith("stat"))
        for key in ("name", "machine", "unit", "chain", "linux", "ratio", "spread"):
            self.assertIn(key, stat_row)
        self.assertEqual(stat_row["ratio"], 2.0)
        self.assertEqual(document["about"], {"date": "today"})
        names = [r["name"] for r in document["rows"]]
        for needed in ("raw seq 1 MiB", "raw seq 64 KiB", "raw seq 4 KiB", "random 4 KiB", "file cold",
                       "file warm", "small files", "stat", "create", "delete", "write", "to prompt"):
            self.assertTrue(any(needed in n for n in names), needed)
        line = next(line for line in results.table(rows).splitlines() if line.startswith("pc") and "stat" in line)
        self.assertRegex(line, r"2,000\s+1,000\s+2\.00\s+0%$")


class Initramfs(unittest.TestCase):
    def test_cpio_newc_entries(self):
        archive = initramfs.Cpio()
        archive.directory("dev")
        archive.char_device("dev/console", 5, 1)
        archive.file("init", b"#!/bin/sh\n", executable=True)
        data = archive.bytes()
        entries = []
        at = 0
        while True:
            self.assertEqual(data[at:at + 6], b"070701")
            fields = [int(data[at + 6 + 8 * i:at + 14 + 8 * i], 16) for i in range(13)]
            name_size, file_size = fields[11], fields[6]
            name_at = at + 110
            name = data[name_at:name_at + name_size - 1].decode()
            body_at = name_at + name_size + (-(110 + name_size) % 4)
            entries.append((name, fields[1], fields[9:11], data[body_at:body_at + file_size]))
            at = body_at + file_size + (-file_size % 4)
            if name == "TRAILER!!!":
                break
        self.assertEqual(at, len(data))
        self.assertEqual([e[0] for e in entries], ["dev", "dev/console", "init", "TRAILER!!!"])
        self.assertTrue(stat.S_ISDIR(entries[0][1]))
        self.assertTrue(stat.S_ISCHR(entries[1][1]))
        self.assertEqual(entries[1][2], [5, 1])
        self.assertEqual(entries[2][1], stat.S_IFREG | 0o755)
        self.assertEqual(entries[2][3], b"#!/bin/sh\n")

    def test_load_order_puts_dependencies_first(self):
        with tempfile.TemporaryDirectory() as d:
            def module(name: str, deps: str) -> Path:
                path = Path(d) / f"{name}.ko"
                path.write_bytes(b"\x7fELF...\0license=GPL\0depends=" + deps.encode() + b"\0vermagic=6.1\0")
                return path
            files = {"ahci": module("ahci", "libahci,libata"), "libahci": module("libahci", "libata"),
                     "libata": module("libata", "scsi_mod"), "scsi_mod": module("scsi_mod", ""),
                     "t10_pi": module("t10-pi", ""), "sd_mod": module("sd_mod", "scsi_mod,t10-pi")}
            order = initramfs.load_order(("ahci", "sd_mod"), files)
            self.assertEqual(order, ["scsi_mod", "libata", "libahci", "ahci", "t10_pi", "sd_mod"])
            with self.assertRaisesRegex(initramfs.PeerError, "no module ext4"):
                initramfs.load_order(("ext4",), files)


if __name__ == "__main__":
    unittest.main()
