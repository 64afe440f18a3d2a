"""The runner's exit statuses and how QEMU's own exit status maps onto them.

The guest chooses its status by writing a byte v to the isa-debug-exit port; QEMU then exits
with (v << 1) | 1. Every other way a run ends has a status of its own, above the range tests
and servers normally use.
"""

OK = 0
RUNNER_ERROR = 2   # bad arguments, missing files, QEMU could not start or failed
TIMEOUT = 124      # the guest ran past --timeout (the number timeout(1) uses)
PANIC = 125        # the kernel panicked or an assertion failed
NO_STATUS = 126    # the guest rebooted or halted without choosing a status

DESCRIPTIONS = {
    OK: "the guest powered off with status 0",
    1: "the guest powered off with status 1 (likewise any status the guest chooses)",
    RUNNER_ERROR: "the runner failed: bad arguments, a missing file, QEMU could not start",
    TIMEOUT: "the guest was still running at the timeout; QEMU was stopped",
    PANIC: "the kernel panicked (or an assertion failed); QEMU was stopped at once",
    NO_STATUS: "the guest rebooted or halted without choosing a status",
}


def from_qemu_exit(returncode: int, shutdown_reason: str | None = None) -> tuple[int, str | None]:
    """The runner's status for QEMU exiting with `returncode` after the guest started, and a
    one-line message when that is not a status the guest chose. shutdown_reason is what QEMU
    reported (its SHUTDOWN event's reason), if anything."""
    if returncode > 0 and returncode & 1:
        return returncode >> 1, None
    if returncode == 0:
        if shutdown_reason == "guest-reset":
            how = "the guest rebooted"
        elif shutdown_reason == "guest-shutdown":
            how = "the guest powered off"
        else:
            how = "QEMU ended"
        return NO_STATUS, f"{how} without choosing a status"
    if returncode < 0:
        return RUNNER_ERROR, f"QEMU was killed by signal {-returncode}"
    return RUNNER_ERROR, f"QEMU failed with status {returncode}"
