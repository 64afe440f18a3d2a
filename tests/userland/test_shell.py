"""The shell's own behaviours, through an /etc/rc that exercises them: quoting, substitutions,
redirections, ; && ||, exit statuses, comments, scripts and their arguments, sh -c, syntax
errors, errors that name their file, programs run through exec (found in /bin, by a relative
path, missing, not executable), cd and pwd, and poweroff from a nested shell, which ends the
machine with its status. The console between two markers must be exactly the expected text."""
import struct
import unittest

from bootchain import paths
from support import UserlandTest, between

RC = r"""# the shell test's /etc/rc
echo shell-begin
echo 'single  $HOME "kept"' "double $? \"esc\" \$ \\" back\ slash a'b'"c"d
echo "# not a comment" # a comment
echo one; echo two
true && echo and-yes; false && echo and-no
false || echo or-yes; true || echo or-no
false; echo "status $?"
true; echo "status $?"
false || false && echo skipped || echo "chain $?"
echo first > /tmp/out; echo second >> /tmp/out; cat /tmp/out
echo replaced > /tmp/out; cat /tmp/out
>/tmp/empty; stat /tmp/empty > /tmp/stat-out && echo made-empty
cat /nope; echo "cat status $?"
cat /nope 2> /tmp/err; echo "quiet $?"; cat /tmp/err
ls /data; ls -l /data/five
mkdir /data/sub && cd /data/sub && pwd && echo x > here && ls && cd .. && pwd
cd /; pwd
sh /data/args.sh "a b" c; echo "script status $?"
sh -c 'echo in-c $0 $1; exit 4' zero one; echo "c status $?"
sh -c "echo 'unterminated"; echo "syntax status $?"
sh -c 'ls | wc'; echo "pipe status $?"
nosuch-program; echo "not found $?"
/data/five; echo "text status $?"
/data/elf32; echo "elf32 status $?"
/data/truncated; echo "truncated status $?"
cd /bin && ./manifest /data/sub; echo "relative $?"; cd /
manifest /data/sub > /tmp/m; echo "redirected $?"; sh -c 'echo inner; ls /nope' >> /tmp/m 2>> /tmp/m; cat /tmp/m
manifest /nope; echo "manifest status $?"
sha256sum /data/five
mv /data/five /data/six && cat /data/six
cp /data/six /data/seven && rm /data/six && cat /data/seven
cp /data/seven /data/seven; cp /data/seven /data/; cat /data/seven
ln -s seven /data/link && ls -l /data/link && cat /data/link
rm /data/nothing; rm -f /data/nothing; echo "rm -f $?"
rmdir /data; echo "rmdir $?"
exit-is-not-a-word-here 2>/dev/null; echo after
echo shell-end
sh -c 'echo nested; poweroff 42'; echo not-reached
"""

ARGS = r"""# $0 $# $1 $2
echo "args: $0 $# [$1] [$2]"
exit 3
"""

EXPECTED = """\
single  $HOME "kept" double 0 "esc" $ \\ back slash abcd
# not a comment
one
two
and-yes
or-yes
status 1
status 0
chain 1
first
second
replaced
made-empty
cat: /nope: no such file or directory
cat status 1
quiet 1
cat: /nope: no such file or directory
args.sh
elf32
five
truncated
-rw-r--r--   1    0    0         6 /data/five
/data/sub
here
/data
/
args: /data/args.sh 2 [a b] [c]
script status 3
in-c zero one
c status 4
sh: -c: line 1: syntax error: a ' quote is not closed
syntax status 2
sh: -c: line 1: syntax error: pipes (|) are not supported
pipe status 2
sh: nosuch-program: command not found
not found 127
sh: /data/five: permission denied
text status 126
sh: /data/elf32: wrong class: the file is a 32-bit ELF (ELFCLASS32); only 64-bit programs run here
elf32 status 126
sh: /data/truncated: truncated ELF: the file ends inside the 64-byte ELF header
truncated status 126
file /data/sub/here 2 73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac
relative 0
redirected 0
file /data/sub/here 2 73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac
inner
ls: /nope: no such file or directory
manifest: /nope: no such file or directory
manifest status 1
5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  /data/five
hello
hello
cp: /data/seven and /data/seven are the same file
cp: /data/seven and /data/ are the same file
hello
lrwxrwxrwx   1    0    0         5 /data/link -> seven
hello
rm: /data/nothing: no such file or directory
rm -f 0
rmdir: /data: directory not empty
rmdir 1
sh: /dev/null: no such file or directory
after"""

# A 32-bit i386 executable's header and one PT_LOAD, as gcc -m32 makes them.
ELF32 = (b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
         + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, 0x08049000, 52, 0, 0, 52, 32, 1, 40, 0, 0)
         + struct.pack("<IIIIIIII", 1, 0, 0x08048000, 0x08048000, 0x1000, 0x1000, 5, 0x1000)).ljust(0x1000, b"\x90")


class Shell(UserlandTest):
    def test_behaviours(self):
        self.maxDiff = None
        self.write("etc/rc", RC)
        self.write("data/args.sh", ARGS)
        self.write("data/five", "hello\n")
        self.write("data/elf32", ELF32, 0o755)
        self.write("data/truncated", (paths.build_dir() / "userland/manifest").read_bytes()[:40], 0o755)
        with self.machine(self.system_disk(size_mib=32)) as m:
            m.expect(r"^nested$")
            status = m.wait()
            out = m.output
        self.assertEqual("\n".join(between(out, "shell-begin", "shell-end")), EXPECTED)
        self.assertNotIn("not-reached", out)
        self.assertIn("init: /etc/rc asked for power-off with status 42", out)
        self.assertEqual(status, 42)


if __name__ == "__main__":
    unittest.main()
