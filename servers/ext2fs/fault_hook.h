// A test hook, for the tests of the chain's shutdown only (tests/shutdown/): with
// --fault-after=N, ext2fs makes a real invalid memory access when its Nth io_write request
// arrives, before serving it, as a crashing filesystem would. Off (0) unless the option is given.
#pragma once

namespace ext2fs {

void fault_after_writes(unsigned long long n);
// Called at each io_write request.
void count_write();

} // namespace ext2fs
