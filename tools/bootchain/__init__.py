"""bootchain's host tools: build a boot ISO for GNU Mach and run it under QEMU.

machine.Machine is the API boot tests use; cli is the `./bootchain` command built on it.
"""
