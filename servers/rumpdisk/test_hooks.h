// Test hooks, for the tests of the chain's restart of rumpdisk (next_link.h); never given in a
// real boot. A restarted instance ignores the first two (it is started from the same module
// line, so it sees the same options):
//   --fault-after=N   the first instance makes a real invalid memory access at its Nth transfer;
//   --hang-after=N    the first instance stops serving at its Nth transfer (it sleeps for ever);
//   --fault-at-start  every instance makes that access as soon as it has its ports, before it
//                     serves: a driver that can never start, which the link above gives up.
#pragma once

namespace rumpdisk {

struct TestHooks {
    unsigned long long fault_after = 0;
    unsigned long long hang_after = 0;
    bool fault_at_start = false;
};

// The hooks for this instance (restarted instances drop fault_after and hang_after).
void set_test_hooks(const TestHooks&, unsigned instance);
// At start, once this instance has its ports.
void test_hook_at_start();
// At each transfer of the block server.
void test_hook_at_transfer();

} // namespace rumpdisk
