"""A small client of GDB's remote serial protocol, as QEMU's gdb stub speaks it: enough to stop a
guest at an address, read and write its physical memory, and let it go. Every wait is bounded:
a stub that does not answer raises GdbError, and a stop that does not come raises GdbTimeout.

    with GdbRemote(socket_path) as gdb:
        gdb.break_at(0x7c00)          # a breakpoint (linear address)
        gdb.cont_until_stop(30)       # runs the guest until it stops there
        gdb.physical_memory()         # m and M packets now take physical addresses
        data = gdb.read(0xe0000, 16)
        gdb.write(0xe0000, b"...")
        gdb.remove_break(0x7c00)
    # leaving detaches, and the guest runs on
"""
import socket
import time

# QEMU's stub takes packets up to 4096 bytes; a read's answer is hex, twice its size.
_READ_CHUNK = 1024


class GdbError(Exception):
    """The stub refused a request or the connection broke."""


class GdbTimeout(GdbError):
    """The guest did not stop (or the stub did not answer) in time."""


class GdbRemote:
    def __init__(self, path, connect_timeout: float = 10.0, reply_timeout: float = 10.0):
        self.reply_timeout = reply_timeout
        self._buffer = b""
        self._sock = None
        give_up = time.monotonic() + connect_timeout
        while True:
            try:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.connect(str(path))
                break
            except OSError as e:
                self._sock.close()
                if time.monotonic() > give_up:
                    raise GdbError(f"cannot connect to the gdb stub at {path}: {e}") from None
                time.sleep(0.05)

    def __enter__(self) -> "GdbRemote":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is None:
            return
        try:
            self._sock.settimeout(self.reply_timeout)
            self._request("D")  # detach: the guest runs on
        except (GdbError, OSError):
            pass
        self._sock.close()
        self._sock = None

    # -- the protocol -------------------------------------------------------------------------

    def _receive(self, timeout: float) -> bytes:
        """The next packet's data, acknowledged."""
        end = time.monotonic() + timeout
        while True:
            start = self._buffer.find(b"$")
            if start >= 0:
                hash_at = self._buffer.find(b"#", start)
                if hash_at >= 0 and len(self._buffer) >= hash_at + 3:
                    data = self._buffer[start + 1:hash_at]
                    checksum = int(self._buffer[hash_at + 1:hash_at + 3], 16)
                    self._buffer = self._buffer[hash_at + 3:]
                    if sum(data) % 256 != checksum:
                        self._sock.sendall(b"-")
                        continue
                    self._sock.sendall(b"+")
                    return data
            self._fill(end, f"no packet from the gdb stub within {timeout:g} s")

    def _fill(self, end: float, late: str) -> None:
        """Adds what the stub sends next to the buffer; GdbTimeout (saying `late`) after `end`."""
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise GdbTimeout(late)
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise GdbError("the gdb stub closed the connection")
            self._buffer += chunk
            return

    def _send(self, data: str) -> None:
        payload = data.encode()
        packet = b"$" + payload + b"#" + f"{sum(payload) % 256:02x}".encode()
        for _ in range(3):
            self._sock.sendall(packet)
            # The acknowledgement: '+' (or '-': send again).
            end = time.monotonic() + self.reply_timeout
            while not self._buffer:
                self._fill(end, "the gdb stub did not acknowledge a packet")
            ack, self._buffer = self._buffer[:1], self._buffer[1:]
            if ack == b"+":
                return
        raise GdbError(f"the gdb stub refused the packet {data[:40]!r} three times")

    def _request(self, data: str) -> bytes:
        self._send(data)
        reply = self._receive(self.reply_timeout)
        if reply.startswith(b"E"):
            raise GdbError(f"the gdb stub answered {reply.decode()} to {data[:40]!r}")
        return reply

    def _expect_ok(self, data: str) -> None:
        reply = self._request(data)
        if reply != b"OK":
            raise GdbError(f"the gdb stub answered {reply[:40]!r} to {data[:40]!r}")

    # -- what tests use -----------------------------------------------------------------------

    def break_at(self, address: int) -> None:
        self._expect_ok(f"Z0,{address:x},1")

    def remove_break(self, address: int) -> None:
        self._expect_ok(f"z0,{address:x},1")

    def cont_until_stop(self, timeout: float) -> bytes:
        """Lets the guest run until it stops (a breakpoint); the stop reply."""
        self._send("c")
        return self._receive(timeout)

    def physical_memory(self) -> None:
        """From now on, m and M take physical addresses (QEMU's own extension)."""
        self._expect_ok("Qqemu.PhyMemMode:1")

    def read(self, address: int, size: int) -> bytes:
        out = b""
        while len(out) < size:
            n = min(_READ_CHUNK, size - len(out))
            reply = self._request(f"m{address + len(out):x},{n:x}")
            chunk = bytes.fromhex(reply.decode())
            if not chunk:
                raise GdbError(f"the gdb stub read nothing at {address + len(out):#x}")
            out += chunk
        return out

    def write(self, address: int, data: bytes) -> None:
        self._expect_ok(f"M{address:x},{len(data):x}:{data.hex()}")
