"""The attack program (tests/security/attack), started by the shell from /etc/rc as any program
is, tries what issue 8 says no program may do and prints one line per attempt. Every attempt
must be refused, and the machine must end normally with a clean filesystem."""
import re
import unittest

from security_support import WorkDir, boot, end_problems, make_disk

RC = """# the attack test's /etc/rc
echo attack-begin
attack
echo "attack-end status=$?"
"""

# Every attack the program makes (attack/main.cpp), each on one line of its own.
ATTACKS = [
    "holds-host-priv",
    "getpriv-device-master", "getpriv-exec", "getpriv-root", "getpriv-cwd", "getpriv-console",
    "getpriv-bootstrap", "getpriv-host-priv",
    "link-ports-device-master", "link-ports-exec", "link-ports-root", "link-ports-bootstrap",
    "open-wd0-write", "open-wd0s1-write", "open-cd0-write", "open-wd0-read", "open-wd0s1-read", "open-cd0-read",
    "open-mem", "open-irq", "open-nonexistent", "open-refusal-uniform",
    "io-perm-0xcf8", "io-perm-0xf4", "io-perm-0x1f0",
    "forged-no-senders-root", "forged-dead-name-exec", "unknown-ids-exec",
    "inband-write-oversize", "double-close-disk",
    "full-queue-directory", "full-queue-wait-reply-send-once", "full-queue-wait-reply-send",
    "ool-without-complex-bit",
]

LINE = re.compile(r"^attack (\S+): (refused|ALLOWED) \((.*)\)$", re.M)
BOOT_TIMEOUT = 400


class Attack(unittest.TestCase):
    def test_every_attack_is_refused(self):
        work = WorkDir("attack-test-")
        self.addCleanup(work.remove)
        disk = make_disk(work.path, RC)
        status, out = boot(disk, BOOT_TIMEOUT)

        problems = []
        seen = {}
        for name, verdict, why in LINE.findall(out):
            if name in seen:
                problems.append(f"attack {name} printed twice")
            seen[name] = (verdict, why)
        missing = [name for name in ATTACKS if name not in seen]
        if missing:
            problems.append("no line for: " + ", ".join(missing))
        unknown = [name for name in seen if name not in ATTACKS]
        if unknown:
            problems.append("lines for attacks the test does not know: " + ", ".join(unknown))
        allowed = [f"attack {name}: ALLOWED ({why})" for name, (verdict, why) in seen.items() if verdict != "refused"]
        if allowed:
            problems.append(f"{len(allowed)} attacks were allowed:\n  " + "\n  ".join(allowed))
        summary = re.search(r"^attacks: (\d+) tried, (\d+) refused$", out, re.M)
        if not summary:
            problems.append("the attack program did not finish (no 'attacks:' line)")
        elif int(summary.group(1)) != len(ATTACKS) or int(summary.group(2)) != len(ATTACKS):
            problems.append(f"summary: {summary.group(0)} (expected {len(ATTACKS)} tried, all refused)")
        if not re.search(r"^attack-end status=0$", out, re.M):
            problems.append("the attack program did not end with status 0")
        problems += end_problems(status, out, disk)
        self.assertEqual(problems, [], "\n".join(problems) + "\n--- console (end) ---\n" + out[-6000:])


if __name__ == "__main__":
    unittest.main()
